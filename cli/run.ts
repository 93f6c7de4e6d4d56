import type { ChalkInstance } from "chalk";
import type { CommandModule } from "yargs";
import {
  neverRanSpans,
  neverRanWhen,
  type RunSteps,
  type TimelineMark,
  type TimelineSpan,
  timelineEntries,
  timelineLinesMax,
} from "../reports/model.js";
import { runSteps } from "../reports/page/run-steps.js";
import { InputError } from "../sim/errors.js";
import type { Protocol } from "../sim/node.js";
import { formatSeed, parseSeed } from "../sim/random.js";
import type { RunResult } from "../sim/run.js";
import type { Scenario } from "../sim/scenario/schema.js";
import { formatDuration, formatSpan } from "../sim/time.js";
import type { TraceLine } from "../sim/trace.js";
import { loadScenario } from "./files.js";
import { colours, counted, runCommand } from "./output.js";
import { commandHeadings } from "./shared/command-headings.js";
import { listenForInterrupt } from "./shared/interrupt.js";
import { inModule, registryWith, scenarioModules } from "./shared/module-registry.js";
import { longDuration, runProgressLine } from "./shared/progress.js";
import { reportAfterRun } from "./shared/report-file.js";
import { executeScenarioInSlices, replayCommand, runJson, type SlicedRun } from "./shared/run-scenario.js";
import { runExitCode, verdictLines } from "./shared/run-verdict.js";

export interface RunArgs {
  scenario: string;
  module?: string[];
  seed?: string;
  trace?: string;
  report?: string;
  json: boolean;
  quiet: boolean;
  liveness: boolean;
}

export const runCommandModule: CommandModule<object, RunArgs> = {
  ...commandHeadings.run,
  builder: (yargs) =>
    yargs
      .positional("scenario", {
        type: "string",
        demandOption: true,
        describe: "a built-in scenario's name (quorumlab list) or a scenario file (.yaml)",
      })
      .option("seed", { type: "string", describe: "run seed, decimal or 0x-hex (default: the scenario's)" })
      .option("trace", { type: "string", describe: "write the trace as JSON Lines to this file" })
      .option("report", { type: "string", describe: "write a self-contained HTML report to this file" })
      .option("json", { type: "boolean", default: false, describe: "print one JSON object" })
      .option("quiet", {
        type: "boolean",
        default: false,
        describe: "print only the verdict: one line, and the replay command after a violation",
      })
      .option("liveness", { type: "boolean", default: false, describe: "also check liveness invariants" })
      .option("module", {
        type: "string",
        array: true,
        describe: "load your own protocol from a module, .js or .ts (repeatable)",
      })
      .example("$0 run raft-figure-8", "run a built-in scenario")
      .example("$0 run my.yaml --seed 0x2a --trace t.jsonl", "run a file with another seed, keep its trace")
      .example("$0 run my.yaml --module ./my-protocol.js", "run a scenario of your own protocol")
      .epilogue(
        "A run that takes more than about 2 s shows its progress on stderr (on a terminal); Ctrl-C stops it and says how far it got (exit code 130).",
      ),
  handler: (args) =>
    runCommand(async () => {
      if (args.json && args.quiet)
        throw new InputError("--quiet: shortens the terminal output, which --json replaces with one object");
      const scenario = loadScenario(args.scenario);
      const modules = scenarioModules(scenario, args.module ?? []);
      const registry = await registryWith(modules, args.module === undefined ? undefined : scenario.protocol);
      if (args.liveness) refuseLivenessWithout(registry.get(scenario.protocol));
      const seed = args.seed === undefined ? undefined : parseSeed(args.seed, "--seed");
      const keepTrace = !args.json || args.report !== undefined;
      // The run goes in slices, so that a long one draws a progress line and hears Ctrl-C: the
      // first SIGINT (SIGTERM) stops it after the slice under way, a second ends the process.
      const interrupt = listenForInterrupt();
      const progress = runProgressLine(scenario.name);
      // Past the slices, Ctrl-C ends the process at once, as it does without a listener.
      const sliced = () => {
        progress.checking();
        interrupt.release();
      };
      let executed: SlicedRun;
      try {
        executed = await executeScenarioInSlices(
          scenario,
          {
            ...(seed === undefined ? {} : { seed }),
            ...(args.trace === undefined ? {} : { tracePath: args.trace }),
            keepTrace: keepTrace || args.report !== undefined,
            liveness: args.liveness,
            registry,
            freezeBuiltInMessages: false,
          },
          { signal: interrupt.signal, progress: progress.update, sliced },
        );
      } catch (error) {
        // Every module given runs the scenario's protocol (`registryWith` refuses others).
        throw inModule(error, modules.length === 1 ? modules[0] : undefined);
      } finally {
        progress.clear();
        interrupt.release();
      }
      if (executed.kind === "interrupted") {
        printInterrupted(scenario, executed, {
          seed: seed ?? scenario.seed,
          json: args.json,
          trace: args.trace,
          report: args.report,
        });
        return interrupt.exitCode();
      }
      const { result, wallMs } = executed;
      reportAfterRun(result, {
        reportPath: args.report,
        modules: args.module ?? [],
        protocolModules: modules,
        liveness: args.liveness,
        protocol: registry.get(scenario.protocol),
      });
      if (args.json) {
        process.stdout.write(`${JSON.stringify(runJson(result, wallMs))}\n`);
      } else {
        printRun(result, wallMs, {
          quiet: args.quiet,
          leading: registry.get(scenario.protocol)?.roles?.leading ?? [],
          trace: args.trace,
          report: args.report,
          modules: args.module ?? [],
          liveness: args.liveness,
        });
      }
      return runExitCode(result);
    }),
};

