/**
 * The report model's types: the plain data every report renders (see builder.ts for how a trace
 * becomes one, figures.ts for the figures, timeline.ts for the timeline).
 */
import type { DisplayDeclaration } from "../display.js";

export type LaneKind = "node" | "client";

export interface Lane {
  readonly name: string;
  readonly kind: LaneKind;
}

/** What became of a message. */
export type MessageFate = "delivered" | "dropped" | "in-flight";

export interface ReportMessage {
  readonly id: number;
  readonly from: number;
  readonly to: number;
  readonly type: string;
  readonly sendUs: number;
  /** Delivery or drop time; `null` while still in flight at the end. */
  arriveUs: number | null;
  fate: MessageFate;
  dropReason: string | null;
  /** True when it was dropped on the way out (never left the sender). */
  droppedAtSend: boolean;
  /** The original message's id when this is a duplicate copy. */
  readonly copyOf: number | null;
  /** Index into `payloads`. */
  readonly payload: number;
  readonly sendStep: number;
  endStep: number | null;
}

export interface LaneInterval {
  readonly lane: number;
  readonly kind: "crash" | "pause";
  readonly startUs: number;
  endUs: number | null;
}

export interface NetworkInterval {
  readonly kind: "partition" | "cut" | "clog" | "burst";
  readonly startUs: number;
  endUs: number | null;
  readonly text: string;
  /** Lanes the fault names (empty for bursts, which hit every link). */
  readonly lanes: readonly number[];
}

export interface NetworkMark {
  readonly kind: "drift" | "heal";
  readonly t: number;
  readonly text: string;
  readonly lane: number;
}

export type OperationStatus = "ok" | "fail" | "info" | "pending";

export interface ReportOperation {
  /** Invocation order from 0: the id the linearizability explanation uses. */
  readonly id: number;
  readonly client: number;
  readonly process: number;
  readonly f: string;
  readonly key: string | null;
  readonly input: unknown;
  output: unknown;
  status: OperationStatus;
  readonly callUs: number;
  returnUs: number | null;
  error: string | null;
  readonly invokeStep: number;
  returnStep: number | null;
}

export interface ReportNote {
  readonly lane: number;
  readonly t: number;
  readonly label: string;
  readonly data: unknown;
}

/** Every kind of step, in a fixed order (the HTML page refers to kinds by position). */
export const stepKinds = [
  "send",
  "deliver",
  "drop",
  "duplicate",
  "timer",
  "crash",
  "restart",
  "pause",
  "resume",
  "note",
  "network",
  "invoke",
  "ok",
  "fail",
  "info",
  "violation",
] as const;

export type StepKind = (typeof stepKinds)[number];

/** One record a reader can step to. `ref` indexes messages, operations, notes... by kind. */
export interface ReportStep {
  readonly t: number;
  readonly e: number;
  readonly kind: StepKind;
  /** Lane index, or -1 for cluster-wide records. */
  readonly lane: number;
  readonly ref: number;
  /** Timer name or network text, where the kind has one. */
  readonly label?: string;
}

export interface ExplanationView {
  readonly summary: string;
  readonly partition: string | null;
  readonly initialState: string;
  readonly stateAtFailure: string;
  readonly longestPrefix: ReadonlyArray<{ operation: number; stateAfter: string }>;
  readonly failingOperation: number;
  readonly unplaceable: ReadonlyArray<{ operation: number; reason: string }>;
  readonly minimalSet: readonly number[];
}

export interface ReportViolation {
  readonly invariant: string;
  readonly message: string;
  readonly t: number;
  readonly e: number;
  readonly kind: string;
  /** The invariant in plain words, and where it comes from. */
  readonly statement: string;
  readonly source: string;
  readonly witnesses: unknown;
  readonly explanation: ExplanationView | null;
  /** The step of the first bad event: what to highlight. */
  readonly firstBadStep: number;
}

export interface LatencyFigures {
  readonly count: number;
  readonly minUs: number;
  readonly p50Us: number;
  readonly p90Us: number;
  readonly p99Us: number;
  readonly maxUs: number;
}

export interface ReportFigures {
  readonly messages: number;
  readonly messagesByType: ReadonlyArray<{
    type: string;
    sent: number;
    delivered: number;
    dropped: number;
    duplicated: number;
  }>;
  /**
   * Each node and term in a role the protocol declares leading, once (the kernel's
   * `leaderChanges` figure): a node kept in its leading role into a new term counts again.
   */
  readonly leaderChanges: ReadonlyArray<{ t: number; node: string; role: string; term: number | null }>;
  readonly operations: Readonly<Record<OperationStatus, number>>;
  readonly latencyByFunction: ReadonlyArray<{ f: string } & LatencyFigures>;
  /** Intervals with no live leader; `null` when no role leads or no node ever reports a role. */
  readonly unavailability: ReadonlyArray<{ startUs: number; endUs: number }> | null;
  readonly unavailableUs: number | null;
  readonly crashes: number;
  readonly restarts: number;
  readonly pauses: number;
}

export interface ReportMeta {
  readonly scenario: string;
  readonly protocol: string;
  readonly seed: string;
  readonly version: string;
  readonly description: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly durationUs: number;
  readonly endUs: number;
  readonly events: number;
  readonly traceHash: string;
  readonly replay: string;
}

