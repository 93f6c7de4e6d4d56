/**
 * `quorumlab bench [--json] [--only TEXT]`: runs the benchmarks in bench/ and prints one JSON
 * object (`kernel`, `linearizability` with `linearizability.hard`, `txn`, `protocols.<name>`, `fuzz`, `explore`, `lab`). Each benchmark runs in a fresh
 * Node process of its own, as each is when run directly (`node dist/bench/raft.js`), so that no
 * figure depends on the heap an earlier benchmark left behind. Each reports measured values next
 * to its target; the machine is shared, so compare runs on the same machine, not across machines.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { CommandModule } from "yargs";
import { ExitCode, InputError } from "../sim/errors.js";
import { didYouMean } from "../sim/suggest.js";
import { colours, runCommand } from "./output.js";
import { commandHeadings } from "./shared/command-headings.js";

/** Benchmark name → its module in bench/; protocol figures sit under `protocols.<name>`. */
export const benches: ReadonlyArray<readonly [string, string]> = [
  ["kernel", "kernel"],
  ["linearizability", "linearizability"],
  ["linearizability.hard", "linearizability-hard"],
  ["txn", "txn"],
  ["protocols.raft", "raft"],
  ["protocols.paxos-family", "paxos"],
  ["protocols.consistent-hashing", "consistent-hashing"],
  ["protocols.commit", "commit"],
  ["protocols.sharded-kv", "sharded-kv"],
  ["fuzz", "fuzz"],
  // `{rare: [...]}` lands at `fuzz.rare`: the benchmark's own object is merged into its place.
  ["fuzz", "fuzz-rare"],
  ["explore", "explore"],
  ["lab", "lab"],
];

/** The benchmarks' names, each once, in the order they run. */
function benchNames(): string[] {
  return [...new Set(benches.map(([name]) => name))];
}

/** The compiled benchmark modules (dist/bench), next to the compiled command. */
function benchFolder(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const folder = here.endsWith(join("dist", "cli"))
    ? join(here, "..", "bench")
    : join(here, "..", "dist", "bench");
  if (!existsSync(join(folder, "raft.js"))) {
    throw new InputError("bench needs the compiled package: run `npm run build`");
  }
  return folder;
}

/**
 * Runs one benchmark module and parses the JSON it prints. Its stderr (a long benchmark's
 * progress, such as the rare-bug bench's line per seed) goes straight to ours.
 */
async function runBench(folder: string, module: string): Promise<Record<string, unknown>> {
  const child = spawn(process.execPath, [join(folder, `${module}.js`)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const chunks: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  if (code !== 0) throw new Error(`bench ${module} exited with code ${code}`);
  return JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
}

export const benchCommand: CommandModule<object, { json: boolean; only?: string }> = {
  ...commandHeadings.bench,
  builder: (yargs) =>
    yargs
      .option("json", { type: "boolean", default: false, describe: "print one JSON object" })
      .option("only", {
        type: "string",
        describe: `run only benchmarks whose name or module contains this text (${benchNames().join(", ")}, or fuzz-rare: the rare-bug benchmark, under fuzz.rare)`,
      })
      .example("$0 bench --only kernel", "kernel throughput alone")
      .example("$0 bench --json", "every benchmark, one JSON object on one line"),
  handler: (args) =>
    runCommand(async () => {
      const c = colours(process.stderr, { json: false });
      const chosen = benches.filter(
        ([name, module]) => args.only === undefined || name.includes(args.only) || module.includes(args.only),
      );
      if (chosen.length === 0)
        throw new InputError(
          `--only: no benchmark matches '${args.only}'${didYouMean(args.only as string, benchNames())} (benchmarks: ${benchNames().join(", ")}, or fuzz-rare: the rare-bug benchmark, under fuzz.rare)`,
        );
      const folder = benchFolder();
      const out: Record<string, unknown> = { schemaVersion: 1 };
      for (const [name, module] of chosen) {
        process.stderr.write(c.dim(`bench ${name}…\n`));
        const figures = await runBench(folder, module);
        const path = name.split(".");
        let target = out;
        for (const part of path.slice(0, -1)) {
          target[part] ??= {};
          target = target[part] as Record<string, unknown>;
        }
        const last = path[path.length - 1] as string;
        target[last] = { ...(target[last] as Record<string, unknown> | undefined), ...figures };
      }
      process.stdout.write(args.json ? `${JSON.stringify(out)}\n` : `${JSON.stringify(out, null, 2)}\n`);
      return ExitCode.ok;
    }),
};
