/**
 * `quorumlab explore <protocol|module.js>`: explores every schedule of a small cluster within
 * bounds and reports `complete`, `violation` (with the shortest schedule under BFS, saved as a
 * scenario `quorumlab run` replays) or `bounded`. docs/exploring.md is the user's guide.
 *
 * The work is in sim/explore/; this file parses flags, owns the clock, the progress bar and the
 * files.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { performance } from "node:perf_hooks";
import type { ChalkInstance } from "chalk";
import cliProgress from "cli-progress";
import type { CommandModule } from "yargs";
import { pathWord, shellWord } from "../reports/escape.js";
import { ExitCode, InputError } from "../sim/errors.js";
import {
  defaultDriftRate,
  describeImplied,
  describeStep,
  type ExploreInput,
  explore,
  exploredScenario,
  exploredText,
  exploreHints,
  exploreSetup,
  formatDriftRate,
  formatFaultBudget,
  type ImpliedDrop,
  impliedDrops,
  parseFaultBudget,
  replayReasons,
  type SearchProgress,
  type SearchResult,
  type Strategy,
  timerNamesSeen,
  timerWalks,
  type Verdict,
  type WorldSetup,
  workloadReads,
} from "../sim/explore/index.js";
import type { KnownLimit, Protocol } from "../sim/node.js";
import { formatSeed, parseSeed } from "../sim/random.js";
import { type RunResult, runScenario } from "../sim/run.js";
import { parseScenario } from "../sim/scenario/load.js";
import type { Scenario, ScheduleStep } from "../sim/scenario/schema.js";
import { historyInvariantOf } from "../sim/scenario/validate.js";
import { closestName } from "../sim/suggest.js";
import { parseDurationUs } from "../sim/time.js";
import { checkOutputFolder, displayPath, makeOutputFolder } from "./files.js";
import { historyChecker } from "./history-check.js";
import { colours, counted, runCommand } from "./output.js";
import { commandHeadings } from "./shared/command-headings.js";
import {
  type BreadthFirstRun,
  searchBreadthFirst,
  searchesInWorker,
  searchInWorker,
} from "./shared/explore-pool.js";
import { resolveTarget } from "./shared/fuzz-target.js";
import { type ProtocolSource, registryFor } from "./shared/fuzz-worker.js";
import { type Interrupt, listenForInterrupt } from "./shared/interrupt.js";
import { knownLimitNote, knownLimitOf } from "./shared/known-limit.js";
import { inModule } from "./shared/module-registry.js";
import { reportAfterRun } from "./shared/report-file.js";
import { oversubscribed, parseWorkers } from "./shared/workers.js";

export interface ExploreArgs {
  target: string;
  nodes?: number;
  clients?: number;
  ops?: number;
  "first-nodes"?: "guess" | "spread";
  depth?: number;
  faults?: string;
  timers?: string;
  network?: "unordered" | "ordered" | "fifo";
  "quiet-timeouts"?: boolean;
  "prompt-timeouts"?: boolean;
  "prompt-replies"?: boolean;
  "drift-rate"?: number;
  /** Default: the bug's or the protocol's `explore.strategy`, else bfs. */
  strategy?: Strategy;
  time: string;
  /** `auto` or a whole number from 1 to 64 (`parseWorkers`). */
  workers: string;
  bug?: string[];
  seed: string;
  out: string;
  json: boolean;
}

/** The flags with the strategy resolved (the flag, else the bug's or the protocol's). */
type ResolvedArgs = ExploreArgs & { readonly strategy: Strategy };

/** A saved counterexample: the scenario file, its trace hash when replayed, and its report. */
export interface SavedCounterexample {
  readonly file: string;
  readonly reportFile?: string;
  readonly traceHash: string;
  readonly invariant: string;
  readonly message: string;
  readonly steps: readonly ScheduleStep[];
  /** The drops the bounds imply (quiet timeouts, ordered links), by step index from 0. */
  readonly implied: ReadonlyMap<number, ImpliedDrop>;
  /** No shorter schedule exists within the bounds (bfs, dfs); false for a shortened random find. */
  readonly shortest: boolean;
  /** A shortened schedule's steps as found. */
  readonly foundSteps?: number;
  /** Ctrl-C or SIGTERM ended the shortening early: the schedule is the shortest found until then. */
  readonly cutShort?: boolean;
  /** The replayed file broke the same invariant. */
  readonly reproduced: boolean;
  readonly replay: string;
  /** The file held another schedule, saved by an earlier run with the same settings, now replaced. */
  readonly replaced: boolean;
}

/** The search's time limit when `--time` is not given. */
const defaultTime = "60s";
const defaultTimeUs = parseDurationUs(defaultTime);

