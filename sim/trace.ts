/**
 * The trace: every send, delivery, drop, duplicate, timer, crash, restart, pause, partition
 * change, client event, state description and violation of a run, as versioned JSON Lines.
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
/**
 * Rows per chunk of the compact store. At 32 Ki rows a chunk's reference array is over 128 KB, so
 * V8 puts it in its large-object space, where young collections never copy it; at 16 Ki each
 * chunk's array was copied and promoted like any young object (measured: Raft runs about 6–12%
 * slower).
 */
const chunkRows = 1 << 15;

// Row kinds of the compact store. Every other record is kept whole (`objectRow`).
const objectRow = 0;
const sendRow = 1;
const deliverRow = 2;
const dropRow = 3;
const duplicateRow = 4;
const stateRow = 5;
const timerRow = 6;
const clientRow = 7;

const clientKinds: ReadonlyArray<ClientRecord["kind"]> = ["invoke", "ok", "fail", "info"];
const clientKindCode: Readonly<Record<ClientRecord["kind"], number>> = { invoke: 0, ok: 1, fail: 2, info: 3 };

/** What a client record says of its operation (a history event has these fields). */
export interface ClientEventFields {
  readonly process: number;
  readonly f: string;
  readonly key: string | null;
  readonly value: unknown;
  readonly error?: string;
}

const dropReasons: readonly DropReason[] = ["loss", "partition", "crashed", "burst"];
const dropReasonCode: Readonly<Record<DropReason, number>> = { loss: 0, partition: 1, crashed: 2, burst: 3 };

/** One row of the compact store, as read back. */
interface RowFields {
  t: number;
  e: number;
  id: number;
  extra: number;
  kind: number;
  first: number;
  second: number;
  label: number;
  ref: unknown;
}

/** A delivery or drop on arrival, for `TraceRecorder.arrival`. */
export type ArrivalKind = "deliver" | "drop";

