/**
 * Both data models fix versions by value: an appended element, or a written value, is unique per
 * key (Elle, Kingsbury & Alvaro, VLDB 2020, §3), so a read names the transaction that wrote what
 * it saw. This indexes a transaction's writes by key and value and refuses a value seen twice.
 */
import { InputError } from "../../errors.js";
import { describeScalar, type MicroFunction, type Scalar, type Transaction, whereInFile } from "./history.js";

/** The transaction that wrote (or appended) one value of a key. */
export interface ValueWriter {
  readonly transaction: Transaction;
  /** Whether this was the transaction's last write of the key (its externally visible one). */
  readonly final: boolean;
}

/** Which micro-operation writes, and how an error names it. */
export interface WriteKind {
  readonly f: Extract<MicroFunction, "append" | "w">;
  /** The verb in "T1 and T2 both <verb> 3 to key x". */
  readonly verb: string;
  /** The rule broken, as the error's last words. */
  readonly rule: string;
}

/**
 * Records each `kind.f` micro-operation of `transaction` (whatever its status) in `byKey`, and
 * returns the transaction's last value per key; throws `InputError` on a value written to one
 * key by two operations.
 */
export function indexUniqueValues(
  transaction: Transaction,
  kind: WriteKind,
  byKey: Map<string, Map<Scalar, ValueWriter>>,
): Map<string, Scalar> {
  const last = new Map<string, Scalar>();
  for (const op of transaction.ops) if (op.f === kind.f) last.set(op.key, op.value as Scalar);
  for (const op of transaction.ops) {
    if (op.f !== kind.f) continue;
    let byValue = byKey.get(op.key);
    if (byValue === undefined) byKey.set(op.key, (byValue = new Map()));
    const value = op.value as Scalar;
    const earlier = byValue.get(value);
    if (earlier !== undefined) {
      throw new InputError(
        `T${earlier.transaction.id} and T${transaction.id} both ${kind.verb} ${describeScalar(value)} to key ${op.key}: ${kind.rule}`,
        whereInFile(transaction),
      );
    }
    byValue.set(value, { transaction, final: last.get(op.key) === value });
  }
  return last;
}
