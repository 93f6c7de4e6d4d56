/**
 * Records a run.
 *
 * - Kept in memory (reports, tests): the frequent records go into the compact store (rows.ts),
 *   with strings as numbers into a symbol table; every other record is kept as it is. `records`
 *   builds the record objects on first use, and the hash is computed from the rows when the run
 *   finishes.
 * - Streamed to a sink: lines are serialized as they come (lines.ts) and handed to the hash and
 *   the sink in chunks of 64 Ki characters, so memory stays flat however long the run.
 * - Hash only: the same streaming path without a sink.
 *
 * A node's description equal to its previous one is dropped (last-description.ts), so nodes
 * describe themselves after every step and the trace keeps only changes.
 *
 * Records hold references to the messages and states the protocol handed over (a kept state that
 * is a plain object is a shallow copy, see sim/trace/shapes.ts); the node API requires those to be
 * immutable once sent or described, and history events are never changed.
 */
import { createHash, type Hash } from "node:crypto";
import {
  type ArrivalKind,
  type ClientEventFields,
  type ClientRecord,
  clientKinds,
  type DropReason,
  dropReasons,
  type MessageRecord,
  type TraceLine,
  type TraceRecord,
  type TraceSink,
} from "./format.js";
import { LastDescription } from "./last-description.js";
import { LineWriter, type MessageFields, type NodeFields, notJson } from "./lines.js";
import { type Row, type RowFields, RowStore, rowKind } from "./rows.js";

export type { MessageFields, NodeFields } from "./lines.js";

export interface TraceOptions {
  /** Serialize and hash records (needed for `traceHash`). Off only for raw speed measurements. */
  readonly hash: boolean;
  /** Keep every record in memory (for reports and tests). */
  readonly keep: boolean;
  /** Stream serialized lines here. */
  readonly sink?: TraceSink;
}

const chunkChars = 1 << 16;
const clientKindCode: Readonly<Record<ClientRecord["kind"], number>> = { invoke: 0, ok: 1, fail: 2, info: 3 };
const dropReasonCode: Readonly<Record<DropReason, number>> = {
  loss: 0,
  partition: 1,
  crashed: 2,
  burst: 3,
  scripted: 4,
};

export class TraceRecorder {
  /** Whether anything is recorded at all; the kernel skips building records when false. */
  readonly enabled: boolean;
  private readonly hash: Hash | undefined;
  private readonly keep: boolean;
  private readonly streaming: boolean;
  private readonly sink: TraceSink | undefined;
  private pending = "";
  private finished: string | undefined;
  private readonly store = new RowStore();
  /** The row fields of a node record, filled for each (`nodeFields`); an object row ignores them. */
  private readonly nodeRecord = { t: 0, e: 0, from: 0, to: 0, id: 0, type: 0 };
  private readonly materialized: TraceLine[] = [];
  /** Each node's last description recorded, by node symbol (undefined after a crash). */
  private readonly described: LastDescription[] = [];

  // Strings as symbols, with their JSON text.
  private readonly symbols: string[] = [];
  private readonly symbolJson: string[] = [];
  private readonly symbolIds = new Map<string, number>();
  private readonly lines = new LineWriter(this.symbolJson);

  constructor(options: TraceOptions) {
    this.keep = options.keep;
    this.sink = options.sink;
    this.hash = options.hash || options.sink !== undefined ? createHash("sha256") : undefined;
    this.streaming = this.sink !== undefined || (this.hash !== undefined && !this.keep);
    this.enabled = this.keep || this.hash !== undefined;
  }

  /** The number of records kept so far (without building them). */
  get size(): number {
    return this.store.size;
  }

  /** Every record so far, as objects (built from the compact store on first use). */
  get records(): readonly TraceLine[] {
    const out = this.materialized;
    for (let index = out.length; index < this.store.size; index++) out.push(this.materialize(index));
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
    if (line.kind === "crash") this.described[this.symbol(line.node)]?.forget();
    if (this.keep) this.addObjectRow(line);
    if (this.streaming) this.write(objectLine(line));
  }