/**
 * Records a run.
 *
 * - Kept in memory (reports, tests): the frequent records (send, deliver, drop, duplicate, state,
 *   timer, client) go into rows of typed arrays, with strings as numbers into a symbol table and
 *   only the message, state or history event held by reference; every other record is kept as it
 *   is. `records` builds the record objects on first use. A long run thus costs a few numbers per
 *   event instead of an object per record for the garbage collector to trace and move, and the
 *   hash is computed from the rows when the run finishes.
 * - Streamed to a sink: lines are serialized as they come and handed to the hash and the sink in
 *   chunks of 64 Ki characters, so memory stays flat however long the run.
 * - Hash only: the same streaming path without a sink.
 *
 * The frequent records are serialized by hand, field by field in the order `JSON.stringify`
 * would write the equivalent object, so both paths give the same bytes (a test holds them to it).
 *
 * Records hold references to the messages and states the protocol handed over; the node API
 * requires those to be immutable once sent or described, and history events are never changed.
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
  /** The last message serialized, and its JSON text ("" when it has none). */
  private lastMessage: unknown;
  private lastMessageJson: string | undefined;

  // The compact store (when kept): one row per record, in chunks of `chunkRows` rows. A row is
  // four numbers (t, e, message id, extra: a duplicate's copy id or a drop reason code), four
  // codes (row kind, then symbols: from or node, to, message type or timer name) and a reference
  // (the message, the state, or the whole record of an object row). Chunks are never copied.
  private rows = 0;
  private readonly chunks: Array<{ numbers: Float64Array; codes: Int32Array; refs: unknown[] }> = [];
  /** The chunk being filled, and the next free row in it. */
  private numbers = new Float64Array(0);
  private codes = new Int32Array(0);
  private refs: unknown[] = [];
  private offset = chunkRows;
  private readonly materialized: TraceLine[] = [];
  private readonly read: RowFields = {
    t: 0,
    e: 0,
    id: 0,
    extra: 0,
    kind: 0,
    first: 0,
    second: 0,
    label: 0,
    ref: undefined,
  };

  /** Each node's last description recorded, by node symbol (undefined after a crash). */
  private readonly described: unknown[] = [];

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
    // A node's first description after it crashed is recorded whatever it says.
    if (line.kind === "crash") this.described[this.symbol(line.node)] = undefined;
    if (this.keep) {
      // addRow may start a new chunk: take `this.refs` after it.
      const n = this.addRow(objectRow, 0, 0);
      this.refs[n >> 2] = line;
    }
    if (this.streaming) this.write(JSON.stringify(line));
  }

  /** A `send` record; `from`, `to` and `type` are symbols. */
  send(t: number, e: number, from: number, to: number, id: number, type: number, msg: unknown): void {
    if (this.keep) {
      const n = this.addRow(sendRow, t, e);
      this.message(n, from, to, id, type, 0);
      this.refs[n >> 2] = msg;
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
    if (this.keep)
      this.message(
        this.addRow(kind === "deliver" ? deliverRow : dropRow, t, e),
        from,
        to,
        id,
        type,
        reasonCode,
      );
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
    if (this.keep) this.message(this.addRow(duplicateRow, t, e), from, to, id, type, copy);
    if (this.streaming) this.write(this.duplicateLine(t, e, from, to, id, type, copy));
  }

  /**
   * A `state` record; `node` is a symbol. A description equal to the node's previous one (see
   * `sameDescription`) is dropped: nodes describe themselves after every step, and most steps
   * change nothing they show.
   */
  state(t: number, e: number, node: number, state: unknown): void {
    if (sameDescription(this.described[node], state)) return;
    this.described[node] = state;
    if (this.keep) {
      const n = this.addRow(stateRow, t, e);
      this.codes[n + 1] = node;
      this.refs[n >> 2] = state;
    }
    if (this.streaming) this.write(this.stateLine(t, e, node, state));
  }

  /** A `timer` record; `node` and `name` are symbols. */
  timer(t: number, e: number, node: number, name: number): void {
    if (this.keep) {
      const n = this.addRow(timerRow, t, e);
      this.codes[n + 1] = node;
      this.codes[n + 3] = name;
    }
    if (this.streaming) this.write(this.timerLine(t, e, node, name));
  }

  /**
   * A client record (`invoke`, `ok`, `fail`, `info`); `client` is a symbol. `event` is kept by
   * reference (a history event fits), so it must not change afterwards.
   */
  clientEvent(
    kind: ClientRecord["kind"],
    t: number,
    e: number,
    client: number,
    event: ClientEventFields,
  ): void {
    if (this.keep) {
      const n = this.addRow(clientRow, t, e);
      this.codes[n + 1] = client;
      this.codes[n + 2] = clientKindCode[kind];
      this.refs[n >> 2] = event;
    }
    if (this.streaming) this.write(this.clientLine(clientKindCode[kind], t, e, client, event));
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
      const n = this.addRow(objectRow, 0, 0);
      this.refs[n >> 2] = end;
    }
    this.sink?.write(`${JSON.stringify(end)}\n`);
    this.finished = traceHash;
    return traceHash;
  }

  // ---- the compact store ---------------------------------------------------------------------

  /** Starts a row in the current chunk; returns its position in the chunk's arrays (4 × row). */
  private addRow(kind: number, t: number, e: number): number {
    if (this.offset === chunkRows) this.newChunk();
    const n = this.offset++ * 4;
    this.rows++;
    const numbers = this.numbers;
    numbers[n] = t;
    numbers[n + 1] = e;
    this.codes[n] = kind;
    return n;
  }

  /** The fields of a message row. */
  private message(n: number, from: number, to: number, id: number, type: number, extra: number): void {
    const numbers = this.numbers;
    const codes = this.codes;
    numbers[n + 2] = id;
    numbers[n + 3] = extra;
    codes[n + 1] = from;
    codes[n + 2] = to;
    codes[n + 3] = type;
  }

  private newChunk(): void {
    const chunk = {
      numbers: new Float64Array(chunkRows * 4),
      codes: new Int32Array(chunkRows * 4),
      refs: new Array<unknown>(chunkRows),
    };
    this.chunks.push(chunk);
    this.numbers = chunk.numbers;
    this.codes = chunk.codes;
    this.refs = chunk.refs;
    this.offset = 0;
  }

  /** A row's fields, read into `read` (one scratch object, reused). */
  private load(row: number): RowFields {
    const chunk = this.chunks[Math.floor(row / chunkRows)] as {
      numbers: Float64Array;
      codes: Int32Array;
      refs: unknown[];
    };
    const at = row % chunkRows;
    const n = at * 4;
    const read = this.read;
    read.t = chunk.numbers[n] as number;
    read.e = chunk.numbers[n + 1] as number;
    read.id = chunk.numbers[n + 2] as number;
    read.extra = chunk.numbers[n + 3] as number;
    read.kind = chunk.codes[n] as number;
    read.first = chunk.codes[n + 1] as number;
    read.second = chunk.codes[n + 2] as number;
    read.label = chunk.codes[n + 3] as number;
    read.ref = chunk.refs[at];
    return read;
  }

  /** The record object of a row, with its fields in the order its line has them. */
  private materialize(row: number): TraceLine {
    const { t, e, id, extra, kind, first, second, label, ref } = this.load(row);
    const symbols = this.symbols;
    switch (kind) {
      case sendRow:
        return { ...this.messageFields("send", t, e, first, second, id, label), msg: ref };
      case deliverRow:
        return this.messageFields("deliver", t, e, first, second, id, label);
      case dropRow:
        return {
          ...this.messageFields("drop", t, e, first, second, id, label),
          reason: dropReasons[extra] as DropReason,
        };
      case duplicateRow:
        return { ...this.messageFields("duplicate", t, e, first, second, id, label), copy: extra };
      case stateRow:
        return { kind: "state", t, e, node: symbols[first] as string, state: ref };
      case timerRow:
        return { kind: "timer", t, e, node: symbols[first] as string, name: symbols[label] as string };
      case clientRow: {
        const event = ref as ClientEventFields;
        const record: ClientRecord = {
          kind: clientKinds[second] as ClientRecord["kind"],
          t,
          e,
          client: symbols[first] as string,
          process: event.process,
          f: event.f,
          key: event.key,
          value: event.value ?? null,
        };
        return event.error === undefined ? record : { ...record, error: event.error };
      }
      default:
        return ref as TraceLine;
    }
  }

  /** The fields every message record starts with, in their order. */
  private messageFields<K extends MessageRecord["kind"]>(
    kind: K,
    t: number,
    e: number,
    from: number,
    to: number,
    id: number,
    type: number,
  ): { kind: K; t: number; e: number; from: string; to: string; id: number; type: string } {
    const symbols = this.symbols;
    return {
      kind,
      t,
      e,
      from: symbols[from] as string,
      to: symbols[to] as string,
      id,
      type: symbols[type] as string,
    };
  }

  /** The serialized line of a row (without its newline). */
  private line(row: number): string {
    const { t, e, id, extra, kind, first, second, label, ref } = this.load(row);
    switch (kind) {
      case sendRow:
        return this.sendLine(t, e, first, second, id, label, ref);
      case deliverRow:
        return this.messageLine("deliver", t, e, first, second, id, label);
      case dropRow:
        return this.dropLine(t, e, first, second, id, label, extra);
      case duplicateRow:
        return this.duplicateLine(t, e, first, second, id, label, extra);
      case stateRow:
        return this.stateLine(t, e, first, ref);
      case timerRow:
        return this.timerLine(t, e, first, label);
      case clientRow:
        return this.clientLine(second, t, e, first, ref as ClientEventFields);
      default:
        return JSON.stringify(ref);
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
    // A broadcast sends one message object to every peer in a row: serialize it once. (Messages
    // are immutable once sent, so the object's text cannot have changed.)
    if (msg !== this.lastMessage || this.lastMessageJson === undefined) {
      this.lastMessage = msg;
      this.lastMessageJson = JSON.stringify(msg) ?? "";
    }
    const body = this.lastMessageJson;
    return body === "" ? `${head}}` : `${head},"msg":${body}}`;
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

  private clientLine(kind: number, t: number, e: number, client: number, event: ClientEventFields): string {
    const head = `{"kind":"${clientKinds[kind]}","t":${t},"e":${e},"client":${this.symbolJson[client]},"process":${JSON.stringify(event.process)},"f":${JSON.stringify(event.f)},"key":${JSON.stringify(event.key)},"value":${JSON.stringify(event.value ?? null)}`;
    return event.error === undefined ? `${head}}` : `${head},"error":${JSON.stringify(event.error)}}`;
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

/**
 * Whether two descriptions are the same JSON-like data: equal numbers, strings, booleans and
 * nulls, arrays of the same items, objects with the same fields (a field holding `undefined`
 * counts as absent, as in JSON), in any order. Shared sub-objects compare at once, and nothing is
 * allocated: the trace asks it after every traced step.
 */
export function sameDescription(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (typeof left !== "object" || typeof right !== "object" || left === null || right === null) return false;
  if (Array.isArray(left)) {
    if (!Array.isArray(right) || left.length !== right.length) return false;
    for (let index = 0; index < left.length; index++) {
      if (!sameDescription(left[index], right[index])) return false;
    }
    return true;
  }
  if (Array.isArray(right)) return false;
  const leftFields = left as Record<string, unknown>;
  const rightFields = right as Record<string, unknown>;
  let fields = 0;
  for (const key in leftFields) {
    const value = leftFields[key];
    if (value === undefined) continue;
    if (!sameDescription(value, rightFields[key])) return false;
    fields++;
  }
  for (const key in rightFields) if (rightFields[key] !== undefined) fields--;
  return fields === 0;
}

/** Whether two JSON-like values serialize to the same text: the same data, fields in the same order. */
export function sameJson(left: unknown, right: unknown): boolean {
  return sameDescription(left, right) && sameFieldOrder(left, right);
}

/** Whether two values that are the same data list their objects' fields in the same order. */
function sameFieldOrder(left: unknown, right: unknown): boolean {
  if (left === right || typeof left !== "object" || left === null) return true;
  if (Array.isArray(left)) {
    const items = right as unknown[];
    return left.every((item, index) => sameFieldOrder(item, items[index]));
  }
  const leftFields = left as Record<string, unknown>;
  const rightFields = right as Record<string, unknown>;
  const rightKeys = Object.keys(rightFields);
  let position = 0;
  for (const key in leftFields) {
    if (leftFields[key] === undefined) continue;
    while (rightFields[rightKeys[position] as string] === undefined) position++;
    if (rightKeys[position] !== key || !sameFieldOrder(leftFields[key], rightFields[key])) return false;
    position++;
  }
  return true;
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
