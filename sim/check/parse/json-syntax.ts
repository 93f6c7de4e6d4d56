/**
 * Where a text stops being JSON. JSON.parse says where only for some errors: "Unexpected token
 * 'x', ..." and "Unexpected end of JSON input" name no position, and a reader that placed them
 * at line 1, column 1 would send the user to the wrong line of a long history.
 */

/**
 * What the scan expects next: a value; a value or, right after `[`, the `]`; a string key or,
 * right after `{`, the `}`; a key after a comma; the `:` after a key; or, after a value, a comma,
 * the closing bracket of the collection around it, or (outside any) the end.
 */
type Expect = "value" | "value-or-close" | "key-or-close" | "key" | "colon" | "after";

const numberToken = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/y;
const hexDigits = /^[0-9a-fA-F]{4}$/;

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

/**
 * The offset just past the string literal whose opening quote is at `start`, or the negated
 * offset, less one, of the character where it stops being one (an end of text counts as the
 * text's length).
 */
function stringEnd(text: string, start: number): number {
  let index = start + 1;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if (code === 34) return index + 1;
    if (code < 32) return -index - 1;
    if (code === 92) {
      const escaped = text[index + 1];
      if (escaped === undefined) return -text.length - 1;
      if (escaped === "u") {
        if (!hexDigits.test(text.slice(index + 2, index + 6))) return -index - 1;
        index += 6;
        continue;
      }
      if (!'"\\/bfnrt'.includes(escaped)) return -index - 1;
      index += 2;
      continue;
    }
    index++;
  }
  return -text.length - 1;
}

/**
 * The offset of the first character of `text` that is not JSON (the text's length when it ends
 * before its value does), or undefined when the whole text is one JSON value.
 */
export function jsonSyntaxErrorOffset(text: string): number | undefined {
  // The collections open around the position, innermost last: true for an object.
  const open: boolean[] = [];
  let expect: Expect = "value";
  let index = 0;
  for (;;) {
    while (index < text.length && isSpace(text.charCodeAt(index))) index++;
    if (index >= text.length) return expect === "after" && open.length === 0 ? undefined : text.length;
    const character = text[index]!;
    switch (expect) {
      case "after":
        if (open.length === 0) return index;
        if (character === ",") {
          expect = open[open.length - 1] ? "key" : "value";
          index++;
        } else if (character === (open[open.length - 1] ? "}" : "]")) {
          open.pop();
          index++;
        } else return index;
        continue;
      case "colon":
        if (character !== ":") return index;
        expect = "value";
        index++;
        continue;
      case "key-or-close":
      case "key":
        if (character === "}" && expect === "key-or-close") {
          open.pop();
          expect = "after";
          index++;
          continue;
        }
        if (character !== '"') return index;
        index = stringEnd(text, index);
        if (index < 0) return -index - 1;
        expect = "colon";
        continue;
      default:
        break;
    }
    // A value (or, right after `[`, the `]` that closes it).
    if (character === "]" && expect === "value-or-close") {
      open.pop();
      expect = "after";
      index++;
    } else if (character === "{" || character === "[") {
      open.push(character === "{");
      expect = character === "{" ? "key-or-close" : "value-or-close";
      index++;
    } else if (character === '"') {
      index = stringEnd(text, index);
      if (index < 0) return -index - 1;
      expect = "after";
    } else {
      const word = ["true", "false", "null"].find((literal) => literal[0] === character);
      if (word !== undefined) {
        // At the first character that leaves the word, as JSON.parse names it (`tru}`: the `}`).
        for (const letter of word) {
          if (text[index] !== letter) return index;
          index++;
        }
      } else {
        numberToken.lastIndex = index;
        const length = numberToken.exec(text)?.[0].length;
        if (length === undefined) return index;
        index += length;
      }
      expect = "after";
    }
  }
}
