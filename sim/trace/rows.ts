/**
 * The compact in-memory store of a kept trace: one row per record, encoded into chunks of 32-bit
 * words, each row in as few words as its fields need.
 *
 * The frequent records (send, deliver, drop, duplicate, state, timer, client) become rows of a
 * time (t, in µs, a float: it passes 2^31 after 36 simulated minutes), an event number (e), three
 * symbols (from or node, to or client kind, message type or timer name), a message id, an extra
 * number (a duplicate's copy id or a drop reason code) and one reference (the message, the state,
 * the history event, or the whole record of an object row). A long run thus costs a few numbers
 * per event instead of an object per record for the garbage collector to trace and move.
 *
 * Why encoded rather than a column per field: the memory of a kept trace is paid for page by page
 * when first written, and on a virtual machine a page fault costs several microseconds. Fixed-width
 * rows (a float, seven integers and a reference slot, 44 bytes) took 13.6 MB for a run of Raft's
 * kv bench (bench/raft.ts, trace in memory); encoded, the same 309,139 rows take 5.6 MB: 3.3 words
 * a row, since most rows repeat the time and event number of the row before and name symbols
 * below 1,024, and a reference only for the rows that have one. Alternated in one process with the
 * fixed rows, the run's median time fell by about a tenth (182 → 158 ms, and 176 → 159 ms in the
 * other order); the fastest runs, those that met few faults, are level. Chunks are never copied,
 * and rows are read back in order (`read` seeks from the start of a chunk otherwise).
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
 * Where and when a row's record happened: for message rows `from`, `to` and `type` are the symbols
 * of the endpoints and the message type, and `id` the message's; node rows (state, timer) keep the
 * node in `from` and a timer's name in `type`; client rows keep the client in `from` and the record
 * kind's code in `to`. Every number but `t` is a non-negative 32-bit integer.
 */
export interface RowFields {
  readonly t: number;
  readonly e: number;
  readonly from: number;
  readonly to: number;
  readonly id: number;
  readonly type: number;
}

/** One row as read back: its kind, its fields, an extra number and its reference (see `add`). */
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

/** Sets every number of `row` but its kind to 0, and its reference to undefined. */
function clearRow(row: Row): Row {
  row.t = 0;
  row.e = 0;
  row.from = 0;
  row.to = 0;
  row.id = 0;
  row.type = 0;
  row.extra = 0;
  row.ref = undefined;
  return row;
}

// A row's first word: its kind, then how each of its other fields is written.
const kindBits = 0b111;
/** The time: the same as the row before's, a word of µs after it, or the float in two words. */
const timeSame = 0;
const timeAfter = 1 << 3;
const timeFloat = 2 << 3;
const timeBits = 3 << 3;
/** The event number: the same as the row before's, the next one, or a word of its own. */
const eventSame = 0;
const eventNext = 1 << 5;
const eventWord = 2 << 5;
const eventBits = 3 << 5;
/** The three symbols in one word (each below 2^10), else a word each. */
const symbolsPacked = 1 << 7;
const hasId = 1 << 8;
const hasExtra = 1 << 9;
const hasRef = 1 << 10;

const symbolLimit = 1 << 10;
/** Words per chunk (256 KB: V8 keeps it in its large-object space, where no collection moves it). */
const chunkWords = 1 << 16;
/** The most words one row takes: its first, two of time, one of event, three symbols, id, extra. */
const rowWordsMax = 9;
/**
 * Room made at once for a chunk's references (a chunk of Raft's kv bench holds about 12,500; past
 * this the array grows). Pushed one by one, the list was copied as it grew: 5.3 MB of a run's
 * 53 MB allocated (bench/raft.ts, trace in memory), against 49.5 MB a run in all made at once.
 */
const refsPerChunk = 16384;

interface Chunk {
  readonly words: Int32Array;
  /** The references of the chunk's rows that have one, in row order (`refsPerChunk`). */
  readonly refs: unknown[];
  /** The number of the chunk's first row. */
  readonly firstRow: number;
}

/** Where the writer or the reader stands. */
interface Cursor {
  chunk: number;
  word: number;
  ref: number;
  /** The writer: the rows written. The reader: the row read last (-1 before the first). */
  row: number;
  /** The time and event number of the chunk's last row that had them (object rows have neither). */
  t: number;
  e: number;
}

/**
 * Puts `cursor` at the start of chunk `chunk`, with a time and event number that match no row's:
 * a chunk's first row with a time writes its time and event number out in full, so that reading
 * can start at any chunk.
 */
function enterChunk(cursor: Cursor, chunk: number): void {
  cursor.chunk = chunk;
  cursor.word = 0;
  cursor.ref = 0;
  cursor.t = Number.NaN;
  cursor.e = -2;
}

const floatWords = new Float64Array(1);
const floatHalves = new Int32Array(floatWords.buffer);

export class RowStore {
  private readonly chunks: Chunk[] = [];
  private readonly writer: Cursor = { chunk: -1, word: chunkWords, ref: 0, row: 0, t: Number.NaN, e: -2 };
  /** The words and references of the writer's chunk. */
  private words: Int32Array = new Int32Array(0);
  private refs: unknown[] = [];
  private readonly reader: Cursor = { chunk: 0, word: 0, ref: 0, row: -1, t: Number.NaN, e: -2 };
  /** `read` fills this one object, row after row. */
  private readonly scratch = emptyRow();

