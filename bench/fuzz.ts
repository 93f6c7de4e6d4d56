/**
 * Fuzzer throughput: campaign runs per second for 5-node Raft runs of 5 simulated seconds with a
 * workload and generated faults, in one thread and over two worker threads.
 *
 * Guided search (the default) is measured beside them, against the uniform search of earlier
 * versions (one worker in this thread, no coverage recorded): `guidedVsBaseline`, the median of
 * the rounds' own ratios, should be at least 0.9.
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
import { runEvaluator } from "../cli/shared/fuzz-pool.js";
import { resolveTarget } from "../cli/shared/fuzz-target.js";
import { fuzzHistoryChecker, registryFor } from "../cli/shared/fuzz-worker.js";
import { evaluateJob, generatePlan, type RunJob, runCampaign } from "../sim/fuzz/campaign.js";
import { CampaignGuide } from "../sim/fuzz/guide.js";
import { scenarioRunner } from "../sim/fuzz/property.js";
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
  readonly name: string;
  readonly workers: number;
  readonly campaign: (seed: bigint, budgetMs: number) => ReturnType<typeof runCampaign>;
  readonly close: () => Promise<void>;
  readonly samples: Array<{ runsPerSec: number; eventsPerSec: number; runs: number }>;
}

/**
 * A measured mode: uniform search as a campaign runs it with `--no-swarm` (probes recorded, not
 * coverage),
 * guided search (swarm, coverage, corpus: the default), or the uniform search of earlier
 * versions (`baseline`: in this thread, no coverage recorded), which guided search is held to.
 */
async function mode(workers: number, kind: "uniform" | "guided" | "baseline" = "uniform"): Promise<Mode> {
  const { source, protocol } = await resolveTarget("raft");
  const settings = fuzzSettings(protocol, {
    nodesMin: 5,
    nodesMax: 5,
    durationMs: 5_000,
    workloadRequired: true,
    swarm: kind === "guided",
  });
  const evaluator =
    kind === "baseline"
      ? baselineEvaluator(settings, await registryFor(source))
      : runEvaluator({ source, settings, seed: 1n, workers });
  return {
    name: workers === 1 ? kind : `${kind} × ${workers}`,
    workers,
    campaign: (seed, budget) =>
      runCampaign({
        settings,
        seed,
        budgetMs: budget,
        now: () => performance.now(),
        batchSize: kind === "guided" ? 64 : workers === 1 ? 16 : 64 * workers,
        evaluate: evaluator.evaluate,
        pipeline: workers > 1,
        ...(kind === "guided"
          ? {
              guide: new CampaignGuide({
                settings,
                seed,
                mutate: true,
                planOf: (index) => generatePlan(settings, seed, index),
              }),
            }
          : {}),
      }),
    close: evaluator.close,
    samples: [],
  };
}

/** One worker in this thread without coverage: how every run was evaluated before guided search. */
function baselineEvaluator(
  settings: ReturnType<typeof fuzzSettings>,
  registry: Awaited<ReturnType<typeof registryFor>>,
) {
  const runner = scenarioRunner(registry, { liveness: false, checkHistory: fuzzHistoryChecker() });
  return {
    evaluate: async (jobs: readonly RunJob[]) => {
      await new Promise((done) => setImmediate(done));
      return jobs.map((job) => evaluateJob(settings, 1n, job, runner));
    },
    close: async () => {},
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
  const modes = [await mode(1), await mode(2), await mode(1, "guided"), await mode(1, "baseline")];
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
  const guided = summary((modes[2] as Mode).samples);
  const baseline = summary((modes[3] as Mode).samples);
  const guidedRatios = (modes[2] as Mode).samples
    .map((sample, round) => sample.runsPerSec / ((modes[3] as Mode).samples[round]?.runsPerSec ?? 1))
    .sort((a, b) => a - b);
  return {
    load: "raft, 5 nodes, 5 s simulated, workload and generated faults, safety + linearizability",
    oneWorker: one,
    twoWorkers: two,
    speedup: sortedSpeedups[Math.floor(sortedSpeedups.length / 2)] ?? 0,
    bestSpeedup: Math.round((two.runsPerSec / one.runsPerSec) * 100) / 100,
    medianSpeedup: Math.round((two.medianRunsPerSec / one.medianRunsPerSec) * 100) / 100,
    roundSpeedups,
    guided,
    baselineUniform: baseline,
    // Guided search (one worker) over the uniform search of earlier versions, round by round.
    guidedVsBaseline: Math.round((guidedRatios[Math.floor(guidedRatios.length / 2)] ?? 0) * 100) / 100,
    targets: { runsPerSecPerCore: 100, speedupTwoWorkers: 1.8, guidedVsBaseline: 0.9 },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  process.stdout.write(`${JSON.stringify(await benchFuzz(), null, 2)}\n`);
}
