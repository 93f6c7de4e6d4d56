import type { ChalkInstance } from "chalk";
import type { CommandModule } from "yargs";
import { leadershipTracker } from "../reports/model.js";
import { InputError } from "../sim/errors.js";
import type { Protocol } from "../sim/node.js";
import { formatSeed, parseSeed } from "../sim/random.js";
import type { RunResult } from "../sim/run.js";
import type { Scenario } from "../sim/scenario/schema.js";
import { formatClockRate, formatDuration, formatSpan } from "../sim/time.js";
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
    ...timeline(result.records, c, {
      notes: stepNotes(scenario, result.stepsRun),
      faults: stepFaults(result.stepsRun),
      leading: options.leading,
      oneWayClogs: oneWayClogs(scenario, result.stepsRun),
    }).map((line) => `  ${line}`),
  );
  out.push(...unranWaits(result, c).map((line) => `  ${line}`));
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

/**
 * Most lines of the terminal timeline; the rest are counted (`… 3 more`). The longest teaching
 * scenario, Figure 8 with its notes and scripted writes, takes 44.
 */
const timelineMax = 60;

/** A `note` the scenario gives a step, at the time and event the step ran. */
export interface StepNote {
  readonly t: number;
  /** The event the step ran as (or, for a schedule step, the first event it took). */
  readonly e: number;
  readonly text: string;
}

/**
 * The notes of the scenario's steps that ran (its fault timeline's, or its schedule's), in the
 * order they ran: a step that waits for a new leader is told when it ran after the election, and
 * a step that never ran (its leader never came, the run stopped first) is left out.
 */
export function stepNotes(scenario: Scenario, stepsRun: RunResult["stepsRun"]): StepNote[] {
  const steps: ReadonlyArray<{ readonly note?: string }> = scenario.schedule ?? scenario.faults;
  const notes: StepNote[] = [];
  for (const run of stepsRun) {
    const note = steps[run.step]?.note;
    if (note !== undefined) notes.push({ t: run.timeUs, e: run.event, text: note });
  }
  // Stable: steps of one event (none yet) keep the order they ran in.
  return notes
    .map((note, order) => ({ note, order }))
    .sort((left, right) => left.note.e - right.note.e || left.order - right.order)
    .map(({ note }) => note);
}

/**
 * A fault step that leaves no record of its own in the trace, told at the time and event it ran:
 * a `timeout`, which calls the node's `onTimer` (its timer record is the node's step, not the
 * fault, and a paused node's comes only when it resumes), and a scripted `op`, whose request is
 * a message like any client's.
 */
export type StepFault = { readonly t: number; readonly e: number } & (
  | {
      readonly kind: "timeout";
      readonly node: string;
      readonly timer: string;
      /** Whether the node had the timer set then. */
      readonly pending: boolean;
      /** Whether the protocol declares the timer (`timers`). */
      readonly declared: boolean;
    }
  | {
      readonly kind: "op";
      readonly client: string;
      readonly f: string;
      readonly key: string | null;
      readonly value: unknown;
      readonly node?: string;
    }
);

/** The `timeout` and `op` steps of the scenario's fault timeline that ran, in the order they ran. */
export function stepFaults(stepsRun: RunResult["stepsRun"]): StepFault[] {
  const faults: StepFault[] = [];
  for (const run of stepsRun) {
    if (run.timeout !== undefined)
      faults.push({ t: run.timeUs, e: run.event, kind: "timeout", ...run.timeout });
    if (run.op !== undefined) faults.push({ t: run.timeUs, e: run.event, kind: "op", ...run.op });
  }
  return faults.sort((left, right) => left.e - right.e);
}

/**
 * The fault steps that waited for a new leader and never ran, though the run went on to its end:
 * the leader never came, or came too late for the delay to end within the run. Without these
 * lines such a step left no trace at all.
 */
export function unranWaits(result: RunResult, c: ChalkInstance): string[] {
  if (result.scenario.schedule !== undefined || result.kernel.isStopped) return [];
  const ran = new Set(result.stepsRun.map((run) => run.step));
  const lines: string[] = [];
  result.scenario.faults.forEach((step, index) => {
    if (step.afterNewLeaderUs === undefined || ran.has(index)) return;
    const target = (step as Record<string, unknown>)[step.kind];
    const action = typeof target === "string" ? `${step.kind} ${target}` : step.kind;
    const nth = step.nthNewLeader ?? 1;
    const leader = nth === 1 ? "the next new leader" : `the ${ordinal(nth)} new leader`;
    const note = step.note === undefined ? "" : `  ${c.italic(`# ${step.note}`)}`;
    lines.push(
      `${c.dim("never ran".padStart(9))}  ${c.yellow(action)} (faults.${index}): from ${formatDuration(step.atUs)} it waited for ${leader} and ${formatDuration(step.afterNewLeaderUs)} more, and the run ended first${note}`,
    );
  });
  return lines;
}

