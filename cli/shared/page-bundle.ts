/**
 * The HTML report's script, an esbuild bundle of `reports/page/`: the viewer (the diagram only)
 * for a report that is not a lab, or the lab (with the kernel, the checkers and one protocol) so
 * the page can fork the run and re-simulate it.
 *
 * `npm run build` bundles the TypeScript sources into `dist/page/viewer.js` and one lab per
 * built-in protocol, `dist/page/<protocol>.js` (this file, run as a script). A report written by the compiled CLI
 * reads that file; one written from the sources (tests, `npm run dev`) is bundled on the spot
 * (a second or two), so it never holds a stale page.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Protocol } from "../../sim/node.js";
import { packageRoot } from "../files.js";

const here = dirname(fileURLToPath(import.meta.url));
/** True when running the compiled CLI (dist/cli/), false when running the TypeScript sources. */
const compiled = here.split(/[\\/]/).includes("dist");
const root = packageRoot();

/** Where a protocol comes from: a module file and the name its protocol object has. */
export interface ProtocolSource {
  readonly module: string;
  readonly protocol: string;
}

const cache = new Map<string, string>();

/**
 * The script of a report that is not a lab: the diagram only (`reports/page/viewer.ts`),
 * prebuilt as `dist/page/viewer.js` by `npm run build`.
 */
export function viewerBundle(): string {
  const cached = cache.get("viewer");
  if (cached !== undefined) return cached;
  const prebuilt = join(root, "dist", "page", "viewer.js");
  const text = compiled && existsSync(prebuilt) ? readFileSync(prebuilt, "utf8") : bundleViewer();
  cache.set("viewer", text);
  return text;
}

/** Bundles the viewer's script. */
export function bundleViewer(): string {
  return bundleEntry(
    `import ${JSON.stringify(join(root, "reports", "page", "viewer.ts"))};`,
    "viewer-entry.js",
  );
}

/**
 * The page bundle for `source`; without `source.module`, the built-in protocol of that name
 * (prebuilt by `npm run build` when running the compiled CLI).
 */
export function pageBundle(source: { readonly protocol: string; readonly module?: string }): string {
  const key = `${source.module ?? ""}\n${source.protocol}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const prebuilt = join(root, "dist", "page", `${source.protocol}.js`);
  const text =
    compiled && source.module === undefined && existsSync(prebuilt)
      ? readFileSync(prebuilt, "utf8")
      : bundle({ module: source.module ?? builtInModule(source.protocol), protocol: source.protocol });
  cache.set(key, text);
  return text;
}

/**
 * The page bundle for a protocol loaded from the user's modules (`--module`, or the module a
 * scenario records): the modules are bundled with the page from their sources, TypeScript or
 * JavaScript, and their `quorumlab` imports with the simulator's own sources, so the page holds
 * one simulator. The protocol is the first export named `protocol` among the modules (then the
 * built-in one of that name), checked and completed as the CLI does (`checkProtocol`).
 */
export function modulePageBundle(source: {
  readonly protocol: string;
  readonly modules: readonly string[];
}): string {
  const key = `${source.modules.join("\n")}\n${source.protocol}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const candidates = [...source.modules.map((module) => resolve(module))];
  if (builtInFolder(source.protocol) !== undefined) candidates.push(builtInModule(source.protocol));
  const entry = [
    ...candidates.map((module, index) => `import * as module${index} from ${JSON.stringify(module)};`),
    `import { checkProtocol } from ${JSON.stringify(join(root, "sim", "protocol-check.ts"))};`,
    `import { startLab } from ${JSON.stringify(join(root, "reports", "page", "main.ts"))};`,
    `const name = ${JSON.stringify(source.protocol)};`,
    'const looksLike = (value) => value !== null && typeof value === "object" && value.name === name && typeof value.create === "function";',
    // A TypeScript module outside an ES-module package has its exports on `default`.
    'const exportsOf = (module) => [module.default, module.protocol, ...Object.values(module), ...(module.default !== null && typeof module.default === "object" ? Object.values(module.default) : [])];',
    `const found = [${candidates.map((_, index) => `module${index}`).join(", ")}].flatMap(exportsOf).find(looksLike);`,
    "startLab(found === undefined ? undefined : checkProtocol(found, name).protocol);",
  ].join("\n");
  const text = bundleEntry(entry, "module-lab-entry.js");
  cache.set(key, text);
  return text;
}