/**
 * What a run stopped by Ctrl-C had reached: how far it ran, that no safety invariant was violated
 * up to there (a violation would have ended it), and that its end-of-run checks did not run.
 */
function printInterrupted(
  scenario: Scenario,
  reached: SlicedRun & { kind: "interrupted" },
  options: {
    readonly seed: bigint;
    readonly json: boolean;
    readonly trace: string | undefined;
    readonly report: string | undefined;
  },
): void {
  if (options.json) {
    const json = {
      schemaVersion: 1,
      scenario: scenario.name,
      protocol: scenario.protocol,
      seed: formatSeed(options.seed),
      interrupted: true,
      events: reached.events,
      simulatedUs: reached.timeUs,
      durationUs: reached.endUs,
      wallMs: Math.round(reached.wallMs * 100) / 100,
    };
    process.stdout.write(`${JSON.stringify(json)}\n`);
    return;
  }
  const c = colours(process.stdout);
  const lines = [
    `${c.yellow("interrupted")} at ${longDuration(reached.timeUs)} of ${longDuration(reached.endUs)} simulated (${counted(reached.events, "event")}, ${longDuration(reached.wallMs * 1_000)} wall): no safety invariant was violated up to there; the end-of-run checks, the history check and the expectations did not run`,
  ];
  if (options.trace !== undefined)
    lines.push(c.dim(`  trace written to ${options.trace}, up to the interruption`));
  if (options.report !== undefined)
    lines.push(c.dim(`  no report written to ${options.report}: the run did not end`));
  process.stdout.write(`${lines.join("\n")}\n`);
}

/**
 * Exits 2 for `--liveness` on a protocol that declares no liveness invariant: the run would check
 * nothing more, and its `✓` would read as "it made progress".
 */
function refuseLivenessWithout(protocol: Protocol | undefined): void {
  if (protocol === undefined || protocol.invariants.some((invariant) => invariant.kind === "liveness"))
    return;
  throw new InputError(
    `--liveness: ${protocol.name} declares no liveness invariant (all ${protocol.invariants.length} of its invariants are safety invariants), so the run would check nothing more; fuzz --liveness checks that a leader is elected after healing`,
  );
}

/** What `printRun` says beside the result. */
interface PrintOptions {
  readonly quiet: boolean;
  /** The roles the protocol declares leading, whose leaderships the timeline tells. */
  readonly leading: readonly string[];
  readonly trace: string | undefined;
  readonly report: string | undefined;
  readonly modules: readonly string[];
  /** Liveness was checked too (`--liveness`), so the replay command asks for it. */
  readonly liveness: boolean;
}

