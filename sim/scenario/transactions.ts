/**
 * Checks the values of a scenario's own `txn` operations (scripted `op`s and schedule `invoke`s)
 * for a protocol whose client model is `list-append`, before anything runs: each is a non-empty
 * list of `[append, key, value]` and `[r, key, null]` micro-operations, and no two append one value
 * to one key (the transactional checker needs appended elements unique per key;
 * docs/transactions.md). Otherwise the run would go to its end and the history check would refuse
 * the history the scenario made, with no line to point at.
 */

/** One scripted transaction: its value and the scenario path of that value. */
export interface ScriptedTransaction {
  readonly value: unknown;
  readonly path: ReadonlyArray<string | number>;
}

/** A problem with one value: where (below the value's path) and what. */
export interface TransactionProblem {
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
}

const shape = "a list-append transaction: a non-empty list of [append, key, value] and [r, key, null]";

/** The first problem among `transactions`, in order, or undefined when there is none. */
export function listAppendProblem(
  transactions: readonly ScriptedTransaction[],
): TransactionProblem | undefined {
  const appended = new Map<string, Set<string>>();
  for (const { value, path } of transactions) {
    if (!Array.isArray(value) || value.length === 0) return { path, message: `expected ${shape}` };
    for (const [index, micro] of value.entries()) {
      const at = [...path, index];
      if (!Array.isArray(micro) || micro.length !== 3) {
        return {
          path: at,
          message: `micro-operation ${index}: expected [append, key, value] or [r, key, null]`,
        };
      }
      const [f, key, operand] = micro as unknown[];
      if (f !== "append" && f !== "r") {
        return {
          path: [...at, 0],
          message: `micro-operation ${index}: '${String(f)}' is not append or r, the list-append model's functions`,
        };
      }
      if (typeof key !== "string") {
        return { path: [...at, 1], message: `micro-operation ${index}: expected the key to be a string` };
      }
      if (f === "r") {
        if (operand !== null && operand !== undefined) {
          return {
            path: [...at, 2],
            message: `micro-operation ${index}: a read's value is null (the store answers with the list)`,
          };
        }
        continue;
      }
      if (typeof operand !== "number" && typeof operand !== "string") {
        return {
          path: [...at, 2],
          message: `micro-operation ${index}: an append needs a number or a string`,
        };
      }
      const seen = appended.get(key) ?? new Set<string>();
      appended.set(key, seen);
      const identity = `${typeof operand}:${operand}`;
      if (seen.has(identity)) {
        return {
          path: [...at, 2],
          message: `micro-operation ${index} appends ${JSON.stringify(operand)} to ${key} again: appended values are unique per key`,
        };
      }
      seen.add(identity);
    }
  }
  return undefined;
}