/** A `note` the scenario gives a step, at the time and event the step ran. */
export interface StepNote {
  readonly t: number;
  /** The event the step ran as (or, for a schedule step, the first event it took). */
  readonly e: number;
  readonly text: string;
}

/**
 * A step that leaves no record of its own in the trace, told at the time and event it ran: a
 * `timeout`, which calls the node's `onTimer` (its timer record is the node's step, not the
 * fault, and a paused node's comes only when it resumes); a scripted `op`, whose request is a
 * message like any client's; a schedule's `fire` and `retry`, whose records are those of any
 * timer and any client.
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
  | { readonly kind: "fire"; readonly node: string; readonly timer: string }
  | { readonly kind: "retry"; readonly client: string }
);

/**
 * A fault step that waited for a new leader and never ran, though the run went on to its end:
 * the leader never came, or came too late for the delay to end within the run. It left no trace
 * at all.
 */
export interface NeverRanStep {
  /** Its index in the scenario's `faults`. */
  readonly step: number;
  /** What it would have done: `crash leader`, `heal`. */
  readonly action: string;
  readonly atUs: number;
  readonly afterNewLeaderUs: number;
  /** The new leader it waited for: the next (1), the one after (2)... */
  readonly nthNewLeader: number;
  readonly note?: string;
}

/**
 * What the run that made a trace tells beside it, of its scenario's steps as they ran (plain
 * data: the CLI and the lab page derive it from the run, `reports/page/run-steps.ts`). A trace
 * read back alone has none of it.
 */
export interface RunSteps {
  /** The notes of the steps that ran, in the order they ran. */
  readonly notes: readonly StepNote[];
  /** The steps that leave no record of their own, in the order they ran. */
  readonly faults: readonly StepFault[];
  /** The events at which a one-way clog ran: the trace's clog record does not say which way. */
  readonly oneWayClogs: readonly number[];
  /** The steps that waited for a new leader and never ran, in the scenario's order. */
  readonly neverRan: readonly NeverRanStep[];
}

/**
 * How a span reads: the name of a fault or step (`crash`, `timeout`), a node or client that acts
 * or leads, a scenario's note, an aside (a kernel note, what an earlier fault still does), a
 * violation.
 */
export type TimelineMark = "fault" | "actor" | "note" | "aside" | "bad";

export interface TimelineSpan {
  readonly text: string;
  readonly mark?: TimelineMark;
}

/**
 * What an entry tells: a scenario's note, a fault (a fault record, a power loss, a scripted
 * drop), a step of the scenario with no record of its own, a leadership, a kernel note (a step
 * skipped), a violation.
 */
export type TimelineKind = "note" | "fault" | "step" | "leader" | "kernel" | "violation";

export interface TimelineEntry {
  readonly t: number;
  readonly e: number;
  readonly kind: TimelineKind;
  readonly spans: readonly TimelineSpan[];
}

/** A moment of the timeline, with the step a reader goes to from it. */
export interface ReportTimelineEntry extends TimelineEntry {
  /** The first step of the event it tells (or of the next event that has one; -1: no step at all). */
  readonly step: number;
}

export interface ReportModel {
  readonly meta: ReportMeta;
  /** What the protocol declares of its roles and logs (empty when unknown). */
  readonly display: DisplayDeclaration;
  readonly outcome: "ok" | "violation" | "liveness";
  readonly lanes: readonly Lane[];
  readonly messages: readonly ReportMessage[];
  readonly payloads: readonly string[];
  readonly laneIntervals: readonly LaneInterval[];
  readonly network: readonly NetworkInterval[];
  readonly marks: readonly NetworkMark[];
  /** Per node lane: state points `[t, index into states]`, `-1` meaning down (crashed). */
  readonly statePoints: ReadonlyArray<ReadonlyArray<readonly [number, number]>>;
  readonly states: readonly unknown[];
  readonly operations: readonly ReportOperation[];
  readonly notes: readonly ReportNote[];
  readonly steps: readonly ReportStep[];
  readonly violations: readonly ReportViolation[];
  /**
   * The moments to follow the run by (timeline.ts), as `quorumlab run` tells them: with the
   * scenario's notes and record-less steps when the model was given them (`ModelOptions.steps`).
   */
  readonly timeline: readonly ReportTimelineEntry[];
  /** After the timeline: each step that waited for a new leader and never ran (`neverRanSpans`). */
  readonly neverRan: ReadonlyArray<readonly TimelineSpan[]>;
  readonly figures: ReportFigures;
}

export interface ModelOptions {
  /** The quorumlab version that wrote the report. */
  readonly version?: string;
  /** The command that replays the run; derived from the header when absent. */
  readonly replay?: string;
  /** The protocol's declarations (reports/display.ts `displayOf`); without them no role leads. */
  readonly display?: DisplayDeclaration;
  /**
   * What the run that made the trace tells of its scenario's steps (`reports/page/run-steps.ts`):
   * without it, the timeline has no scenario notes, timeouts or scripted operations.
   */
  readonly steps?: RunSteps;
}
