/**
 * Escaping for every string that comes from a scenario or a trace. Names, values and notes are
 * user data: a scenario called `<script>` must show as text, never run.
 */

const htmlEntities: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => htmlEntities[character] ?? character);
}

/**
 * Serializes data for a `<script type="application/json">` block. `<`, `>` and `&` become
 * `\u003c`, `\u003e`, `\u0026` so no `</script>` or `<!--` can end the block early, and the line
 * separators U+2028/U+2029 are escaped too. `JSON.parse` reads the result back unchanged.
 */
export function jsonForScript(value: unknown): string {
  return (JSON.stringify(value) ?? "null").replace(/[<>&\u2028\u2029]/g, (character) => {
    const code = character.charCodeAt(0).toString(16).padStart(4, "0");
    return `\\u${code}`;
  });
}

/**
 * A script's code for the content of an inline `<script>` element. Besides `</script` (in any
 * case), which ends the element, `<!--` must not stay: after it, a `<script` in the code (a
 * protocol module's string, say) makes the HTML parser read past the closing `</script>` to the
 * end of the page, and the page's script never runs. Both only occur inside string, template and
 * regular-expression literals of a bundle, where `\x3C` means `<` as well.
 */
export function scriptElementText(code: string): string {
  return code.replace(/<(?=!--|\/script)/gi, "\\x3C");
}

/**
 * Escapes text for a Markdown table cell or inline text: backslash-escapes Markdown syntax,
 * turns `|` and newlines into safe forms, and HTML-escapes `<`, `>` and `&` (GitHub renders raw
 * HTML in Markdown).
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_{}[\]|~]/g, (character) => `\\${character}`)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\r?\n/g, " ");
}

/** Text for a Markdown code span: backticks in the text get a longer fence. */
export function markdownCode(text: string): string {
  const single = text.replace(/\r?\n/g, " ");
  const longest = Math.max(0, ...(single.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = single.startsWith("`") || single.endsWith("`") ? " " : "";
  return `${fence}${pad}${single}${pad}${fence}`;
}

/**
 * Text for a Mermaid message or note: Mermaid reads `;`, `#`, `<`, `>` and `:` specially, so
 * they become its `#code;` entities; newlines become spaces.
 */
export function escapeMermaid(text: string): string {
  return text.replace(/\r?\n/g, " ").replace(/[#;<>:"&{}]/g, (character) => `#${character.charCodeAt(0)};`);
}

/** Strips terminal control characters (ESC sequences, bells) from text printed to a terminal. */
export function plainText(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, "�");
}

/**
 * One word of a shell command line, as POSIX shells read it: left as it is when made only of
 * characters no shell treats specially, else in single quotes (a quote inside as `'\''`). A
 * scenario named `x; rm -rf ~` or a file named `f8 copy.yaml` then pastes as one argument.
 */
export function shellWord(text: string): string {
  if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, "'\\''")}'`;
}

/**
 * A file's path as one shell word (`shellWord`) that a command line's parser takes for an argument,
 * not a flag: `./-x.yaml` for `-x.yaml`.
 */
export function pathWord(path: string): string {
  return shellWord(path.startsWith("-") ? `./${path}` : path);
}
