/**
 * Deterministic fuzz campaigns.
 *
 * Run `i` of a campaign with seed `S` is fast-check's first run with its own seed, derived from
 * (S, i): `fc.check(property, {seed: runSeed(S, i), numRuns: 1})`. So every run is a pure function
 * of (S, i) and the settings, and a campaign can evaluate its runs in any order, in any number of
 * worker threads or machines: it evaluates them in batches, takes the lowest failing index, and
 * shrinks that one run in the calling thread. The runs performed (up to and including the first
 * failure) and the counterexample are the same for any worker count, given the same seed and run
 * count. With a time budget instead of a run count, only how far the campaign gets depends on the
 * machine.
 *
 * Shards split a campaign across machines: shard `k` of `n` performs the global runs
 * k, k + n, k + 2n, ... (0-based k), so shards never overlap, and without a guide n shards of N
 * runs together perform exactly the runs of one campaign of n·N runs. With a guide, each shard
 * keeps its own corpus, so its mutant runs are its own.
 *
 * The simulator never reads the clock: time budgets use the `now` function the caller passes.
 */
import fc from "fast-check";
import { randomStream } from "../random.js";
import { planArbitrary } from "./arbitraries.js";
import { compareRuns } from "./determinism.js";
import type { CampaignGuide } from "./guide.js";
import type { PlanShape, RunJob, RunReport } from "./jobs.js";
import { type LastPassResult, lastPass } from "./minimize.js";
import { type FuzzPlan, type FuzzSettings, planScenario, quietNote } from "./plan.js";
import { type RunFailure, type RunVerdict, type ScenarioRunner, sameFailure } from "./property.js";
import { shrinkPlan } from "./shrink.js";
import { drawSwarm, faultKinds, type Swarm, type SwarmTheme } from "./swarm.js";

/** The fast-check seed of global run `index` of the campaign with seed `campaignSeed`. */
export function runSeed(campaignSeed: bigint, index: number): number {
  return randomStream(campaignSeed, `fuzz/run/${index}`).int(0, 0x7fff_ffff);
}

export type { PlanShape, RunJob, RunReport } from "./jobs.js";

const arbitraries = new WeakMap<FuzzSettings, fc.Arbitrary<FuzzPlan>>();

/**
 * The plan arbitrary of the run whose fast-check seed is `fcSeed` (its swarm's, with swarm on;
 * `swarm` saves drawing it again when the caller has it).
 */
function arbitraryFor(
  settings: FuzzSettings,
  fcSeed: number,
  swarm: Swarm | undefined = settings.swarm === true ? drawSwarm(settings, fcSeed) : undefined,
): fc.Arbitrary<FuzzPlan> {
  if (swarm !== undefined) return planArbitrary(settings, swarm);
  let arbitrary = arbitraries.get(settings);
  if (arbitrary === undefined) {
    arbitrary = planArbitrary(settings);
    arbitraries.set(settings, arbitrary);
  }
  return arbitrary;
}

/** The shape of a plan. */
export function planShape(plan: FuzzPlan, theme?: SwarmTheme): PlanShape {
  let kinds = 0;
  for (const step of plan.faults) kinds |= 1 << faultKinds.indexOf(step.type);
  return { steps: plan.faults.length, kinds, ...(theme === undefined ? {} : { theme }) };
}

/** The scenario of a plan while fuzzing (the counterexample gets a proper name later). */
export function fuzzScenario(plan: FuzzPlan, settings: FuzzSettings) {
  return planScenario(plan, settings, { name: `fuzz-${settings.protocol}` });
}

/** The plan of global run `index` (what `evaluateRun` runs). */
export function generatePlan(settings: FuzzSettings, campaignSeed: bigint, index: number): FuzzPlan {
  let plan: FuzzPlan | undefined;
  const seed = runSeed(campaignSeed, index);
  fc.check(
    fc.property(arbitraryFor(settings, seed), (generated) => {
      plan = generated;
      return true;
    }),
    { seed, numRuns: 1 },
  );
  if (plan === undefined) throw new Error("fast-check generated no plan");
  return plan;
}