/**
 * The folder of a built-in protocol: `protocols/<folder>/index`, the folder whose name the
 * protocol's name ends with (`quorum-three-phase-commit` lives in `three-phase-commit`).
 */
export function builtInModule(protocol: string): string {
  const folder = builtInFolder(protocol);
  if (folder === undefined) throw new Error(`no protocols/ folder holds protocol '${protocol}'`);
  return join(root, "protocols", folder, "index.ts");
}

function builtInFolder(protocol: string): string | undefined {
  // An installed package ships the sources of sim/ and reports/ (for module labs), not protocols/.
  if (!existsSync(join(root, "protocols"))) return undefined;
  return readdirSync(join(root, "protocols"), { withFileTypes: true })
    .filter(
      (entry) => entry.isDirectory() && (protocol === entry.name || protocol.endsWith(`-${entry.name}`)),
    )
    .map((entry) => entry.name)
    .sort((left, right) => right.length - left.length)[0];
}

/** Bundles the page with the protocol named `source.protocol` exported by `source.module`. */
export function bundle(source: ProtocolSource): string {
  const entry = [
    `import * as protocolModule from ${JSON.stringify(source.module)};`,
    `import { startLab } from ${JSON.stringify(join(root, "reports", "page", "main.ts"))};`,
    "const protocol = Object.values(protocolModule).find(",
    `  (value) => value !== null && typeof value === "object" && value.name === ${JSON.stringify(source.protocol)} && Array.isArray(value.invariants),`,
    ");",
    "startLab(protocol);",
  ].join("\n");
  return bundleEntry(entry, "lab-entry.js");
}

/**
 * esbuild, loaded on first use: only a page bundled on the spot needs it (a `--module` lab, or a
 * report written from the sources), while every command that can write a report imports this
 * file. Imported up front, it was part of the start-up of `run`, `verify` and `fuzz`: 450–700 ms
 * of CPU on this 2-core machine under parallel load.
 */
function esbuild(): typeof import("esbuild") {
  return createRequire(import.meta.url)("esbuild") as typeof import("esbuild");
}

function bundleEntry(entry: string, name: string): string {
  const result = esbuild().buildSync({
    stdin: { contents: entry, resolveDir: root, sourcefile: name, loader: "js" },
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    target: "es2022",
    minify: true,
    legalComments: "inline",
    charset: "utf8",
    alias: {
      "node:crypto": join(root, "reports", "page", "sha256.ts"),
      // A user's module imports the simulator by the package's name: bundle its sources.
      quorumlab: join(root, "sim", "index.ts"),
    },
    // A page has no environment: a module that reads a variable reads it unset.
    define: { "process.env": "{}" },
    logLevel: "silent",
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error("esbuild wrote no page bundle");
  return output.text;
}

/** `node dist/cli/page-bundle.js`: writes `dist/page/<protocol>.js` for every built-in protocol. */
async function buildAll(): Promise<void> {
  const { protocols } = (await import(pathToFileURL(join(root, "dist", "protocols", "index.js")).href)) as {
    protocols: ReadonlyMap<string, Protocol>;
  };
  const out = join(root, "dist", "page");
  mkdirSync(out, { recursive: true });
  const viewer = bundleViewer();
  writeFileSync(join(out, "viewer.js"), viewer);
  process.stdout.write(`dist/page/viewer.js ${Math.round(viewer.length / 1024)} KB\n`);
  for (const name of protocols.keys()) {
    const text = bundle({ module: builtInModule(name), protocol: name });
    writeFileSync(join(out, `${name}.js`), text);
    process.stdout.write(`dist/page/${name}.js ${Math.round(text.length / 1024)} KB\n`);
  }
}

if (
  compiled &&
  process.argv[1] !== undefined &&
  resolve(process.argv[1]) === fileURLToPath(import.meta.url)
) {
  buildAll().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 70;
  });
}
