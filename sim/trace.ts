/**
 * The trace: every send, delivery, drop, duplicate, timer, crash, restart, pause, partition
 * change, client event, state annotation and violation of a run, as versioned JSON Lines.
 *
 * The trace is the one format everything downstream reads: reports, exports and the replay
 * check. Its first line is a `header`, its last an `end`. The `traceHash` of a run is the SHA-256
 * of every line before `end` (each followed by "\n"), so two runs are the same run exactly when
 * their hashes are equal.
 *
 * Every record has `t` (virtual time in microseconds) and `e` (the number of the kernel event
 * that produced it, from 0).
 */
import { createHash, type Hash } from "node:crypto";

/** Bumped whenever a record changes shape. */
export const traceVersion = 1;

export interface TraceHeader {
  readonly kind: "header";
  readonly version: number;
  readonly scenario: string;
  readonly protocol: string;
  /** The run seed, 0x-hex. */
  readonly seed: string;
  readonly nodes: readonly string[];
  readonly clients: readonly string[];
  readonly options: Readonly<Record<string, unknown>>;
  readonly description?: string;
  readonly durationUs: number;
  readonly invariants: ReadonlyArray<{ name: string; statement: string; source: string; kind: string }>;
}

interface At {
  readonly t: number;
  readonly e: number;
}

export type MessageRecord =
  | (At & { kind: "send"; from: string; to: string; id: number; type: string; msg: unknown })
  | (At & { kind: "deliver"; from: string; to: string; id: number; type: string })
  | (At & { kind: "drop"; from: string; to: string; id: number; type: string; reason: DropReason })
  | (At & { kind: "duplicate"; from: string; to: string; id: number; type: string; copy: number });

/** Why a message was not delivered. */
export type DropReason = "loss" | "partition" | "crashed" | "burst";

export type NodeRecord =
  | (At & { kind: "timer"; node: string; name: string })
  | (At & { kind: "crash" | "restart" | "pause" | "resume"; node: string })
  | (At & { kind: "state"; node: string; state: unknown })
  | (At & { kind: "note"; node: string; label: string; data?: unknown });

export type NetworkRecord =
  | (At & { kind: "partition"; groups: string[][] })
  | (At & { kind: "cut"; from: string; to: string; oneWay: boolean })
  | (At & { kind: "heal" })
  | (At & { kind: "clog"; from: string; to: string; extraUs: number; untilUs: number })
  | (At & { kind: "burst"; loss: number; duplicate: number; untilUs: number })
  | (At & { kind: "drift"; node: string; rate: number });

export type ClientRecord = At & {
  kind: "invoke" | "ok" | "fail" | "info";
  client: string;
  process: number;
  f: string;
  key: string | null;
  value: unknown;
  error?: string;
};

export type VerdictRecord =
  | (At & {
      kind: "violation";
      invariant: string;
      message: string;
      witnesses?: unknown;
    })
  | (At & { kind: "end"; events: number; traceHash: string });

export type TraceRecord = MessageRecord | NodeRecord | NetworkRecord | ClientRecord | VerdictRecord;
export type TraceLine = TraceHeader | TraceRecord;

/** Where serialized trace lines go when a trace file is asked for. */
export interface TraceSink {
  /** Called with chunks of complete lines, each ending in "\n". */
  write(chunk: string): void;
}

export interface TraceOptions {
  /** Serialize and hash records (needed for `traceHash`). Off only for raw speed measurements. */
  readonly hash: boolean;
  /** Keep every record in memory (for reports and tests). */
  readonly keep: boolean;
  /** Stream serialized lines here. */
  readonly sink?: TraceSink;
}

const chunkChars = 1 << 16;

// Row kinds of the compact store. Every other record is kept whole (`objectRow`).
const objectRow = 0;
const sendRow = 1;
const deliverRow = 2;
const dropRow = 3;
const duplicateRow = 4;
const stateRow = 5;
const timerRow = 6;

const dropReasons: readonly DropReason[] = ["loss", "partition", "crashed", "burst"];
const dropReasonCode: Readonly<Record<DropReason, number>> = { loss: 0, partition: 1, crashed: 2, burst: 3 };

/** A delivery or drop on arrival, for `TraceRecorder.arrival`. */
export type ArrivalKind = "deliver" | "drop";

