/**
 * Goal: each protocols/<name>/README.md stays a true guide to its folder. Method: for every
 * README, check that
 * - it names every source file of the folder, and every file path it writes in backticks exists;
 * - every function or method it writes as `name()`, and every name in the "where" column of its
 *   paper map, is declared in the folder's source or in a source file the README names;
 * - the bugs its "Deliberate bugs" section lists are exactly those the folder's protocol modules
 *   declare, with the same ids;
 * - it names every invariant those modules register, each of which has a one-line statement and
 *   a source.
 *
 * A path resolves against the folder, the repository root, `protocols/`, `protocols/shared/` or
 * the folder's tests in `test/<name>/`; a path with a `*` is a pattern and is not checked.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const protocolsDir = join(root, "protocols");

const folders = readdirSync(protocolsDir)
  .filter((name) => statSync(join(protocolsDir, name)).isDirectory())
  .filter((name) => existsSync(join(protocolsDir, name, "README.md")))
  .sort();

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    else if (/\.(ts|tsx|js|mjs|cjs)$/.test(entry.name)) files.push(path);
  }
  return files.sort();
}

/** The contents of every `backticked` span of a Markdown text. */
function backticked(text: string): string[] {
  return [...text.matchAll(/`([^`\n]+)`/g)].map((match) => match[1] as string);
}

/** A span that is a file path: no spaces, ending in a known extension. */
const pathPattern = /^[\w.@/-]+\.(ts|tsx|js|mjs|cjs|md|yaml|yml|json|html)$/;

/** A span that is a call of a function or method with no arguments: `name()`, `Class.name()`. */
const callPattern = /^(?:[A-Za-z_$][\w$]*\.)*([A-Za-z_$][\w$]*)\(\)$/;

function resolvePath(folder: string, path: string): string | undefined {
  const bases = [
    join(protocolsDir, folder),
    root,
    protocolsDir,
    join(protocolsDir, "shared"),
    join(root, "test", folder),
  ];
  for (const base of bases) {
    const candidate = join(base, path);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Whether `source` declares `name` as a function, a method, a class, or a property holding a
 * function, or names a message or command of that type or kind (`type: "name"`).
 */
function declares(source: string, name: string): boolean {
  const escaped = name.replace(/\$/g, "\\$");
  const forms = [
    // function name(…) / function* name(…)
    `function\\s*\\*?\\s*${escaped}\\s*[<(]`,
    // a method: name(…) {, with modifiers, at the start of a line
    `^\\s*(?:(?:private|protected|public|static|readonly|async|override|get|set|abstract)\\s+)*${escaped}\\s*[<(]`,
    // name = (…) =>, name: (…) =>, name = function
    `\\b${escaped}\\s*[:=]\\s*(?:async\\s*)?(?:\\([^)]*\\)\\s*(?::[^=]+)?=>|[A-Za-z_$][\\w$]*\\s*=>|function\\b)`,
    // class Name, interface Name
    `\\b(?:class|interface)\\s+${escaped}\\b`,
    // a message or command: type: "name", kind: "name"
    `\\b(?:type|kind)\\s*:\\s*"${escaped}"`,
  ];
  return forms.some((form) => new RegExp(form, "m").test(source));
}

/**
 * The bugs in the table rows of the README's "Deliberate bugs" section: each row's first cell
 * that is a backticked kebab-case name, with the catalogue id of the row (a cell `M<n>`, or
 * `M<n>a` for one of two bugs that share an id), when it gives one.
 */
function readmeBugs(readme: string): Map<string, string | undefined> | undefined {
  const start = readme.search(/^## Deliberate bugs\s*$/m);
  if (start < 0) return undefined;
  const rest = readme.slice(start).split("\n").slice(1);
  const end = rest.findIndex((line) => /^## /.test(line));
  const bugs = new Map<string, string | undefined>();
  for (const line of end < 0 ? rest : rest.slice(0, end)) {
    if (!line.startsWith("|") || /^\|\s*-/.test(line)) continue;
    const cells = line.split("|").map((cell) => cell.trim());
    const name = cells.map((cell) => /^`([a-z0-9]+(?:-[a-z0-9]+)+)`$/.exec(cell)?.[1]).find(Boolean);
    if (name === undefined) continue;
    const id = cells.map((cell) => /^(M\d+[a-z]?)$/.exec(cell)?.[1]).find(Boolean);
    if (!bugs.has(name) || id !== undefined) bugs.set(name, id);
  }
  return bugs;
}

/**
 * The backticked names in the "where" column of the README's paper maps (a table whose header has
 * a cell starting with "where"): `method`, `Class.method` or `Class`; file names are left to the
 * path check.
 */
function mappedNames(readme: string): string[] {
  const names: string[] = [];
  let column = -1;
  for (const line of readme.split("\n")) {
    if (!line.startsWith("|")) {
      column = -1;
      continue;
    }
    const cells = line.split("|").map((cell) => cell.trim());
    if (column < 0) {
      column = cells.findIndex((cell) => /^where\b/i.test(cell));
      continue;
    }
    if (/^\|\s*-/.test(line)) continue;
    for (const span of backticked(cells[column] ?? "")) {
      if (!pathPattern.test(span) && /^(?:[A-Za-z_$][\w$]*\.)?[A-Za-z_$][\w$]*$/.test(span)) names.push(span);
    }
  }
  return names;
}

interface ProtocolModule {
  readonly name: string;
  readonly bugs?: readonly { readonly name: string; readonly id?: string }[];
  readonly invariants?: readonly {
    readonly name: string;
    readonly statement: string;
    readonly source: string;
  }[];
  readonly create: unknown;
}

/** The protocol modules a folder's `index.ts` exports (none for a folder without one). */
async function protocolModules(folder: string): Promise<ProtocolModule[]> {
  const index = join(protocolsDir, folder, "index.ts");
  if (!existsSync(index)) return [];
  const module = (await import(pathToFileURL(index).href)) as Record<string, unknown>;
  return Object.values(module).filter(
    (value): value is ProtocolModule =>
      typeof value === "object" &&
      value !== null &&
      typeof (value as ProtocolModule).name === "string" &&
      typeof (value as ProtocolModule).create === "function",
  );
}

/** The bugs, with their ids, that the protocol modules of a folder declare. */
async function declaredBugs(folder: string): Promise<Map<string, string | undefined> | undefined> {
  const modules = await protocolModules(folder);
  if (modules.length === 0) return undefined;
  return new Map(
    modules.flatMap((protocol) => (protocol.bugs ?? []).map((bug) => [bug.name, bug.id] as const)),
  );
}

describe.each(folders)("protocols/%s/README.md", (folder) => {
  const dir = join(protocolsDir, folder);
  const readme = readFileSync(join(dir, "README.md"), "utf8");
  const spans = backticked(readme);
  const files = sourceFiles(dir);

  it("names every source file of the folder", () => {
    const unnamed = files
      .map((file) => relative(dir, file).split(sep).join("/"))
      .filter((path) => !spans.includes(path) && !spans.includes(`protocols/${folder}/${path}`));
    expect(unnamed).toEqual([]);
  });

  it("names only files that exist", () => {
    const missing = spans
      .filter((span) => pathPattern.test(span) && !span.includes("*"))
      .filter((span) => resolvePath(folder, span) === undefined);
    expect(missing).toEqual([]);
  });

  it("names only functions and methods the source declares", () => {
    const named = spans
      .filter((span) => pathPattern.test(span))
      .map((span) => resolvePath(folder, span))
      .filter((path): path is string => path !== undefined && /\.(ts|tsx|js|mjs|cjs)$/.test(path));
    const source = [...new Set([...files, ...named])].map((file) => readFileSync(file, "utf8")).join("\n");
    const undeclared = spans
      .map((span) => callPattern.exec(span)?.[1])
      .filter((name): name is string => name !== undefined)
      .filter((name) => !declares(source, name));
    expect(undeclared).toEqual([]);
  });

  it("maps each rule to functions, methods and classes the source declares", () => {
    const named = spans
      .filter((span) => pathPattern.test(span))
      .map((span) => resolvePath(folder, span))
      .filter((path): path is string => path !== undefined && /\.(ts|tsx|js|mjs|cjs)$/.test(path));
    const source = [...new Set([...files, ...named])].map((file) => readFileSync(file, "utf8")).join("\n");
    const undeclared = mappedNames(readme).filter((name) =>
      name.split(".").some((part) => !declares(source, part)),
    );
    expect(undeclared).toEqual([]);
  });

  it("names every invariant the protocol registers, each with a one-line statement and a source", async () => {
    const invariants = (await protocolModules(folder)).flatMap((protocol) => protocol.invariants ?? []);
    const oneLine = (text: string) => typeof text === "string" && text.trim() !== "" && !text.includes("\n");
    const undocumented = invariants
      .filter((invariant) => !oneLine(invariant.statement) || !oneLine(invariant.source))
      .map((invariant) => invariant.name);
    expect(undocumented).toEqual([]);
    // Named in full, or as a family: `raft.*`.
    const unnamed = invariants
      .map((invariant) => invariant.name)
      .filter((name) => !spans.includes(name) && !spans.includes(`${name.slice(0, name.indexOf("."))}.*`));
    expect([...new Set(unnamed)]).toEqual([]);
  });

  it("lists the bugs the protocol declares, and no others, with their ids", async () => {
    const declared = await declaredBugs(folder);
    const listed = readmeBugs(readme) ?? new Map<string, string | undefined>();
    expect([...listed.keys()].sort()).toEqual([...(declared?.keys() ?? [])].sort());
    const wrongIds = [...listed]
      .filter(([name, id]) => id !== undefined && declared?.get(name) !== id)
      .map(([name, id]) => `${name}: ${id} in the README, ${declared?.get(name)} declared`);
    expect(wrongIds).toEqual([]);
  });
});
