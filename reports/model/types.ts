/**
 * The report model's types: the plain data every report renders (see builder.ts for how a trace
 * becomes one, figures.ts for the figures).
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
  readonly figures: ReportFigures;
}

export interface ModelOptions {
  /** The quorumlab version that wrote the report. */
  readonly version?: string;
  /** The command that replays the run; derived from the header when absent. */
  readonly replay?: string;
  /** The protocol's declarations (reports/display.ts `displayOf`); without them no role leads. */
  readonly display?: DisplayDeclaration;
}
