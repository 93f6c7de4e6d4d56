/**
 * The report model: trace records → the plain data every report renders (HTML, Markdown, text,
 * exports). It reads records only, never live simulator objects, so a report can be built from
 * a trace file long after the run.
 *
 * What it derives:
 * - lanes: one per node, then one per client (and any other endpoint a record names);
 * - messages: each send (and each duplicate copy) with its arrival or drop time and fate;
 * - intervals: crashes and pauses per lane, partitions, cuts, clogs and bursts for the network;
 * - per-node state points (the nodes' `describe()` descriptions), deduplicated;
 * - client operations (invoke paired with ok / fail / info), numbered in invocation order, which
 *   is how the linearizability explanation (`sim/check/explain.ts`) names them;
 * - steps: every record a reader can step through, in trace order;
 * - violations, each with the step of its first bad event, and figures.
 */
import type { TraceHeader, TraceLine, TraceRecord } from "../sim/trace.js";
import type { DisplayDeclaration } from "./display.js";

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
  /** Nodes entering a role the protocol declares leading, in a term they did not lead before. */
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

/** The linearizability check is not a protocol invariant, so the header does not describe it. */
const linearizability = {
  statement:
    "Every client operation appears to take effect at one instant between its call and its return, in an order consistent with a single copy of the data.",
  source: "Herlihy and Wing, Linearizability: A Correctness Condition for Concurrent Objects (TOPLAS 1990)",
  kind: "safety",
};

const payloadCharsMax = 4000;

/** Builds the report model from a trace (header first). */
export function buildModel(lines: readonly TraceLine[], options: ModelOptions = {}): ReportModel {
  const header = lines[0];
  if (header === undefined || header.kind !== "header") throw new Error("a trace starts with its header");
  return new ModelBuilder(header, options).build(lines);
}

class ModelBuilder {
  private readonly lanes: Lane[] = [];
  private readonly laneIndex = new Map<string, number>();
  private readonly messages: ReportMessage[] = [];
  private readonly messageById = new Map<number, number>();
  private readonly payloads: string[] = [];
  private readonly payloadIndex = new Map<string, number>();
  private readonly laneIntervals: LaneInterval[] = [];
  private readonly openLaneIntervals = new Map<string, LaneInterval>();
  private readonly network: NetworkInterval[] = [];
  private readonly marks: NetworkMark[] = [];
  private readonly statePoints: Array<Array<readonly [number, number]>> = [];
  private readonly states: unknown[] = [];
  private readonly stateIndex = new Map<string, number>();
  private readonly operations: ReportOperation[] = [];
  private readonly pendingByClient = new Map<string, ReportOperation>();
  private readonly notes: ReportNote[] = [];
  private readonly steps: ReportStep[] = [];
  private readonly rawViolations: Array<{ record: TraceRecord & { kind: "violation" }; step: number }> = [];
  private endUs = 0;
  /** When the run ended: earlier than its planned duration if it stopped at a violation. */
  private finishedUs: number | undefined;
  private events = 0;
  private traceHash = "";

  constructor(
    private readonly header: TraceHeader,
    private readonly options: ModelOptions,
  ) {
    for (const node of header.nodes) this.lane(node, "node");
    for (const client of header.clients) this.lane(client, "client");
  }

  build(lines: readonly TraceLine[]): ReportModel {
    for (let index = 1; index < lines.length; index++) {
      const record = lines[index] as TraceRecord;
      if (record.t > this.endUs) this.endUs = record.t;
      this.add(record);
    }
    const header = this.header;
    const violations = this.rawViolations.map(({ record, step }) => this.violation(record, step));
    const liveness = violations.length > 0 && violations.every((violation) => violation.kind === "liveness");
    const meta: ReportMeta = {
      scenario: header.scenario,
      protocol: header.protocol,
      seed: header.seed,
      version: this.options.version ?? "",
      description: header.description ?? "",
      options: header.options,
      durationUs: header.durationUs,
      endUs: this.finishedUs ?? Math.max(this.endUs, header.durationUs),
      events: this.events,
      traceHash: this.traceHash,
      replay:
        this.options.replay ??
        `npx quorumlab run ${header.scenario} --seed ${header.seed} --trace trace.jsonl --report report.html`,
    };
    const model = {
      meta,
      display: this.options.display ?? {},
      outcome: violations.length === 0 ? "ok" : liveness ? "liveness" : "violation",
      lanes: this.lanes,
      messages: this.messages,
      payloads: this.payloads,
      laneIntervals: this.laneIntervals,
      network: this.network,
      marks: this.marks,
      statePoints: this.statePoints,
      states: this.states,
      operations: this.operations,
      notes: this.notes,
      steps: this.steps,
      violations,
    } as const;
    return { ...model, figures: computeFigures(model) };
  }

