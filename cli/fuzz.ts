/**
 * `quorumlab fuzz <protocol|module.js>`: generate scenarios with fast-check, run them, and on the
 * first violation shrink it and save it as an ordinary scenario file that `quorumlab run FILE`
 * replays exactly. docs/fuzzing.md is the user's guide.
 *
 * The work is in sim/fuzz/ (arbitraries, deterministic campaigns, counterexamples); this file
 * parses flags, owns the clock, the worker pool, the progress bar and the files.
 */
import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import cliProgress from "cli-progress";
import type { CommandModule } from "yargs";
import { ExitCode, InputError } from "../sim/errors.js";
import {
  type CampaignProgress,
  type RunReport,
  runCampaign,
  shrinkRun,
  shrinkWithSeed,
} from "../sim/fuzz/campaign.js";
import {
  type CounterexampleInfo,
  counterexampleName,
  counterexampleScenario,
  counterexampleText,
  faultActionCount,
} from "../sim/fuzz/counterexample.js";
import type { FuzzSettings } from "../sim/fuzz/plan.js";
import type { RunFailure } from "../sim/fuzz/property.js";
import { fuzzSettings, type SettingsInput } from "../sim/fuzz/settings.js";
import type { Protocol } from "../sim/node.js";
import { formatSeed, parseSeed } from "../sim/random.js";
import { type RunResult, runScenario } from "../sim/run.js";
import { parseScenario } from "../sim/scenario/load.js";
import type { Scenario } from "../sim/scenario/schema.js";
import { formatDuration, parseDurationUs } from "../sim/time.js";
import { displayPath, packageRoot, readText } from "./files.js";
import type { HostReply, HostRequest } from "./fuzz-host.js";
import evaluateBatch, { fuzzRunner, type ProtocolSource, registryFor } from "./fuzz-worker.js";
import { historyChecker } from "./history-check.js";
import { afterRunHooks } from "./hooks.js";
import { colours, runCommand } from "./output.js";
import { executeScenario, FileSink, runJson } from "./run.js";

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
  readonly fcSeed: number;
  readonly fcPath: string;
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
}

/** Resolves the command's target to a protocol source and the protocol itself. */
export async function resolveTarget(target: string): Promise<{ source: ProtocolSource; protocol: Protocol }> {
  const isModule = /\.(m?js|cjs)$/i.test(target) || target.includes("/") || target.includes("\\");
  if (isModule) {
    const module = resolve(target);
    if (!existsSync(module)) throw new InputError("no such protocol module", { file: target });
    const registry = await registryFor({ module });
    const protocol = [...registry.values()][0] as Protocol;
    return { source: { module, name: protocol.name }, protocol };
  }
  const registry = await registryFor({});
  const protocol = registry.get(target);
  if (protocol === undefined) {
    throw new InputError(
      `unknown protocol '${target}'; known: ${[...registry.keys()].sort().join(", ")} (or give a module path)`,
    );
  }
  return { source: { name: target }, protocol };
}