function commandLine(args: ResolvedArgs, budget: string, seed: bigint): string {
  const flags = [
    ...(args.bug ?? []).map((bug) => `--bug ${bug}`),
    ...(args.nodes === undefined ? [] : [`--nodes ${args.nodes}`]),
    ...(args.clients === undefined ? [] : [`--clients ${args.clients}`]),
    ...(args.ops === undefined ? [] : [`--ops ${args.ops}`]),
    ...(args["first-nodes"] === undefined ? [] : [`--first-nodes ${args["first-nodes"]}`]),
    ...(args.depth === undefined ? [] : [`--depth ${args.depth}`]),
    `--faults ${budget}`,
    ...(args.timers === undefined ? [] : [`--timers ${args.timers}`]),
    ...(args.network === undefined ? [] : [`--network ${args.network}`]),
    ...(args["quiet-timeouts"] === undefined ? [] : [`--quiet-timeouts=${args["quiet-timeouts"]}`]),
    ...(args["prompt-timeouts"] === undefined ? [] : [`--prompt-timeouts=${args["prompt-timeouts"]}`]),
    ...(args["prompt-replies"] === undefined ? [] : [`--prompt-replies=${args["prompt-replies"]}`]),
    ...(args["drift-rate"] === undefined ? [] : [`--drift-rate ${args["drift-rate"]}`]),
    `--strategy ${args.strategy}`,
    // A search given longer than the default may have needed it to get this far.
    ...(parseDurationUs(args.time) === defaultTimeUs ? [] : [`--time ${args.time}`]),
    // The seed decides the nodes' random streams, and so what is found.
    ...(seed === 1n ? [] : [`--seed ${formatSeed(seed)}`]),
  ];
  return `quorumlab explore ${args.target} ${flags.join(" ")}`;
}

function progressBar(): { update(progress: SearchProgress): void; stop(): void } {
  if (process.stderr.isTTY !== true) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      format:
        "exploring {states} states | {unique} unique | depth {depth} | {rate} states/s | frontier {frontier} | {elapsed}",
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(1, 0, { states: 0, unique: 0, depth: 0, rate: 0, frontier: 0, elapsed: "0s" });
  return {
    update: (progress) => bar.update(0, progressFields(progress)),
    stop: () => bar.stop(),
  };
}

/** The progress bar's fields: counts with thousands separators, as the verdict line writes them. */
export function progressFields(progress: SearchProgress): Record<string, string | number> {
  const seconds = progress.elapsedMs / 1000;
  const count = (value: number) => value.toLocaleString("en-US");
  return {
    states: count(progress.statesVisited),
    unique: count(progress.uniqueStates),
    depth: progress.depth,
    rate: count(seconds > 0 ? Math.round(progress.uniqueStates / seconds) : 0),
    frontier: count(progress.frontier),
    elapsed: `${seconds.toFixed(1)}s`,
  };
}

/** Writes the counterexample scenario, replays it as `quorumlab run` does, and writes its report. */
function saveCounterexample(
  registry: ReadonlyMap<string, Protocol>,
  context: {
    protocol: Protocol;
    userOptions: Record<string, unknown>;
    nodes: number;
    clients: number;
    seed: bigint;
    command: string;
    module?: string;
    bugs: readonly string[];
    digest: string;
    /** The bounds that imply drops (`impliedDrops`). */
    bounds: { network?: string; quietTimeouts?: boolean };
  },
  result: SearchResult,
  outDir: string,
): SavedCounterexample {
  const counterexample = result.counterexample;
  if (counterexample === undefined) throw new Error("no counterexample to save");
  const setup = {
    protocol: context.protocol.name,
    options: context.userOptions,
    nodes: context.nodes,
    clients: context.clients,
    seed: context.seed,
    command: context.command,
    bugs: context.bugs,
    digest: context.digest,
    ...(context.module === undefined
      ? {}
      : { module: relative(resolve(outDir), resolve(context.module)).split(sep).join("/") }),
  };
  // The file's duration is the virtual time its schedule ends at: run it once to learn it.
  const draft = exploredScenario(setup, counterexample.steps, counterexample.finding, 1_000_000);
  // A module's messages travel as frozen copies in the search, and so in its replays.
  const copies = context.module === undefined ? {} : { guardData: true };
  const probe = runScenario(parseScenario(exploredText(draft), "probe.yaml"), registry, {
    checkHistory: historyChecker(),
    protocolFigures: false,
    ...copies,
  });
  const scenario = exploredScenario(
    setup,
    counterexample.steps,
    counterexample.finding,
    Math.max(1, probe.simulatedUs),
  );
  const text = exploredText(scenario, context.bounds);
  makeOutputFolder(outDir, "--out");
  const file = join(outDir, `${scenario.name}.yaml`);
  const replaced = existsSync(file) && !sameSchedule(readFileSync(file, "utf8"), scenario);
  writeFileSync(file, text);
  const reportFile = join(outDir, `${scenario.name}.html`);
  const replayed: RunResult = runScenario(parseScenario(text, displayPath(file)), registry, {
    checkHistory: historyChecker(),
    keepTrace: true,
    ...copies,
  });
  // A module's report is a lab as `run --report` makes it: the page bundles the module.
  reportAfterRun(replayed, {
    reportPath: reportFile,
    protocol: registry.get(scenario.protocol),
    protocolModules: context.module === undefined ? [] : [context.module],
  });
  const invariant = counterexample.finding.invariant;
  const reproduced =
    invariant === "explore.deadlock" ||
    replayed.violations.some((violation) => violation.invariant === invariant);
  const moduleFlag =
    context.module === undefined ? "" : ` --module ${shellWord(displayPath(context.module))}`;
  return {
    file: displayPath(file),
    reportFile: displayPath(reportFile),
    traceHash: replayed.traceHash,
    invariant,
    message: counterexample.finding.message,
    steps: counterexample.steps,
    implied: impliedDrops(counterexample.steps, context.bounds),
    shortest: counterexample.shortest,
    ...(counterexample.foundSteps === undefined ? {} : { foundSteps: counterexample.foundSteps }),
    ...(counterexample.cutShort === true ? { cutShort: true } : {}),
    reproduced,
    replay: `npx quorumlab run ${pathWord(displayPath(file))}${moduleFlag}`,
    replaced,
  };
}

