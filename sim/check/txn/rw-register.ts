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
import type { Scalar, Transaction, TxnHistory } from "./history.js";

interface Write {
  readonly transaction: Transaction;
  readonly final: boolean;
}

/** Adds the rw-register dependencies of `history` to `graph`; returns the non-cycle anomalies. */
export function analyzeRwRegister(history: TxnHistory, graph: GraphBuilder): ReadAnomaly[] {
  const anomalies: ReadAnomaly[] = [];
  const writes = new Map<string, Map<Scalar, Write>>();
  /** key → value read (null: initial) → committed transactions whose external read saw it. */
  const readers = new Map<string, Map<Scalar | null, Transaction[]>>();
  /** key → value read → committed transactions that read it and then wrote the key. */
  const successors = new Map<string, Map<Scalar | null, Transaction[]>>();
  const committedWriters = new Map<string, Transaction[]>();

  const listIn = <T>(map: Map<string, Map<Scalar | null, T[]>>, key: string, value: Scalar | null): T[] => {
    let byValue = map.get(key);
    if (byValue === undefined) map.set(key, (byValue = new Map()));
    let list = byValue.get(value);
    if (list === undefined) byValue.set(value, (list = []));
    return list;
  };

  for (const transaction of history.transactions) {
    const lastWrite = new Map<string, Scalar>();
    for (const op of transaction.ops) {
      if (op.f === "append") {
        throw new InputError(
          `T${transaction.id} appends to key ${op.key}: an rw-register history has only r and w`,
        );
      }
      if (op.f === "w") lastWrite.set(op.key, op.value as Scalar);
    }
    for (const op of transaction.ops) {
      if (op.f !== "w") continue;
      let byValue = writes.get(op.key);
      if (byValue === undefined) writes.set(op.key, (byValue = new Map()));
      const value = op.value as Scalar;
      const earlier = byValue.get(value);
      if (earlier !== undefined) {
        throw new InputError(
          `T${earlier.transaction.id} and T${transaction.id} both write ${value} to key ${op.key}: rw-register needs unique values per key`,
        );
      }
      byValue.set(value, { transaction, final: lastWrite.get(op.key) === value });
    }
    if (transaction.status !== "ok") continue;
    for (const key of lastWrite.keys()) {
      let list = committedWriters.get(key);
      if (list === undefined) committedWriters.set(key, (list = []));
      list.push(transaction);
    }
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
            why: `T${transaction.id} read ${value ?? "nil"} from key ${op.key}, but its own earlier operations imply ${expected ?? "nil"}`,
          });
        }
        continue;
      }
      known.set(op.key, value);
      externalRead.set(op.key, value);
      listIn(readers, op.key, value).push(transaction);
    }
    for (const [key, value] of externalRead) {
      if (lastWrite.has(key)) listIn(successors, key, value).push(transaction);
    }
  }

  for (const [key, byValue] of readers) {
    const keyWrites = writes.get(key);
    for (const [value, keyReaders] of byValue) {
      if (value === null) {
        const laters = successors.get(key)?.get(null) ?? [];
        if (laters.length > 1) lostUpdate(key, null, laters, anomalies);
        // nil is the first version: every committed writer of the key overwrote it.
        for (const reader of keyReaders) {
          for (const writer of committedWriters.get(key) ?? []) {
            graph.add(reader.id, writer.id, EdgeKind.rw, { key, value: null });
          }
        }
        continue;
      }
      const write = keyWrites?.get(value);
      for (const reader of keyReaders) {
        if (write === undefined) {
          anomalies.push({
            name: "garbage-read",
            transactions: [reader.id],
            key,
            value,
            why: `T${reader.id} read ${value} from key ${key}, which no transaction wrote`,
          });
        } else if (write.transaction.status === "fail") {
          anomalies.push({
            name: "G1a",
            transactions: [reader.id, write.transaction.id],
            key,
            value,
            why: `T${reader.id} read ${value} from key ${key}, written by T${write.transaction.id}, which aborted`,
          });
        } else if (!write.final) {
          anomalies.push({
            name: "G1b",
            transactions: [reader.id, write.transaction.id],
            key,
            value,
            why: `T${reader.id} read ${value} from key ${key}, an intermediate write of T${write.transaction.id}, which wrote the key again`,
          });
        } else graph.add(write.transaction.id, reader.id, EdgeKind.wr, { key, value });
      }
      if (write === undefined || write.transaction.status === "fail") continue;
      const laters = successors.get(key)?.get(value) ?? [];
      if (laters.length > 1) lostUpdate(key, value, laters, anomalies);
      for (const later of laters) {
        graph.add(write.transaction.id, later.id, EdgeKind.ww, { key, value });
        for (const reader of keyReaders) graph.add(reader.id, later.id, EdgeKind.rw, { key, value });
      }
    }
  }
  return anomalies;
}

/** Two or more committed transactions read one version and each wrote a successor to it. */
function lostUpdate(
  key: string,
  value: Scalar | null,
  writers: readonly Transaction[],
  anomalies: ReadAnomaly[],
): void {
  const names = writers.map((writer) => `T${writer.id}`).join(", ");
  anomalies.push({
    name: "lost-update",
    transactions: writers.map((writer) => writer.id),
    key,
    value,
    why: `${names} all read ${value ?? "nil"} from key ${key} and then wrote it: all but one update is lost`,
  });
}