  private lane(name: string, kind: LaneKind): number {
    const known = this.laneIndex.get(name);
    if (known !== undefined) return known;
    const index = this.lanes.length;
    this.lanes.push({ name, kind });
    this.laneIndex.set(name, index);
    this.statePoints.push([]);
    return index;
  }

  /** The lane of an endpoint named by a record: nodes are declared, others are clients. */
  private endpoint(name: string): number {
    return this.laneIndex.get(name) ?? this.lane(name, "client");
  }

  private step(record: TraceRecord, kind: StepKind, lane: number, ref: number, label?: string): number {
    const index = this.steps.length;
    this.steps.push(
      label === undefined
        ? { t: record.t, e: record.e, kind, lane, ref }
        : { t: record.t, e: record.e, kind, lane, ref, label },
    );
    return index;
  }

  private payload(message: unknown): number {
    let text = JSON.stringify(message) ?? "null";
    if (text.length > payloadCharsMax) text = `${text.slice(0, payloadCharsMax)}…`;
    const known = this.payloadIndex.get(text);
    if (known !== undefined) return known;
    const index = this.payloads.length;
    this.payloads.push(text);
    this.payloadIndex.set(text, index);
    return index;
  }

  private add(record: TraceRecord): void {
    switch (record.kind) {
      case "send": {
        const index = this.messages.length;
        const step = this.step(record, "send", this.endpoint(record.from), index);
        this.messages.push({
          id: record.id,
          from: this.endpoint(record.from),
          to: this.endpoint(record.to),
          type: record.type,
          sendUs: record.t,
          arriveUs: null,
          fate: "in-flight",
          dropReason: null,
          droppedAtSend: false,
          copyOf: null,
          payload: this.payload(record.msg),
          sendStep: step,
          endStep: null,
        });
        this.messageById.set(record.id, index);
        break;
      }
      case "duplicate": {
        const original = this.messageOf(record.id);
        const index = this.messages.length;
        const step = this.step(record, "duplicate", this.endpoint(record.from), index);
        this.messages.push({
          id: record.copy,
          from: this.endpoint(record.from),
          to: this.endpoint(record.to),
          type: record.type,
          sendUs: original?.sendUs ?? record.t,
          arriveUs: null,
          fate: "in-flight",
          dropReason: null,
          droppedAtSend: false,
          copyOf: record.id,
          payload: original?.payload ?? this.payload(null),
          sendStep: step,
          endStep: null,
        });
        this.messageById.set(record.copy, index);
        break;
      }
      case "deliver":
      case "drop": {
        const index = this.messageById.get(record.id);
        const lane = this.endpoint(record.kind === "deliver" ? record.to : record.from);
        const step = this.step(record, record.kind, lane, index ?? -1);
        const message = index === undefined ? undefined : this.messages[index];
        if (message === undefined) break;
        message.arriveUs = record.t;
        message.endStep = step;
        if (record.kind === "deliver") {
          message.fate = "delivered";
        } else {
          message.fate = "dropped";
          message.dropReason = record.reason;
          message.droppedAtSend = record.t === message.sendUs && step === message.sendStep + 1;
        }
        break;
      }
      case "timer":
        this.step(record, "timer", this.endpoint(record.node), -1, record.name);
        break;
      case "crash":
      case "pause": {
        const lane = this.endpoint(record.node);
        this.step(record, record.kind, lane, -1);
        const interval: LaneInterval = { lane, kind: record.kind, startUs: record.t, endUs: null };
        this.laneIntervals.push(interval);
        this.openLaneIntervals.set(`${record.kind}:${record.node}`, interval);
        if (record.kind === "crash") {
          // A crashed node loses its pause too.
          this.closeLaneInterval(`pause:${record.node}`, record.t);
          this.statePoints[lane]?.push([record.t, -1]);
        }
        break;
      }
      case "restart":
      case "resume": {
        const lane = this.endpoint(record.node);
        this.step(record, record.kind, lane, -1);
        this.closeLaneInterval(`${record.kind === "restart" ? "crash" : "pause"}:${record.node}`, record.t);
        break;
      }
      case "state": {
        const lane = this.endpoint(record.node);
        const text = JSON.stringify(record.state) ?? "null";
        let index = this.stateIndex.get(text);
        if (index === undefined) {
          index = this.states.length;
          this.states.push(record.state);
          this.stateIndex.set(text, index);
        }
        const points = this.statePoints[lane];
        const last = points?.[points.length - 1];
        if (points !== undefined && (last === undefined || last[1] !== index)) points.push([record.t, index]);
        break;
      }
      case "note": {
        const lane = record.node === "kernel" ? -1 : this.endpoint(record.node);
        const index = this.notes.length;
        this.notes.push({ lane, t: record.t, label: record.label, data: record.data ?? null });
        this.step(record, "note", lane, index, record.label);
        break;
      }
      case "partition":
      case "cut":
      case "clog":
      case "burst":
        this.addNetwork(record);
        break;
      case "heal":
        for (const interval of this.network) {
          if ((interval.kind === "partition" || interval.kind === "cut") && interval.endUs === null) {
            interval.endUs = record.t;
          }
        }
        this.marks.push({ kind: "heal", t: record.t, text: "heal: every link restored", lane: -1 });
        this.step(record, "network", -1, this.marks.length - 1, "heal: every link restored");
        break;
      case "drift": {
        const lane = this.endpoint(record.node);
        const text = `drift ${record.node}: clock rate ${1 + record.rate}`;
        this.marks.push({ kind: "drift", t: record.t, text, lane });
        this.step(record, "network", lane, this.marks.length - 1, text);
        break;
      }
      case "invoke":
      case "ok":
      case "fail":
      case "info":
        this.addClient(record);
        break;
      case "violation": {
        const step = this.step(record, "violation", -1, this.rawViolations.length);
        this.rawViolations.push({ record, step });
        break;
      }
      case "end":
        this.events = record.events;
        this.traceHash = record.traceHash;
        this.finishedUs = record.t;
        break;
      default:
        break;
    }
  }