/** Runs global run `index` of a campaign, without shrinking. */
export function evaluateRun(
  settings: FuzzSettings,
  campaignSeed: bigint,
  index: number,
  runner: ScenarioRunner,
): RunReport {
  return evaluateJob(settings, campaignSeed, { index }, runner);
}

function reportOf(index: number, verdict: RunVerdict, shape: PlanShape | undefined): RunReport {
  return {
    index,
    events: verdict.events,
    ...(verdict.failure === undefined ? {} : { failure: verdict.failure }),
    ...(verdict.historyUnknown === true ? { inconclusive: true } : {}),
    ...(verdict.edges === undefined ? {} : { edges: verdict.edges }),
    ...(verdict.probes === undefined || verdict.probes.length === 0 ? {} : { probes: verdict.probes }),
    ...(verdict.leaders === undefined || verdict.leaders === 0 ? {} : { leaders: verdict.leaders }),
    ...(shape === undefined ? {} : { shape }),
  };
}

/**
 * Runs a plan twice more with its trace hashed; reports where the two runs differ. The traces are
 * kept (to find the first differing line) only when the hashes differ: serializing the traced
 * runs was about 3% of a uniform Raft campaign's CPU profile, and keeping and then building every
 * record of both runs added to it for nothing when they agree.
 */
function sampleDeterminism(plan: FuzzPlan, settings: FuzzSettings, runner: ScenarioRunner) {
  const traced = (keepTrace: boolean) => {
    const verdict = runner(fuzzScenario(plan, settings), keepTrace ? { keepTrace } : { traceHash: true });
    return { traceHash: verdict.traceHash ?? "", records: verdict.records ?? [] };
  };
  const hashed = [traced(false), traced(false)] as const;
  if (hashed[0].traceHash === hashed[1].traceHash) return undefined;
  // Two runs more, with their lines; if these happen to agree, the hashes above still differ.
  return compareRuns(traced(true), traced(true)) ?? compareRuns(hashed[0], hashed[1]);
}

/**
 * Runs one job without shrinking: a given plan as it is, or global run `index` generated from
 * its seed (through fast-check, as the shrinker will regenerate it).
 */
export function evaluateJob(
  settings: FuzzSettings,
  campaignSeed: bigint,
  job: RunJob,
  runner: ScenarioRunner,
): RunReport {
  const { index } = job;
  let report: RunReport = { index, events: 0 };
  let ran: FuzzPlan | undefined;
  if (job.plan !== undefined) {
    ran = job.plan;
    report = reportOf(index, runner(fuzzScenario(job.plan, settings)), planShape(job.plan));
  } else {
    const seed = runSeed(campaignSeed, index);
    const swarm = settings.swarm === true ? drawSwarm(settings, seed) : undefined;
    const theme = settings.swarm === true ? (swarm?.theme ?? "uniform") : undefined;
    fc.check(
      fc.property(arbitraryFor(settings, seed, swarm), (plan) => {
        ran = plan;
        const verdict = runner(fuzzScenario(plan, settings));
        report = reportOf(index, verdict, planShape(plan, theme));
        if (settings.swarm === true) report = { ...report, plan };
        return verdict.failure === undefined;
      }),
      { seed, numRuns: 1, endOnFailure: true },
    );
  }
  if (job.sample === true && ran !== undefined) {
    const nondeterminism = sampleDeterminism(ran, settings, runner);
    if (nondeterminism !== undefined) report = { ...report, nondeterminism };
  }
  return report;
}