function printRun(result: RunResult, wallMs: number, options: PrintOptions): void {
  const c = colours(process.stdout);
  const out: string[] = [];
  if (!options.quiet) out.push(...runLines(result, wallMs, options, c));
  const replay = replayCommand(result.scenario, result.seed, options.modules, options.liveness);
  out.push(...verdictLines(result, c, { replay, quiet: options.quiet }));
  process.stdout.write(`${out.join("\n")}\n`);
}

/** The scenario, its timeline, figures, history verdict, expectations and where files went. */
function runLines(result: RunResult, wallMs: number, options: PrintOptions, c: ChalkInstance): string[] {
  const out: string[] = [];
  const scenario = result.scenario;
  out.push(
    `${c.bold(scenario.name)}  ${c.dim(`${result.protocol}, ${counted(result.kernel.nodeIds.length, "node")}, seed ${formatSeed(result.seed)}, ${formatSpan(scenario.durationUs)} simulated`)}`,
  );
  if (scenario.summary !== "") out.push(`  ${scenario.summary}`);
  out.push("");
  out.push(
    ...timeline(result.records, c, { steps: runSteps(result), leading: options.leading }).map(
      (line) => `  ${line}`,
    ),
  );
  out.push(...protocolTimelineLines(result.figures, c).map((line) => `  ${line}`));
  out.push("");
  out.push(
    ...figureLines(result.figures).map(
      (line, index) => `  ${index === 0 ? c.bold("figures") : "       "}  ${line}`,
    ),
  );
  out.push(...historyLines(result, c));
  for (const expectation of result.expectations) {
    const mark = expectation.met ? c.green("✓") : c.red("✗");
    out.push(`  ${c.bold("expect")}   ${mark} ${expectation.expectation}: ${expectation.detail}`);
  }
  out.push(
    c.dim(
      `  ${result.events} events in ${formatSpan(result.simulatedUs)} simulated, ${wallMs.toFixed(0)} ms wall; trace ${result.traceHash.slice(0, 16)}`,
    ),
  );
  if (options.trace !== undefined) out.push(c.dim(`  trace written to ${options.trace}`));
  if (options.report !== undefined) out.push(c.dim(`  report written to ${options.report}`));
  out.push("");
  return out;
}

/** The client history's verdict, with the checker's summary when it is not linearizable. */
function historyLines(result: RunResult, c: ChalkInstance): string[] {
  const verdict = result.historyVerdict;
  if (verdict === undefined) return [];
  const property = verdict.property ?? "linearizable";
  const text =
    verdict.result === "linearizable"
      ? c.green(property)
      : verdict.result === "unknown"
        ? c.yellow("unknown (checker budget ran out)")
        : c.red(`NOT ${property}`);
  const out = [
    `  ${c.bold("history")}  ${text} (${counted(result.history.filter((e) => e.type === "invoke").length, "operation")})`,
  ];
  if (verdict.result === "not-linearizable" && verdict.summary !== undefined) {
    out.push(...verdict.summary.split("\n").map((line) => `           ${line}`));
  }
  return out;
}

const baseFigures = new Set([
  "leaderChanges",
  "leadersByGroup",
  "firstLeaderUs",
  "messages",
  "messagesByType",
  "operations",
]);

/** The run's figures in a few lines: the kernel's, then the protocol's own scalar ones. */
function figureLines(figures: RunResult["figures"]): string[] {
  const ops = figures.operations;
  const parts: string[] = [];
  if (figures.leaderChanges > 0) {
    const byGroup = Object.entries(figures.leadersByGroup ?? {});
    parts.push(
      `leaders elected ${figures.leaderChanges}` +
        (figures.firstLeaderUs === null ? "" : ` (first at ${formatDuration(figures.firstLeaderUs)})`) +
        (byGroup.length === 0
          ? ""
          : `, by group ${byGroup.map(([group, count]) => `${group} ${count}`).join(" / ")}`),
    );
  }
  parts.push(`messages ${figures.messages}`);
  if (ops.ok + ops.fail + ops.info + ops.pending > 0) {
    // Pending: invoked and not answered when the run ended (or stopped at a violation).
    const pending = ops.pending > 0 ? ` / pending ${ops.pending}` : "";
    parts.push(`operations ok ${ops.ok} / fail ${ops.fail} / info ${ops.info}${pending}`);
  }
  const lines = [parts.join(", ")];
  const own: string[] = [];
  for (const [name, value] of Object.entries(figures)) {
    if (baseFigures.has(name)) continue;
    const text = scalarFigure(name, value);
    if (text !== undefined) own.push(text);
    else if (isRecord(value)) {
      // A protocol's figures grouped under its name (`txn.splits`): scalars, and flat counts.
      for (const [inner, innerValue] of Object.entries(value)) {
        const path = `${name}.${inner}`;
        const innerText = scalarFigure(path, innerValue);
        if (innerText !== undefined) own.push(innerText);
        else if (isRecord(innerValue) && Object.values(innerValue).every((v) => typeof v === "number")) {
          const counts = Object.entries(innerValue).map(([key, count]) => `${key} ${count}`);
          if (counts.length > 0) own.push(`${path} ${counts.join(" / ")}`);
        }
      }
    }
  }
  for (let index = 0; index < own.length; index += 4) lines.push(own.slice(index, index + 4).join(", "));
  return lines;
}

