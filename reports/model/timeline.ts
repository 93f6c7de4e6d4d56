/**
 * The timeline of a run: the moments a reader follows the run by, in the words `quorumlab run`
 * prints and every report writes. Faults, leaderships (in the protocol's own leading roles),
 * violations, the kernel's notes on the fault timeline, and what the trace does not record: the
 * scenario's notes on its steps and the steps that leave no record of their own (a `timeout`, a
 * scripted operation, a schedule's timer firing), which the run that made the trace tells
 * (`RunSteps`).
 *
 * Each entry is a few spans of text, some marked (a fault's name, a node or client, a note, a
 * violation): the terminal colours the marks, the HTML page styles them, the text and Markdown
 * reports join the spans.
 */
import { formatClockRate, formatDuration } from "../../sim/time.js";
import type { TraceLine } from "../../sim/trace.js";
import { leadershipTracker, roleOf, termOf } from "./figures.js";
import type {
  NeverRanStep,
  RunSteps,
  StepFault,
  TimelineEntry,
  TimelineKind,
  TimelineSpan,
} from "./types.js";

/** The entry as plain text: its spans joined. */
export function timelineText(entry: { readonly spans: readonly TimelineSpan[] }): string {
  return entry.spans.map((span) => span.text).join("");
}

/**
 * Most lines a text timeline shows (the terminal's, the text and Markdown reports'); the rest
 * are counted (`… 3 more`). The longest teaching scenario, Figure 8 with its notes and scripted
 * writes, takes 44.
 */
export const timelineLinesMax = 60;

/**
 * The timeline of `records`: each fault, leadership and violation in trace order, and each of
 * the scenario's notes and record-less steps before the records of the event its step ran as
 * (its step runs first). A leadership is each node and term in a leading role, once, as the
 * `leaderChanges` figure counts them, told with the role's own name: `n1 becomes primary (term 2)`.
 */
export function timelineEntries(
  records: readonly TraceLine[],
  options: {
    readonly steps?: RunSteps | undefined;
    /** The roles the protocol declares leading (`roles.leading`); without them no node leads. */
    readonly leading?: readonly string[] | undefined;
  } = {},
): TimelineEntry[] {
  const notes = options.steps?.notes ?? [];
  const faults = options.steps?.faults ?? [];
  const oneWay = new Set(options.steps?.oneWayClogs ?? []);
  const leading = new Set(options.leading ?? []);
  const isNewLeadership = leadershipTracker();
  const entries: TimelineEntry[] = [];
  const push = (t: number, e: number, kind: TimelineKind, spans: TimelineSpan[]) =>
    entries.push({ t, e, kind, spans });
  const overlaps = overlapTracker(oneWay);
  let nextNote = 0;
  let nextFault = 0;
  // A step's note, then the step's fault, both before the records of the event the step ran as.
  const stepsUntil = (e: number) => {
    for (;;) {
      const note = notes[nextNote];
      const fault = faults[nextFault];
      const noteDue = note !== undefined && note.e <= e;
      const faultDue = fault !== undefined && fault.e <= e;
      if (noteDue && (!faultDue || note.e <= fault.e)) {
        push(note.t, note.e, "note", [{ text: `# ${note.text}`, mark: "note" }]);
        nextNote++;
      } else if (faultDue) {
        push(fault.t, fault.e, "step", stepFaultSpans(fault));
        nextFault++;
      } else return;
    }
  };
  for (const record of records) {
    if (record.kind === "header") continue;
    stepsUntil(record.e);
    const fault = faultSpans(record, oneWay);
    if (fault !== undefined) {
      const aside = overlaps(record);
      push(record.t, record.e, "fault", aside === "" ? fault : [...fault, { text: aside, mark: "aside" }]);
      continue;
    }
    switch (record.kind) {
      case "state": {
        const role = roleOf(record.state);
        const term = termOf(record.state);
        if (role !== null && leading.has(role) && isNewLeadership(record.node, term)) {
          push(record.t, record.e, "leader", [
            { text: record.node, mark: "actor" },
            { text: " becomes " },
            { text: role, mark: "actor" },
            ...(term === null ? [] : [{ text: ` (term ${String(term)})` }]),
          ]);
        }
        break;
      }
      case "note":
        if (record.node === "kernel")
          push(record.t, record.e, "kernel", [{ text: kernelNoteText(record), mark: "aside" }]);
        else if (record.label === "lost-unsynced-writes")
          push(record.t, record.e, "fault", powerLossSpans(record));
        break;
      case "drop":
        // A drop the scenario made (a `drop` step); the network's own losses are no moment of
        // the story, and there are thousands of them in a long run.
        if (record.reason === "scripted")
          push(record.t, record.e, "fault", [
            { text: "drop", mark: "fault" },
            { text: ` ${record.type} ${record.from}→${record.to}` },
          ]);
        break;
      case "violation":
        push(record.t, record.e, "violation", [
          { text: "✗", mark: "bad" },
          { text: " " },
          { text: record.invariant, mark: "bad" },
          { text: `: ${record.message.split("\n")[0]}` },
        ]);
        break;
      default:
        break;
    }
  }
  return entries;
}

/**
 * A burst during another, and a clog of a link still clogged, compose: each lasts until its own
 * end, the strongest in force applying. The aside says which earlier one goes on ("" if none).
 */
