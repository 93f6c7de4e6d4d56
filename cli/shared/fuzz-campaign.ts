/**
 * A fuzz campaign, shared by the `fuzz` and `mutants` commands: resolve the target protocol,
 * evaluate runs in this thread or over a pool of workers, shrink the first failure and save it as
 * a scenario file (with its trace and report) that `quorumlab run FILE` replays exactly.
 */
import { fork } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { describeDivergence, firstDivergence } from "../../sim/divergence.js";
import { InputError } from "../../sim/errors.js";
import {
  type CampaignProgress,
  generatePlan,
  type RunJob,
  type RunReport,
  runCampaign,
  shrinkJob,
} from "../../sim/fuzz/campaign.js";
import { type CorpusEntry, corpusFileName, corpusFileText, parseCorpusFile } from "../../sim/fuzz/corpus.js";
import {
  type CounterexampleInfo,
  counterexampleName,
  counterexampleScenario,
  counterexampleText,
  faultActionCount,
} from "../../sim/fuzz/counterexample.js";
import type { Nondeterminism } from "../../sim/fuzz/determinism.js";
import { CampaignGuide, type CampaignStats } from "../../sim/fuzz/guide.js";
import type { FuzzSettings } from "../../sim/fuzz/plan.js";
import type { RunFailure } from "../../sim/fuzz/property.js";
import { fuzzSettings, type SettingsInput } from "../../sim/fuzz/settings.js";
import type { Protocol } from "../../sim/node.js";
import { type RunResult, runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";
import type { Scenario } from "../../sim/scenario/schema.js";
import { didYouMean } from "../../sim/suggest.js";
import { displayPath, packageRoot } from "../files.js";
import { historyChecker } from "../history-check.js";
import { colours } from "../output.js";
import type { HostReply, HostRequest } from "./fuzz-host.js";
import evaluateBatch, { fuzzRunner, type ProtocolSource, registryFor } from "./fuzz-worker.js";
import { isModulePath } from "./protocol-module.js";
import { reportAfterRun } from "./report-file.js";
import { executeScenario, FileSink } from "./run-scenario.js";

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
   * Coverage-guided search over a corpus (default: on with swarm testing, off with
   * `swarm: false`, the uniform search, which is the default).
   */
  readonly guided?: boolean;
  /** Load the corpus from this folder first and save what the campaign adds to it. */
  readonly corpusDir?: string;
}

export interface Counterexample {
  readonly file?: string;
  readonly traceFile?: string;
  readonly reportFile?: string;
  readonly invariant: string;
  readonly kind: RunFailure["kind"];
  readonly message: string;
  readonly faultActions: number;
  readonly replay: string;
  readonly traceHash: string;
  /** True when the saved scenario, run as `quorumlab run` runs it, fails the same way. */
  readonly reproduced: boolean;
  readonly runIndex: number;
  /** Null for a corpus mutant (fast-check did not generate it). */
  readonly fcSeed: number | null;
  readonly fcPath: string | null;
  readonly shrinkSteps: number;
  readonly shrinkRuns: number;
  readonly shrinkMs: number;
  readonly scenario: Scenario;
  readonly text: string;
}

export interface FuzzOutcome {
  readonly protocol: string;
  readonly bugs: readonly string[];
  readonly seed: bigint;
  readonly settings: FuzzSettings;
  readonly runs: number;
  readonly evaluated: number;
  readonly events: number;
  /** Wall time to the first failing run (or the whole campaign), before shrinking. */
  readonly searchMs: number;
  readonly wallMs: number;
  readonly runsPerSec: number;
  readonly eventsPerSec: number;
  readonly counterexample?: Counterexample;
  /** Coverage, corpus, fault kinds, probes... (for the campaign report). */
  readonly stats?: CampaignStats;
  /** A run that gave two different traces when repeated (the campaign stops there). */
  readonly nondeterminism?: { readonly run: number; readonly found: Nondeterminism };
  /** Corpus files written to `corpusDir`. */
  readonly corpusSaved?: number;
}