  /** A `send` record. */
  send(message: MessageFields, msg: unknown): void {
    if (this.keep) this.store.add(rowKind.send, message, 0, msg);
    if (this.streaming) this.write(this.lines.send(message, msg));
  }

  /** A `deliver` record, or a `drop` record with its reason. */
  arrival(kind: ArrivalKind, message: MessageFields, reason: DropReason): void {
    const reasonCode = dropReasonCode[reason];
    if (this.keep)
      this.store.add(kind === "deliver" ? rowKind.deliver : rowKind.drop, message, reasonCode, undefined);
    if (this.streaming) {
      this.write(
        kind === "deliver" ? this.lines.message("deliver", message) : this.lines.drop(message, reasonCode),
      );
    }
  }

  /** A `duplicate` record: `copy` is the id of the second delivery. */
  duplicate(message: MessageFields, copy: number): void {
    if (this.keep) this.store.add(rowKind.duplicate, message, copy, undefined);
    if (this.streaming) this.write(this.lines.duplicate(message, copy));
  }

  /**
   * A `state` record, unless the description equals the node's previous one (`sameDescription`):
   * nodes describe themselves after every step, and most steps change nothing they show.
   */
  state(at: NodeFields, state: unknown): void {
    let described = this.described[at.node];
    if (described === undefined) {
      described = new LastDescription(this.keep);
      this.described[at.node] = described;
    }
    if (!described.changed(state)) return;
    if (this.keep) this.store.add(rowKind.state, this.nodeFields(at, 0, 0), 0, described.current);
    if (this.streaming) this.write(this.lines.state(at, state));
  }

  /**
   * The description the node (a symbol) handed to `state` last, or undefined before its first one
   * and after a crash: the kernel hands it back to the node's `describe`.
   */
  lastDescription(node: number): unknown {
    return this.described[node]?.given;
  }

  /** A `timer` record; `name` is a symbol. */
  timer(at: NodeFields, name: number): void {
    if (this.keep) this.store.add(rowKind.timer, this.nodeFields(at, 0, name), 0, undefined);
    if (this.streaming) this.write(this.lines.timer(at, name));
  }

  /**
   * A client record (`invoke`, `ok`, `fail`, `info`); `at.node` is the client's symbol. `event` is
   * kept by reference (a history event fits), so it must not change afterwards.
   */
  clientEvent(kind: ClientRecord["kind"], at: NodeFields, event: ClientEventFields): void {
    const code = clientKindCode[kind];
    if (this.keep) this.store.add(rowKind.client, this.nodeFields(at, code, 0), 0, event);
    if (this.streaming) this.write(this.lines.client(code, at, event));
  }

  /** Writes the `end` line and returns the trace hash (empty string when hashing is off). */
  finish(timeUs: number, eventIndex: number, events: number): string {
    if (this.finished !== undefined) return this.finished;
    if (!this.streaming && this.hash !== undefined) {
      for (let index = 0; index < this.store.size; index++) {
        this.pending += `${this.line(this.store.read(index))}\n`;
        if (this.pending.length >= chunkChars) this.flush();
      }
    }
    this.flush();
    const traceHash = this.hash === undefined ? "" : this.hash.digest("hex");
    const end: TraceRecord = { kind: "end", t: timeUs, e: eventIndex, events, traceHash };
    if (this.keep) this.addObjectRow(end);
    this.sink?.write(`${JSON.stringify(end)}\n`);
    this.finished = traceHash;
    return traceHash;
  }

  // ---- rows ------------------------------------------------------------------------------------

  /** A record kept whole: its row holds only the record. */
  private addObjectRow(record: TraceLine): void {
    this.store.add(rowKind.object, this.nodeRecord, 0, record);
  }

  /** A node record's row fields: the node in `from`, and `to` and `type` as its record has them. */
  private nodeFields(at: NodeFields, to: number, type: number): RowFields {
    const fields = this.nodeRecord;
    fields.t = at.t;
    fields.e = at.e;
    fields.from = at.node;
    fields.to = to;
    fields.type = type;
    return fields;
  }