  /** Lanes of the named endpoints that exist (network faults never create lanes). */
  private known(names: readonly string[]): number[] {
    const lanes: number[] = [];
    for (const name of names) {
      const lane = this.laneIndex.get(name);
      if (lane !== undefined) lanes.push(lane);
    }
    return lanes;
  }

  private messageOf(id: number): ReportMessage | undefined {
    const index = this.messageById.get(id);
    return index === undefined ? undefined : this.messages[index];
  }

  private closeLaneInterval(key: string, t: number): void {
    const open = this.openLaneIntervals.get(key);
    if (open === undefined) return;
    open.endUs = t;
    this.openLaneIntervals.delete(key);
  }

  private addNetwork(record: TraceRecord & { kind: "partition" | "cut" | "clog" | "burst" }): void {
    let interval: NetworkInterval;
    switch (record.kind) {
      case "partition":
        // A new partition replaces the previous one.
        for (const open of this.network) {
          if (open.kind === "partition" && open.endUs === null) open.endUs = record.t;
        }
        interval = {
          kind: "partition",
          startUs: record.t,
          endUs: null,
          text: `partition ${record.groups.map((group) => group.join(",")).join(" | ")}`,
          lanes: this.known(smallestGroup(record.groups)),
        };
        break;
      case "cut":
        interval = {
          kind: "cut",
          startUs: record.t,
          endUs: null,
          text: `cut ${record.from}${record.oneWay ? "→" : "↔"}${record.to}`,
          lanes: this.known([record.from, record.to]),
        };
        break;
      case "clog":
        interval = {
          kind: "clog",
          startUs: record.t,
          endUs: record.untilUs,
          text: `clog ${record.from}↔${record.to} +${record.extraUs}us`,
          lanes: this.known([record.from, record.to]),
        };
        break;
      default:
        interval = {
          kind: "burst",
          startUs: record.t,
          endUs: record.untilUs,
          text: `burst: loss ${record.loss}, duplicate ${record.duplicate}`,
          lanes: [],
        };
        break;
    }
    this.network.push(interval);
    this.step(record, "network", -1, this.network.length - 1, interval.text);
  }