/** Resolves the command's target to a protocol source and the protocol itself. */
export async function resolveTarget(target: string): Promise<{ source: ProtocolSource; protocol: Protocol }> {
  if (isModulePath(target)) {
    const module = resolve(target);
    if (!existsSync(module)) throw new InputError("no such protocol module", { file: target });
    const registry = await registryFor({ module }, (message) =>
      process.stderr.write(`${colours(process.stderr).yellow("warning:")} ${message}\n`),
    );
    const protocol = [...registry.values()][0] as Protocol;
    return { source: { module, name: protocol.name }, protocol };
  }
  const registry = await registryFor({});
  const protocol = registry.get(target);
  if (protocol === undefined) {
    const known = [...registry.keys()].sort();
    throw new InputError(
      `unknown protocol '${target}'${didYouMean(target, known)} (known: ${known.join(", ")}, or give a module path)`,
    );
  }
  return { source: { name: target }, protocol };
}

/** Where the compiled worker lives; worker threads cannot load TypeScript sources. */
export function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith(".js")) return join(here, "..", "fuzz-worker.js");
  const built = join(packageRoot(), "dist", "cli", "shared", "fuzz-worker.js");
  if (!existsSync(built))
    throw new InputError("--workers above 1 needs the compiled worker: run `npm run build`");
  return built;
}

/**
 * V8 flags of the worker host process, chosen by measuring on two cores: single-threaded garbage
 * collection (every core already runs a worker; GC helper threads would only contend), and a
 * 16 MB young generation. A fuzz run allocates about half a megabyte and keeps little of it, so a
 * young generation that holds many runs is collected rarely, each time copying only what the
 * current run still holds; at 4 MB, two workers did about 6% fewer runs, and 32 or 64 MB gained
 * nothing more.
 */
const hostFlags = ["--single-threaded-gc", "--max-semi-space-size=16"];

/** Where the compiled fuzz host lives (see cli/fuzz-host.ts). */
function hostFile(): string {
  return join(workerFile(), "..", "fuzz-host.js");
}

/**
 * Evaluates batches of runs: in this thread for one worker, else over a pool of worker threads
 * that live in a host process started with single-threaded garbage collection (cli/fuzz-host.ts
 * says why). The reports are the same either way.
 */
export function runEvaluator(
  source: ProtocolSource,
  settings: FuzzSettings,
  seed: bigint,
  workers: number,
): { evaluate: (jobs: readonly RunJob[]) => Promise<RunReport[]>; close: () => Promise<void> } {
  if (workers <= 1) {
    return {
      async evaluate(jobs) {
        // Let timers (the progress bar) run between batches.
        await new Promise((done) => setImmediate(done));
        return evaluateBatch({ source, settings, seed, jobs });
      },
      close: async () => {},
    };
  }
  const host = fork(hostFile(), [], {
    execArgv: hostFlags,
    serialization: "advanced",
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const waiting = new Map<
    number,
    { resolve: (reports: RunReport[]) => void; reject: (error: Error) => void }
  >();
  let nextId = 0;
  let exited: Error | undefined;
  host.on("message", (reply: HostReply) => {
    const pending = waiting.get(reply.id);
    if (pending === undefined) return;
    waiting.delete(reply.id);
    if (reply.kind === "reports") pending.resolve(reply.reports);
    else pending.reject(new Error(`a fuzz worker failed: ${reply.message}`));
  });
  const ended = new Promise<void>((done) => {
    host.on("exit", (code, signal) => {
      exited = new Error(`the fuzz worker process ended (${signal ?? `exit code ${code}`})`);
      for (const pending of waiting.values()) pending.reject(exited);
      waiting.clear();
      done();
    });
  });
  const request = (message: HostRequest) => host.send(message);
  request({ kind: "start", workerFile: workerFile(), workers, source, settings, seed });
  return {
    evaluate(jobs) {
      if (exited !== undefined) return Promise.reject(exited);
      const id = nextId++;
      return new Promise<RunReport[]>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        request({ kind: "evaluate", id, jobs });
      });
    },
    close: async () => {
      if (exited === undefined) request({ kind: "close" });
      await ended;
    },
  };
}