/**
 * Records a run.
 *
 * - Kept in memory (reports, tests): the frequent records (send, deliver, drop, duplicate, state,
 *   timer) go into typed-array columns, with strings as numbers into a symbol table and only the
 *   message or state object held by reference; every other record is kept as it is. `records`
 *   builds the record objects on first use. A long run thus costs a few numbers per event instead
 *   of an object per record for the garbage collector to trace and move, and the hash is computed
 *   from the columns when the run finishes.
 * - Streamed to a sink: lines are serialized as they come and handed to the hash and the sink in
 *   chunks of 64 Ki characters, so memory stays flat however long the run.
 * - Hash only: the same streaming path without a sink.
 *
 * The frequent records are serialized by hand, field by field in the order `JSON.stringify`
 * would write the equivalent object, so both paths give the same bytes (a test holds them to it).
 *
 * Records hold references to the messages and states the protocol handed over; the node API
 * requires those to be immutable once sent or annotated.
 */
export class TraceRecorder {
  /** Whether anything is recorded at all; the kernel skips building records when false. */
  readonly enabled: boolean;
  private readonly hash: Hash | undefined;
  private readonly keep: boolean;
  private readonly streaming: boolean;
  private readonly sink: TraceSink | undefined;
  private pending = "";
  private finished: string | undefined;

  // The compact store (when kept): one row per record.
  private rows = 0;
  private capacity = 0;
  private kind = new Uint8Array(0);
  private time = new Float64Array(0);
  private event = new Float64Array(0);
  /** from (send and arrivals) or node (state, timer): a symbol. */
  private first = new Int32Array(0);
  /** to: a symbol. */
  private second = new Int32Array(0);
  /** message type or timer name: a symbol. */
  private label = new Int32Array(0);
  /** message id. */
  private id = new Float64Array(0);
  /** duplicate's copy id or drop reason code. */
  private extra = new Float64Array(0);
  /** the message, the state, or the whole record of an object row. */
  private readonly refs: unknown[] = [];
  private readonly materialized: TraceLine[] = [];

  // Strings as symbols, with their JSON text.
  private readonly symbols: string[] = [];
  private readonly symbolJson: string[] = [];
  private readonly symbolIds = new Map<string, number>();

  constructor(options: TraceOptions) {
    this.keep = options.keep;
    this.sink = options.sink;
    this.hash = options.hash || options.sink !== undefined ? createHash("sha256") : undefined;
    this.streaming = this.sink !== undefined || (this.hash !== undefined && !this.keep);
    this.enabled = this.keep || this.hash !== undefined;
  }

  /** The number of records kept so far (without building them). */
  get size(): number {
    return this.rows;
  }

  /** Every record so far, as objects (built from the compact store on first use). */
  get records(): readonly TraceLine[] {
    const out = this.materialized;
    for (let row = out.length; row < this.rows; row++) out.push(this.materialize(row));
    return out;
  }

  /** The number of a string in the symbol table (stable for the run). */
  symbol(text: string): number {
    let id = this.symbolIds.get(text);
    if (id === undefined) {
      id = this.symbols.length;
      this.symbols.push(text);
      this.symbolJson.push(JSON.stringify(text));
      this.symbolIds.set(text, id);
    }
    return id;
  }

  record(line: TraceLine): void {
    if (this.keep) {
      const row = this.addRow(objectRow, 0, 0);
      this.refs[row] = line;
    }
    if (this.streaming) this.write(JSON.stringify(line));
  }

  /** A `send` record; `from`, `to` and `type` are symbols. */
  send(t: number, e: number, from: number, to: number, id: number, type: number, msg: unknown): void {
    if (this.keep) {
      const row = this.addRow(sendRow, t, e);
      this.first[row] = from;
      this.second[row] = to;
      this.id[row] = id;
      this.label[row] = type;
      this.refs[row] = msg;
    }
    if (this.streaming) this.write(this.sendLine(t, e, from, to, id, type, msg));
  }

  /** A `deliver` record, or a `drop` record with its reason; `from`, `to` and `type` are symbols. */
  arrival(
    kind: ArrivalKind,
    t: number,
    e: number,
    from: number,
    to: number,
    id: number,
    type: number,
    reason: DropReason,
  ): void {
    const reasonCode = dropReasonCode[reason];
    if (this.keep) {
      const row = this.addRow(kind === "deliver" ? deliverRow : dropRow, t, e);
      this.first[row] = from;
      this.second[row] = to;
      this.id[row] = id;
      this.label[row] = type;
      this.extra[row] = reasonCode;
    }
    if (this.streaming) {
      this.write(
        kind === "deliver"
          ? this.messageLine("deliver", t, e, from, to, id, type)
          : this.dropLine(t, e, from, to, id, type, reasonCode),
      );
    }
  }