/** 2nd, 3rd, 11th, 21st. */
function ordinal(n: number): string {
  const tens = n % 100;
  const suffix =
    tens >= 11 && tens <= 13 ? "th" : n % 10 === 1 ? "st" : n % 10 === 2 ? "nd" : n % 10 === 3 ? "rd" : "th";
  return `${n}${suffix}`;
}

/** What the timeline tells beside the trace. */
export interface TimelineOptions {
  /** The scenario's notes on its steps (`stepNotes`). */
  readonly notes?: readonly StepNote[];
  /** Its fault steps that leave no record of their own (`stepFaults`), each after its note. */
  readonly faults?: readonly StepFault[];
  /** The roles the protocol declares leading (`roles.leading`); without them no node leads. */
  readonly leading?: readonly string[];
  /**
   * The events at which a one-way clog ran (`oneWayClogs`): the trace's clog record does not say
   * which way it goes.
   */
  readonly oneWayClogs?: ReadonlySet<number>;
}

/** The events at which the scenario's one-way clogs ran, from the steps that ran. */
export function oneWayClogs(scenario: Scenario, stepsRun: RunResult["stepsRun"]): Set<number> {
  const events = new Set<number>();
  if (scenario.schedule !== undefined) return events;
  for (const run of stepsRun) {
    const step = scenario.faults[run.step];
    if (step?.kind === "clog" && step.clog.link.oneWay) events.add(run.event);
  }
  return events;
}

/**
 * The notable moments of a run: faults, leaderships, violations, and the scenario's notes on its
 * steps (each before the records of its instant, as its step runs first). A leadership is each
 * node and term in a leading role, once, as the `leaderChanges` figure counts them, told with the
 * role's own name: `n1 becomes primary (term 2)`.
 */
export function timeline(
  records: readonly TraceLine[],
  c: ChalkInstance,
  options: TimelineOptions = {},
): string[] {
  const notes = options.notes ?? [];
  const leading = new Set(options.leading ?? []);
  const isNewLeadership = leadershipTracker();
  const lines: string[] = [];
  let hidden = 0;
  const push = (t: number, text: string) => {
    if (lines.length < timelineMax) lines.push(`${c.dim(formatDuration(t).padStart(9))}  ${text}`);
    else hidden++;
  };
  // A burst during another, and a clog of a link still clogged, compose: each lasts until its
  // own end, the strongest in force applying. The line says which earlier one goes on.
  let burstUntil = -1;
  const clogUntil = new Map<string, number>();
  const overlaps = (record: TraceLine): string => {
    if (record.kind === "burst") {
      const earlier = burstUntil;
      burstUntil = Math.max(burstUntil, record.untilUs);
      return earlier > record.t
        ? c.dim(
            ` (the burst until ${formatDuration(earlier)} goes on: the higher loss and duplication apply while both do)`,
          )
        : "";
    }
    if (record.kind !== "clog") return "";
    const links = [`${record.from}→${record.to}`];
    if (!options.oneWayClogs?.has(record.e)) links.push(`${record.to}→${record.from}`);
    const earlier = Math.max(...links.map((link) => clogUntil.get(link) ?? -1));
    for (const link of links) clogUntil.set(link, Math.max(clogUntil.get(link) ?? -1, record.untilUs));
    return earlier > record.t
      ? c.dim(` (the clog until ${formatDuration(earlier)} goes on: the longer delay applies while both do)`)
      : "";
  };
  const faults = options.faults ?? [];
  let nextNote = 0;
  let nextFault = 0;
  // A step's note, then the step's fault, both before the records of the event the step ran as.
  const notesUntil = (e: number) => {
    for (;;) {
      const note = notes[nextNote];
      const fault = faults[nextFault];
      const noteDue = note !== undefined && note.e <= e;
      const faultDue = fault !== undefined && fault.e <= e;
      if (noteDue && (!faultDue || note.e <= fault.e)) {
        push(note.t, c.italic(`# ${note.text}`));
        nextNote++;
      } else if (faultDue) {
        push(fault.t, stepFaultText(fault, c));
        nextFault++;
      } else return;
    }
  };
  for (const record of records) {
    // Each note comes before the records of the event its step ran as.
    if ("e" in record) notesUntil(record.e);
    const fault = faultText(record, c, options.oneWayClogs);
    if (fault !== undefined && "t" in record) {
      push(record.t, `${fault}${overlaps(record)}`);
      continue;
    }
    switch (record.kind) {
      case "state": {
        const state = record.state as { role?: unknown; term?: unknown } | null;
        const role = typeof state?.role === "string" ? state.role : undefined;
        const term = typeof state?.term === "number" ? state.term : null;
        if (role !== undefined && leading.has(role) && isNewLeadership(record.node, term)) {
          push(
            record.t,
            `${c.cyan(record.node)} becomes ${c.cyan(role)}${term === null ? "" : ` (term ${String(term)})`}`,
          );
        }
        break;
      }
      case "note":
        if (record.node === "kernel") push(record.t, c.dim(kernelNoteText(record)));
        else if (record.label === "lost-unsynced-writes") push(record.t, powerLossText(record, c));
        break;
      case "violation":
        push(record.t, `${c.red("✗")} ${c.red(record.invariant)}: ${record.message.split("\n")[0]}`);
        break;
      default:
        break;
    }
  }
  if (hidden > 0) lines.push(c.dim(`     … ${hidden} more (see --trace / --report)`));
  if (lines.length === 0) lines.push(c.dim("no faults, leadership changes or violations"));
  return lines;
}