/** Runs a campaign, shrinks the first failure and writes it out. */
export async function fuzzCampaign(options: FuzzOptions): Promise<FuzzOutcome> {
  const { source, protocol } = await resolveTarget(options.target);
  const settings = fuzzSettings(protocol, { swarm: false, ...options.settings });
  const workers = Math.max(1, options.workers ?? 1);
  const guided = options.guided ?? settings.swarm === true;
  const now = () => performance.now();
  const started = now();
  const corpus = options.corpusDir === undefined ? [] : loadCorpus(options.corpusDir, settings);
  const guide = new CampaignGuide({
    settings,
    seed: options.seed,
    mutate: guided,
    corpus,
    planOf: (index) => generatePlan(settings, options.seed, index),
  });
  const pool = runEvaluator(source, settings, options.seed, workers);
  const evaluate = pool.evaluate;
  let campaign: Awaited<ReturnType<typeof runCampaign>>;
  try {
    campaign = await runCampaign({
      settings,
      seed: options.seed,
      ...(options.shard === undefined ? {} : { shard: options.shard }),
      ...(options.runs === undefined ? {} : { runs: options.runs }),
      ...(options.budgetMs === undefined ? {} : { budgetMs: options.budgetMs }),
      now,
      // A guided campaign's batches are the same for any worker count (./guide.ts says why).
      batchSize: options.batchSize ?? (guided ? guidedBatchSize : workers === 1 ? 16 : 64 * workers),
      ...(guided && options.batchSize === undefined ? { firstBatchSize: 8 } : {}),
      evaluate,
      guide,
      pipeline: workers > 1,
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    });
  } finally {
    await pool.close();
  }
  const searchMs = now() - started;
  const corpusSaved =
    options.corpusDir === undefined ? 0 : saveCorpus(options.corpusDir, settings, guide.found);
  const nondeterminism = guide.firstNondeterminism;
  const base = {
    protocol: protocol.name,
    bugs: settings.bugs,
    seed: options.seed,
    settings,
    runs: campaign.runs,
    evaluated: campaign.evaluated,
    events: campaign.events,
    searchMs,
    runsPerSec: searchMs > 0 ? (campaign.evaluated * 1000) / searchMs : 0,
    eventsPerSec: searchMs > 0 ? (campaign.events * 1000) / searchMs : 0,
    stats: guide.stats(),
    corpusSaved,
    ...(nondeterminism === undefined ? {} : { nondeterminism }),
  };
  if (campaign.failure === undefined) return { ...base, wallMs: now() - started };
  const found = campaign.failure.failure;
  if (found?.kind === "determinism") {
    throw new InputError(found.message, {
      file: source.module === undefined ? options.target : displayPath(source.module),
    });
  }
  const runner = await fuzzRunner(source, settings.liveness);
  const shrinkStarted = now();
  const job = guide.failedJob(campaign.failure.index) ?? { index: campaign.failure.index };
  const shrink = shrinkJob(settings, options.seed, job, runner, {
    now,
    budgetMs: options.shrinkBudgetMs ?? 60_000,
  });
  if (shrink === undefined) {
    throw new InputError(
      `nondeterminism: run ${campaign.failure.index} failed in the campaign but passed when re-run with the same seed; ` +
        "the protocol depends on something outside the simulation (state kept between runs, say)",
      source.module === undefined ? {} : { file: displayPath(source.module) },
    );
  }
  const info: CounterexampleInfo = { shrink, campaignSeed: options.seed, runIndex: campaign.failure.index };
  const counterexample = await saveCounterexample(
    source,
    settings,
    info,
    options.outDir,
    now() - shrinkStarted,
  );
  return { ...base, wallMs: now() - started, counterexample };
}

/** Runs of a guided campaign's batch (any worker count). */
const guidedBatchSize = 64;

/** Reads every corpus file of `dir` (sorted by name); a missing folder is an empty corpus. */
function loadCorpus(dir: string, settings: FuzzSettings): CorpusEntry[] {
  if (!existsSync(dir)) return [];
  const entries: CorpusEntry[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith(".json")) continue;
    const file = join(dir, name);
    let entry: CorpusEntry | undefined;
    try {
      entry = parseCorpusFile(readFileSync(file, "utf8"), settings);
    } catch (error) {
      throw new InputError(`--corpus: ${(error as Error).message}`, { file: displayPath(file) });
    }
    if (entry !== undefined) entries.push(entry);
  }
  return entries;
}

/** Writes the entries a campaign found; returns how many files are new. */
function saveCorpus(dir: string, settings: FuzzSettings, entries: readonly CorpusEntry[]): number {
  mkdirSync(dir, { recursive: true });
  let written = 0;
  for (const entry of entries) {
    const file = join(dir, corpusFileName(settings, entry.plan));
    if (existsSync(file)) continue;
    writeFileSync(file, corpusFileText(settings, entry));
    written++;
  }
  return written;
}

