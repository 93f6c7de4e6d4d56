/**
 * Elle's list-append analysis (Kingsbury & Alvaro, VLDB 2020, §4): because every append to a key
 * adds a unique element and every read returns the whole list, each read is a prefix of the
 * key's version order, and the longest read of a key gives that order. From it:
 *
 * - ww: the appender of each element precedes the appender of the next; committed appends that
 *   no read shows come after every element read (a read that lacks them shows they are not
 *   before any element it holds);
 * - wr: the appender of a read's last element precedes the reader;
 * - rw: a reader precedes the appender of the element after its read's last one.
 *
 * Checked on the way: reads that are not prefixes of the longest (incompatible-order), lists with
 * an element twice (duplicate-elements), elements of aborted appends (G1a), a read ending in an
 * element its appender followed with another append to the same key (G1b), elements nobody
 * appended (garbage-read), and reads that disagree with the transaction's own earlier operations
 * (internal).
 */
import { InputError } from "../../errors.js";
import type { ReadAnomaly } from "./anomaly.js";
import { EdgeKind, type GraphBuilder } from "./graph.js";
import {
  describeScalar,
  describeTxnValue,
  type Scalar,
  type Transaction,
  type TxnHistory,
  whereInFile,
} from "./history.js";
import { indexUniqueValues, type ValueWriter, type WriteKind } from "./unique-values.js";

/** Who appended an element, and whether it was that transaction's last append to the key. */
type Append = ValueWriter;

const appendKind: WriteKind = {
  f: "append",
  verb: "append",
  rule: "list-append needs unique elements per key",
};

/** A committed transaction's read of a key, as seen from outside (its first read of the key). */
interface Read {
  readonly transaction: Transaction;
  readonly list: readonly Scalar[];
}

/** Checks each committed transaction's reads against its own earlier operations (Elle's internal). */
function internalAnomalies(transaction: Transaction, anomalies: ReadAnomaly[]): void {
  // Per key: the list as the transaction knows it (`undefined`: not read yet) and its own appends since.
  const known = new Map<string, { list: Scalar[] | undefined; appended: Scalar[] }>();
  for (const op of transaction.ops) {
    let state = known.get(op.key);
    if (state === undefined) known.set(op.key, (state = { list: undefined, appended: [] }));
    if (op.f === "append") {
      if (state.list !== undefined) state.list.push(op.value as Scalar);
      else state.appended.push(op.value as Scalar);
      continue;
    }
    if (op.f !== "r" || (op.value !== null && !Array.isArray(op.value))) continue;
    const read = (op.value ?? []) as readonly Scalar[];
    let expected: string | undefined;
    if (state.list !== undefined) {
      if (read.length !== state.list.length || read.some((item, at) => item !== state.list![at])) {
        expected = describeTxnValue(state.list);
      }
    } else if (state.appended.length > 0) {
      const tail = read.slice(read.length - state.appended.length);
      if (read.length < state.appended.length || tail.some((item, at) => item !== state.appended[at])) {
        expected = `a list ending in ${state.appended.map(describeScalar).join(" ")}`;
      }
    }
    if (expected !== undefined) {
      anomalies.push({
        name: "internal",
        transactions: [transaction.id],
        key: op.key,
        value: read,
        why: `T${transaction.id} read ${describeTxnValue(read)} from key ${op.key}, but its own earlier operations imply ${expected}`,
      });
    }
    state.list = [...read];
    state.appended = [];
  }
}

/** Adds the list-append dependencies of `history` to `graph`; returns the non-cycle anomalies. */
export function analyzeListAppend(history: TxnHistory, graph: GraphBuilder): ReadAnomaly[] {
  const anomalies: ReadAnomaly[] = [];
  const appends = new Map<string, Map<Scalar, Append>>();
  const reads = new Map<string, Read[]>();
  for (const transaction of history.transactions) {
    indexAppends(transaction, appends);
    if (transaction.status !== "ok") continue;
    internalAnomalies(transaction, anomalies);
    indexReads(transaction, reads);
  }
  for (const [key, keyReads] of reads) {
    const byValue = appends.get(key) ?? new Map<Scalar, Append>();
    // Reads fit for ordering: no duplicates, no unknown elements.
    const usable: Read[] = [];
    for (const read of keyReads) {
      if (checkRead(key, read, byValue, anomalies)) usable.push(read);
    }
    let longest: readonly Scalar[] = [];
    for (const read of usable) if (read.list.length > longest.length) longest = read.list;
    const compatible = compatibleReads({ key, usable, longest, anomalies });
    addEdges({ key, order: longest, reads: compatible, byValue, graph });
  }
  // Keys appended to but never read still order nothing; keys never read give no edges.
  return anomalies;
}

/**
 * Records `transaction`'s appends (whatever its status) by key and element; throws
 * `InputError` on a write or an element appended twice to one key.
 */
function indexAppends(transaction: Transaction, appends: Map<string, Map<Scalar, Append>>): void {
  for (const op of transaction.ops) {
    if (op.f === "w") {
      throw new InputError(
        `T${transaction.id} writes key ${op.key}: a list-append history has only append and r`,
        whereInFile(transaction),
      );
    }
  }
  indexUniqueValues(transaction, appendKind, appends);
}

