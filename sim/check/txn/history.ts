/**
 * Transactional histories: what the transactional checker reads.
 *
 * A transaction is a list of micro-operations on keys, run by one process between an invocation
 * and a completion. The two data models follow Elle (Kingsbury & Alvaro, VLDB 2020, §3):
 * - list-append: `append k v` adds `v` to the end of the list at `k`; `r k list` reads the whole
 *   list. Appended values are unique per key, so every read fixes a prefix of the key's versions.
 * - rw-register: `w k v` writes `v`; `r k v` reads the value (`null`: the initial, absent value).
 *   Written values are unique per key.
 */

/** The functions of a micro-operation: append, read, write. */
export type MicroFunction = "append" | "r" | "w";

/** A value stored or read: a scalar, or (a list-append read) a list of scalars. */
export type Scalar = number | string;

/** One micro-operation of a transaction. */
export interface MicroOp {
  readonly f: MicroFunction;
  /** The key, as text (EDN integers become their decimal form). */
  readonly key: string;
  /** Append/write: the value; read: what was read (`null` on an invocation or an unknown read). */
  readonly value: Scalar | readonly Scalar[] | null;
}

/** How a transaction ended: committed, aborted, or unknown (`info`, or no completion at all). */
export type TransactionStatus = "ok" | "fail" | "info";

/** The process of an operation map that names none (Elle's own small examples); no process order. */
export const unknownProcess = "?";

/** One transaction of a history. */
export interface Transaction {
  /** 0-based, in invocation order; explanations name transactions by it. */
  readonly id: number;
  readonly process: number | string;
  readonly status: TransactionStatus;
  /** The completion's micro-operations for `ok`, the invocation's otherwise. */
  readonly ops: readonly MicroOp[];
  /** Position of the invocation in real-time order (time or file position). */
  readonly invokeTime: number;
  /** Position of the completion; `Infinity` when it never completed or is indeterminate. */
  readonly completeTime: number;
  /** The completion's (else the invocation's) `:index` in the original file, when it had one. */
  readonly index?: number;
  /** The line the invocation starts on, when read from a file. */
  readonly line?: number;
}

/** The data models the checker knows. */
export const txnModelNames = ["list-append", "rw-register"] as const;
export type TxnModelName = (typeof txnModelNames)[number];

/** A parsed transactional history. */
export interface TxnHistory {
  readonly format: "edn" | "json";
  /** The model the file names, if it names one. */
  readonly model?: TxnModelName;
  readonly transactions: readonly Transaction[];
}

/** `[:append 1 2]`-style text for a micro-operation. */
export function describeMicroOp(op: MicroOp): string {
  const value = Array.isArray(op.value) ? `[${op.value.join(" ")}]` : op.value === null ? "nil" : op.value;
  return `${op.f} ${op.key} ${value}`;
}

/** `T3 (process 1: append x 2, r y [1 2])`: a transaction as explanations show it. */
export function describeTransaction(transaction: Transaction): string {
  const ops = transaction.ops.map(describeMicroOp).join(", ");
  const where = transaction.index === undefined ? "" : `, index ${transaction.index}`;
  return `T${transaction.id} (process ${transaction.process}${where}: ${ops})`;
}
