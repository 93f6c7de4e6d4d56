/**
 * Loading a user's protocol module: a JavaScript module imported as it is, or a TypeScript one
 * (`.ts`, `.mts`, `.cts`) compiled on the fly by tsx. The exported protocol (the default export,
 * the export named `protocol`, or the module's only protocol-like export) is validated and
 * completed with its defaults by `checkProtocol` before anything runs.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Message } from "esbuild";
import { InputError } from "../../sim/errors.js";
import type { Protocol } from "../../sim/node.js";
import { checkProtocol } from "../../sim/protocol-check.js";
import { displayPath } from "../files.js";

/** Whether a command-line target names a module file rather than a built-in protocol. */
export function isModulePath(target: string): boolean {
  return /\.(m?js|cjs|m?ts|cts)$/i.test(target) || target.includes("/") || target.includes("\\");
}

function looksLikeProtocol(value: unknown): boolean {
  if (value === null || typeof value !== "object") return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate.name === "string" && typeof candidate.create === "function";
}

async function importModule(path: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(path).href;
  if (/\.[mc]?ts$/i.test(path)) {
    const { tsImport } = await import("tsx/esm/api");
    return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  }
  return (await import(url)) as Record<string, unknown>;
}

/** tsx's compile error (esbuild's), whose first line only says that the transform failed. */
function transformFailed(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith("Transform failed");
}

/**
 * Where a module does not parse, and why, as esbuild reads it: Node's SyntaxError for an ES
 * module names no line, and tsx's puts it on a later line of its message. Undefined when
 * esbuild parses the file (the loader's own message is then all there is).
 */
async function syntaxErrorIn(
  path: string,
): Promise<{ text: string; line: number; column: number } | undefined> {
  // Loaded only here: a module that loads needs no second parser.
  const { transformSync } = await import("esbuild");
  try {
    transformSync(readFileSync(path, "utf8"), { loader: /\.[mc]?ts$/i.test(path) ? "ts" : "js" });
    return undefined;
  } catch (error) {
    const first = (error as { errors?: ReadonlyArray<Partial<Message>> }).errors?.[0];
    if (first?.text === undefined || first.location == null) return undefined;
    return { text: first.text, line: first.location.line, column: first.location.column + 1 };
  }
}

/**
 * The frames of a thrown error's stack in the user's files, innermost first: `file://` URLs or
 * absolute paths (as tsx's source maps give them), outside node_modules and this package.
 */
function userFrames(error: unknown): Array<{ path: string; line: number; column: number }> {
  const stack = error instanceof Error ? error.stack : undefined;
  if (stack === undefined) return [];
  const own = fileURLToPath(new URL("../../", import.meta.url));
  const frames: Array<{ path: string; line: number; column: number }> = [];
  for (const text of stack.split("\n").slice(1)) {
    // `at f (file:///m.mjs:3:9)` or `at /m.mjs:3:9`; not `node:internal/…`, nor tsx's `data:` code.
    const match = /(?:\(|^at )((?:file:\/\/|\/|[A-Za-z]:\\)[^()\s]*?):(\d+):(\d+)\)?$/.exec(text.trim());
    if (match === null) continue;
    const location = (match[1] as string).replace(/\?.*$/, "");
    const path = location.startsWith("file://") ? fileURLToPath(location) : location;
    if (path.startsWith(own) || path.includes(`${sep}node_modules${sep}`)) continue;
    frames.push({ path, line: Number(match[2]), column: Number(match[3]) });
  }
  return frames;
}

/**
 * Loads, validates and completes the protocol a module exports. `onWarning` hears what is legal
 * but probably not meant (no history model, nothing checked); the fuzz workers load quietly.
 */
export async function loadProtocolModule(
  path: string,
  options: { onWarning?: (message: string) => void } = {},
): Promise<Protocol> {
  const file = displayPath(path);
  let module: Record<string, unknown>;
  if (!existsSync(resolve(path))) throw new InputError("no such protocol module", { file });
  if (statSync(resolve(path)).isDirectory())
    throw new InputError("a folder, not a protocol module: give the module's .js or .ts file", { file });
  try {
    module = await importModule(resolve(path));
  } catch (error) {
    const located =
      error instanceof SyntaxError || transformFailed(error) ? await syntaxErrorIn(resolve(path)) : undefined;
    if (located !== undefined) {
      throw new InputError(`cannot load the protocol module: ${located.text}`, {
        file,
        line: located.line,
        column: located.column,
      });
    }
    // An import of the module that is missing, a top-level throw: the loader's first line says it,
    // and a throw's stack where: in the module itself, or in a file it imports.
    const message = (error as Error).message?.split("\n")[0] ?? String(error);
    const frames = userFrames(error);
    const own = frames.find((frame) => frame.path === resolve(path));
    if (own !== undefined)
      throw new InputError(`cannot load the protocol module: ${message}`, { file, ...own });
    const imported = frames[0];
    const at =
      imported === undefined ? "" : ` (at ${displayPath(imported.path)}:${imported.line}:${imported.column})`;
    throw new InputError(`cannot load the protocol module: ${message}${at}`, { file });
  }
  // A TypeScript file outside an ES-module package is loaded as CommonJS: its exports sit on `default`.
  const inner = module.default;
  if (inner !== null && typeof inner === "object" && !looksLikeProtocol(inner)) {
    module = { ...(inner as Record<string, unknown>) };
  }
  let exported: unknown;
  // An export named `default` or `protocol` is taken as the protocol, and validated as one.
  for (const key of ["default", "protocol"]) {
    if (module[key] !== undefined) {
      exported = module[key];
      break;
    }
  }
  if (exported === undefined) {
    const found = Object.keys(module)
      .sort()
      .map((key) => module[key])
      .filter(looksLikeProtocol);
    if (found.length !== 1) {
      throw new InputError(
        found.length === 0
          ? "the module exports no protocol: export an object with at least 'name' and 'create' as 'protocol' (see docs/node-api.md)"
          : "the module exports several protocols; export the one to use as 'protocol' or as default",
        { file },
      );
    }
    exported = found[0];
  }
  const { protocol, warnings } = checkProtocol(exported, file);
  for (const warning of warnings) options.onWarning?.(`${file}: ${warning}`);
  return protocol;
}