/** Records a committed transaction's first read of each key; throws `InputError` on a read of a single value. */
function indexReads(transaction: Transaction, reads: Map<string, Read[]>): void {
  const readKeys = new Set<string>();
  for (const op of transaction.ops) {
    if (op.f !== "r" || readKeys.has(op.key)) continue;
    readKeys.add(op.key);
    // In a committed read, nil is the empty list (Jepsen's convention).
    const list = op.value === null ? [] : op.value;
    if (!Array.isArray(list)) {
      throw new InputError(
        `T${transaction.id} reads a single value from key ${op.key}: list-append reads lists`,
        whereInFile(transaction),
      );
    }
    let keyReads = reads.get(op.key);
    if (keyReads === undefined) reads.set(op.key, (keyReads = []));
    keyReads.push({ transaction, list: list as readonly Scalar[] });
  }
}

/** The usable reads of `key` that are prefixes of the longest; the others are incompatible orders. */
function compatibleReads({
  key,
  usable,
  longest,
  anomalies,
}: {
  key: string;
  usable: readonly Read[];
  longest: readonly Scalar[];
  anomalies: ReadAnomaly[];
}): Read[] {
  const compatible: Read[] = [];
  for (const read of usable) {
    if (isPrefix(read.list, longest)) compatible.push(read);
    else {
      anomalies.push({
        name: "incompatible-order",
        transactions: [read.transaction.id],
        key,
        value: read.list,
        why: `T${read.transaction.id} read ${describeTxnValue(read.list)} from key ${key}, which is not a prefix of the longest read ${describeTxnValue(longest)}`,
      });
    }
  }
  return compatible;
}

function isPrefix(list: readonly Scalar[], of: readonly Scalar[]): boolean {
  if (list.length > of.length) return false;
  for (let at = 0; at < list.length; at++) if (list[at] !== of[at]) return false;
  return true;
}

/** Reports what is wrong with one read on its own; true if it can be used to order versions. */
function checkRead(
  key: string,
  read: Read,
  byValue: ReadonlyMap<Scalar, Append>,
  anomalies: ReadAnomaly[],
): boolean {
  const reader = read.transaction;
  const list = read.list;
  if (new Set(list).size !== list.length) {
    anomalies.push({
      name: "duplicate-elements",
      transactions: [reader.id],
      key,
      value: list,
      why: `T${reader.id} read ${describeTxnValue(list)} from key ${key}, which holds an element twice`,
    });
    return false;
  }
  let usable = true;
  for (const element of list) {
    const append = byValue.get(element);
    if (append === undefined) {
      anomalies.push({
        name: "garbage-read",
        transactions: [reader.id],
        key,
        value: element,
        why: `T${reader.id} read element ${describeScalar(element)} of key ${key}, which no transaction appended`,
      });
      usable = false;
    } else if (append.transaction.status === "fail") {
      anomalies.push({
        name: "G1a",
        transactions: [reader.id, append.transaction.id],
        key,
        value: element,
        why: `T${reader.id} read element ${describeScalar(element)} of key ${key}, appended by T${append.transaction.id}, which aborted`,
      });
    }
  }
  const last = list[list.length - 1];
  const lastAppend = last === undefined ? undefined : byValue.get(last);
  if (lastAppend !== undefined && !lastAppend.final && lastAppend.transaction !== reader) {
    anomalies.push({
      name: "G1b",
      transactions: [reader.id, lastAppend.transaction.id],
      key,
      value: last!,
      why: `T${reader.id} read key ${key} ending in ${describeScalar(last!)}, an intermediate append of T${lastAppend.transaction.id}, which appended again to key ${key}`,
    });
    // Its dependencies would only restate the anomaly as a cycle.
    usable = false;
  }
  return usable;
}

function addEdges(options: {
  key: string;
  order: readonly Scalar[];
  reads: readonly Read[];
  byValue: ReadonlyMap<Scalar, Append>;
  graph: GraphBuilder;
}): void {
  const { key, order, reads, byValue, graph } = options;
  const writerAt = (position: number): Transaction => byValue.get(order[position]!)!.transaction;
  // ww along the observed order.
  for (let position = 1; position < order.length; position++) {
    graph.add(writerAt(position - 1).id, writerAt(position).id, EdgeKind.ww, { key, value: order[position] });
  }
  // Committed appends no read shows follow the whole observed order.
  const observed = new Set(order);
  const unobserved: { readonly writer: Transaction; readonly element: Scalar }[] = [];
  for (const [element, append] of byValue) {
    if (observed.has(element) || append.transaction.status !== "ok") continue;
    unobserved.push({ writer: append.transaction, element });
    if (order.length > 0)
      graph.add(writerAt(order.length - 1).id, append.transaction.id, EdgeKind.ww, { key, value: element });
  }
  for (const read of reads) {
    const reader = read.transaction.id;
    const length = read.list.length;
    const lastWriter = length === 0 ? undefined : writerAt(length - 1);
    if (lastWriter !== undefined)
      graph.add(lastWriter.id, reader, EdgeKind.wr, { key, value: read.list[length - 1] });
    if (lastWriter?.id === reader) continue; // it read its own version
    if (length < order.length)
      graph.add(reader, writerAt(length).id, EdgeKind.rw, { key, value: order[length] });
    else
      for (const { writer, element } of unobserved)
        graph.add(reader, writer.id, EdgeKind.rw, { key, value: element });
  }
}
