/**
 * Elle's read-write register analysis (Kingsbury & Alvaro, VLDB 2020, §4.2), restricted to what
 * can be inferred soundly without assuming the database's isolation level:
 *
 * - every key starts at `nil`, which precedes every written version;
 * - written values are unique per key, so a read names the transaction that wrote its version:
 *   wr from the writer to the reader;
 * - writes follow reads within a transaction: a transaction that read version v of a key and then
 *   wrote the key installed a later version, so the writer of v precedes it (ww) and every other
 *   reader of v precedes it (rw);
 * - a reader of `nil` precedes every writer of the key (rw).
 *
 * Only a transaction's first read of a key before its own write of that key is external; later
 * reads are checked against its own operations (internal). Reads of aborted writes are G1a, of a
 * transaction's non-final write G1b, of values nobody wrote garbage-read; two committed writers
 * that read the same version are a lost update.
 */
import { InputError } from "../../errors.js";
import type { ReadAnomaly } from "./anomaly.js";
import { EdgeKind, type GraphBuilder } from "./graph.js";
import { describeTxnValue, type Scalar, type Transaction, type TxnHistory, whereInFile } from "./history.js";
import { indexUniqueValues, type ValueWriter, type WriteKind } from "./unique-values.js";

type Write = ValueWriter;

const writeKind: WriteKind = { f: "w", verb: "write", rule: "rw-register needs unique values per key" };

/** What the analysis learns from the transactions, per key, before it draws edges. */
interface RegisterIndex {
  /** key → value → the write of it. */
  readonly writes: Map<string, Map<Scalar, Write>>;
  /** key → value read (null: initial) → committed transactions whose external read saw it. */
  readonly readers: Map<string, Map<Scalar | null, Transaction[]>>;
  /** key → value read → committed transactions that read it and then wrote the key. */
  readonly successors: Map<string, Map<Scalar | null, Transaction[]>>;
  /** key → committed transactions that wrote it. */
  readonly committedWriters: Map<string, Transaction[]>;
  /** transaction id → key → the value it wrote last (the version it installed). */
  readonly finalWrites: Map<number, ReadonlyMap<string, Scalar>>;
}

/** Adds the rw-register dependencies of `history` to `graph`; returns the non-cycle anomalies. */
export function analyzeRwRegister(history: TxnHistory, graph: GraphBuilder): ReadAnomaly[] {
  const anomalies: ReadAnomaly[] = [];
  const index: RegisterIndex = {
    writes: new Map(),
    readers: new Map(),
    successors: new Map(),
    committedWriters: new Map(),
    finalWrites: new Map(),
  };
  for (const transaction of history.transactions) {
    const lastWrite = indexWrites(transaction, index);
    if (transaction.status !== "ok") continue;
    index.finalWrites.set(transaction.id, lastWrite);
    for (const key of lastWrite.keys()) listOf(index.committedWriters, key).push(transaction);
    indexReads({ transaction, lastWrite, index, anomalies });
  }
  for (const [key, byValue] of index.readers) {
    for (const [value, keyReaders] of byValue) {
      if (value === null) addInitialReadEdges({ key, keyReaders, index, graph, anomalies });
      else addReadEdges({ key, value, keyReaders, index, graph, anomalies });
    }
  }
  return anomalies;
}

/** The list at `key` in `map`, made empty when missing. */
function listOf<K, T>(map: Map<K, T[]>, key: K): T[] {
  let list = map.get(key);
  if (list === undefined) map.set(key, (list = []));
  return list;
}

/** The list at `key`, then `value`, in `map`, made empty when missing. */
function listIn<T>(map: Map<string, Map<Scalar | null, T[]>>, key: string, value: Scalar | null): T[] {
  let byValue = map.get(key);
  if (byValue === undefined) map.set(key, (byValue = new Map()));
  return listOf(byValue, value);
}

/**
 * Records `transaction`'s writes (whatever its status) and returns its last write per key;
 * throws `InputError` on an append or a value written twice to one key.
 */
function indexWrites(transaction: Transaction, index: RegisterIndex): Map<string, Scalar> {
  for (const op of transaction.ops) {
    if (op.f === "append") {
      throw new InputError(
        `T${transaction.id} appends to key ${op.key}: an rw-register history has only r and w`,
        whereInFile(transaction),
      );
    }
  }
  return indexUniqueValues(transaction, writeKind, index.writes);
}

/**
 * Records a committed transaction's external reads (its first read of a key before its own
 * write), and checks its internal ones against what its own operations imply.
 */