/** Whether `text`, a file saved earlier, is a scenario of the same cluster and schedule. */
function sameSchedule(text: string, scenario: Scenario): boolean {
  let earlier: Scenario;
  try {
    earlier = parseScenario(text, "earlier.yaml");
  } catch {
    return false;
  }
  const key = (s: Scenario) =>
    JSON.stringify([s.protocol, s.options, s.nodes, s.clients, s.seed, s.schedule], (_, value) =>
      typeof value === "bigint" ? String(value) : value,
    );
  return key(earlier) === key(scenario);
}

/**
 * A digest of what decides which counterexample an exploration finds: the protocol, its options
 * (the bugs), the cluster and its workload, the fault budget and the other bounds, the seed, the
 * strategy and the depth. It ends the counterexample's file name, so that explorations with other
 * settings do not overwrite each other's files, and the same settings, however spelt, name the
 * same file.
 */
function settingsDigest(
  args: ResolvedArgs,
  setup: WorldSetup,
  context: { userOptions: Record<string, unknown>; seed: bigint },
): string {
  const settings = {
    protocol: setup.protocol.name,
    options: context.userOptions,
    nodes: setup.nodes,
    workload: setup.workload,
    budget: setup.budget,
    ...boundsOf(setup),
    seed: formatSeed(context.seed),
    strategy: args.strategy,
    depth: args.depth ?? null,
  };
  const text = JSON.stringify(settings, (_, value) => (typeof value === "bigint" ? String(value) : value));
  return createHash("sha256").update(text).digest("hex").slice(0, 8);
}

/** How an exploration bounds its schedules, each with its default spelt out. */
function boundsOf(setup: WorldSetup): Record<string, unknown> {
  return {
    timers: setup.timers ?? null,
    network: setup.network ?? "unordered",
    quietTimeouts: setup.quietTimeouts ?? false,
    promptTimeouts: setup.promptTimeouts ?? false,
    promptReplies: setup.promptReplies ?? false,
    driftRate: (setup.budget.drift ?? 0) > 0 ? (setup.driftRate ?? defaultDriftRate) : null,
  };
}

/** The stable `--json` shape (docs/cli.md). */
export function exploreJson(
  header: Record<string, unknown>,
  result: SearchResult,
  saved: SavedCounterexample | undefined,
  knownLimit?: KnownLimit,
  replayed: readonly string[] = [],
  notes: readonly string[] = [],
): Record<string, unknown> {
  return {
    schemaVersion: 1,
    ...header,
    strategy: result.strategy,
    verdict: result.verdict,
    uniqueStates: result.uniqueStates,
    statesVisited: result.statesVisited,
    transitionsSkipped: result.transitionsSkipped ?? null,
    depth: result.depth,
    boundedBy: result.boundedBy ?? null,
    interrupted: interruptedRun(result),
    hiddenState: result.hiddenState ?? false,
    restore: result.restore,
    replayReasons: replayed,
    statesPerSec: result.wallMs > 0 ? Math.round((result.uniqueStates * 1000) / result.wallMs) : 0,
    wallMs: Math.round(result.wallMs),
    notes,
    counterexample:
      saved === undefined
        ? null
        : {
            file: saved.file,
            traceHash: saved.traceHash,
            invariant: saved.invariant,
            message: saved.message,
            steps: saved.steps.length,
            shortest: saved.shortest,
            foundSteps: saved.foundSteps ?? null,
            schedule: saved.steps.map(describeStep),
            impliedDrops: [...saved.implied]
              .sort(([a], [b]) => a - b)
              .map(([index, drop]) => ({ step: index + 1, bound: drop.bound, by: drop.by + 1 })),
            reproduced: saved.reproduced,
            replay: saved.replay,
            report: saved.reportFile ?? null,
            knownLimit:
              knownLimit === undefined
                ? null
                : { invariant: knownLimit.invariant, when: knownLimit.when, source: knownLimit.source },
          },
  };
}

/** Parses `--timers election,heartbeat`. */
function parseTimers(text: string): string[] {
  if (text.trim() === "")
    throw new InputError("--timers: expected timer names such as election,heartbeat, or all");
  const names = text.split(",").map((name) => name.trim());
  // As --faults refuses `drop=1,`: an empty item is a name left out or a stray comma.
  if (names.includes(""))
    throw new InputError(
      `--timers: expected timer names separated by single commas (for example election,heartbeat), got '${text}' with an empty item`,
    );
  return names;
}

/** The search's time limit in microseconds, once the flags that `yargs` cannot check are checked. */
function checkedTimeUs(args: ExploreArgs): number {
  const timeUs = parseDurationUs(args.time);
  if (timeUs === undefined || timeUs <= 0)
    throw new InputError(`--time: expected a duration such as 60s, got '${args.time}'`);
  if (
    args.depth !== undefined &&
    !(Number.isInteger(args.depth) && args.depth >= 1 && args.depth <= 65_000)
  ) {
    throw new InputError(`--depth: expected a whole number from 1 to 65000, got ${args.depth}`);
  }
  parseWorkers(args.workers);
  return timeUs;
}