const protocolTimelineMax = 20;

/**
 * A protocol's own timeline figure (`txn.timeline`: `[{ms, event, ...}]`, the range splits, moves
 * and merges), one line an entry, after the run's timeline.
 */
function protocolTimelineLines(figures: RunResult["figures"], c: ChalkInstance): string[] {
  const lines: string[] = [];
  for (const [name, value] of Object.entries(figures)) {
    const entries = isRecord(value) ? value.timeline : undefined;
    if (!Array.isArray(entries)) continue;
    for (const entry of entries.slice(0, protocolTimelineMax)) {
      if (!isRecord(entry) || typeof entry.ms !== "number" || typeof entry.event !== "string") continue;
      const details = Object.entries(entry)
        .filter(([field]) => field !== "ms" && field !== "event")
        .map(([field, detail]) => `${field} ${String(detail)}`)
        .join(", ");
      lines.push(
        `${c.dim(formatDuration(Math.round(entry.ms * 1000)).padStart(9))}  ${c.magenta(`${name} ${entry.event}`)} ${details}`,
      );
    }
    if (entries.length > protocolTimelineMax) {
      lines.push(
        c.dim(`           … ${entries.length - protocolTimelineMax} more in ${name}.timeline (--json)`),
      );
    }
  }
  return lines;
}

function scalarFigure(name: string, value: unknown): string | undefined {
  if (typeof value === "number") return `${name} ${/Us$/.test(name) ? formatDuration(value) : value}`;
  if (typeof value === "boolean") return `${name} ${value ? "yes" : "no"}`;
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** How the terminal shows each mark of the timeline's spans. */
function painter(c: ChalkInstance): Record<TimelineMark, (text: string) => string> {
  return { fault: c.yellow, actor: c.cyan, note: c.italic, aside: c.dim, bad: c.red };
}

/**
 * The run's timeline (reports/model/timeline.ts: every report tells the same), one line a moment,
 * at most `timelineLinesMax` of them.
 */
export function timeline(
  records: readonly TraceLine[],
  c: ChalkInstance,
  options: {
    /** What the run tells of its scenario's steps (`runSteps`). */
    readonly steps?: RunSteps;
    /** The roles the protocol declares leading (`roles.leading`); without them no node leads. */
    readonly leading?: readonly string[];
  } = {},
): string[] {
  const entries = timelineEntries(records, options);
  const paint = painter(c);
  const lines = entries.slice(0, timelineLinesMax).map((entry) => {
    const text = entry.spans.map((span) => painted(span, paint)).join("");
    return `${c.dim(formatDuration(entry.t).padStart(9))}  ${text}`;
  });
  if (entries.length > timelineLinesMax)
    lines.push(c.dim(`     … ${entries.length - timelineLinesMax} more (see --trace / --report)`));
  if (lines.length === 0) lines.push(c.dim("no faults, leadership changes or violations"));
  // After the timeline, each step that waited for a new leader and never ran: without these
  // lines such a step left no trace at all.
  for (const spans of (options.steps?.neverRan ?? []).map(neverRanSpans))
    lines.push(`${c.dim(neverRanWhen.padStart(9))}  ${spans.map((span) => painted(span, paint)).join("")}`);
  return lines;
}

function painted(span: TimelineSpan, paint: Record<TimelineMark, (text: string) => string>): string {
  return span.mark === undefined ? span.text : paint[span.mark](span.text);
}
