/**
 * A fuzz campaign, shared by the `fuzz` and `mutants` commands: resolve the target protocol,
 * evaluate runs in this thread or over a pool of workers (./fuzz-pool.ts), shrink the first
 * failure and save it as a scenario file (./counterexample-file.ts) that `quorumlab run FILE`
 * replays exactly.
 */
import { performance } from "node:perf_hooks";
import { InputError } from "../../sim/errors.js";
import { type CampaignProgress, generatePlan, runCampaign, shrinkJob } from "../../sim/fuzz/campaign.js";
import type { CounterexampleInfo } from "../../sim/fuzz/counterexample.js";
import type { Nondeterminism } from "../../sim/fuzz/determinism.js";
import { CampaignGuide, type CampaignStats } from "../../sim/fuzz/guide.js";
import type { FuzzSettings } from "../../sim/fuzz/plan.js";
import { fuzzSettings, type SettingsInput } from "../../sim/fuzz/settings.js";
import { displayPath } from "../files.js";
import { loadCorpus, saveCorpus } from "./corpus-files.js";
import {
  type Counterexample,
  CounterexampleNondeterminism,
  saveCounterexample,
} from "./counterexample-file.js";
import { runEvaluator } from "./fuzz-pool.js";
import { resolveTarget } from "./fuzz-target.js";
import { fuzzRunner, type ProtocolSource } from "./fuzz-worker.js";

/** Everything a campaign needs; the CLI flags map onto it one to one. */
export interface FuzzOptions {
  /** A built-in protocol name, or the path of a module exporting a protocol. */
  readonly target: string;
  readonly settings?: SettingsInput;
  readonly seed: bigint;
  readonly runs?: number;
  readonly budgetMs?: number;
  readonly workers?: number;
  /** 0-based shard index and count. */
  readonly shard?: { readonly index: number; readonly count: number };
  /** Folder for counterexamples; none are written when undefined. */
  readonly outDir?: string;
  /** Most wall time spent shrinking. Default 60 s. */
  readonly shrinkBudgetMs?: number;
  readonly batchSize?: number;
  readonly onProgress?: (progress: CampaignProgress) => void;
  /**
   * Coverage-guided search over a corpus (default: on with swarm testing, the default, and off
   * with `swarm: false`, the uniform search).
   */
  readonly guided?: boolean;
  /** Load the corpus from this folder first and save what the campaign adds to it. */
  readonly corpusDir?: string;
  /**
   * Aborted when the user interrupts the campaign: no further batch is handed out, and the
   * campaign ends as if its budget had run out (its corpus saved), with `interrupted` set.
   */
  readonly signal?: AbortSignal;
  /** Called when the search has ended, before a failure is shrunk. */
  readonly onSearchEnd?: () => void;
}

/**
 * Two runs of one scenario and seed that gave two traces: a passing run sampled for the check
 * (`sample`), or the failing run's shrunk scenario, run twice before it is saved
 * (`counterexample`). Either way no run of the protocol proves anything.
 */
export interface FoundNondeterminism {
  /** The campaign's run; null for a run rebuilt with `--fc-seed`. */
  readonly run: number | null;
  readonly kind: "sample" | "counterexample";
  readonly found: Nondeterminism;
  /** For a counterexample: the invariant its run broke. */
  readonly invariant?: string;
  /** For a counterexample: the scenario file written for it, when there was an `--out` folder. */
  readonly file?: string;
}

export interface FuzzOutcome {
  readonly protocol: string;
  readonly bugs: readonly string[];
  /** The campaign's seed; null for a run rebuilt with `--fc-seed` and no `--seed`. */
  readonly seed: bigint | null;
  readonly settings: FuzzSettings;
  readonly runs: number;
  readonly evaluated: number;
  readonly events: number;
  /**
   * Runs (of `runs`) that passed with their history check inconclusive, the checker's budget
   * spent; absent for a run rebuilt with `--fc-seed`.
   */
  readonly inconclusiveRuns?: number;
  /** Wall time to the first failing run (or the whole campaign), before shrinking. */
  readonly searchMs: number;
  readonly wallMs: number;
  readonly runsPerSec: number;
  readonly eventsPerSec: number;
  readonly counterexample?: Counterexample;
  /** Coverage, corpus, fault kinds, probes... (for the campaign report). */
  readonly stats?: CampaignStats;
  /** A run that gave two different traces when repeated (the campaign stops there). */
  readonly nondeterminism?: FoundNondeterminism;
  /** Corpus files written to `corpusDir`. */
  readonly corpusSaved?: number;
  /** The search was stopped by `signal` before its budget ran out. */
  readonly interrupted?: boolean;
}

