/**
 * `quorumlab bench [--json]`: runs the benchmarks in bench/ and prints their figures. Each
 * benchmark reports measured values next to its target; the machine is shared, so compare runs
 * on the same machine rather than across machines.
 */
import type { CommandModule } from "yargs";
import { benchCommit } from "../bench/commit.js";
import { benchConsistentHashing } from "../bench/consistent-hashing.js";
import { benchFuzz } from "../bench/fuzz.js";
import { benchKernel } from "../bench/kernel.js";
import { benchLinearizability } from "../bench/linearizability.js";
import { benchPaxosFamily } from "../bench/paxos.js";
import { benchRaft } from "../bench/raft.js";
import { benchShardedKv } from "../bench/sharded-kv.js";
import { ExitCode } from "../sim/errors.js";
import { colours, runCommand } from "./output.js";

type Bench = () => Promise<Record<string, unknown>>;

/** Benchmark name → runner; protocol figures sit under `protocols.<name>`. */
export const benches: ReadonlyArray<readonly [string, Bench]> = [
  ["kernel", () => benchKernel()],
  ["linearizability", benchLinearizability],
  ["protocols.raft", benchRaft],
  ["protocols.paxos-family", benchPaxosFamily],
  ["protocols.consistent-hashing", benchConsistentHashing],
  ["protocols.commit", benchCommit],
  ["protocols.sharded-kv", benchShardedKv],
  ["fuzz", benchFuzz],
];

export const benchCommand: CommandModule<object, { json: boolean; only?: string }> = {
  command: "bench",
  describe: "Measure kernel, checker and protocol throughput",
  builder: (yargs) =>
    yargs
      .option("json", { type: "boolean", default: false, describe: "print one JSON object" })
      .option("only", { type: "string", describe: "run only benchmarks whose name contains this text" }),
  handler: (args) =>
    runCommand(async () => {
      const c = colours(process.stderr, { json: false });
      const out: Record<string, unknown> = { schemaVersion: 1 };
      for (const [name, bench] of benches) {
        if (args.only !== undefined && !name.includes(args.only)) continue;
        process.stderr.write(c.dim(`bench ${name}…\n`));
        const figures = await bench();
        const path = name.split(".");
        let target = out;
        for (const part of path.slice(0, -1)) {
          target[part] ??= {};
          target = target[part] as Record<string, unknown>;
        }
        target[path[path.length - 1] as string] = figures;
      }
      process.stdout.write(args.json ? `${JSON.stringify(out)}\n` : `${JSON.stringify(out, null, 2)}\n`);
      return ExitCode.ok;
    }),
};