export interface ShrinkResult {
  readonly plan: FuzzPlan;
  /**
   * How the shrunk plan itself fails: the found run's kind and invariant, and the shrunk run's
   * message (which names its own nodes, terms and indexes).
   */
  readonly failure: RunFailure;
  /**
   * fast-check's seed and path: `fc.check(property, {seed, path})` replays the shrunk plan. Null
   * for a corpus mutant, which fast-check did not generate (./shrink.ts shrank it).
   */
  readonly fcSeed: number | null;
  readonly fcPath: string | null;
  readonly shrinkSteps: number;
  /**
   * The last pass over the shrunk plan's scenario (./minimize.ts): the fault actions, workload and
   * run length the counterexample has instead of the plan's, and what it changed.
   */
  readonly lastPass: LastPassResult;
  /** Runs performed while shrinking, the last pass's included. */
  readonly shrinkRuns: number;
  /** True when the shrink budget ran out before fast-check had tried everything. */
  readonly budgetExhausted: boolean;
}

export interface ShrinkOptions {
  /** A clock in milliseconds, for the budget. */
  readonly now?: () => number;
  readonly budgetMs?: number;
  /**
   * Rebuild the plan at this fast-check path (from a previous shrink) and stop there: a path cut
   * short by a shrink budget rebuilds the same plan as the shrink that printed it.
   */
  readonly path?: string;
  /**
   * With `path`: the last pass stops before a run beyond this many, as a shrink budget stopped
   * it in the shrink that printed the path (`LastPassResult.runs`), so it rebuilds the same file.
   */
  readonly lastPassRuns?: number;
}

/**
 * Re-runs global run `index` and shrinks it with fast-check's shrinker. A candidate counts as
 * failing only when it fails the same way (same kind and invariant) as the original run, so the
 * counterexample stays a witness of the bug that was found. Returns undefined when the run passes.
 */
export function shrinkRun(
  settings: FuzzSettings,
  campaignSeed: bigint,
  index: number,
  runner: ScenarioRunner,
  options: ShrinkOptions = {},
): ShrinkResult | undefined {
  const fcSeed = runSeed(campaignSeed, index);
  return shrinkWithSeed(settings, fcSeed, runner, options);
}

/**
 * Shrinks a failing job: a generated run with fast-check's shrinker (`shrinkRun`), a corpus
 * mutant with ./shrink.ts. Returns undefined when the run passes when re-run.
 */
export function shrinkJob(
  settings: FuzzSettings,
  campaignSeed: bigint,
  job: RunJob,
  runner: ScenarioRunner,
  options: ShrinkOptions = {},
): ShrinkResult | undefined {
  if (job.plan === undefined) return shrinkRun(settings, campaignSeed, job.index, runner, options);
  const fails = (plan: FuzzPlan) => runner(fuzzScenario(plan, settings)).failure;
  const failure = fails(job.plan);
  if (failure === undefined) return undefined;
  const deadline = deadlineOf(options);
  const shrunk = shrinkPlan(job.plan, settings, failure, fails, {
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.budgetMs === undefined ? {} : { budgetMs: options.budgetMs }),
  });
  return withLastPass({ ...shrunk, fcSeed: null, fcPath: null }, settings, runner, {
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(deadline === undefined ? {} : { deadline }),
  });
}

function deadlineOf(options: ShrinkOptions): number | undefined {
  return options.now === undefined || options.budgetMs === undefined
    ? undefined
    : options.now() + options.budgetMs;
}

/**
 * The last pass of shrinking (./minimize.ts): removes the fault actions of the shrunk plan's
 * scenario that the failure does not need and makes the rest, the workload and the run simpler,
 * within what is left of the shrink budget (or, rebuilding a cut pass, its count of runs). The
 * quiet phase's repairs stay: they are part of the plan (`quiet`), not faults.
 */
function withLastPass(
  shrunk: Omit<ShrinkResult, "lastPass">,
  settings: FuzzSettings,
  runner: ScenarioRunner,
  budget: { readonly now?: () => number; readonly deadline?: number; readonly maxRuns?: number },
): ShrinkResult {
  const pass = lastPass(fuzzScenario(shrunk.plan, settings), shrunk.failure, runner, {
    removable: (action) => action.note !== quietNote,
    ...budget,
  });
  return {
    ...shrunk,
    failure: pass.failure,
    lastPass: pass,
    shrinkRuns: shrunk.shrinkRuns + pass.runs,
    budgetExhausted: shrunk.budgetExhausted || pass.budgetExhausted,
  };
}