/**
 * How many threads the search runs in: `--workers` for breadth-first search (`auto`: this thread,
 * joined by worker threads if it runs long), one for the other strategies (their walks and
 * deepening rounds are not shared out).
 */
function threadsFor(args: ResolvedArgs): number | "auto" {
  return args.strategy === "bfs" ? parseWorkers(args.workers) : 1;
}

/** Runs the search under a progress bar (none with --json or off a terminal). */
async function runSearch(
  setup: WorldSetup,
  args: ResolvedArgs,
  options: {
    timeUs: number;
    seed: bigint;
    source: ProtocolSource;
    input: ExploreInput;
    /** Ctrl-C or SIGTERM, listened for since the command began. */
    interrupt: Interrupt;
  },
): Promise<BreadthFirstRun> {
  const { signal } = options.interrupt;
  const bar = args.json ? { update: () => {}, stop: () => {} } : progressBar();
  const settings = {
    strategy: args.strategy,
    depthMax:
      args.depth ?? (args.strategy === "bfs" || args.strategy === "cells" ? Number.POSITIVE_INFINITY : 60),
    timeMs: options.timeUs / 1000,
    statesMax: 20_000_000,
    now: () => performance.now(),
    seed: options.seed,
    onProgress: (progress: SearchProgress) => bar.update(progress),
    progressMs: 200,
    interrupted: () => signal.aborted,
  };
  try {
    if (args.strategy !== "bfs") {
      if (!searchesInWorker()) {
        // Searching in this thread, the command hears no signal until the search ends: let a
        // signal end it at once instead. One that came already stops the search at its first check.
        options.interrupt.release();
        return { result: explore(setup, settings), workers: 1 };
      }
      const result = await searchInWorker(settings, { source: options.source, input: options.input, signal });
      return { result, workers: 1 };
    }
    // Breadth first, each level's frontier kept as choice paths (sim/explore/parallel.ts).
    return await searchBreadthFirst(setup, settings, {
      source: options.source,
      input: options.input,
      workers: threadsFor(args),
    });
  } finally {
    bar.stop();
  }
}

/**
 * Whether Ctrl-C or SIGTERM cut the search short: it stopped before its bounds, or it stopped
 * shortening the schedule it found (the command then exits 130 or 143 either way).
 */
function interruptedRun(result: SearchResult): boolean {
  return result.boundedBy === "interrupted" || result.counterexample?.cutShort === true;
}

/** What ended a bounded search, as the verdict line says it. */
function stoppedBy(result: SearchResult): string {
  if (result.boundedBy === "interrupted")
    return "interrupted (Ctrl-C or SIGTERM) before its bounds were reached";
  return `stopped by ${result.boundedBy ?? "a bound"}`;
}

function exitCodeOf(verdict: SearchResult["verdict"]): number {
  if (verdict === "complete") return ExitCode.ok;
  if (verdict === "violation") return ExitCode.violation;
  return ExitCode.inconclusive;
}

/** What the terminal output needs beside the search result. */
interface ExploreRun {
  readonly args: ResolvedArgs;
  readonly protocol: Protocol;
  readonly setup: WorldSetup;
  readonly search: BreadthFirstRun;
  readonly result: SearchResult;
  readonly saved: SavedCounterexample | undefined;
  /** The protocol's known limit the violation is (no deliberate bug on). */
  readonly knownLimit: KnownLimit | undefined;
  /** Why states were replayed rather than restored (`restore: "replay"`), one line per cause. */
  readonly replayReasons: readonly string[];
}

/** The notes on states that could not be merged or restored from snapshots, and why. */
function stateNotes(run: ExploreRun): string[] {
  const { protocol, result } = run;
  const notes: string[] = [];
  if (result.hiddenState === true) {
    notes.push(
      `${protocol.name}'s node objects keep their state out of sight (closures, #private fields, a WeakMap; no fingerprint()); no two states were merged (docs/node-api.md, "State fingerprints")${run.replayReasons.map((reason) => `\n  - ${reason}`).join("")}`,
    );
  }
  if (result.restore === "replay" && result.hiddenState !== true) {
    notes.push(
      `${protocol.name} keeps state out of sight of snapshots, so each state was rebuilt by replaying its path, which is slower (docs/node-api.md, "Saving and restoring a state"):${run.replayReasons.map((reason) => `\n  - ${reason}`).join("")}`,
    );
  }
  return notes;
}

/**
 * The note under the verdict: that only the start state was checked, or that the violation is
 * the protocol's known limit.
 */
function verdictNote(run: ExploreRun): string | undefined {
  const { result } = run;
  // Complete after the start state alone reads like a proof, and proves next to nothing.
  if (result.verdict === "complete" && result.uniqueStates === 1 && result.depth === 0)
    return "no step could be taken from the start: no message was in flight, no timer the search may fire was set, no client had an operation and no fault in the budget applied, so only the start state was checked (a fault budget such as --faults crash=1 gives the search steps to take)";
  if (result.verdict === "violation" && run.saved !== undefined && run.knownLimit !== undefined)
    return knownLimitNote(run.protocol.name, run.knownLimit).replace(/^note: /, "");
  return undefined;
}