/** Where the compiled worker lives; worker threads cannot load TypeScript sources. */
export function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith(".js")) return join(here, "..", "fuzz-worker.js");
  const built = join(packageRoot(), "dist", "cli", "fuzz-worker.js");
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
): { evaluate: (indices: readonly number[]) => Promise<RunReport[]>; close: () => Promise<void> } {
  if (workers <= 1) {
    return {
      async evaluate(indices) {
        // Let timers (the progress bar) run between batches.
        await new Promise((done) => setImmediate(done));
        return evaluateBatch({ source, settings, seed, indices });
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
    evaluate(indices) {
      if (exited !== undefined) return Promise.reject(exited);
      const id = nextId++;
      return new Promise<RunReport[]>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        request({ kind: "evaluate", id, indices });
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
  const settings = fuzzSettings(protocol, options.settings ?? {});
  const workers = Math.max(1, options.workers ?? 1);
  const now = () => performance.now();
  const started = now();
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
      batchSize: options.batchSize ?? (workers === 1 ? 16 : 64 * workers),
      evaluate,
      pipeline: workers > 1,
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    });
  } finally {
    await pool.close();
  }
  const searchMs = now() - started;
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
  };
  if (campaign.failure === undefined) return { ...base, wallMs: now() - started };
  const runner = await fuzzRunner(source, settings.liveness);
  const shrinkStarted = now();
  const shrink = shrinkRun(settings, options.seed, campaign.failure.index, runner, {
    now,
    budgetMs: options.shrinkBudgetMs ?? 60_000,
  });
  if (shrink === undefined) {
    throw new Error(
      `run ${campaign.failure.index} failed in the campaign but passed when re-run: nondeterminism`,
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

/** Runs a scenario exactly as `quorumlab run` would (built-in) or against the user's module. */
async function replay(
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

async function saveCounterexample(
  source: ProtocolSource,
  settings: FuzzSettings,
  info: CounterexampleInfo,
  outDir: string | undefined,
  shrinkMs: number,
): Promise<Counterexample> {
  const name = counterexampleName(settings, info);
  const file = outDir === undefined ? undefined : join(outDir, `${name}.yaml`);
  const traceFile = outDir === undefined ? undefined : join(outDir, `${name}.trace.jsonl`);
  const reportFile =
    outDir === undefined || afterRunHooks.length === 0 ? undefined : join(outDir, `${name}.html`);
  const text = counterexampleText(counterexampleScenario(settings, info));
  if (outDir !== undefined) mkdirSync(outDir, { recursive: true });
  if (file !== undefined) writeFileSync(file, text);
  // Run what the file says, parsed back, the way `quorumlab run FILE` runs it.
  const scenario = parseScenario(text, file === undefined ? `${name}.yaml` : displayPath(file));
  const failure = info.shrink.failure;
  let result: RunResult | undefined;
  let reproduced: boolean;
  try {
    result = await replay(source, scenario, {
      liveness: settings.liveness,
      keepTrace: reportFile !== undefined,
      ...(traceFile === undefined ? {} : { tracePath: traceFile }),
    });
    reproduced = reproduces(result, failure, settings.liveness);
  } catch (error) {
    // A protocol that throws: the replay throws the same way.
    reproduced = failure.kind === "exception" && (error as Error).message.split("\n")[0] === failure.message;
  }
  if (result !== undefined && reportFile !== undefined) {
    for (const hook of afterRunHooks) hook(result, { reportPath: reportFile });
  }
  return {
    ...(file === undefined ? {} : { file: displayPath(file) }),
    ...(traceFile === undefined ? {} : { traceFile: displayPath(traceFile) }),
    ...(reportFile === undefined || result === undefined ? {} : { reportFile: displayPath(reportFile) }),
    invariant: failure.invariant,
    kind: failure.kind,
    message: failure.message,
    faultActions: faultActionCount(scenario),
    replay: replayLine(source, file === undefined ? `${name}.yaml` : displayPath(file), settings.liveness),
    traceHash: result?.traceHash ?? "",
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

// ---- command line ---------------------------------------------------------------------------

export interface FuzzArgs {
  target: string;
  time?: string;
  runs?: number;
  seed?: string;
  workers: number;
  shard?: string;
  bug?: string[];
  out: string;
  json: boolean;
  liveness: boolean;
  nodes?: string;
  duration?: string;
  "fault-phase"?: string;
  "liveness-deadline"?: string;
  "shrink-time": string;
  "fc-seed"?: number;
  "fc-path"?: string;
  replay?: string;
}

function durationMs(flag: string, text: string): number {
  const us = parseDurationUs(text);
  if (us === undefined || us <= 0)
    throw new InputError(`--${flag}: expected a duration such as 60s, got '${text}'`);
  return us / 1_000;
}

/** Parses `--shard i/n` (1-based i) into a 0-based index and a count. */
export function parseShard(text: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (match === null || !(count >= 1) || !(index >= 1) || index > count) {
    throw new InputError(`--shard: expected i/n with 1 <= i <= n, got '${text}'`);
  }
  return { index: index - 1, count };
}

function parseNodes(text: string): { nodesMin: number; nodesMax: number } {
  const match = /^(\d+)(?:\.\.(\d+))?$/.exec(text.trim());
  if (match === null) throw new InputError(`--nodes: expected N or MIN..MAX, got '${text}'`);
  const nodesMin = Number(match[1]);
  return { nodesMin, nodesMax: match[2] === undefined ? nodesMin : Number(match[2]) };
}

export function settingsInput(args: FuzzArgs): SettingsInput {
  return {
    bugs: args.bug ?? [],
    liveness: args.liveness,
    ...(args.nodes === undefined ? {} : parseNodes(args.nodes)),
    ...(args.duration === undefined ? {} : { durationMs: durationMs("duration", args.duration) }),
    ...(args["fault-phase"] === undefined
      ? {}
      : { faultPhaseMs: durationMs("fault-phase", args["fault-phase"]) }),
    ...(args["liveness-deadline"] === undefined
      ? {}
      : { livenessDeadlineMs: durationMs("liveness-deadline", args["liveness-deadline"]) }),
  };
}

/** A progress bar on stderr when it is a terminal; nothing otherwise. */
export function progressBar(
  label: string,
  total: number,
  unit: "runs" | "s",
): {
  update(progress: CampaignProgress): void;
  stop(): void;
} {
  if (process.stderr.isTTY !== true) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {runs} runs | {rate} runs/s | {eventRate} events/s | {elapsed} | {violations} violations`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
      barsize: 24,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { runs: 0, rate: "0", eventRate: "0", elapsed: "0s", violations: 0 });
  return {
    update(progress) {
      const seconds = progress.elapsedMs / 1000;
      bar.update(unit === "runs" ? progress.runs : Math.min(total, seconds), {
        runs: progress.runs,
        rate: seconds > 0 ? (progress.runs / seconds).toFixed(0) : "0",
        eventRate: seconds > 0 ? compact(progress.events / seconds) : "0",
        elapsed: `${seconds.toFixed(1)}s`,
        violations: progress.violations,
      });
    },
    stop: () => bar.stop(),
  };
}

function compact(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(0)}k`;
  return value.toFixed(0);
}

/** The stable `--json` shape of a campaign (documented in docs/fuzzing.md). */
export function fuzzJson(
  outcome: FuzzOutcome,
  shard?: { index: number; count: number },
): Record<string, unknown> {
  const cx = outcome.counterexample;
  return {
    schemaVersion: 1,
    protocol: outcome.protocol,
    bugs: outcome.bugs,
    seed: formatSeed(outcome.seed),
    ...(shard === undefined ? {} : { shard: `${shard.index + 1}/${shard.count}` }),
    runs: outcome.runs,
    evaluated: outcome.evaluated,
    runsPerSec: Math.round(outcome.runsPerSec * 10) / 10,
    eventsPerSec: Math.round(outcome.eventsPerSec),
    wallMs: Math.round(outcome.wallMs),
    searchMs: Math.round(outcome.searchMs),
    violations: cx === undefined ? 0 : 1,
    counterexample:
      cx === undefined
        ? null
        : {
            file: cx.file ?? null,
            trace: cx.traceFile ?? null,
            invariant: cx.invariant,
            kind: cx.kind,
            message: cx.message,
            faultActions: cx.faultActions,
            replay: cx.replay,
            traceHash: cx.traceHash,
            reproduced: cx.reproduced,
            run: cx.runIndex,
            fastCheck: { seed: cx.fcSeed, path: cx.fcPath },
            shrinkSteps: cx.shrinkSteps,
            shrinkMs: Math.round(cx.shrinkMs),
          },
  };
}

function printOutcome(outcome: FuzzOutcome, protocol?: Protocol): void {
  const c = colours(process.stdout);
  const out: string[] = [];
  const rate = `${outcome.runsPerSec.toFixed(0)} runs/s, ${compact(outcome.eventsPerSec)} events/s`;
  const cx = outcome.counterexample;
  if (cx === undefined) {
    out.push(
      `${c.green("✓ no violation")} in ${outcome.runs} runs (${(outcome.wallMs / 1000).toFixed(1)} s, ${rate})`,
    );
  } else {
    const what = cx.kind === "liveness" ? c.yellow.bold("✗ LIVENESS") : c.red.bold("✗ VIOLATION");
    out.push(
      `${what} ${c.bold(cx.invariant)} in run ${cx.runIndex} (after ${outcome.runs} runs, ${(outcome.searchMs / 1000).toFixed(1)} s, ${rate})`,
    );
    out.push(`  ${cx.message}`);
    out.push(
      `  shrunk to ${cx.faultActions} fault action${cx.faultActions === 1 ? "" : "s"} in ${cx.shrinkSteps} steps (${cx.shrinkRuns} runs, ${(cx.shrinkMs / 1000).toFixed(1)} s)`,
    );
    if (cx.file !== undefined) out.push(`  counterexample: ${cx.file}`);
    if (cx.traceFile !== undefined)
      out.push(`  trace:          ${cx.traceFile} (${cx.traceHash.slice(0, 16)})`);
    if (cx.reportFile !== undefined) out.push(`  report:         ${cx.reportFile}`);
    out.push(`  fast-check:     { seed: ${cx.fcSeed}, path: "${cx.fcPath}" }`);
    if (!cx.reproduced)
      out.push(c.yellow("  warning: the saved scenario did not reproduce the failure when re-run"));
    out.push(`replay: ${cx.replay}`);
    const limit = protocol?.knownLimits?.find((known) => known.invariant === cx.invariant);
    if (limit !== undefined && outcome.bugs.length === 0) {
      out.push(
        c.yellow(
          `note: this is a known limit of ${protocol?.name}, not a bug: it breaks ${limit.invariant} under ${limit.when} (${limit.source})`,
        ),
      );
    }
  }
  process.stdout.write(`${out.join("\n")}\n`);
}

/** `--fc-seed/--fc-path`: rebuild one shrunk plan without a campaign. */
async function replayFastCheck(args: FuzzArgs, seed: bigint): Promise<FuzzOutcome> {
  const { source, protocol } = await resolveTarget(args.target);
  const settings = fuzzSettings(protocol, settingsInput(args));
  const runner = await fuzzRunner(source, settings.liveness);
  const started = performance.now();
  const shrink = shrinkWithSeed(settings, args["fc-seed"] as number, runner, {
    ...(args["fc-path"] === undefined ? {} : { path: args["fc-path"] }),
  });
  const base = {
    protocol: protocol.name,
    bugs: settings.bugs,
    seed,
    settings,
    runs: 1,
    evaluated: 1,
    events: 0,
    searchMs: 0,
    runsPerSec: 0,
    eventsPerSec: 0,
  };
  if (shrink === undefined) return { ...base, wallMs: performance.now() - started };
  const info = { shrink, campaignSeed: seed, runIndex: 0 };
  const counterexample = await saveCounterexample(source, settings, info, args.out, 0);
  return { ...base, wallMs: performance.now() - started, counterexample };
}

export const fuzzCommand: CommandModule<object, FuzzArgs> = {
  command: "fuzz <target>",
  describe:
    "Fuzz a protocol (built-in name or module.js) with generated fault plans; shrink and save the first violation",
  builder: (yargs) =>
    yargs
      .positional("target", { type: "string", demandOption: true, describe: "protocol name or module path" })
      .option("time", { type: "string", describe: "time budget, e.g. 60s (default 60s unless --runs)" })
      .option("runs", { type: "number", describe: "number of runs (per shard)" })
      .option("seed", {
        type: "string",
        describe: "campaign seed, decimal or 0x-hex (default: random, printed)",
      })
      .option("workers", { type: "number", default: 1, describe: "worker threads" })
      .option("shard", { type: "string", describe: "this machine's share of the campaign, i/n" })
      .option("bug", { type: "string", array: true, describe: "switch on a deliberate bug (repeatable)" })
      .option("out", { type: "string", default: "quorumlab-out", describe: "folder for counterexamples" })
      .option("json", { type: "boolean", default: false, describe: "print one JSON object" })
      .option("liveness", {
        type: "boolean",
        default: false,
        describe: "also check liveness (leader after healing)",
      })
      .option("nodes", {
        type: "string",
        describe: "cluster sizes, N or MIN..MAX (default 3..protocol default)",
      })
      .option("duration", { type: "string", describe: "simulated length of each run (default 3s)" })
      .option("fault-phase", {
        type: "string",
        describe: "faults happen before this time (default 2/3 of the run)",
      })
      .option("liveness-deadline", {
        type: "string",
        describe: "a leader must be up this long after healing (default 1s)",
      })
      .option("shrink-time", { type: "string", default: "60s", describe: "wall-time budget for shrinking" })
      .option("fc-seed", {
        type: "number",
        describe: "rebuild one run from its fast-check seed (with --fc-path)",
      })
      .option("fc-path", { type: "string", describe: "fast-check shrink path printed with a counterexample" })
      .option("replay", { type: "string", describe: "run a counterexample file against a protocol module" })
      .example("$0 fuzz raft --time 60s", "fuzz correct Raft for a minute")
      .example("$0 fuzz raft --bug commit-previous-term --runs 500 --seed 1", "find a deliberate bug")
      .example("$0 fuzz raft --runs 2000 --shard 2/4 --json", "one machine's quarter of a campaign")
      .example("$0 fuzz ./my-protocol.js --time 30s", "fuzz your own protocol module"),
  handler: (args) =>
    runCommand(async () => {
      const seed =
        args.seed === undefined ? BigInt(`0x${randomBytes(4).toString("hex")}`) : parseSeed(args.seed);
      if (args.replay !== undefined) return replayFile(args);
      if (args["fc-seed"] !== undefined) {
        const outcome = await replayFastCheck(args, seed);
        if (args.json) process.stdout.write(`${JSON.stringify(fuzzJson(outcome))}\n`);
        else printOutcome(outcome);
        return outcome.counterexample === undefined ? ExitCode.ok : ExitCode.violation;
      }
      if (args.runs !== undefined && !(Number.isInteger(args.runs) && args.runs >= 1)) {
        throw new InputError(`--runs: expected a positive integer, got ${args.runs}`);
      }
      if (!(Number.isInteger(args.workers) && args.workers >= 1)) {
        throw new InputError(`--workers: expected a positive integer, got ${args.workers}`);
      }
      const budgetMs =
        args.time !== undefined
          ? durationMs("time", args.time)
          : args.runs === undefined
            ? 60_000
            : undefined;
      const shard = args.shard === undefined ? undefined : parseShard(args.shard);
      const { protocol } = await resolveTarget(args.target);
      const settings = fuzzSettings(protocol, settingsInput(args));
      if (!args.json) {
        const c = colours(process.stdout);
        const budget = [
          args.runs === undefined ? undefined : `${args.runs} runs`,
          budgetMs === undefined ? undefined : formatDuration(budgetMs * 1000),
        ].filter((part) => part !== undefined);
        process.stdout.write(
          `${c.bold(`fuzz ${protocol.name}`)} ${c.dim(`seed ${formatSeed(seed)}, bugs [${settings.bugs.join(", ")}], ${settings.nodesMin}..${settings.nodesMax} nodes, runs of ${formatDuration(settings.durationMs * 1000)}, ${budget.join(" or ")}, ${args.workers} worker${args.workers === 1 ? "" : "s"}${shard === undefined ? "" : `, shard ${shard.index + 1}/${shard.count}`}${settings.liveness ? ", liveness" : ""}`)}\n`,
        );
      }
      const bar = progressBar(
        `fuzz ${protocol.name}`,
        args.runs ?? Math.ceil((budgetMs as number) / 1000),
        args.runs === undefined ? "s" : "runs",
      );
      let outcome: FuzzOutcome;
      try {
        outcome = await fuzzCampaign({
          target: args.target,
          settings: settingsInput(args),
          seed,
          ...(args.runs === undefined ? {} : { runs: args.runs }),
          ...(budgetMs === undefined ? {} : { budgetMs }),
          workers: args.workers,
          ...(shard === undefined ? {} : { shard }),
          outDir: args.out,
          shrinkBudgetMs: durationMs("shrink-time", args["shrink-time"]),
          onProgress: (progress) => bar.update(progress),
        });
      } finally {
        bar.stop();
      }
      if (args.json) process.stdout.write(`${JSON.stringify(fuzzJson(outcome, shard))}\n`);
      else printOutcome(outcome, protocol);
      return outcome.counterexample === undefined ? ExitCode.ok : ExitCode.violation;
    }),
};

/** `--replay FILE`: runs a counterexample file against the target (for protocol modules). */
async function replayFile(args: FuzzArgs): Promise<number> {
  const { source } = await resolveTarget(args.target);
  const file = args.replay as string;
  const scenario = parseScenario(readText(file), file);
  const started = performance.now();
  const result = await replay(source, scenario, { liveness: args.liveness, keepTrace: false });
  process.stdout.write(`${JSON.stringify(runJson(result, performance.now() - started))}\n`);
  return result.ok ? ExitCode.ok : ExitCode.violation;
}