/**
 * A `timeout` step: `timeout n2`, or, when the node had no such timer set and the protocol does
 * not declare it, what was called instead of a timer firing early (a misspelt `electionTimer`
 * names one no node sets). A declared name is no misspelling: a Paxos proposer sets no `propose`
 * timer until it proposes, and its scenarios start a proposal with a timeout.
 */
function stepFaultText(fault: StepFault, c: ChalkInstance): string {
  if (fault.kind === "op") return scriptedOpText(fault, c);
  const text = `${c.yellow("timeout")} ${fault.node}`;
  if (fault.pending || fault.declared) return text;
  return `${text}: ${fault.node} had no pending '${fault.timer}' timer; its onTimer('${fault.timer}') ran all the same`;
}

/**
 * A scripted operation: `c1 asks n1: write x = "b"`, `c2 asks n5: read x` (a client that picks
 * its node itself: `c1 asks: …`).
 */
function scriptedOpText(op: StepFault & { kind: "op" }, c: ChalkInstance): string {
  const key = op.key === null ? "" : ` ${op.key}`;
  const value = op.f === "read" || op.f === "get" ? "" : ` = ${JSON.stringify(op.value) ?? String(op.value)}`;
  return `${c.cyan(op.client)} asks${op.node === undefined ? "" : ` ${op.node}`}: ${op.f}${key}${value}`;
}

/** A note of the fault timeline's: `skipped pause: n2 is down`, or its label and data. */
function kernelNoteText(record: TraceLine & { kind: "note" }): string {
  const data = record.data as { action?: unknown; reason?: unknown } | null;
  if (
    record.label === "skipped-action" &&
    typeof data?.action === "string" &&
    typeof data.reason === "string"
  )
    return `skipped ${data.action}: ${data.reason}`;
  return `${record.label}: ${JSON.stringify(record.data)}`;
}

/**
 * The power loss that follows a `crash` with `loseUnsynced: true`: the node's storage lost the
 * writes made since its last sync (the kernel's `lost-unsynced-writes` note).
 */
function powerLossText(record: TraceLine & { kind: "note" }, c: ChalkInstance): string {
  const writes = (record.data as { writes?: unknown } | null)?.writes;
  const count = typeof writes === "number" ? writes : 0;
  return `${c.yellow("power loss")} ${record.node}: ${count === 0 ? "no" : count} unsynced write${count === 1 ? "" : "s"} lost`;
}

/** A fault record in one line, or `undefined` for any other record. */
function faultText(
  record: TraceLine,
  c: ChalkInstance,
  oneWayClogAt?: ReadonlySet<number>,
): string | undefined {
  switch (record.kind) {
    case "crash":
    case "restart":
    case "pause":
    case "resume":
      return `${c.yellow(record.kind)} ${record.node}`;
    case "partition":
      return `${c.yellow("partition")} ${record.groups.map((group) => group.join(",")).join(" | ")}`;
    case "cut":
      return `${c.yellow("cut")} ${record.from}${record.oneWay ? "→" : "↔"}${record.to}`;
    case "heal":
      return c.yellow("heal: every link restored");
    case "clog":
      return `${c.yellow("clog")} ${record.from}${oneWayClogAt?.has(record.e) ? "→" : "↔"}${record.to} +${formatDuration(record.extraUs)} until ${formatDuration(record.untilUs)}`;
    case "burst":
      return `${c.yellow("burst")} loss ${record.loss}, duplicate ${record.duplicate} until ${formatDuration(record.untilUs)}`;
    case "drift":
      return `${c.yellow("drift")} ${record.node} clock rate ${formatClockRate(record.rate)}`;
    default:
      return undefined;
  }
}