/** How many threads searched, when more than this one did. */
function threadsNote(search: BreadthFirstRun): string {
  if (search.workers <= 1) return "";
  const threads = `${search.workers} worker threads`;
  return search.joinedAtMs === undefined
    ? ` in ${threads}`
    : ` (${threads} from ${(search.joinedAtMs / 1000).toFixed(1)} s)`;
}

/** The verdict line and, for a violation, the schedule and where it was saved. */
function printVerdict(out: NodeJS.WritableStream, c: ChalkInstance, run: ExploreRun): void {
  const { result, saved } = run;
  const rate = result.wallMs > 0 ? Math.round((result.uniqueStates * 1000) / result.wallMs) : 0;
  const searched = (noun: string) =>
    `${counted(result.uniqueStates, noun)} (${result.statesVisited.toLocaleString("en-US")} visited), ${(result.wallMs / 1000).toFixed(1)} s, ${rate.toLocaleString("en-US")} states/s${threadsNote(run.search)}`;
  const figures = searched("unique state");
  switch (result.verdict) {
    case "complete":
      out.write(
        `${c.green("complete")}: no violation in any schedule within the bounds — ${figures}; longest path ${counted(result.depth, "step")}\n`,
      );
      break;
    case "bounded":
      if (result.strategy === "cells") {
        out.write(
          `${c.yellow("bounded")}: no violation found breadth first over cells; ${result.boundedBy === "cells" ? "stopped by every cell reached (one state stood for each: not every state was explored)" : stoppedBy(result)} — ${searched("cell")}\n`,
        );
        break;
      }
      if (result.strategy === "random" || result.strategy === "novelty") {
        out.write(
          `${c.yellow("bounded")}: no violation found by ${result.strategy} walks; ${stoppedBy(result)} (walks cover no depth completely) — ${figures}\n`,
        );
        break;
      }
      out.write(
        `${c.yellow("bounded")}: no violation within depth ${result.depth} (every state at most ${counted(result.depth, "step")} from the start was explored); ${stoppedBy(result)} — ${figures}\n`,
      );
      break;
    case "violation": {
      if (saved === undefined) break;
      out.write(`${c.red("violation")}: ${c.bold(saved.invariant)} — ${saved.message}\n`);
      const steps = counted(saved.steps.length, "step");
      const choices = saved.foundSteps ?? saved.steps.length;
      const unproven = "not proven shortest: only bfs and dfs prove that";
      const kind = saved.shortest
        ? `shortest schedule (${steps})`
        : result.strategy === "cells"
          ? `short schedule (${steps}; ${choices} choices, the fewest of the states kept breadth first over cells; ${unproven})`
          : saved.cutShort === true
            ? `short schedule (${steps}, shortened from ${choices} choices until Ctrl-C or SIGTERM cut the shortening short; ${unproven})`
            : `short schedule (${steps}, shortened from ${choices} choices; ${unproven})`;
      out.write(`${kind}, found by ${result.strategy} after ${figures}:\n`);
      // The drops the bounds imply are not the budget's (`faults drop=0` in the header).
      saved.steps.forEach((step, index) => {
        const drop = saved.implied.get(index);
        const why = drop === undefined ? "" : c.dim(`  (${describeImplied(drop)})`);
        out.write(`  ${c.dim(String(index + 1).padStart(3))}  ${describeStep(step)}${why}\n`);
      });
      out.write(
        `saved   ${saved.file}${saved.reportFile === undefined ? "" : `  (report ${saved.reportFile})`}\n`,
      );
      out.write(
        `trace   ${saved.traceHash.slice(0, 16)}${saved.reproduced ? "" : c.red("  (the replay did not break it again)")}\n`,
      );
      out.write(`replay  ${saved.replay}\n`);
      break;
    }
  }
}

/** The bounds the flags give (a flag left out leaves the bug's or the protocol's default). */
function exploreInput(args: ExploreArgs): ExploreInput {
  return {
    bugs: args.bug ?? [],
    ...(args.nodes === undefined ? {} : { nodes: args.nodes }),
    ...(args.clients === undefined ? {} : { clients: args.clients }),
    ...(args.ops === undefined ? {} : { operations: args.ops }),
    ...(args["first-nodes"] === undefined ? {} : { firstNodes: args["first-nodes"] }),
    ...(args.timers === undefined
      ? {}
      : { timers: args.timers === "all" ? "all" : parseTimers(args.timers) }),
    ...(args.network === undefined ? {} : { network: args.network }),
    ...(args["quiet-timeouts"] === undefined ? {} : { quietTimeouts: args["quiet-timeouts"] }),
    ...(args["prompt-timeouts"] === undefined ? {} : { promptTimeouts: args["prompt-timeouts"] }),
    ...(args["prompt-replies"] === undefined ? {} : { promptReplies: args["prompt-replies"] }),
    ...(args["drift-rate"] === undefined ? {} : { driftRate: args["drift-rate"] }),
  };
}