  /** A `duplicate` record; `from`, `to` and `type` are symbols. */
  duplicate(t: number, e: number, from: number, to: number, id: number, type: number, copy: number): void {
    if (this.keep) {
      const row = this.addRow(duplicateRow, t, e);
      this.first[row] = from;
      this.second[row] = to;
      this.id[row] = id;
      this.label[row] = type;
      this.extra[row] = copy;
    }
    if (this.streaming) this.write(this.duplicateLine(t, e, from, to, id, type, copy));
  }

  /** A `state` record; `node` is a symbol. */
  state(t: number, e: number, node: number, state: unknown): void {
    if (this.keep) {
      const row = this.addRow(stateRow, t, e);
      this.first[row] = node;
      this.refs[row] = state;
    }
    if (this.streaming) this.write(this.stateLine(t, e, node, state));
  }

  /** A `timer` record; `node` and `name` are symbols. */
  timer(t: number, e: number, node: number, name: number): void {
    if (this.keep) {
      const row = this.addRow(timerRow, t, e);
      this.first[row] = node;
      this.label[row] = name;
    }
    if (this.streaming) this.write(this.timerLine(t, e, node, name));
  }

  /** Writes the `end` line and returns the trace hash (empty string when hashing is off). */
  finish(timeUs: number, eventIndex: number, events: number): string {
    if (this.finished !== undefined) return this.finished;
    if (!this.streaming && this.hash !== undefined) {
      for (let row = 0; row < this.rows; row++) {
        this.pending += `${this.line(row)}\n`;
        if (this.pending.length >= chunkChars) this.flush();
      }
    }
    this.flush();
    const traceHash = this.hash === undefined ? "" : this.hash.digest("hex");
    const end: TraceRecord = { kind: "end", t: timeUs, e: eventIndex, events, traceHash };
    if (this.keep) {
      const row = this.addRow(objectRow, 0, 0);
      this.refs[row] = end;
    }
    this.sink?.write(`${JSON.stringify(end)}\n`);
    this.finished = traceHash;
    return traceHash;
  }

  // ---- the compact store ---------------------------------------------------------------------

  private addRow(kind: number, t: number, e: number): number {
    if (this.rows === this.capacity) this.grow();
    const row = this.rows++;
    this.kind[row] = kind;
    this.time[row] = t;
    this.event[row] = e;
    if (row >= this.refs.length) this.refs.push(undefined);
    return row;
  }

  private grow(): void {
    const capacity = Math.max(1024, this.capacity * 2);
    const widen = <T extends Uint8Array | Int32Array | Float64Array>(old: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(old);
      return next;
    };
    this.kind = widen(this.kind, (n) => new Uint8Array(n));
    this.time = widen(this.time, (n) => new Float64Array(n));
    this.event = widen(this.event, (n) => new Float64Array(n));
    this.first = widen(this.first, (n) => new Int32Array(n));
    this.second = widen(this.second, (n) => new Int32Array(n));
    this.label = widen(this.label, (n) => new Int32Array(n));
    this.id = widen(this.id, (n) => new Float64Array(n));
    this.extra = widen(this.extra, (n) => new Float64Array(n));
    this.capacity = capacity;
  }

  /** The record object of a row, with its fields in the order its line has them. */
  private materialize(row: number): TraceLine {
    const t = this.time[row] as number;
    const e = this.event[row] as number;
    const symbols = this.symbols;
    switch (this.kind[row]) {
      case sendRow:
        return {
          kind: "send",
          t,
          e,
          from: symbols[this.first[row] as number] as string,
          to: symbols[this.second[row] as number] as string,
          id: this.id[row] as number,
          type: symbols[this.label[row] as number] as string,
          msg: this.refs[row],
        };
      case deliverRow:
        return {
          kind: "deliver",
          t,
          e,
          from: symbols[this.first[row] as number] as string,
          to: symbols[this.second[row] as number] as string,
          id: this.id[row] as number,
          type: symbols[this.label[row] as number] as string,
        };
      case dropRow:
        return {
          kind: "drop",
          t,
          e,
          from: symbols[this.first[row] as number] as string,
          to: symbols[this.second[row] as number] as string,
          id: this.id[row] as number,
          type: symbols[this.label[row] as number] as string,
          reason: dropReasons[this.extra[row] as number] as DropReason,
        };
      case duplicateRow:
        return {
          kind: "duplicate",
          t,
          e,
          from: symbols[this.first[row] as number] as string,
          to: symbols[this.second[row] as number] as string,
          id: this.id[row] as number,
          type: symbols[this.label[row] as number] as string,
          copy: this.extra[row] as number,
        };
      case stateRow:
        return {
          kind: "state",
          t,
          e,
          node: symbols[this.first[row] as number] as string,
          state: this.refs[row],
        };
      case timerRow:
        return {
          kind: "timer",
          t,
          e,
          node: symbols[this.first[row] as number] as string,
          name: symbols[this.label[row] as number] as string,
        };
      default:
        return this.refs[row] as TraceLine;
    }
  }