/** As `shrinkRun`, given the fast-check seed directly (for `--fc-seed` replays). */
export function shrinkWithSeed(
  settings: FuzzSettings,
  fcSeed: number,
  runner: ScenarioRunner,
  options: ShrinkOptions = {},
): ShrinkResult | undefined {
  const now = options.now;
  const deadline = deadlineOf(options);
  let target: RunFailure | undefined;
  // fast-check's counterexample is the last plan that failed.
  let last: RunFailure | undefined;
  let shrinkRuns = 0;
  let budgetExhausted = false;
  const details = fc.check(
    fc.property(arbitraryFor(settings, fcSeed), (plan) => {
      if (target !== undefined && options.path !== undefined) return true;
      if (target !== undefined && deadline !== undefined && (now as () => number)() > deadline) {
        budgetExhausted = true;
        return true;
      }
      const verdict = runner(fuzzScenario(plan, settings));
      if (target !== undefined) shrinkRuns++;
      if (verdict.failure === undefined) return true;
      if (target === undefined) target = verdict.failure;
      else if (!sameFailure(verdict.failure, target)) return true;
      last = verdict.failure;
      return false;
    }),
    {
      seed: fcSeed,
      numRuns: 1,
      ...(options.path === undefined ? {} : { path: options.path }),
    },
  );
  if (!details.failed || last === undefined || details.counterexample === null) return undefined;
  const fcPath = details.counterexamplePath ?? "0";
  const shrunk = {
    plan: details.counterexample[0],
    failure: last,
    fcSeed,
    fcPath,
    // Each step of the path after the first (the run) is one shrink step; so for a rebuild too.
    shrinkSteps: fcPath.split(":").length - 1,
    shrinkRuns,
    budgetExhausted,
  };
  // A rebuild at a path takes the same last pass, so that it writes the same file; where the
  // budget cut the pass, the rebuild stops it after as many runs.
  return withLastPass(shrunk, settings, runner, {
    ...(now === undefined ? {} : { now }),
    ...(deadline === undefined ? {} : { deadline }),
    ...(options.lastPassRuns === undefined ? {} : { maxRuns: options.lastPassRuns }),
  });
}

export interface CampaignProgress {
  readonly runs: number;
  readonly events: number;
  readonly elapsedMs: number;
  readonly violations: number;
}

export interface CampaignOptions {
  readonly settings: FuzzSettings;
  readonly seed: bigint;
  /** This machine's share: shard `index` (0-based) of `count`. Default 0 of 1. */
  readonly shard?: { readonly index: number; readonly count: number };
  /** Runs to perform (in this shard); with `budgetMs`, whichever ends first. */
  readonly runs?: number;
  readonly budgetMs?: number;
  readonly now: () => number;
  /** Runs handed out at once; a multiple of the worker count keeps workers busy. Default 32. */
  readonly batchSize?: number;
  /**
   * The first batch's size, doubled batch by batch up to `batchSize` (default: `batchSize` from
   * the start). A bug found in the first runs then costs a few runs, not a whole batch; the sizes
   * depend on the batch number only, so the runs are the same for any worker count.
   */
  readonly firstBatchSize?: number;
  /** Evaluates jobs (in any split); the report order does not matter. */
  readonly evaluate: (jobs: readonly RunJob[]) => Promise<readonly RunReport[]>;
  /**
   * Decides what each run is and takes the reports back (./guide.ts): coverage, corpus,
   * mutants, determinism samples, statistics. Without one, run `i` is fresh run `i`.
   */
  readonly guide?: CampaignGuide;
  /**
   * Hand out the next batch before the current one is back, so that workers never wait for the
   * campaign between batches. Results are still taken in order; a batch evaluated past the first
   * failure is dropped. Default false (nothing to gain when evaluating in this thread).
   */
  readonly pipeline?: boolean;
  readonly onProgress?: (progress: CampaignProgress) => void;
  /**
   * Asked between batches: once it returns true (the user interrupted the campaign), no further
   * batch is handed out; the batches already out are finished and taken back, as when the time
   * budget runs out.
   */
  readonly stopRequested?: () => boolean;
}