  get size(): number {
    return this.writer.row;
  }

  /**
   * Adds a row of `kind` with `fields` (ignored for an object row), an `extra` number (a
   * duplicate's copy id or a drop reason code, else 0) and a reference (the message, the state,
   * the history event, or an object row's whole record; undefined for none).
   */
  add(kind: number, fields: RowFields, extra: number, ref: unknown): void {
    const at = this.writer;
    if (at.word > chunkWords - rowWordsMax) this.newChunk();
    const words = this.words;
    const first = at.word;
    let word = first + 1;
    let head = kind;
    if (kind !== rowKind.object) {
      const t = fields.t;
      const after = t - at.t;
      if (t === at.t) head |= timeSame;
      else if (after > 0 && after < 0x7fffffff && Number.isInteger(after) && at.t + after === t) {
        head |= timeAfter;
        words[word++] = after;
      } else {
        head |= timeFloat;
        floatWords[0] = t;
        words[word++] = floatHalves[0] as number;
        words[word++] = floatHalves[1] as number;
      }
      at.t = t;
      const e = fields.e;
      if (e === at.e) head |= eventSame;
      else if (e === at.e + 1) head |= eventNext;
      else {
        head |= eventWord;
        words[word++] = e;
      }
      at.e = e;
      const { from, to, type } = fields;
      if (from < symbolLimit && to < symbolLimit && type < symbolLimit) {
        head |= symbolsPacked;
        words[word++] = from | (to << 10) | (type << 20);
      } else {
        words[word++] = from;
        words[word++] = to;
        words[word++] = type;
      }
      const id = fields.id;
      if (id !== 0) {
        head |= hasId;
        words[word++] = id;
      }
      if (extra !== 0) {
        head |= hasExtra;
        words[word++] = extra;
      }
    }
    if (ref !== undefined) {
      head |= hasRef;
      this.refs[at.ref++] = ref;
    }
    words[first] = head;
    at.word = word;
    at.row++;
  }

  /**
   * Row `index`, read into one scratch object that the next read overwrites. Reading the rows in
   * order is the fast way; any other index is found from the start of its chunk.
   */
  read(index: number): Row {
    if (index !== this.reader.row + 1 || index >= this.writer.row) this.seek(index);
    return this.next();
  }

  /** Decodes the row at the reader and moves it on. */
  private next(): Row {
    const at = this.reader;
    let chunk = this.chunks[at.chunk] as Chunk;
    if (at.row + 1 === this.chunks[at.chunk + 1]?.firstRow) {
      enterChunk(at, at.chunk + 1);
      chunk = this.chunks[at.chunk] as Chunk;
    }
    const words = chunk.words;
    let word = at.word;
    const head = words[word++] as number;
    const row = clearRow(this.scratch);
    row.kind = head & kindBits;
    if (row.kind !== rowKind.object) {
      const time = head & timeBits;
      if (time === timeAfter) at.t += words[word++] as number;
      else if (time === timeFloat) {
        floatHalves[0] = words[word++] as number;
        floatHalves[1] = words[word++] as number;
        at.t = floatWords[0] as number;
      }
      const event = head & eventBits;
      if (event === eventNext) at.e++;
      else if (event === eventWord) at.e = words[word++] as number;
      row.t = at.t;
      row.e = at.e;
      if ((head & symbolsPacked) !== 0) {
        const symbols = words[word++] as number;
        row.from = symbols & 0x3ff;
        row.to = (symbols >>> 10) & 0x3ff;
        row.type = symbols >>> 20;
      } else {
        row.from = words[word++] as number;
        row.to = words[word++] as number;
        row.type = words[word++] as number;
      }
      if ((head & hasId) !== 0) row.id = words[word++] as number;
      if ((head & hasExtra) !== 0) row.extra = words[word++] as number;
    }
    row.ref = (head & hasRef) !== 0 ? chunk.refs[at.ref++] : undefined;
    at.word = word;
    at.row++;
    return row;
  }

  /** Puts the reader just before row `index`: at its chunk's start, then row by row. */
  private seek(index: number): void {
    if (index < 0 || index >= this.writer.row) throw new RangeError(`no row ${index} of ${this.writer.row}`);
    let chunk = 0;
    while (chunk + 1 < this.chunks.length && (this.chunks[chunk + 1] as Chunk).firstRow <= index) chunk++;
    const at = this.reader;
    enterChunk(at, chunk);
    at.row = (this.chunks[chunk] as Chunk).firstRow - 1;
    while (at.row + 1 < index) this.next();
  }

  private newChunk(): void {
    const at = this.writer;
    const chunk: Chunk = {
      words: new Int32Array(chunkWords),
      refs: new Array(refsPerChunk),
      firstRow: at.row,
    };
    this.chunks.push(chunk);
    this.words = chunk.words;
    this.refs = chunk.refs;
    enterChunk(at, this.chunks.length - 1);
  }
}
