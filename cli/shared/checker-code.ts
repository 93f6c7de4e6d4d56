/**
 * The linearizability checker as `quorumlab check` runs it: one bundle of `sim/check/` (the
 * parsers, the models and the checker, from ./checker-entry.ts), compiled by V8 through
 * `vm.Script` with a code cache that the user's own runs write.
 *
 * Why: a check of a small history in a fresh process spends about half its time in V8 parsing
 * and compiling the checker's functions on first use (docs/linearizability.md, "The code
 * cache"). Node 20 keeps no compiled code between processes for ES modules (Node 22's
 * `module.enableCompileCache` does, for modules); V8's code cache does it for a script. The
 * first run compiles the checker as before and, once its files are checked, saves what V8
 * compiled; later runs deserialize it instead of compiling. Nothing compiled is shipped: the
 * cache is made on the user's machine, by the user's Node, and V8 checks it against its
 * version, its flags and the source's length before using it (a cache it refuses is rewritten).
 *
 * Where: `$QUORUMLAB_CACHE_DIR`, else `$XDG_CACHE_HOME/quorumlab`, else `~/.cache/quorumlab`;
 * `QUORUMLAB_CACHE_DIR=off` turns it off. One file per checker build, Node version and set of
 * Node flags. A folder that cannot be read or written only means no cache.
 *
 * `npm run build` writes the bundle to `dist/checker/checker.cjs` (this file, run as a script),
 * its first line holding a SHA-256 of the rest that names the cache file. Run from the sources
 * (tests, `npm run dev`), the bundle is made on the spot and no cache is kept.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { Script } from "node:vm";
import * as zod from "zod";
import * as errors from "../../sim/errors.js";
import { makeFolder, packageRoot } from "../files.js";

/** What the bundle exports (./checker-entry.ts). */
export type CheckerCode = typeof import("./checker-entry.js");

const here = dirname(fileURLToPath(import.meta.url));
/** True when running the compiled CLI (dist/cli/), false when running the TypeScript sources. */
const compiled = here.split(/[\\/]/).includes("dist");

/** The bundle's first line: `// quorumlab checker sha256:<hex of the rest>`. */
const hashPrefix = "// quorumlab checker sha256:";

/** A loaded bundle, and what saving its cache needs. */
export interface LoadedChecker {
  readonly code: CheckerCode;
  readonly script: Script;
  /** The cache file, or undefined when no cache is kept. */
  readonly cacheFile: string | undefined;
  /** Whether V8 took a cache from `cacheFile` (false: none was there, or V8 refused it). */
  readonly cacheUsed: boolean;
  /** The size of the cache read, in bytes (0 when none). */
  readonly cacheBytes: number;
}

let loaded: LoadedChecker | undefined;

/**
 * Set before the checker is loaded, for the rest of the process. V8 compiles functions to
 * baseline code (Sparkplug) in batches, on the main thread, once their bytecode adds up to 4,096
 * estimated instructions; on a first check of a small history that batch fell inside the check
 * (75-90 us of a 0.5-0.6 ms call) and paid for itself only later. With a larger batch the first
 * check of `cas-crashy-0`, `-2` and `cas-many-clients-0` took 7-10 % less (fastest of 12 fresh
 * processes); a long search is optimized by TurboFan as before. V8's `--concurrent-sparkplug`
 * (baseline code compiled off the main thread) did better still, but Node 20 takes it only on the
 * command line: set at run time it crashes (docs/linearizability.md, "The code cache").
 */
const baselineBatchFlag = "--baseline-batch-compilation-threshold=65536";

/**
 * The checker, loaded once per process: from `dist/checker/checker.cjs` with the code cache when
 * the CLI is compiled, else bundled from the sources on the spot.
 */
export function checkerCode(): CheckerCode {
  if (loaded === undefined) {
    setFlagsFromString(baselineBatchFlag);
    const file = join(packageRoot(), "dist", "checker", "checker.cjs");
    const prebuilt = compiled && existsSync(file);
    const source = prebuilt ? readFileSync(file, "utf8") : withHash(bundleChecker());
    loaded = loadChecker({ source, filename: file, cacheFile: prebuilt ? cacheFileFor(source) : undefined });
  }
  return loaded.code;
}

/**
 * Saves what V8 has compiled of this process's checker (see `saveCache`). Call it once the checks
 * are done: the cache then holds the functions they ran.
 */
export function saveCheckerCache(): void {
  if (loaded !== undefined) saveCache(loaded);
}

/**
 * Saves what V8 has compiled of `checker` so far, when there was no cache to use or V8 refused
 * it, or when this process compiled more of it than the cache held (a search, not only the quick
 * witness). Never throws: a cache that cannot be written is only a slower next start.
 */