/** The first line of a terminal run: what is explored, within which bounds, with which seed. */
function headerLine(
  c: ChalkInstance,
  {
    args,
    protocol,
    setup,
    seed,
  }: { args: ResolvedArgs; protocol: Protocol; setup: WorldSetup; seed: bigint },
): string {
  const bugs = args.bug ?? [];
  const clients = setup.workload.length;
  const operations = setup.workload[0]?.length ?? 0;
  const bounds = [
    counted(setup.nodes, "node"),
    `${counted(clients, "client")} × ${counted(operations, "operation")}`,
    `faults ${formatFaultBudget(setup.budget)}`,
  ];
  if (setup.timers !== undefined) bounds.push(`timers ${setup.timers.join(",")}`);
  if (setup.network === "ordered") bounds.push("ordered links");
  if (setup.network === "fifo") bounds.push("FIFO links");
  if (setup.quietTimeouts === true) bounds.push("quiet timeouts");
  if (setup.promptTimeouts === true) bounds.push("prompt timeouts");
  if (setup.promptReplies === true) bounds.push("prompt replies");
  if ((setup.budget.drift ?? 0) > 0)
    bounds.push(`clock drift ±${formatDriftRate(setup.driftRate ?? defaultDriftRate).slice(1)}`);
  const depth = args.depth === undefined ? "" : ` to depth ${args.depth}`;
  bounds.push(`${args.strategy}${depth}${workersNote(threadsFor(args))}`, `seed ${formatSeed(seed)}`);
  const bugNote = bugs.length === 0 ? "" : ` with ${c.yellow(bugs.join(", "))}`;
  return `${c.bold(`exploring ${protocol.name}`)}${bugNote}: ${bounds.join(", ")}\n`;
}

/** The header's word on threads: a number above one, or none (one thread, or `auto`). */
function workersNote(threads: number | "auto"): string {
  return threads !== "auto" && threads > 1 ? ` in ${threads} worker threads` : "";
}

/** The fields of `--json` that say what was explored (docs/cli.md). */
function jsonHeader({
  protocol,
  bugs,
  setup,
  seed,
  workers,
}: {
  protocol: Protocol;
  bugs: readonly string[];
  setup: WorldSetup;
  seed: bigint;
  workers: number;
}): Record<string, unknown> {
  return {
    protocol: protocol.name,
    bugs,
    nodes: setup.nodes,
    clients: setup.workload.length,
    operations: setup.workload[0]?.length ?? 0,
    faults: setup.budget,
    ...boundsOf(setup),
    seed: formatSeed(seed),
    workers,
  };
}

async function exploreMain(given: ExploreArgs, interrupt: Interrupt): Promise<number> {
  const timeUs = checkedTimeUs(given);
  const { source, protocol } = await resolveTarget(given.target);
  checkOutputFolder(given.out, "--out");
  const args: ResolvedArgs = {
    ...given,
    strategy: given.strategy ?? exploreHints(protocol, given.bug ?? []).strategy ?? "bfs",
  };
  const module = source.module;
  const seed = parseSeed(args.seed, "--seed");
  const faults = parseFaultBudget(args.faults ?? "");
  const input: ExploreInput = {
    ...exploreInput(args),
    faults,
    seed,
    // A module's messages travel as frozen copies, and more (`KernelConfig.guardData`).
    ...(module === undefined ? {} : { guardData: true }),
  };
  const { setup, userOptions } = exploreSetup(protocol, input, historyChecker());
  const clients = setup.workload.length;
  const budget = formatFaultBudget(setup.budget);
  const c = colours(process.stdout, { json: args.json });
  const out = process.stdout;
  const bugs = args.bug ?? [];
  const note = (text: string): void => {
    out.write(`${c.yellow("note")}: ${text}\n`);
  };
  // Before the search, which may take its whole budget: a misspelt name leaves a timer that
  // never fires, and a search that proves nothing about it.
  try {
    checkTimersSet(args, protocol, setup);
  } catch (error) {
    throw inModule(error, module);
  }
  if (!args.json) out.write(headerLine(c, { args, protocol, setup, seed }));
  // Ctrl-C or SIGTERM stops the search, with the summary of what it covered: breadth first
  // between runs of states, the other strategies in a worker thread, where they check their time
  // bound (and, for a schedule found at random, between the replays that shorten it). Run from
  // the sources, those search in this thread, which a signal ends at once. A signal that came
  // before the search (`exploreCommand`'s handler listens from the start) stops it at once.
  let search: BreadthFirstRun;
  try {
    search = await runSearch(setup, args, { timeUs, seed, source, input, interrupt }).catch(
      (error: unknown) => {
        throw inModule(error, module);
      },
    );
  } finally {
    // From here a signal ends the command at once: what is left is saving and printing.
    interrupt.release();
  }
  const result = search.result;
  const registry = await registryFor(module === undefined ? {} : { module });
  const saved =
    result.counterexample === undefined
      ? undefined
      : saveCounterexample(
          registry,
          {
            protocol,
            userOptions,
            nodes: setup.nodes,
            clients,
            seed,
            command: commandLine(args, budget, seed),
            ...(module === undefined ? {} : { module }),
            bugs,
            digest: settingsDigest(args, setup, { userOptions, seed }),
            bounds: setup,
          },
          result,
          args.out,
        );
  const knownLimit =
    saved === undefined ? undefined : knownLimitOf(protocol, saved.invariant, bugs, userOptions);
  const replayed = result.restore === "replay" ? replayReasons(setup) : [];
  const exitCode = interruptedRun(result) ? interrupt.exitCode() : exitCodeOf(result.verdict);
  const run: ExploreRun = {
    args,
    protocol,
    setup,
    search,
    result,
    saved,
    knownLimit,
    replayReasons: replayed,
  };
  // The notes before the verdict line, the one under it, and the one after it, as printed.
  const before = [...threadNotes(args), ...stateNotes(run)];
  const under = [verdictNote(run), replacedNote(saved)].filter((text) => text !== undefined);
  const unseen = bugNotSeen(bugs, protocol, setup, result.verdict);
  if (args.json) {
    const header = jsonHeader({ protocol, bugs, setup, seed, workers: search.workers });
    const notes = [...before, ...under, ...(unseen === undefined ? [] : [unseen])];
    out.write(`${JSON.stringify(exploreJson(header, result, saved, knownLimit, replayed, notes))}\n`);
    return exitCode;
  }
  for (const text of before) note(text);
  printVerdict(out, c, run);
  for (const text of under) note(text);
  if (unseen !== undefined) note(unseen);
  return exitCode;
}