  private addClient(record: TraceRecord & { kind: "invoke" | "ok" | "fail" | "info" }): void {
    const client = this.endpoint(record.client);
    if (record.kind === "invoke") {
      const id = this.operations.length;
      const step = this.step(record, "invoke", client, id);
      const operation: ReportOperation = {
        id,
        client,
        process: record.process,
        f: record.f,
        key: record.key,
        input: record.value,
        output: null,
        status: "pending",
        callUs: record.t,
        returnUs: null,
        error: null,
        invokeStep: step,
        returnStep: null,
      };
      this.operations.push(operation);
      this.pendingByClient.set(record.client, operation);
      return;
    }
    const operation = this.pendingByClient.get(record.client);
    const step = this.step(record, record.kind, client, operation?.id ?? -1);
    if (operation === undefined) return;
    this.pendingByClient.delete(record.client);
    operation.status = record.kind;
    operation.output = record.kind === "ok" ? record.value : null;
    operation.returnUs = record.t;
    operation.error = record.error ?? null;
    operation.returnStep = step;
  }

  private violation(record: TraceRecord & { kind: "violation" }, step: number): ReportViolation {
    const described = this.header.invariants.find((invariant) => invariant.name === record.invariant) ??
      (record.invariant === "kv.linearizable" ? linearizability : undefined) ?? {
        statement: "",
        source: "",
        kind: "safety",
      };
    const explanation = readExplanation(record.witnesses);
    return {
      invariant: record.invariant,
      message: record.message,
      t: record.t,
      e: record.e,
      kind: described.kind,
      statement: described.statement,
      source: described.source,
      witnesses: record.witnesses ?? null,
      explanation,
      firstBadStep: this.firstBadStep(record, step, explanation),
    };
  }

  /**
   * The event to highlight: for a history violation, the return of the operation that cannot be
   * placed; otherwise the record of the kernel event that broke the invariant (a delivery, a
   * timer...), found by walking back over records of the same event.
   */
  private firstBadStep(
    record: TraceRecord & { kind: "violation" },
    step: number,
    explanation: ExplanationView | null,
  ): number {
    if (explanation !== null) {
      const operation = this.operations[explanation.failingOperation];
      if (operation !== undefined) return operation.returnStep ?? operation.invokeStep;
    }
    let first = step;
    for (let index = step - 1; index >= 0; index--) {
      const candidate = this.steps[index];
      if (candidate === undefined || candidate.e !== record.e) break;
      if (candidate.kind !== "violation") first = index;
    }
    return first;
  }
}

function smallestGroup(groups: readonly (readonly string[])[]): readonly string[] {
  let smallest: readonly string[] = [];
  for (const group of groups) if (smallest.length === 0 || group.length < smallest.length) smallest = group;
  return smallest;
}

