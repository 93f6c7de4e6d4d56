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

/**
 * An EDN keyword used as a value (`:k`). Keywords are interned, one object per name, so equal
 * keywords are the same value (`===`, map keys) and a keyword is never equal to the string
 * `":k"`. In JSON output it is written `":k"`.
 */
export class TxnKeyword {
  private static readonly interned = new Map<string, TxnKeyword>();

  private constructor(readonly name: string) {}

  /** The keyword named `name` (no colon). */
  static of(name: string): TxnKeyword {
    let keyword = TxnKeyword.interned.get(name);
    if (keyword === undefined) TxnKeyword.interned.set(name, (keyword = new TxnKeyword(name)));
    return keyword;
  }

  toString(): string {
    return `:${this.name}`;
  }

  toJSON(): string {
    return `:${this.name}`;
  }
}

/**
 * A value stored or read: an integer, a string or a keyword, compared by type and value (`1`,
 * `"1"`, `:k` and `":k"` are four values), or (a list-append read) a list of them.
 */
export type Scalar = number | string | TxnKeyword;

/** Strings that print bare: they cannot be read as an integer, a keyword, nil or a boolean. */
const bareString = /^[A-Za-z_][\w.\-/]*$/;

/**
 * A scalar as explanations print it, telling the types apart: `1`, `:k`, `x` for a string that
 * reads as nothing else, and the others quoted (`"1"`, `":k"`, `"a b"`). Distinct scalars print
 * differently, so this is also a key's text.
 */
export function describeScalar(value: Scalar): string {
  if (typeof value !== "string") return String(value);
  return bareString.test(value) && value !== "nil" && value !== "true" && value !== "false"
    ? value
    : JSON.stringify(value);
}

/** One micro-operation of a transaction. */
export interface MicroOp {
  readonly f: MicroFunction;
  /**
   * The key as `describeScalar` prints it, which tells the types apart: `1` (an integer), `:x` (a
   * keyword), `x` or `"1"` (strings).
   */
  readonly key: string;
  /** Append/write: the value; read: what was read (`null` on an invocation or an unknown read). */
  readonly value: Scalar | readonly Scalar[] | null;
}

/** How a transaction ended: committed, aborted, or unknown (`info`, or no completion at all). */
export type TransactionStatus = "ok" | "fail" | "info";

/**
 * A transaction's process: an integer or a string, each its own identity (`1` and `"1"` are two
 * processes), or `unknownProcess`.
 */
export type TxnProcess = number | string | typeof unknownProcess;

/** The process of an operation map that names none (Elle's own small examples); no process order. */
export const unknownProcess = null;

/** A process as explanations print it: `1`, `p1`, `"1"` (a string), `?` (none named). */
export function describeProcess(process: TxnProcess): string {
  return process === unknownProcess ? "?" : describeScalar(process);
}

/** One transaction of a history. */
export interface Transaction {
  /** 0-based, in invocation order; explanations name transactions by it. */
  readonly id: number;
  readonly process: TxnProcess;
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
  /** The column the invocation starts at, when read from a file with columns (EDN). */
  readonly column?: number;
}

/** Where `transaction`'s invocation is in its file, for an `InputError` about it. */
export function whereInFile(transaction: Transaction): { line?: number; column?: number } {
  return {
    ...(transaction.line === undefined ? {} : { line: transaction.line }),
    ...(transaction.column === undefined ? {} : { column: transaction.column }),
  };
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

/** A micro-operation's value as explanations print it: `1`, `"1"`, `[1 2 :k]`, `nil`. */
export function describeTxnValue(value: Scalar | readonly Scalar[] | null): string {
  if (value === null) return "nil";
  if (Array.isArray(value)) return `[${value.map(describeScalar).join(" ")}]`;
  return describeScalar(value as Scalar);
}

/** `append 1 2`-style text for a micro-operation. */
export function describeMicroOp(op: MicroOp): string {
  return `${op.f} ${op.key} ${describeTxnValue(op.value)}`;
}

/** `T3 (process 1: append x 2, r y [1 2])`: a transaction as explanations show it. */
export function describeTransaction(transaction: Transaction): string {
  const ops = transaction.ops.map(describeMicroOp).join(", ");
  const where = transaction.index === undefined ? "" : `, index ${transaction.index}`;
  return `T${transaction.id} (process ${describeProcess(transaction.process)}${where}: ${ops})`;
}