/** The note for a counterexample file that replaced another schedule saved with the same settings. */
function replacedNote(saved: SavedCounterexample | undefined): string | undefined {
  if (saved?.replaced !== true) return undefined;
  return `${saved.file} held another schedule saved with the same settings (the protocol or quorumlab has changed since); it was replaced`;
}

/** The notes on `--workers`: ignored by a strategy other than bfs, or above the machine's cores. */
function threadNotes(args: ResolvedArgs): string[] {
  const notes: string[] = [];
  const asked = parseWorkers(args.workers);
  if (asked !== "auto" && asked > 1 && threadsFor(args) === 1) {
    notes.push(
      `--workers ${args.workers}: only bfs shares its search among worker threads; ${args.strategy} ran in one thread`,
    );
  }
  const crowded = asked === "auto" ? undefined : oversubscribed(threadsFor(args) as number);
  if (crowded !== undefined) notes.push(crowded);
  return notes;
}

/**
 * Refuses `--timers` names the protocol does not have (a misspelling, most often): such a timer
 * never fires, and the search would cover nothing it was asked to. The names are checked against
 * the protocol's `timers` when it declares them, else against those nodes set in short random
 * walks from the start. The error names the protocol's timers.
 */
function checkTimersSet(args: ResolvedArgs, protocol: Protocol, setup: WorldSetup): void {
  if (args.timers === undefined || args.timers === "all" || setup.timers === undefined) return;
  const declared = protocol.timers;
  const known = declared === undefined ? timerNamesSeen(setup) : [...declared].sort();
  const missing = setup.timers.filter((name) => !known.includes(name));
  if (missing.length === 0) return;
  const names = missing.map((name) => `'${name}'`).join(", ");
  const why =
    declared !== undefined
      ? "it declares no such timer"
      : `no node set ${missing.length === 1 ? "it" : "them"} in ${timerWalks.walks} random walks of ${timerWalks.steps} steps from the start, and it declares no timers`;
  throw new InputError(
    `--timers: ${protocol.name} has no timer named ${names} (${why}); its timers: ${known.length === 0 ? "none" : known.join(", ")}${meantTimers(missing, known)}`,
  );
}

/** `; did you mean 'election'?` for the names given that are near misses of names set. */
function meantTimers(missing: readonly string[], seen: readonly string[]): string {
  const meant = missing.flatMap((name) => {
    const closest = closestName(name, seen);
    return closest === undefined ? [] : [{ name, closest }];
  });
  if (meant.length === 0) return "";
  if (missing.length === 1) return `; did you mean '${meant[0]?.closest}'?`;
  return `; did you mean ${meant.map(({ name, closest }) => `'${closest}' for '${name}'`).join(", ")}?`;
}

/**
 * What a verdict without a violation says when bugs are on: that they do not show within these
 * bounds, and which bounds to widen. A bug that breaks only the client history's check cannot
 * show in a history of fewer than two operations, so that note asks for more operations; other
 * bugs are told of a crash first, when the budget has none.
 */
function bugNotSeen(
  bugs: readonly string[],
  protocol: Protocol,
  setup: WorldSetup,
  verdict: Verdict,
): string | undefined {
  if (bugs.length === 0 || verdict === "violation") return undefined;
  const declared = `a bug can declare the bounds it shows in (\`explore\` on the bug, docs/exploring.md, "Bounds").`;
  const unread = withoutReads(bugs, protocol, setup);
  if (unread !== undefined) {
    return `${bugs.join(", ")} did not show, and cannot with this workload: ${unread}; ${declared}`;
  }
  const needs = [
    ...(verdict === "bounded" ? ["a longer search"] : []),
    ...(setup.budget.crash === 0 ? ["a crash (--faults crash=1, with the timeouts)"] : []),
    "other bounds",
  ];
  const listed = needs.length === 1 ? needs[0] : `${needs.slice(0, -1).join(", ")} or ${needs.at(-1)}`;
  return `${bugs.join(", ")} did not show within these bounds. ${bugs.length === 1 ? "It" : "They"} may need ${listed}; ${declared}`;
}