  /** The serialized line of a row (without its newline). */
  private line(row: number): string {
    const t = this.time[row] as number;
    const e = this.event[row] as number;
    const first = this.first[row] as number;
    const second = this.second[row] as number;
    const id = this.id[row] as number;
    const label = this.label[row] as number;
    switch (this.kind[row]) {
      case sendRow:
        return this.sendLine(t, e, first, second, id, label, this.refs[row]);
      case deliverRow:
        return this.messageLine("deliver", t, e, first, second, id, label);
      case dropRow:
        return this.dropLine(t, e, first, second, id, label, this.extra[row] as number);
      case duplicateRow:
        return this.duplicateLine(t, e, first, second, id, label, this.extra[row] as number);
      case stateRow:
        return this.stateLine(t, e, first, this.refs[row]);
      case timerRow:
        return this.timerLine(t, e, first, label);
      default:
        return JSON.stringify(this.refs[row]);
    }
  }

  // ---- hand serialization (same bytes as JSON.stringify of the record object) --------------

  /** The fields every message record starts with, as JSON object text without its closing brace. */
  private messageHead(
    kind: string,
    t: number,
    e: number,
    from: number,
    to: number,
    id: number,
    type: number,
  ): string {
    const json = this.symbolJson;
    return `{"kind":"${kind}","t":${t},"e":${e},"from":${json[from]},"to":${json[to]},"id":${id},"type":${json[type]}`;
  }

  private messageLine(
    kind: string,
    t: number,
    e: number,
    from: number,
    to: number,
    id: number,
    type: number,
  ): string {
    return `${this.messageHead(kind, t, e, from, to, id, type)}}`;
  }

  private sendLine(
    t: number,
    e: number,
    from: number,
    to: number,
    id: number,
    type: number,
    msg: unknown,
  ): string {
    const head = this.messageHead("send", t, e, from, to, id, type);
    const body = JSON.stringify(msg);
    return body === undefined ? `${head}}` : `${head},"msg":${body}}`;
  }

  private dropLine(
    t: number,
    e: number,
    from: number,
    to: number,
    id: number,
    type: number,
    reason: number,
  ): string {
    return `${this.messageHead("drop", t, e, from, to, id, type)},"reason":"${dropReasons[reason]}"}`;
  }

  private duplicateLine(
    t: number,
    e: number,
    from: number,
    to: number,
    id: number,
    type: number,
    copy: number,
  ): string {
    return `${this.messageHead("duplicate", t, e, from, to, id, type)},"copy":${copy}}`;
  }

  private stateLine(t: number, e: number, node: number, state: unknown): string {
    const head = `{"kind":"state","t":${t},"e":${e},"node":${this.symbolJson[node]}`;
    const body = JSON.stringify(state);
    return body === undefined ? `${head}}` : `${head},"state":${body}}`;
  }

  private timerLine(t: number, e: number, node: number, name: number): string {
    const json = this.symbolJson;
    return `{"kind":"timer","t":${t},"e":${e},"node":${json[node]},"name":${json[name]}}`;
  }

  private write(line: string): void {
    this.pending += `${line}\n`;
    if (this.pending.length >= chunkChars) this.flush();
  }

  private flush(): void {
    if (this.pending === "") return;
    this.hash?.update(this.pending);
    this.sink?.write(this.pending);
    this.pending = "";
  }
}

/** Parses trace text (JSON Lines) back into records; throws with the line number on bad input. */
export function parseTrace(text: string): TraceLine[] {
  const lines: TraceLine[] = [];
  let lineNumber = 0;
  for (const raw of text.split("\n")) {
    lineNumber++;
    if (raw.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new Error(`line ${lineNumber}: not JSON (${(error as Error).message})`);
    }
    if (
      typeof value !== "object" ||
      value === null ||
      typeof (value as { kind?: unknown }).kind !== "string"
    ) {
      throw new Error(`line ${lineNumber}: expected an object with a string 'kind'`);
    }
    lines.push(value as TraceLine);
  }
  const header = lines[0];
  if (header === undefined || header.kind !== "header") throw new Error("line 1: expected the trace header");
  if (header.version !== traceVersion) {
    throw new Error(`line 1: trace version ${header.version} is not supported (expected ${traceVersion})`);
  }
  return lines;
}
