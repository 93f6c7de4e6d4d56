/**
 * Finding and reading the package's files: built-in scenarios, and user files given by path.
 */
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
  statSync,
} from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { InputError } from "../sim/errors.js";
import { parseScenario } from "../sim/scenario/load.js";
import type { Scenario } from "../sim/scenario/schema.js";
import { closestName } from "../sim/suggest.js";
import { standardInput } from "./shared/standard-input.js";

/** The package root: the nearest folder above this file that holds package.json. */
export function packageRoot(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(folder, "package.json"))) {
    const parent = dirname(folder);
    if (parent === folder) throw new Error("cannot find the quorumlab package root");
    folder = parent;
  }
  return folder;
}

/** The version in package.json. */
export function packageVersion(): string {
  const text = readFileSync(join(packageRoot(), "package.json"), "utf8");
  return (JSON.parse(text) as { version: string }).version;
}

export function scenariosFolder(): string {
  return join(packageRoot(), "scenarios");
}

/** Every built-in scenario file (including regressions/), sorted by path. */
export function scenarioFiles(): string[] {
  return yamlFilesUnder(scenariosFolder());
}

/** The `.yaml` and `.yml` files under `folder`, sub-folders included, in name order. */
export function yamlFilesUnder(folder: string): string[] {
  const out: string[] = [];
  const walk = (at: string): void => {
    if (!existsSync(at)) return;
    for (const entry of readdirSync(at).sort()) {
      const path = join(at, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.ya?ml$/.test(entry)) out.push(path);
    }
  };
  walk(folder);
  return out;
}

/**
 * Reads a text file (or standard input), turning "not found" into a clear input error. A UTF-8
 * byte order mark, which some editors write at the start of a file, is not part of the text.
 */
export function readText(path: string): string {
  try {
    const text = path === standardInput ? readStandardInput() : readFileSync(path, "utf8");
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      const target = linkTarget(path);
      throw new InputError(
        target === undefined ? "no such file" : `a symbolic link to ${target}, which does not exist`,
        { file: path },
      );
    }
    if (code === "ELOOP") throw new InputError("a loop of symbolic links, expected a file", { file: path });
    if (code === "EISDIR") throw new InputError("is a folder, expected a file", { file: path });
    throw new InputError(`cannot read: ${(error as Error).message}`, { file: path });
  }
}

/** Where the symbolic link `path` points; undefined when it is not one. */
function linkTarget(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

/**
 * All of standard input, to its end. Read in a loop rather than by `readFileSync(0)`: a pipe that
 * another process left non-blocking answers EAGAIN until data arrives, and then this waits 5 ms.
 */
function readStandardInput(): string {
  const chunks: Buffer[] = [];
  const buffer = Buffer.alloc(1 << 16);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    let read: number;
    try {
      read = readSync(0, buffer, 0, buffer.length, null);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") {
        Atomics.wait(pause, 0, 0, 5);
        continue;
      }
      if (code === "EOF") break;
      throw error;
    }
    if (read === 0) break;
    chunks.push(Buffer.from(buffer.subarray(0, read)));
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Runs `work` on what was read from `file`, naming the file in an input error that names none. */
export function inFile<T>(file: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof InputError && error.file === undefined) {
      throw new InputError(error.message, {
        file,
        ...(error.line === undefined ? {} : { line: error.line }),
        ...(error.column === undefined ? {} : { column: error.column }),
      });
    }
    throw error;
  }
}

/**
 * Loads a scenario from a file path, or a built-in scenario by name. A name that is neither gets
 * the closest scenario name, or of `also` (the protocols, for a command that takes one too).
 */
export function loadScenario(nameOrPath: string, also: readonly string[] = []): Scenario {
  if (/\.(ya?ml|json)$/i.test(nameOrPath) || nameOrPath.includes("/") || existsSync(nameOrPath)) {
    return parseScenario(readText(nameOrPath), nameOrPath);
  }
  const names: string[] = [];
  for (const file of scenarioFiles()) {
    const scenario = parseScenario(readFileSync(file, "utf8"), displayPath(file));
    if (scenario.name === nameOrPath) return scenario;
    names.push(scenario.name);
  }
  const meant = closestName(nameOrPath, [...names, ...also]);
  throw new InputError(
    `no built-in scenario named '${nameOrPath}'${meant === undefined ? "" : ` (did you mean '${meant}'?)`} (see 'quorumlab list'), and no such file`,
  );
}

/** A path as people should see it: relative to the working folder when that is shorter. */
export function displayPath(path: string): string {
  const relativePath = relative(process.cwd(), path);
  return relativePath.length < resolve(path).length && !relativePath.startsWith("../..")
    ? relativePath
    : path;
}

/**
 * Throws an input error unless `folder` is a folder this process can write in, or one it could
 * make: checked before a long search, so that what the search finds is not lost for want of a
 * place to save it. Nothing is made here.
 */
export function checkOutputFolder(folder: string, flag: string): void {
  let at = resolve(folder);
  for (;;) {
    if (existsSync(at)) {
      if (!statSync(at).isDirectory()) {
        throw new InputError(`${flag}: ${displayPath(at)} is a file, not a folder (${flag} ${folder})`);
      }
      try {
        accessSync(at, constants.W_OK);
      } catch {
        throw new InputError(`${flag}: cannot write in ${displayPath(at)} (${flag} ${folder})`);
      }
      return;
    }
    const parent = dirname(at);
    if (parent === at) return;
    at = parent;
  }
}

/**
 * Throws an input error unless `file` can be written once a long search is over: not a folder,
 * in a folder that exists and this process can write in (the file is written there as is, its
 * folder not made), and writable if it exists. Nothing is written here.
 */
export function checkOutputFile(file: string, flag: string): void {
  const at = resolve(file);
  if (existsSync(at) && statSync(at).isDirectory())
    throw new InputError(`${flag}: ${file} is a folder, not a file`);
  const folder = dirname(at);
  if (!existsSync(folder) || !statSync(folder).isDirectory())
    throw new InputError(`${flag}: there is no folder ${dirname(file)} to write ${file} in`);
  try {
    accessSync(existsSync(at) ? at : folder, constants.W_OK);
  } catch {
    throw new InputError(`${flag}: cannot write ${file}`);
  }
}

/**
 * Makes `folder` and its missing parents, one at a time. Not `mkdirSync(folder, { recursive:
 * true })`: in Node 20 that never returned for a folder under `/proc`, spinning on the error.
 */
export function makeFolder(folder: string): void {
  const missing: string[] = [];
  for (let current = folder; !existsSync(current); current = dirname(current)) {
    if (dirname(current) === current || missing.length >= 64) throw new Error(`cannot make ${folder}`);
    missing.push(current);
  }
  for (let index = missing.length - 1; index >= 0; index--) mkdirSync(missing[index] as string);
}

/** `makeFolder` for a folder the user named with `flag`: a failure is theirs to fix (exit 2). */
export function makeOutputFolder(folder: string, flag: string): void {
  try {
    makeFolder(folder);
  } catch (error) {
    throw new InputError(`${flag}: cannot make the folder ${folder}: ${(error as Error).message}`);
  }
}