/** Reads the linearizability explanation out of a violation's witnesses, if it has one. */
function readExplanation(witnesses: unknown): ExplanationView | null {
  if (witnesses === null || typeof witnesses !== "object") return null;
  const raw = (witnesses as { explanation?: unknown }).explanation;
  if (raw === null || typeof raw !== "object") return null;
  const value = raw as Record<string, unknown>;
  if (typeof value.failingOperation !== "number") return null;
  const list = <T>(field: unknown, keep: (item: unknown) => item is T): T[] =>
    Array.isArray(field) ? field.filter(keep) : [];
  const isStep = (item: unknown): item is { operation: number; stateAfter: string } =>
    typeof item === "object" &&
    item !== null &&
    typeof (item as { operation?: unknown }).operation === "number";
  const isReason = (item: unknown): item is { operation: number; reason: string } =>
    typeof item === "object" &&
    item !== null &&
    typeof (item as { operation?: unknown }).operation === "number";
  return {
    summary: String(value.summary ?? ""),
    partition: typeof value.partition === "string" ? value.partition : null,
    initialState: String(value.initialState ?? ""),
    stateAtFailure: String(value.stateAtFailure ?? ""),
    longestPrefix: list(value.longestPrefix, isStep).map((item) => ({
      operation: item.operation,
      stateAfter: String(item.stateAfter),
    })),
    failingOperation: value.failingOperation,
    unplaceable: list(value.unplaceable, isReason).map((item) => ({
      operation: item.operation,
      reason: String(item.reason),
    })),
    minimalSet: list(value.minimalSet, (item): item is number => typeof item === "number"),
  };
}

type FigureInput = Omit<ReportModel, "figures">;

function computeFigures(model: FigureInput): ReportFigures {
  const byType = new Map<string, { sent: number; delivered: number; dropped: number; duplicated: number }>();
  for (const message of model.messages) {
    let entry = byType.get(message.type);
    if (entry === undefined) {
      entry = { sent: 0, delivered: 0, dropped: 0, duplicated: 0 };
      byType.set(message.type, entry);
    }
    if (message.copyOf === null) entry.sent++;
    else entry.duplicated++;
    if (message.fate === "delivered") entry.delivered++;
    if (message.fate === "dropped") entry.dropped++;
  }
  const messagesByType = [...byType.entries()]
    .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
    .map(([type, counts]) => ({ type, ...counts }));

  const operations: Record<OperationStatus, number> = { ok: 0, fail: 0, info: 0, pending: 0 };
  const latencies = new Map<string, number[]>();
  for (const operation of model.operations) {
    operations[operation.status]++;
    if (operation.status !== "ok" || operation.returnUs === null) continue;
    const list = latencies.get(operation.f) ?? [];
    list.push(operation.returnUs - operation.callUs);
    latencies.set(operation.f, list);
  }
  const latencyByFunction = [...latencies.entries()]
    .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
    .map(([f, values]) => ({ f, ...latencyFigures(values) }));

  const { leaderChanges, unavailability } = leadership(model);
  const unavailableUs =
    unavailability === null ? null : unavailability.reduce((sum, gap) => sum + gap.endUs - gap.startUs, 0);
  const count = (kind: StepKind) => model.steps.reduce((sum, step) => sum + (step.kind === kind ? 1 : 0), 0);
  return {
    messages: model.messages.length,
    messagesByType,
    leaderChanges,
    operations,
    latencyByFunction,
    unavailability,
    unavailableUs,
    crashes: count("crash"),
    restarts: count("restart"),
    pauses: count("pause"),
  };
}

function latencyFigures(values: number[]): LatencyFigures {
  values.sort((left, right) => left - right);
  const at = (fraction: number) =>
    values[Math.min(values.length - 1, Math.floor(fraction * values.length))] ?? 0;
  return {
    count: values.length,
    minUs: values[0] ?? 0,
    p50Us: at(0.5),
    p90Us: at(0.9),
    p99Us: at(0.99),
    maxUs: values[values.length - 1] ?? 0,
  };
}

/** The role a state description reports, if any. */
export function roleOf(state: unknown): string | null {
  if (state === null || typeof state !== "object") return null;
  const role = (state as { role?: unknown }).role;
  return typeof role === "string" ? role : null;
}

export function termOf(state: unknown): number | null {
  if (state === null || typeof state !== "object") return null;
  const term = (state as { term?: unknown }).term;
  return typeof term === "number" ? term : null;
}