function indexReads({
  transaction,
  lastWrite,
  index,
  anomalies,
}: {
  transaction: Transaction;
  lastWrite: ReadonlyMap<string, Scalar>;
  index: RegisterIndex;
  anomalies: ReadAnomaly[];
}): void {
  // Per key: what the transaction knows the value to be (after its own read or write).
  const known = new Map<string, Scalar | null>();
  const externalRead = new Map<string, Scalar | null>();
  for (const op of transaction.ops) {
    if (op.f === "w") {
      known.set(op.key, op.value as Scalar);
      continue;
    }
    if (Array.isArray(op.value)) {
      throw new InputError(
        `T${transaction.id} reads a list from key ${op.key}: rw-register reads one value`,
        whereInFile(transaction),
      );
    }
    const value = op.value as Scalar | null;
    if (known.has(op.key)) {
      const expected = known.get(op.key)!;
      if (expected !== value) {
        anomalies.push({
          name: "internal",
          transactions: [transaction.id],
          key: op.key,
          value,
          why: `T${transaction.id} read ${describeTxnValue(value)} from key ${op.key}, but its own earlier operations imply ${describeTxnValue(expected)}`,
        });
      }
      continue;
    }
    known.set(op.key, value);
    externalRead.set(op.key, value);
    listIn(index.readers, op.key, value).push(transaction);
  }
  for (const [key, value] of externalRead) {
    if (lastWrite.has(key)) listIn(index.successors, key, value).push(transaction);
  }
}

/** The readers of one version of one key, and where the edges and anomalies go. */
interface VersionReaders {
  readonly key: string;
  readonly keyReaders: readonly Transaction[];
  readonly index: RegisterIndex;
  readonly graph: GraphBuilder;
  readonly anomalies: ReadAnomaly[];
}

/** Readers of `nil`, the first version: every committed writer of the key overwrote it (rw). */
function addInitialReadEdges({ key, keyReaders, index, graph, anomalies }: VersionReaders): void {
  const laters = index.successors.get(key)?.get(null) ?? [];
  if (laters.length > 1) lostUpdate(key, null, laters, anomalies);
  for (const reader of keyReaders) {
    for (const writer of index.committedWriters.get(key) ?? []) {
      graph.add(reader.id, writer.id, EdgeKind.rw, { key, value: installed(index, writer, key) });
    }
  }
}

/**
 * Readers of a written version: wr from its writer, or the anomaly the read shows; then ww
 * from the writer and rw from each reader to every committed transaction that read it and
 * wrote the key again.
 */
function addReadEdges(input: VersionReaders & { readonly value: Scalar }): void {
  const { key, value, keyReaders, index, graph, anomalies } = input;
  const write = index.writes.get(key)?.get(value);
  for (const reader of keyReaders) {
    const anomaly = readAnomaly({ reader, key, value, write });
    if (anomaly !== undefined) anomalies.push(anomaly);
    else graph.add(write!.transaction.id, reader.id, EdgeKind.wr, { key, value });
  }
  if (write === undefined || write.transaction.status === "fail") return;
  const laters = index.successors.get(key)?.get(value) ?? [];
  if (laters.length > 1) lostUpdate(key, value, laters, anomalies);
  for (const later of laters) {
    // Both edges are about the version `later` installed over `value`.
    const next = installed(index, later, key);
    graph.add(write.transaction.id, later.id, EdgeKind.ww, { key, value: next });
    for (const reader of keyReaders) graph.add(reader.id, later.id, EdgeKind.rw, { key, value: next });
  }
}

/** The value a committed transaction wrote last to `key`: the version it installed. */
function installed(index: RegisterIndex, writer: Transaction, key: string): Scalar | null {
  return index.finalWrites.get(writer.id)?.get(key) ?? null;
}

/** What is wrong with `reader`'s read of `value` (written by `write`), if anything. */
function readAnomaly({
  reader,
  key,
  value,
  write,
}: {
  reader: Transaction;
  key: string;
  value: Scalar;
  write: Write | undefined;
}): ReadAnomaly | undefined {
  if (write === undefined)
    return {
      name: "garbage-read",
      transactions: [reader.id],
      key,
      value,
      why: `T${reader.id} read ${describeTxnValue(value)} from key ${key}, which no transaction wrote`,
    };
  if (write.transaction.status === "fail")
    return {
      name: "G1a",
      transactions: [reader.id, write.transaction.id],
      key,
      value,
      why: `T${reader.id} read ${describeTxnValue(value)} from key ${key}, written by T${write.transaction.id}, which aborted`,
    };
  if (!write.final)
    return {
      name: "G1b",
      transactions: [reader.id, write.transaction.id],
      key,
      value,
      why: `T${reader.id} read ${describeTxnValue(value)} from key ${key}, an intermediate write of T${write.transaction.id}, which wrote the key again`,
    };
  return undefined;
}

/** Two or more committed transactions read one version and each wrote a successor to it. */
function lostUpdate(
  key: string,
  value: Scalar | null,
  writers: readonly Transaction[],
  anomalies: ReadAnomaly[],
): void {
  const names = writers.map((writer) => `T${writer.id}`);
  const who =
    names.length === 2
      ? `${names[0]} and ${names[1]} both`
      : `${names.slice(0, -1).join(", ")} and ${names.at(-1)} all`;
  const lost =
    names.length === 2
      ? "one of the two updates is lost"
      : `all but one of the ${names.length} updates are lost`;
  anomalies.push({
    name: "lost-update",
    transactions: writers.map((writer) => writer.id),
    key,
    value,
    why: `${who} read ${describeTxnValue(value)} from key ${key} and then wrote it: ${lost}`,
  });
}