  /** The record object of a row, with its fields in the order its line has them. */
  private materialize(index: number): TraceLine {
    const row = this.store.read(index);
    const symbols = this.symbols;
    switch (row.kind) {
      case rowKind.send:
        return { ...this.messageFields("send", row), msg: row.ref };
      case rowKind.deliver:
        return this.messageFields("deliver", row);
      case rowKind.drop:
        return { ...this.messageFields("drop", row), reason: dropReasons[row.extra] as DropReason };
      case rowKind.duplicate:
        return { ...this.messageFields("duplicate", row), copy: row.extra };
      case rowKind.state:
        return { kind: "state", t: row.t, e: row.e, node: symbols[row.from] as string, state: row.ref };
      case rowKind.timer:
        return {
          kind: "timer",
          t: row.t,
          e: row.e,
          node: symbols[row.from] as string,
          name: symbols[row.type] as string,
        };
      case rowKind.client: {
        const event = row.ref as ClientEventFields;
        const record: ClientRecord = {
          kind: clientKinds[row.to] as ClientRecord["kind"],
          t: row.t,
          e: row.e,
          client: symbols[row.from] as string,
          process: event.process,
          f: event.f,
          key: event.key,
          value: event.value ?? null,
        };
        return event.error === undefined ? record : { ...record, error: event.error };
      }
      default:
        return row.ref as TraceLine;
    }
  }

  /** The fields every message record starts with, in their order. */
  private messageFields<K extends MessageRecord["kind"]>(
    kind: K,
    row: Row,
  ): { kind: K; t: number; e: number; from: string; to: string; id: number; type: string } {
    const symbols = this.symbols;
    return {
      kind,
      t: row.t,
      e: row.e,
      from: symbols[row.from] as string,
      to: symbols[row.to] as string,
      id: row.id,
      type: symbols[row.type] as string,
    };
  }

  /** The serialized line of a row (without its newline). */
  private line(row: Row): string {
    const lines = this.lines;
    switch (row.kind) {
      case rowKind.send:
        return lines.send(row, row.ref);
      case rowKind.deliver:
        return lines.message("deliver", row);
      case rowKind.drop:
        return lines.drop(row, row.extra);
      case rowKind.duplicate:
        return lines.duplicate(row, row.extra);
      case rowKind.state:
        return lines.state({ t: row.t, e: row.e, node: row.from }, row.ref);
      case rowKind.timer:
        return lines.timer({ t: row.t, e: row.e, node: row.from }, row.type);
      case rowKind.client:
        return lines.client(row.to, { t: row.t, e: row.e, node: row.from }, row.ref as ClientEventFields);
      default:
        return objectLine(row.ref as TraceLine);
    }
  }

  private write(line: string): void {
    this.pending += `${line}\n`;
    if (this.pending.length >= chunkChars) this.flush();
  }

  /**
   * Hands the pending lines to the hash and the sink. The hash takes the text as a string, which
   * Node encodes as UTF-8 once per chunk. Measured against it on Raft's kv bench (bench/raft.ts,
   * hashed, alternated in one process), none was faster: feeding an ASCII chunk as latin1 (1.05×
   * the time), writing each line into a reused byte buffer with the message heads written byte by
   * byte (1.15×), joining a chunk's lines at once (1.04×), chunks of 4 Ki characters (0.99×).
   * JSON.stringify of messages and states, SHA-256 itself and collecting the lines' garbage are
   * most of that path's time.
   */
  private flush(): void {
    if (this.pending === "") return;
    this.hash?.update(this.pending);
    this.sink?.write(this.pending);
    this.pending = "";
  }
}

/** A record kept whole, as its line (a note's data or a violation's witnesses come from the protocol). */
function objectLine(record: TraceLine): string {
  try {
    return JSON.stringify(record);
  } catch (error) {
    const at = record as { kind: string; t?: number; e?: number };
    throw notJson(error, `a ${at.kind} record`, at.t ?? 0, at.e ?? 0);
  }
}