function overlapTracker(oneWayClogs: ReadonlySet<number>): (record: TraceLine) => string {
  let burstUntil = -1;
  const clogUntil = new Map<string, number>();
  return (record) => {
    if (record.kind === "burst") {
      const earlier = burstUntil;
      burstUntil = Math.max(burstUntil, record.untilUs);
      return earlier > record.t
        ? ` (the burst until ${formatDuration(earlier)} goes on: the higher loss and duplication apply while both do)`
        : "";
    }
    if (record.kind !== "clog") return "";
    const links = [`${record.from}→${record.to}`];
    if (!oneWayClogs.has(record.e)) links.push(`${record.to}→${record.from}`);
    const earlier = Math.max(...links.map((link) => clogUntil.get(link) ?? -1));
    for (const link of links) clogUntil.set(link, Math.max(clogUntil.get(link) ?? -1, record.untilUs));
    return earlier > record.t
      ? ` (the clog until ${formatDuration(earlier)} goes on: the longer delay applies while both do)`
      : "";
  };
}

/**
 * A step with no record of its own. A `timeout`: `timeout n2`, or, when the node had no such
 * timer set and the protocol does not declare it, what was called instead of a timer firing
 * early (a misspelt `electionTimer` names one no node sets). A declared name is no misspelling:
 * a Paxos proposer sets no `propose` timer until it proposes, and its scenarios start a proposal
 * with a timeout. A scripted operation: `c1 asks n1: write x = "b"`, `c2 asks n5: read x` (a
 * client that picks its node itself: `c1 asks: …`). A schedule's `fire n1 election` and
 * `c1 retries`.
 */
function stepFaultSpans(fault: StepFault): TimelineSpan[] {
  switch (fault.kind) {
    case "timeout": {
      const spans: TimelineSpan[] = [{ text: "timeout", mark: "fault" }, { text: ` ${fault.node}` }];
      if (fault.pending || fault.declared) return spans;
      return [
        ...spans,
        {
          text: `: ${fault.node} had no pending '${fault.timer}' timer; its onTimer('${fault.timer}') ran all the same`,
        },
      ];
    }
    case "op": {
      const key = fault.key === null ? "" : ` ${fault.key}`;
      const value =
        fault.f === "read" || fault.f === "get"
          ? ""
          : ` = ${JSON.stringify(fault.value) ?? String(fault.value)}`;
      return [
        { text: fault.client, mark: "actor" },
        { text: ` asks${fault.node === undefined ? "" : ` ${fault.node}`}: ${fault.f}${key}${value}` },
      ];
    }
    case "fire":
      return [{ text: "fire", mark: "fault" }, { text: ` ${fault.node} ${fault.timer}` }];
    case "retry":
      return [{ text: fault.client, mark: "actor" }, { text: " retries" }];
  }
}

/** What the time column of a step that never ran says instead of a time. */
export const neverRanWhen = "never ran";

/**
 * A step that waited for a new leader and never ran: `crash leader (faults.1): from 500ms it
 * waited for the 9th new leader and 1ms more, and the run ended first`, and its note.
 */
export function neverRanSpans(step: NeverRanStep): TimelineSpan[] {
  const nth = step.nthNewLeader;
  const leader = nth === 1 ? "the next new leader" : `the ${ordinal(nth)} new leader`;
  return [
    { text: step.action, mark: "fault" },
    {
      text: ` (faults.${step.step}): from ${formatDuration(step.atUs)} it waited for ${leader} and ${formatDuration(step.afterNewLeaderUs)} more, and the run ended first`,
    },
    ...(step.note === undefined ? [] : [{ text: "  " }, { text: `# ${step.note}`, mark: "note" as const }]),
  ];
}

/** 2nd, 3rd, 11th, 21st. */
function ordinal(n: number): string {
  const tens = n % 100;
  const suffix =
    tens >= 11 && tens <= 13 ? "th" : n % 10 === 1 ? "st" : n % 10 === 2 ? "nd" : n % 10 === 3 ? "rd" : "th";
  return `${n}${suffix}`;
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
function powerLossSpans(record: TraceLine & { kind: "note" }): TimelineSpan[] {
  const writes = (record.data as { writes?: unknown } | null)?.writes;
  const count = typeof writes === "number" ? writes : 0;
  return [
    { text: "power loss", mark: "fault" },
    { text: ` ${record.node}: ${count === 0 ? "no" : count} unsynced write${count === 1 ? "" : "s"} lost` },
  ];
}

/** A fault record's spans, or `undefined` for any other record. */
function faultSpans(record: TraceLine, oneWayClogs: ReadonlySet<number>): TimelineSpan[] | undefined {
  const named = (name: string, rest: string): TimelineSpan[] => [
    { text: name, mark: "fault" },
    { text: rest },
  ];
  switch (record.kind) {
    case "crash":
    case "restart":
    case "pause":
    case "resume":
      return named(record.kind, ` ${record.node}`);
    case "partition":
      return named("partition", ` ${record.groups.map((group) => group.join(",")).join(" | ")}`);
    case "cut":
      return named("cut", ` ${record.from}${record.oneWay ? "→" : "↔"}${record.to}`);
    case "heal":
      return [{ text: "heal: every link restored", mark: "fault" }];
    case "clog":
      return named(
        "clog",
        ` ${record.from}${oneWayClogs.has(record.e) ? "→" : "↔"}${record.to} +${formatDuration(record.extraUs)} until ${formatDuration(record.untilUs)}`,
      );
    case "burst":
      return named(
        "burst",
        ` loss ${record.loss}, duplicate ${record.duplicate} until ${formatDuration(record.untilUs)}`,
      );
    case "drift":
      return named("drift", ` ${record.node} clock rate ${formatClockRate(record.rate)}`);
    default:
      return undefined;
  }
}