/** Runs a campaign, shrinks the first failure and writes it out. */
export async function fuzzCampaign(options: FuzzOptions): Promise<FuzzOutcome> {
  const { source, protocol } = await resolveTarget(options.target);
  const settings = fuzzSettings(protocol, { swarm: true, ...options.settings });
  const now = () => performance.now();
  const started = now();
  const { campaign, guide } = await search({ options, source, settings, now });
  options.onSearchEnd?.();
  const searchMs = now() - started;
  const interrupted = options.signal?.aborted === true;
  const corpusSaved =
    options.corpusDir === undefined ? 0 : saveCorpus(options.corpusDir, settings, guide.found);
  const sampled = guide.firstNondeterminism;
  const nondeterminism: FoundNondeterminism | undefined =
    sampled === undefined ? undefined : { ...sampled, kind: "sample" };
  const base = {
    protocol: protocol.name,
    bugs: settings.bugs,
    seed: options.seed,
    settings,
    runs: campaign.runs,
    evaluated: campaign.evaluated,
    events: campaign.events,
    inconclusiveRuns: campaign.inconclusive,
    searchMs,
    runsPerSec: searchMs > 0 ? (campaign.evaluated * 1000) / searchMs : 0,
    eventsPerSec: searchMs > 0 ? (campaign.events * 1000) / searchMs : 0,
    stats: guide.stats(),
    corpusSaved,
    ...(nondeterminism === undefined ? {} : { nondeterminism }),
    ...(interrupted ? { interrupted } : {}),
  };
  if (campaign.failure === undefined) return { ...base, wallMs: now() - started };
  try {
    const counterexample = await shrinkAndSave({
      options,
      source,
      settings,
      guide,
      failure: campaign.failure,
      now,
    });
    return { ...base, wallMs: now() - started, counterexample };
  } catch (error) {
    const found = replayedNondeterminism(error, campaign.failure.index, campaign.failure.failure?.invariant);
    if (found === undefined) throw error;
    return { ...base, wallMs: now() - started, nondeterminism: found };
  }
}

/**
 * The nondeterminism of a counterexample whose two runs before it was saved differed, as the
 * outcome reports it; undefined for any other error.
 */
export function replayedNondeterminism(
  error: unknown,
  run: number | null,
  invariant: string | undefined,
): FoundNondeterminism | undefined {
  if (!(error instanceof CounterexampleNondeterminism)) return undefined;
  return {
    run,
    kind: "counterexample",
    found: error.found,
    ...(invariant === undefined ? {} : { invariant }),
    ...(error.scenarioFile === undefined ? {} : { file: error.scenarioFile }),
  };
}

/** What the search phase works with. */
interface SearchContext {
  readonly options: FuzzOptions;
  readonly source: ProtocolSource;
  readonly settings: FuzzSettings;
  readonly now: () => number;
}

type Campaign = Awaited<ReturnType<typeof runCampaign>>;

/** The search: runs until the first failure or the budget, over the pool of workers. */
async function search({
  options,
  source,
  settings,
  now,
}: SearchContext): Promise<{ campaign: Campaign; guide: CampaignGuide }> {
  const workers = Math.max(1, options.workers ?? 1);
  const guided = options.guided ?? settings.swarm === true;
  const corpus = options.corpusDir === undefined ? [] : loadCorpus(options.corpusDir, settings);
  const guide = new CampaignGuide({
    settings,
    seed: options.seed,
    mutate: guided,
    corpus,
    ...(options.shard === undefined ? {} : { shard: options.shard }),
    planOf: (index) => generatePlan(settings, options.seed, index),
  });
  const pool = runEvaluator({ source, settings, seed: options.seed, workers });
  try {
    const campaign = await runCampaign({
      settings,
      seed: options.seed,
      ...(options.shard === undefined ? {} : { shard: options.shard }),
      ...(options.runs === undefined ? {} : { runs: options.runs }),
      ...(options.budgetMs === undefined ? {} : { budgetMs: options.budgetMs }),
      now,
      // A guided campaign's batches are the same for any worker count (./guide.ts says why).
      batchSize: options.batchSize ?? (guided ? guidedBatchSize : workers === 1 ? 16 : 64 * workers),
      ...(guided && options.batchSize === undefined ? { firstBatchSize: 8 } : {}),
      evaluate: pool.evaluate,
      guide,
      ...(options.signal === undefined
        ? {}
        : { stopRequested: () => (options.signal as AbortSignal).aborted }),
      pipeline: workers > 1,
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    });
    return { campaign, guide };
  } finally {
    await pool.close();
  }
}

/** Shrinks the campaign's first failure and saves it; a failure that does not repeat is an error. */
async function shrinkAndSave({
  options,
  source,
  settings,
  guide,
  failure,
  now,
}: SearchContext & {
  guide: CampaignGuide;
  failure: NonNullable<Campaign["failure"]>;
}): Promise<Counterexample> {
  const found = failure.failure;
  if (found?.kind === "determinism") {
    throw new InputError(found.message, {
      file: source.module === undefined ? options.target : displayPath(source.module),
    });
  }
  const runner = await fuzzRunner(source, settings);
  const shrinkStarted = now();
  const job = guide.failedJob(failure.index) ?? { index: failure.index };
  const shrink = shrinkJob(settings, options.seed, job, runner, {
    now,
    budgetMs: options.shrinkBudgetMs ?? 60_000,
  });
  if (shrink === undefined) {
    throw new InputError(
      `nondeterminism: run ${failure.index + 1} failed in the campaign but passed when re-run with the same seed; ` +
        "the protocol depends on something outside the simulation (state kept between runs, say)",
      source.module === undefined ? {} : { file: displayPath(source.module) },
    );
  }
  const info: CounterexampleInfo = { shrink, campaignSeed: options.seed, runIndex: failure.index };
  return saveCounterexample({
    source,
    settings,
    info,
    ...(options.outDir === undefined ? {} : { outDir: options.outDir }),
    shrinkMs: now() - shrinkStarted,
  });
}

/** Runs of a guided campaign's batch (any worker count). */
const guidedBatchSize = 64;
