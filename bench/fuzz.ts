/**
 * Fuzzer throughput: campaign runs per second for 5-node Raft runs of 5 simulated seconds with a
 * workload and generated faults, in one thread and over two worker threads.
 *
 * Targets: at least 100 runs/s per core, and 2 workers at least 1.8× one worker. Both are
 * measured as `quorumlab fuzz` runs a campaign (the same batches, pipelining and evaluator: one
 * worker in this thread, two in the worker host process), on time budgets after a warm-up. Every
 * run is a full fuzz run: generate the plan, simulate with every online invariant, check the
 * history for linearizability. Two workers need the compiled package (`npm run build`); the
 * machine is shared, so compare figures from the same run.
 *
 * `speedup` is the median of the rounds' own ratios: the two halves of a round ran seconds apart
 * and saw the machine alike, while a mode's fastest or median round may come from a calm or a
 * busy spell of its own. `bestSpeedup` (fastest round over fastest round) and `medianSpeedup`
 * (median over median) are given beside it, and `roundSpeedups` lists every round's ratio.
 */
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { resolveTarget, runEvaluator } from "../cli/shared/fuzz-campaign.js";
import { runCampaign } from "../sim/fuzz/campaign.js";
import { fuzzSettings } from "../sim/fuzz/settings.js";

/** Rounds of (one worker, two workers), each on its own time budget, alternated. */
const rounds = 6;
const roundMs = 3_000;
/**
 * Warm-up per mode. A campaign's runs differ in shape (cluster, faults, workload), so V8 keeps
 * optimizing and re-optimizing for a while: on this machine compilation settles after about
 * 10–15 s. Two workers compile twice over on the cores they run on, while one worker compiles on
 * the idle core, so a short warm-up measures the JIT rather than the fuzzer.
 */
const warmUpMs = 12_000;

interface Mode {
  readonly workers: number;
  readonly campaign: (seed: bigint, budgetMs: number) => ReturnType<typeof runCampaign>;
  readonly close: () => Promise<void>;
  readonly samples: Array<{ runsPerSec: number; eventsPerSec: number; runs: number }>;
}

async function mode(workers: number): Promise<Mode> {
  const { source, protocol } = await resolveTarget("raft");
  const settings = fuzzSettings(protocol, {
    nodesMin: 5,
    nodesMax: 5,
    durationMs: 5_000,
    workloadRequired: true,
  });
  const evaluator = runEvaluator(source, settings, 1n, workers);
  return {
    workers,
    campaign: (seed, budget) =>
      runCampaign({
        settings,
        seed,
        budgetMs: budget,
        now: () => performance.now(),
        batchSize: workers === 1 ? 16 : 64 * workers,
        evaluate: evaluator.evaluate,
        pipeline: workers > 1,
      }),
    close: evaluator.close,
    samples: [],
  };
}

function summary(samples: Mode["samples"]) {
  const sorted = [...samples].sort((a, b) => b.runsPerSec - a.runsPerSec);
  const best = sorted[0] as Mode["samples"][number];
  const median = sorted[Math.floor(sorted.length / 2)] as Mode["samples"][number];
  const round = (value: number) => Math.round(value * 10) / 10;
  return {
    runsPerSec: round(best.runsPerSec),
    medianRunsPerSec: round(median.runsPerSec),
    eventsPerSec: Math.round(best.eventsPerSec),
    runs: samples.reduce((sum, sample) => sum + sample.runs, 0),
  };
}

/**
 * Both modes are set up and warmed up first, then measured in alternating rounds, so that a
 * slow spell of a shared machine hits both alike; each mode's fastest round is its figure (noise
 * only ever adds time), with the median beside it.
 */
export async function benchFuzz(): Promise<Record<string, unknown>> {
  const modes = [await mode(1), await mode(2)];
  try {
    // Warm up (JIT, worker start-up) on other runs than the measured ones.
    for (const each of modes) await each.campaign(2n, warmUpMs);
    for (let round = 0; round < rounds; round++) {
      for (const each of modes) {
        const result = await each.campaign(BigInt(100 + round), roundMs);
        const seconds = result.elapsedMs / 1000;
        each.samples.push({
          runsPerSec: result.evaluated / seconds,
          eventsPerSec: result.events / seconds,
          runs: result.evaluated,
        });
      }
    }
  } finally {
    for (const each of modes) await each.close();
  }
  const one = summary((modes[0] as Mode).samples);
  const two = summary((modes[1] as Mode).samples);
  // Each round's own ratio: its two halves ran seconds apart, so they saw the machine alike.
  const roundSpeedups = (modes[1] as Mode).samples.map(
    (sample, round) =>
      Math.round((sample.runsPerSec / ((modes[0] as Mode).samples[round]?.runsPerSec ?? 1)) * 100) / 100,
  );
  const sortedSpeedups = [...roundSpeedups].sort((a, b) => a - b);
  return {
    load: "raft, 5 nodes, 5 s simulated, workload and generated faults, safety + linearizability",
    oneWorker: one,
    twoWorkers: two,
    speedup: sortedSpeedups[Math.floor(sortedSpeedups.length / 2)] ?? 0,
    bestSpeedup: Math.round((two.runsPerSec / one.runsPerSec) * 100) / 100,
    medianSpeedup: Math.round((two.medianRunsPerSec / one.medianRunsPerSec) * 100) / 100,
    roundSpeedups,
    targets: { runsPerSecPerCore: 100, speedupTwoWorkers: 1.8 },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  process.stdout.write(`${JSON.stringify(await benchFuzz(), null, 2)}\n`);
}
