/**
 * The compact in-memory store of a kept trace: one row per record, in chunks of typed arrays.
 *
 * The frequent records (send, deliver, drop, duplicate, state, timer, client) become rows of a
 * time (t, in µs, a float: it passes 2^31 after 36 simulated minutes), seven 32-bit integers (e,
 * message id, extra: a duplicate's copy id or a drop reason code; row kind, then symbols: from or
 * node, to or client kind, message type or timer name) and one reference (the message, the state,
 * the history event, or the whole record of an object row). A long run thus costs a few numbers
 * per event instead of an object per record for the garbage collector to trace and move. Chunks
 * are never copied.
 */

/** Row kinds. Every record without a kind of its own is kept whole (`object`). */
export const rowKind = {
  object: 0,
  send: 1,
  deliver: 2,
  drop: 3,
  duplicate: 4,
  state: 5,
  timer: 6,
  client: 7,
} as const;

/**
 * One row, as written and as read back. For message rows `from`, `to` and `type` are the symbols
 * of the endpoints and the message type; node rows (state, timer) keep the node in `from` and a
 * timer's name in `type`; client rows keep the client in `from` and the record kind's code in `to`.
 */
export interface Row {
  kind: number;
  t: number;
  e: number;
  from: number;
  to: number;
  id: number;
  type: number;
  extra: number;
  ref: unknown;
}

export function emptyRow(): Row {
  return { kind: rowKind.object, t: 0, e: 0, from: 0, to: 0, id: 0, type: 0, extra: 0, ref: undefined };
}

/**
 * Rows per chunk. At 32 Ki rows a chunk's reference array is over 128 KB, so V8 puts it in its
 * large-object space, where young collections never copy it; at 16 Ki each chunk's array was
 * copied and promoted like any young object (measured: Raft runs about 6–12% slower).
 */
const chunkRows = 1 << 15;

/**
 * Integers per row. Event numbers, message ids and symbols count things a run made and kept in
 * memory, so they stay far below 2^31. Kept as 32-bit integers rather than floats, a row's numbers
 * take 36 bytes instead of 48: a new chunk's memory is paid for page by page when first written
 * (measured: 10 fresh chunks of 48-byte rows cost about 9 ms a run, a tenth of a traced Raft run).
 */
const codesPerRow = 7;

interface Chunk {
  readonly times: Float64Array;
  readonly codes: Int32Array;
  readonly refs: unknown[];
}

export class RowStore {
  private rows = 0;
  private readonly chunks: Chunk[] = [];
  /** The chunk being filled, and the next free row in it. */
  private current: Chunk = { times: new Float64Array(0), codes: new Int32Array(0), refs: [] };
  private offset = chunkRows;
  /** `read` fills this one object, row after row. */
  private readonly scratch = emptyRow();

  get size(): number {
    return this.rows;
  }

  /** Adds a row of `kind` with the fields of `row` (a `Row`, or any object with its fields). */
  add(kind: number, row: Omit<Row, "kind">): void {
    if (this.offset === chunkRows) this.newChunk();
    const at = this.offset++;
    const n = at * codesPerRow;
    const { times, codes, refs } = this.current;
    times[at] = row.t;
    codes[n] = row.e;
    codes[n + 1] = row.id;
    codes[n + 2] = row.extra;
    codes[n + 3] = kind;
    codes[n + 4] = row.from;
    codes[n + 5] = row.to;
    codes[n + 6] = row.type;
    refs[at] = row.ref;
    this.rows++;
  }

  /** Row `index`, read into one scratch object that the next read overwrites. */
  read(index: number): Row {
    const chunk = this.chunks[Math.floor(index / chunkRows)] as Chunk;
    const at = index % chunkRows;
    const n = at * codesPerRow;
    const row = this.scratch;
    row.t = chunk.times[at] as number;
    row.e = chunk.codes[n] as number;
    row.id = chunk.codes[n + 1] as number;
    row.extra = chunk.codes[n + 2] as number;
    row.kind = chunk.codes[n + 3] as number;
    row.from = chunk.codes[n + 4] as number;
    row.to = chunk.codes[n + 5] as number;
    row.type = chunk.codes[n + 6] as number;
    row.ref = chunk.refs[at];
    return row;
  }

  private newChunk(): void {
    this.current = {
      times: new Float64Array(chunkRows),
      codes: new Int32Array(chunkRows * codesPerRow),
      refs: new Array<unknown>(chunkRows),
    };
    this.chunks.push(this.current);
    this.offset = 0;
  }
}
