/**
 * Fuzzer throughput: campaign runs per second for 5-node Raft runs of 5 simulated seconds with a
 * workload and generated faults, in one thread and over two worker threads.
 *
 * Targets: at least 100 runs/s per core, and 2 workers at least 1.8× one worker. Both are
 * measured as `quorumlab fuzz` runs a campaign (the same batches, pipelining and evaluator), on a
 * time budget after a warm-up. Every run is a full fuzz run: generate the plan, simulate with
 * every online invariant, check the history for linearizability. Two workers need the compiled
 * package (`npm run build`); the machine is shared, so compare figures from the same run.
 */
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { resolveTarget, runEvaluator } from "../cli/fuzz.js";
import { runCampaign } from "../sim/fuzz/campaign.js";
import { fuzzSettings } from "../sim/fuzz/settings.js";

const budgetMs = 8_000;

async function measure(workers: number): Promise<{ runs: number; runsPerSec: number; eventsPerSec: number }> {
  const { source, protocol } = await resolveTarget("raft");
  const settings = fuzzSettings(protocol, {
    nodesMin: 5,
    nodesMax: 5,
    durationMs: 5_000,
    workloadRequired: true,
  });
  const evaluator = runEvaluator(source, settings, 1n, workers);
  const campaign = (seed: bigint, budget: number) =>
    runCampaign({
      settings,
      seed,
      budgetMs: budget,
      now: () => performance.now(),
      batchSize: workers === 1 ? 16 : 64 * workers,
      evaluate: evaluator.evaluate,
      pipeline: workers > 1,
    });
  try {
    // Warm up (JIT, worker start-up) on other runs than the measured ones.
    await campaign(2n, 1_500);
    const result = await campaign(1n, budgetMs);
    const seconds = result.elapsedMs / 1000;
    return {
      runs: result.evaluated,
      runsPerSec: result.evaluated / seconds,
      eventsPerSec: result.events / seconds,
    };
  } finally {
    await evaluator.close();
  }
}

export async function benchFuzz(): Promise<Record<string, unknown>> {
  const one = await measure(1);
  const two = await measure(2);
  const round = (value: number) => Math.round(value * 10) / 10;
  return {
    load: "raft, 5 nodes, 5 s simulated, workload and generated faults, safety + linearizability",
    oneWorker: {
      runsPerSec: round(one.runsPerSec),
      eventsPerSec: Math.round(one.eventsPerSec),
      runs: one.runs,
    },
    twoWorkers: {
      runsPerSec: round(two.runsPerSec),
      eventsPerSec: Math.round(two.eventsPerSec),
      runs: two.runs,
    },
    speedup: round(two.runsPerSec / one.runsPerSec),
    targets: { runsPerSecPerCore: 100, speedupTwoWorkers: 1.8 },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  process.stdout.write(`${JSON.stringify(await benchFuzz(), null, 2)}\n`);
}