/**
 * Leader changes (a node reporting a leading role, as the protocol declares them, in a term it
 * did not lead before) and the intervals in which no live node reported a leading role.
 */
function leadership(model: FigureInput): {
  leaderChanges: Array<{ t: number; node: string; role: string; term: number | null }>;
  unavailability: Array<{ startUs: number; endUs: number }> | null;
} {
  const leading = new Set(model.display.roles?.leading ?? []);
  const events: Array<{ t: number; lane: number; state: number }> = [];
  model.statePoints.forEach((points, lane) => {
    for (const [t, state] of points) events.push({ t, lane, state });
  });
  events.sort((left, right) => left.t - right.t || left.lane - right.lane);
  const leaders = new Set<number>();
  const leaderChanges: Array<{ t: number; node: string; role: string; term: number | null }> = [];
  const gaps: Array<{ startUs: number; endUs: number }> = [];
  let anyRole = false;
  let lastLeader: { lane: number; term: number | null } | undefined;
  let gapStart: number | null = 0;
  for (const event of events) {
    const state = event.state < 0 ? null : model.states[event.state];
    const role = roleOf(state);
    if (role !== null) anyRole = true;
    if (role !== null && leading.has(role)) {
      const term = termOf(state);
      if (!leaders.has(event.lane) && (lastLeader?.lane !== event.lane || lastLeader.term !== term)) {
        leaderChanges.push({ t: event.t, node: model.lanes[event.lane]?.name ?? "?", role, term });
        lastLeader = { lane: event.lane, term };
      }
      leaders.add(event.lane);
    } else {
      leaders.delete(event.lane);
    }
    if (leaders.size === 0 && gapStart === null) gapStart = event.t;
    if (leaders.size > 0 && gapStart !== null) {
      if (event.t > gapStart) gaps.push({ startUs: gapStart, endUs: event.t });
      gapStart = null;
    }
  }
  if (gapStart !== null && model.meta.endUs > gapStart)
    gaps.push({ startUs: gapStart, endUs: model.meta.endUs });
  return { leaderChanges, unavailability: anyRole && leading.size > 0 ? gaps : null };
}

/** Checks the fields a record of each kind must have; returns what is wrong, or undefined. */
export function checkRecord(record: TraceLine): string | undefined {
  const has = (field: string, type: string): boolean =>
    typeof (record as unknown as Record<string, unknown>)[field] === type;
  const need = (fields: Record<string, string>): string | undefined => {
    for (const [field, type] of Object.entries(fields)) {
      if (!has(field, type)) return `a '${record.kind}' record needs '${field}' (${type})`;
    }
    return undefined;
  };
  const at = { t: "number", e: "number" };
  switch (record.kind) {
    case "header":
      if (
        !Array.isArray(record.nodes) ||
        !Array.isArray(record.clients) ||
        !Array.isArray(record.invariants)
      ) {
        return "the header needs 'nodes', 'clients' and 'invariants' arrays";
      }
      return need({ scenario: "string", protocol: "string", seed: "string", durationUs: "number" });
    case "send":
    case "deliver":
    case "drop":
    case "duplicate":
      return need({ ...at, from: "string", to: "string", id: "number", type: "string" });
    case "timer":
    case "crash":
    case "restart":
    case "pause":
    case "resume":
    case "state":
    case "drift":
      return need({ ...at, node: "string" });
    case "note":
      return need({ ...at, node: "string", label: "string" });
    case "partition":
      return Array.isArray(record.groups) && record.groups.every(Array.isArray)
        ? need(at)
        : "a 'partition' record needs 'groups' (arrays of node names)";
    case "cut":
    case "clog":
      return need({ ...at, from: "string", to: "string" });
    case "heal":
    case "burst":
      return need(at);
    case "invoke":
    case "ok":
    case "fail":
    case "info":
      return need({ ...at, client: "string", process: "number", f: "string" });
    case "violation":
      return need({ ...at, invariant: "string", message: "string" });
    case "end":
      return need({ ...at, events: "number", traceHash: "string" });
    default:
      return undefined;
  }
}