export function saveCache(checker: LoadedChecker): void {
  if (checker.cacheFile === undefined) return;
  try {
    const data = checker.script.createCachedData();
    if (checker.cacheUsed && data.length <= checker.cacheBytes) return;
    makeFolder(dirname(checker.cacheFile));
    // Written aside, then renamed: a process reading the file at the same time sees a whole one.
    const partial = `${checker.cacheFile}.${process.pid}.tmp`;
    writeFileSync(partial, data);
    renameSync(partial, checker.cacheFile);
  } catch {
    // No cache: the next run compiles the checker, as without one.
  }
}

/**
 * Compiles and runs a bundle (`source`, as `bundleChecker` makes it), with the code cache in
 * `cacheFile` when there is one V8 accepts.
 */
export function loadChecker(options: {
  readonly source: string;
  readonly filename: string;
  readonly cacheFile: string | undefined;
}): LoadedChecker {
  const { source, filename, cacheFile } = options;
  let cached: Buffer | undefined;
  try {
    if (cacheFile !== undefined) cached = readFileSync(cacheFile);
  } catch {
    cached = undefined;
  }
  const script = new Script(wrap(source), {
    filename,
    ...(cached === undefined ? {} : { cachedData: cached }),
  });
  const module = { exports: {} as CheckerCode };
  const run = script.runInThisContext() as (
    exports: object,
    require: (specifier: string) => unknown,
    module: { exports: CheckerCode },
  ) => void;
  run(module.exports, requireFor, module);
  return {
    code: module.exports,
    script,
    cacheFile,
    cacheUsed: cached !== undefined && script.cachedDataRejected !== true,
    cacheBytes: cached?.length ?? 0,
  };
}

/**
 * The bundle as one function of CommonJS's three names. Wrapped in parentheses, V8 compiles the
 * wrapper at once and the functions inside it on first use, as for a module.
 */
function wrap(source: string): string {
  return `(function (exports, require, module) {${source}\n})`;
}

/**
 * The bundle's imports: the errors module and zod are the ones the rest of the CLI uses (so
 * `instanceof InputError` holds across the two), everything else is bundled.
 */
function requireFor(specifier: string): unknown {
  if (specifier === "zod") return zod;
  if (specifier.endsWith("/errors.js")) return errors;
  throw new Error(`checker bundle: unexpected import '${specifier}'`);
}

/** The cache folder (see the module comment), or undefined when turned off. */
export function cacheFolder(environment: NodeJS.ProcessEnv = process.env): string | undefined {
  const chosen = environment.QUORUMLAB_CACHE_DIR;
  if (chosen === "off" || chosen === "") return undefined;
  if (chosen !== undefined) return resolve(chosen);
  const xdg = environment.XDG_CACHE_HOME;
  return xdg !== undefined && xdg !== "" ? join(xdg, "quorumlab") : join(homedir(), ".cache", "quorumlab");
}

/**
 * The cache file for this bundle, Node and set of flags: V8 refuses a cache made under other
 * flags or another version, so each gets its own file rather than overwriting the other's.
 */
function cacheFileFor(source: string): string | undefined {
  const folder = cacheFolder();
  if (folder === undefined) return undefined;
  const newline = source.indexOf("\n");
  const bundleHash = source.startsWith(hashPrefix) ? source.slice(hashPrefix.length, newline) : "";
  if (!/^[0-9a-f]{64}$/.test(bundleHash)) return undefined;
  const flags = [...process.execArgv, process.env.NODE_OPTIONS ?? ""].join("\u0000");
  const flagsHash = createHash("sha256").update(flags).digest("hex").slice(0, 12);
  const name = `checker-${bundleHash.slice(0, 16)}-node${process.version}-${process.arch}-${flagsHash}.v8cache`;
  return join(folder, name);
}

/** The bundle with its hash line. */
export function withHash(text: string): string {
  return `${hashPrefix}${createHash("sha256").update(text).digest("hex")}\n${text}`;
}

/** Bundles ./checker-entry.ts (the TypeScript sources) into one CommonJS script. */
export function bundleChecker(): string {
  const esbuild = createRequire(import.meta.url)("esbuild") as typeof import("esbuild");
  const root = packageRoot();
  const result = esbuild.buildSync({
    entryPoints: [join(root, "cli", "shared", "checker-entry.ts")],
    bundle: true,
    write: false,
    format: "cjs",
    platform: "node",
    target: "node20",
    // Left to `requireFor`: the errors module must be the CLI's own, and zod is loaded anyway.
    external: ["zod", "*/errors.js"],
    logLevel: "silent",
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error("esbuild wrote no checker bundle");
  return output.text;
}

/** `node dist/cli/shared/checker-code.js`: writes `dist/checker/checker.cjs`. */
function buildBundle(): void {
  const out = join(packageRoot(), "dist", "checker");
  mkdirSync(out, { recursive: true });
  const text = withHash(bundleChecker());
  writeFileSync(join(out, "checker.cjs"), text);
  process.stdout.write(`dist/checker/checker.cjs ${Math.round(text.length / 1024)} KB\n`);
}

if (
  compiled &&
  process.argv[1] !== undefined &&
  resolve(process.argv[1]) === fileURLToPath(import.meta.url)
) {
  buildBundle();
}
