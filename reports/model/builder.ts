/**
 * Builds the report model from a trace (header first), record by record: messages and their
 * fates, node outages and states, network faults, client operations, violations.
 */

import { formatClockRate } from "../../sim/time.js";
import type { TraceHeader, TraceLine, TraceRecord } from "../../sim/trace.js";
import { shellWord } from "../escape.js";
import { computeFigures } from "./figures.js";
import { neverRanSpans, timelineEntries } from "./timeline.js";
import type {
  ExplanationView,
  Lane,
  LaneInterval,
  LaneKind,
  ModelOptions,
  NetworkInterval,
  NetworkMark,
  ReportMessage,
  ReportMeta,
  ReportModel,
  ReportNote,
  ReportOperation,
  ReportStep,
  ReportTimelineEntry,
  ReportViolation,
  StepKind,
} from "./types.js";

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
      // A liveness violation is in the trace only when the run checked liveness: so must the replay.
      replay:
        this.options.replay ??
        `npx quorumlab run ${shellWord(header.scenario)}${violations.some((violation) => violation.kind === "liveness") ? " --liveness" : ""} --seed ${header.seed} --trace trace.jsonl --report report.html`,
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
      timeline: this.timeline(lines),
      neverRan: (this.options.steps?.neverRan ?? []).map(neverRanSpans),
    } as const;
    return { ...model, figures: computeFigures(model) };
  }

  /** The timeline, each entry with the first step of its event (steps are in event order). */
  private timeline(lines: readonly TraceLine[]): ReportTimelineEntry[] {
    const entries = timelineEntries(lines, {
      steps: this.options.steps,
      leading: this.options.display?.roles?.leading,
    });
    let step = 0;
    return entries.map((entry) => {
      // Entries come in event order too, so the search goes on from the last one's step.
      while (step < this.steps.length - 1 && (this.steps[step]?.e ?? 0) < entry.e) step++;
      return { ...entry, step: this.steps.length === 0 ? -1 : step };
    });
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

  /**
   * Adds a step for `record`: its kind, the lane it is drawn on (-1: none), what it refers to
   * (a message, note, mark, network interval, operation or violation by index; -1: nothing) and
   * its label. Returns the step's index.
   */
  private step(
    record: TraceRecord,
    { kind, lane, ref, label }: { kind: StepKind; lane: number; ref: number; label?: string },
  ): number {
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

  /** Adds one record, by what it is about: a message, a node, the network, a client, the verdict. */
  private add(record: TraceRecord): void {
    switch (record.kind) {
      case "send":
        this.addSend(record);
        break;
      case "duplicate":
        this.addDuplicate(record);
        break;
      case "deliver":
      case "drop":
        this.addArrival(record);
        break;
      case "timer":
        this.step(record, { kind: "timer", lane: this.endpoint(record.node), ref: -1, label: record.name });
        break;
      case "crash":
      case "pause":
        // The record type groups node events: narrow it to the two that open an interval.
        this.addOutage(record as TraceRecord & { kind: "crash" | "pause"; node: string });
        break;
      case "restart":
      case "resume":
        this.addRecovery(record as TraceRecord & { kind: "restart" | "resume"; node: string });
        break;
      case "state":
        this.addState(record);
        break;
      case "note":
        this.addNote(record);
        break;
      case "partition":
      case "cut":
      case "clog":
      case "burst":
        this.addNetwork(record);
        break;
      case "heal":
        this.addHeal(record);
        break;
      case "drift":
        this.addDrift(record);
        break;
      case "invoke":
      case "ok":
      case "fail":
      case "info":
        this.addClient(record);
        break;
      case "violation": {
        const step = this.step(record, { kind: "violation", lane: -1, ref: this.rawViolations.length });
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

  private addSend(record: TraceRecord & { kind: "send" }): void {
    const index = this.messages.length;
    const step = this.step(record, { kind: "send", lane: this.endpoint(record.from), ref: index });
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
  }

  /** A duplicate is a second message, sent when the original was, with the original's payload. */
  private addDuplicate(record: TraceRecord & { kind: "duplicate" }): void {
    const original = this.messageOf(record.id);
    const index = this.messages.length;
    const step = this.step(record, { kind: "duplicate", lane: this.endpoint(record.from), ref: index });
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
  }

  /** A delivery or a drop ends its message's flight. */
  private addArrival(record: TraceRecord & { kind: "deliver" | "drop" }): void {
    const index = this.messageById.get(record.id);
    const lane = this.endpoint(record.kind === "deliver" ? record.to : record.from);
    const step = this.step(record, { kind: record.kind, lane, ref: index ?? -1 });
    const message = index === undefined ? undefined : this.messages[index];
    if (message === undefined) return;
    message.arriveUs = record.t;
    message.endStep = step;
    if (record.kind === "deliver") {
      message.fate = "delivered";
    } else {
      message.fate = "dropped";
      message.dropReason = record.reason;
      message.droppedAtSend = record.t === message.sendUs && step === message.sendStep + 1;
    }
  }

  /** A crash or a pause opens an interval on the node's lane (a crash also ends its pause). */
  private addOutage(record: TraceRecord & { kind: "crash" | "pause"; node: string }): void {
    const kind = record.kind;
    const lane = this.endpoint(record.node);
    this.step(record, { kind, lane, ref: -1 });
    const interval: LaneInterval = { lane, kind, startUs: record.t, endUs: null };
    this.laneIntervals.push(interval);
    this.openLaneIntervals.set(`${kind}:${record.node}`, interval);
    if (kind === "crash") {
      this.closeLaneInterval(`pause:${record.node}`, record.t);
      this.statePoints[lane]?.push([record.t, -1]);
    }
  }

  /** A restart or a resume closes the interval its crash or pause opened. */
  private addRecovery(record: TraceRecord & { kind: "restart" | "resume"; node: string }): void {
    const lane = this.endpoint(record.node);
    this.step(record, { kind: record.kind, lane, ref: -1 });
    this.closeLaneInterval(`${record.kind === "restart" ? "crash" : "pause"}:${record.node}`, record.t);
  }

  /** A note on its node's lane (or on none, from the kernel). */
  private addNote(record: TraceRecord & { kind: "note" }): void {
    const lane = record.node === "kernel" ? -1 : this.endpoint(record.node);
    const index = this.notes.length;
    this.notes.push({ lane, t: record.t, label: record.label, data: record.data ?? null });
    this.step(record, { kind: "note", lane, ref: index, label: record.label });
  }

  /** A node's clock drift is a mark on its lane. */
  private addDrift(record: TraceRecord & { kind: "drift" }): void {
    const lane = this.endpoint(record.node);
    const text = `drift ${record.node}: clock rate ${formatClockRate(record.rate)}`;
    this.marks.push({ kind: "drift", t: record.t, text, lane });
    this.step(record, { kind: "network", lane, ref: this.marks.length - 1, label: text });
  }

  /** A state point on the node's lane; equal states share one entry of `states`. */
  private addState(record: TraceRecord & { kind: "state" }): void {
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
  }

  private addHeal(record: TraceRecord & { kind: "heal" }): void {
    for (const interval of this.network) {
      if ((interval.kind === "partition" || interval.kind === "cut") && interval.endUs === null) {
        interval.endUs = record.t;
      }
    }
    this.marks.push({ kind: "heal", t: record.t, text: "heal: every link restored", lane: -1 });
    this.step(record, {
      kind: "network",
      lane: -1,
      ref: this.marks.length - 1,
      label: "heal: every link restored",
    });
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
    this.step(record, { kind: "network", lane: -1, ref: this.network.length - 1, label: interval.text });
  }

  private addClient(record: TraceRecord & { kind: "invoke" | "ok" | "fail" | "info" }): void {
    const client = this.endpoint(record.client);
    if (record.kind === "invoke") {
      const id = this.operations.length;
      const step = this.step(record, { kind: "invoke", lane: client, ref: id });
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
    const step = this.step(record, { kind: record.kind, lane: client, ref: operation?.id ?? -1 });
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