/** Runs a scenario exactly as `quorumlab run` would (built-in) or against the user's module. */
export async function replay(
  source: ProtocolSource,
  scenario: Scenario,
  options: { tracePath?: string; liveness: boolean; keepTrace: boolean },
): Promise<RunResult> {
  if (source.module === undefined) {
    return executeScenario(scenario, {
      keepTrace: options.keepTrace,
      liveness: options.liveness,
      ...(options.tracePath === undefined ? {} : { tracePath: options.tracePath }),
    }).result;
  }
  const sink = options.tracePath === undefined ? undefined : new FileSink(options.tracePath);
  try {
    return runScenario(scenario, await registryFor(source), {
      keepTrace: options.keepTrace,
      checkHistory: historyChecker(),
      checkLiveness: options.liveness,
      ...(sink === undefined ? {} : { traceSink: sink }),
    });
  } finally {
    sink?.close();
  }
}

/** The command that replays a counterexample file. */
export function replayLine(source: ProtocolSource, file: string, liveness: boolean): string {
  const flags = liveness ? " --liveness" : "";
  return source.module === undefined
    ? `npx quorumlab run ${file}${flags}`
    : `npx quorumlab run ${file} --module ${displayPath(source.module)}${flags}`;
}

export async function saveCounterexample(
  source: ProtocolSource,
  settings: FuzzSettings,
  info: CounterexampleInfo,
  outDir: string | undefined,
  shrinkMs: number,
): Promise<Counterexample> {
  const name = counterexampleName(settings, info);
  const file = outDir === undefined ? undefined : join(outDir, `${name}.yaml`);
  const traceFile = outDir === undefined ? undefined : join(outDir, `${name}.trace.jsonl`);
  const reportFile = outDir === undefined ? undefined : join(outDir, `${name}.html`);
  const module =
    source.module === undefined
      ? undefined
      : {
          target: displayPath(source.module),
          fromScenario: relative(dirname(resolve(file ?? `${name}.yaml`)), source.module)
            .split(sep)
            .join("/"),
        };
  const text = counterexampleText(counterexampleScenario(settings, info, module));
  if (outDir !== undefined) mkdirSync(outDir, { recursive: true });
  if (file !== undefined) writeFileSync(file, text);
  // Run what the file says, parsed back, the way `quorumlab run FILE` runs it.
  const scenario = parseScenario(text, file === undefined ? `${name}.yaml` : displayPath(file));
  const failure = info.shrink.failure;
  // Run twice: the two traces must be the same, or the counterexample would not replay.
  const result = await replay(source, scenario, {
    liveness: settings.liveness,
    keepTrace: true,
    ...(traceFile === undefined ? {} : { tracePath: traceFile }),
  });
  const again = await replay(source, scenario, { liveness: settings.liveness, keepTrace: true });
  if (again.traceHash !== result.traceHash) {
    const divergence = firstDivergence(result.records, again.records);
    throw new InputError(
      `nondeterminism: two runs of the same scenario and seed differ at ${divergence === undefined ? "the trace hash" : describeDivergence(divergence)}`,
      { file: source.module === undefined ? scenario.file : displayPath(source.module) },
    );
  }
  const reproduced = reproduces(result, failure, settings.liveness);
  if (reportFile !== undefined) reportAfterRun(result, { reportPath: reportFile });
  return {
    ...(file === undefined ? {} : { file: displayPath(file) }),
    ...(traceFile === undefined ? {} : { traceFile: displayPath(traceFile) }),
    ...(reportFile === undefined ? {} : { reportFile: displayPath(reportFile) }),
    invariant: failure.invariant,
    kind: failure.kind,
    message: failure.message,
    faultActions: faultActionCount(scenario),
    replay: replayLine(source, file === undefined ? `${name}.yaml` : displayPath(file), settings.liveness),
    traceHash: result.traceHash,
    reproduced,
    runIndex: info.runIndex,
    fcSeed: info.shrink.fcSeed,
    fcPath: info.shrink.fcPath,
    shrinkSteps: info.shrink.shrinkSteps,
    shrinkRuns: info.shrink.shrinkRuns,
    shrinkMs,
    scenario,
    text,
  };
}

function reproduces(result: RunResult, failure: RunFailure, liveness: boolean): boolean {
  if (failure.kind === "safety") return result.violations.some((v) => v.invariant === failure.invariant);
  if (failure.kind === "liveness") {
    return (
      (liveness && result.violations.some((v) => v.invariant === failure.invariant)) ||
      result.expectations.some((e) => !e.met)
    );
  }
  return false;
}