/**
 * Why no schedule of this workload can show the bugs, when each breaks only the client history's
 * check (`kv.linearizable`, `txn.strict-serializable`) and no operation of the workload reads:
 * writes alone always pass that check.
 */
function withoutReads(bugs: readonly string[], protocol: Protocol, setup: WorldSetup): string | undefined {
  const model = protocol.client?.model;
  if (model === undefined) return undefined;
  const checked = historyInvariantOf(model);
  const historyOnly = bugs.every((name) => {
    const breaks = protocol.bugs.find((bug) => bug.name === name)?.breaks ?? [];
    return breaks.length > 0 && breaks.every((invariant) => invariant === checked);
  });
  if (!historyOnly || workloadReads(setup.workload)) return undefined;
  const clients = setup.workload.length;
  const operations = setup.workload[0]?.length ?? 0;
  const workload = `${counted(clients, "client")} × ${counted(operations, "operation")}`;
  const writes = clients * operations === 0 ? "no operation" : "writes alone";
  const they = bugs.length === 1 ? "it breaks" : "they break";
  const needed = clients === 0 ? "--clients 1 --ops 2" : "--ops 2";
  return `${they} only ${checked}, a check of the client history, and no operation of this workload reads (${workload}: ${writes}), so every schedule passes it. A read is needed: ${needed} (each client writes, then reads), with --clients 2 for operations at once; then a longer search`;
}

export const exploreCommand: CommandModule<object, ExploreArgs> = {
  ...commandHeadings.explore,
  builder: (yargs) =>
    yargs
      .positional("target", {
        type: "string",
        demandOption: true,
        describe: "built-in protocol name, or path of a protocol module (.js or .ts)",
      })
      .option("nodes", {
        type: "number",
        describe: "cluster size (default: the protocol's, else 3, or the smallest above 3 it supports)",
      })
      .option("clients", { type: "number", describe: "clients (default 1 for protocols with clients)" })
      .option("ops", { type: "number", describe: "operations per client (default 1)" })
      .option("first-nodes", {
        choices: ["guess", "spread"] as const,
        describe:
          "the node a client asks first: guess: its own guess of the leader; spread: client i asks node i (default: the bug's or the protocol's, else guess)",
      })
      .option("depth", {
        type: "number",
        describe: "longest schedule explored (default: none for bfs, 60 otherwise)",
      })
      .option("faults", {
        type: "string",
        describe:
          "budget per schedule: drop=N,duplicate=N,crash=N,timeouts=N,drift=N,isolate=N (default: the protocol's, else timeouts=3)",
      })
      .option("drift-rate", {
        type: "number",
        describe:
          "how fast or slow a clock drift (--faults drift=N) makes a node's clock run, as a fraction (default: the bug's or the protocol's, else 0.05)",
      })
      .option("timers", {
        type: "string",
        describe:
          "timers whose firing is a choice, comma-separated, or all (default: the bug's or the protocol's, else all)",
      })
      .option("network", {
        choices: ["unordered", "ordered", "fifo"] as const,
        describe:
          "unordered: any message in flight may arrive next; ordered: each link in sending order, losing messages; fifo: only the oldest message on each link may arrive (default: the bug's or the protocol's, else unordered)",
      })
      .option("quiet-timeouts", {
        type: "boolean",
        describe:
          "a timer fires only once the network is quiet: messages in flight are lost first (default: the bug's or the protocol's, else false)",
      })
      .option("prompt-timeouts", {
        type: "boolean",
        describe:
          "what a timer firing sends arrives at once: its messages are delivered right after it (default: the bug's or the protocol's, else false)",
      })
      .option("prompt-replies", {
        type: "boolean",
        describe:
          "a message delivered is answered at once: what its handler sends back to the sender is delivered right after it (default: the bug's or the protocol's, else false)",
      })
      .option("strategy", {
        choices: ["bfs", "dfs", "random", "novelty", "cells"] as const,
        describe:
          "bfs: shortest counterexample; dfs: iterative deepening; random: random walks; novelty: walks from an archive of reached states; cells: breadth first over cells (novelty and cells: deep bugs, a short, not shortest, schedule) (default: the bug's or the protocol's, else bfs)",
      })
      .option("time", { type: "string", default: defaultTime, describe: "wall-clock budget" })
      .option("workers", {
        type: "string",
        default: "auto",
        describe:
          "worker threads that expand each breadth-first level, 1 to 64, or auto: this thread, joined by one worker per core once the search has run 2 s and its level has seconds of work left; the same result for any number (other strategies run in one thread)",
      })
      .option("bug", { type: "string", array: true, describe: "switch on a deliberate bug (repeatable)" })
      .option("seed", {
        type: "string",
        default: "1",
        describe: "run seed (nodes' random streams; random walks)",
      })
      .option("out", { type: "string", default: "counterexamples", describe: "folder for counterexamples" })
      .option("json", { type: "boolean", default: false, describe: "print one JSON object (docs/cli.md)" }),
  handler: (args) => {
    // Listening from the start, so that a signal while the protocol loads and the world is built
    // still ends the command with the interrupted verdict, not silently.
    const interrupt = listenForInterrupt();
    return runCommand(() => exploreMain(args, interrupt)).finally(() => interrupt.release());
  },
};