export interface CampaignResult {
  /** Runs performed in this shard, up to and including the first failing one. */
  readonly runs: number;
  /** Runs actually evaluated (at least `runs`: a batch is finished before the campaign stops). */
  readonly evaluated: number;
  /** Kernel events of the evaluated runs. */
  readonly events: number;
  /**
   * Runs counted in `runs` that passed although their history check was inconclusive (the
   * checker's budget ran out): the same for any worker count, as `runs` is.
   */
  readonly inconclusive: number;
  readonly elapsedMs: number;
  /** The first failing run, by its position in this shard. */
  readonly failure?: RunReport;
}

/** The global run index of run `local` of a shard. */
export function globalIndex(local: number, shard: { index: number; count: number }): number {
  return local * shard.count + shard.index;
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const shard = options.shard ?? { index: 0, count: 1 };
  if (!(shard.count >= 1 && shard.index >= 0 && shard.index < shard.count)) {
    throw new Error(`bad shard ${shard.index}/${shard.count}`);
  }
  if (options.runs === undefined && options.budgetMs === undefined) {
    throw new Error("a campaign needs a run count or a time budget");
  }
  const batchSize = Math.max(1, options.batchSize ?? 32);
  const started = options.now();
  const elapsed = () => options.now() - started;
  let local = 0;
  let events = 0;
  let evaluated = 0;
  let inconclusive = 0;
  // `handedOut` runs (from local 0) have been given to the evaluator; `inFlight` are the batches
  // not yet taken back, oldest first.
  let handedOut = 0;
  const inFlight: Array<{ count: number; batch: number; reports: Promise<readonly RunReport[]> }> = [];
  let batches = 0;
  const handOut = (): void => {
    if (options.runs !== undefined && handedOut >= options.runs) return;
    if (options.budgetMs !== undefined && elapsed() >= options.budgetMs) return;
    if (options.stopRequested?.() === true) return;
    const batch = batches++;
    const size = Math.min(
      batchSize,
      Math.max(1, options.firstBatchSize ?? batchSize) * 2 ** Math.min(batch, 20),
    );
    const count = options.runs === undefined ? size : Math.min(size, options.runs - handedOut);
    const from = handedOut;
    const indices = Array.from({ length: count }, (_, offset) => globalIndex(from + offset, shard));
    const jobs = options.guide?.jobs(indices, batch) ?? indices.map((index) => ({ index }));
    const reports = options.evaluate(jobs);
    // A batch dropped after a failure must not surface as an unhandled rejection.
    reports.catch(() => undefined);
    inFlight.push({ count, batch, reports });
    handedOut += count;
  };
  handOut();
  for (;;) {
    const batch = inFlight.shift();
    if (batch === undefined) break;
    if (options.pipeline === true) handOut();
    const reports = await batch.reports;
    evaluated += reports.length;
    options.guide?.absorb(reports, batch.batch, elapsed());
    let first: RunReport | undefined;
    for (const report of reports) {
      events += report.events;
      if (report.failure !== undefined && (first === undefined || report.index < first.index)) first = report;
    }
    // Only the runs `runs` counts: those of this batch before its first failure, if any.
    for (const report of reports) {
      if (report.inconclusive === true && report.failure === undefined) {
        if (first === undefined || report.index < first.index) inconclusive++;
      }
    }
    options.onProgress?.({
      runs: evaluated,
      events,
      elapsedMs: elapsed(),
      violations: first === undefined ? 0 : 1,
    });
    if (first !== undefined) {
      const position = (first.index - shard.index) / shard.count;
      return { runs: position + 1, evaluated, events, inconclusive, elapsedMs: elapsed(), failure: first };
    }
    local += batch.count;
    if (options.pipeline !== true) handOut();
  }
  return { runs: local, evaluated, events, inconclusive, elapsedMs: elapsed() };
}
