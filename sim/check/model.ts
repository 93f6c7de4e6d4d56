/**
 * A sequential specification for the linearizability checker, in the style of Porcupine's
 * `Model`: a record of plain functions. Only `name`, `init` and `step` are required.
 *
 * The checker hands `step` the operations of a history as they were recorded (`Operation` from
 * sim/history.ts) with `status` either `ok` (the operation completed with `output`) or `info`
 * (indeterminate: `output` is `undefined` and the model must say what the operation does when it
 * takes effect without a known result). Operations with status `fail` never reach a model: they
 * did not take effect.
 *
 * The checker calls `step` once per distinct (operation, state) pair and caches the answer, so
 * `step` may allocate; it must be pure.
 */
import type { Operation } from "../history.js";

/** A primitive value: register contents and other simple states. */
export type StateKey = string | number | boolean | bigint | null;

export interface Model<State = unknown> {
  /** The name the CLI and the registry use, e.g. `cas-register`. */
  readonly name: string;
  /** The state before any operation. */
  init(): State;
  /**
   * The state after `operation` takes effect in `state`, or `undefined` when the operation is
   * not legal there (for example a read that returned a different value). It may look only at
   * the operation's `f`, `key`, `input`, `output` and `status` (as Porcupine's step sees input
   * and output only): the checker treats operations equal in those as interchangeable.
   */
  step(state: State, operation: Operation): State | undefined;
  /**
   * A hash of a state, equal for equal states. Needed when states are not primitives (strings,
   * numbers, booleans, null), which the checker otherwise compares with `===`.
   */
  hash?(state: State): number;
  /** State equality for states with equal hashes; defaults to `===`. */
  equal?(left: State, right: State): boolean;
  /**
   * The partition an operation belongs to (P-compositionality: each partition is checked
   * alone, for example one per key). Defaults to a single partition, `null`.
   */
  partition?(operation: Operation): string | null;
  /**
   * True when the operation, wherever it is legal, leaves the state unchanged (a read, a CAS
   * that observed a mismatch), whatever its status. The checker then linearizes a completed one
   * as early as possible and never tries alternatives to it, and never places an indeterminate
   * one, which is always safe for such operations. Optional: only speed.
   */
  readOnly?(operation: Operation): boolean;
  /**
   * A guard for the search of one partition (its operations, numbered as the search numbers
   * them), or `undefined` for none. Optional: only speed (see `PlacementGuard`).
   */
  guard?(operations: readonly Operation[]): PlacementGuard<State> | undefined;
  /** Problems that make an operation meaningless for this model (unknown `f`, bad value). */
  validate?(operation: Operation): string | undefined;
  /**
   * The operation functions (`f`) the model knows, so that a protocol's client operations are
   * checked when its module loads rather than after its first run.
   */
  readonly functions?: readonly string[];
  /** A short text for an operation, e.g. `cas(1→2) ✓`. */
  describeOperation?(operation: Operation): string;
  /** A short text for a state, e.g. `3` or `{x: 1, y: 2}`. */
  describeState?(state: State): string;
}

/**
 * What a model knows about one partition's history that the search cannot see: that some
 * placements leave no way to finish (for example a read whose value only one append can
 * produce, once that append has taken effect elsewhere; see models/kv-reads.ts).
 */
export interface PlacementGuard<State> {
  /**
   * A completed operation that no linearization can place, found before the search (which then
   * ends at once), with the operations that show why (`Unplaceable`); `undefined` when none is found.
   */
  unplaceable?(): Unplaceable | undefined;
  /**
   * A stand-in for `after`, the state `operation` leads to from `before`, for the search's cache:
   * it must allow exactly the same operations as `after` now and after any sequence of further
   * operations, so that configurations differing only there are one (for example every kv value
   * that holds an appended text no read shows). Optional: only speed; the identity by default.
   */
  canonical?(operation: number, before: State, after: State): State;
  /**
   * Called when `operation` (a partition-local number), legal in `before`, would change the state
   * to `after` (a different state), the operations for which `linearized` is true having taken
   * effect already. Returning false prunes that placement, so it must mean that no linearization
   * continues from the configuration reached, whatever path reached it.
   */
  allows(operation: number, before: State, after: State, linearized: (operation: number) => boolean): boolean;
}

/** An operation a guard shows no linearization can place (partition-local numbers). */
export interface Unplaceable {
  readonly operation: number;
  /**
   * Operations that show why: the last operation that could leave the state `operation` needs,
   * then one that must take effect between the two and leaves another state; empty when nothing
   * that may take effect before it can leave that state.
   */
  readonly witnesses: readonly number[];
}

/** Any model, whatever its state type. */
// biome-ignore lint/suspicious/noExplicitAny: the registry holds models of different state types.
export type AnyModel = Model<any>;

/** Renders a JSON-like value compactly for descriptions (`null` is shown as `nil`). */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "nil";
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(describeValue).join(" ")}]`;
  if (typeof value === "object") {
    const parts = Object.entries(value as Record<string, unknown>).map(
      ([name, item]) => `${name}: ${describeValue(item)}`,
    );
    return `{${parts.join(", ")}}`;
  }
  return String(value);
}

/** The default operation description: `f(input)` then `→ output`, or `?` when indeterminate. */
export function describeOperationDefault(operation: Operation): string {
  const input =
    operation.input === null || operation.input === undefined ? "" : describeValue(operation.input);
  const key = operation.key === null ? "" : `[${operation.key}]`;
  const result =
    operation.status === "info"
      ? " → ?"
      : operation.output === undefined
        ? ""
        : ` → ${describeValue(operation.output)}`;
  return `${operation.f}${key}(${input})${result}`;
}

/**
 * A value as a state key: primitives stay as they are; arrays and objects become their JSON
 * text, with the keys of objects sorted, so structurally equal values compare equal.
 */
export function valueKey(value: unknown): StateKey {
  if (value === undefined || value === null) return null;
  switch (typeof value) {
    case "string":
    case "number":
    case "boolean":
    case "bigint":
      return value;
    default:
      return `\u0000${canonicalJson(value)}`;
  }
}

/** An object's own keys in sorted order, as `canonicalJson` writes every object. */
function sortedKeys(_key: string, item: unknown): unknown {
  if (typeof item !== "object" || item === null || Array.isArray(item)) return item;
  const sorted: Record<string, unknown> = {};
  for (const name of Object.keys(item).sort()) sorted[name] = (item as Record<string, unknown>)[name];
  return sorted;
}

/**
 * The JSON text of a value with the keys of every object in it sorted: a JSON object or an EDN
 * map gives its keys no order, so `{"a": 1, "b": 2}` and `{"b": 2, "a": 1}` are one value.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, sortedKeys);
}

/** A 32-bit polynomial hash of a string (base 0x01000193, modulo 2^32). */
export function hashString(text: string): number {
  let hash = 0;
  for (let index = 0; index < text.length; index++)
    hash = (Math.imul(hash, hashBase) + text.charCodeAt(index)) | 0;
  return hash;
}

/** The hash base of `hashString`. */
export const hashBase = 0x01000193;

/** `hashBase` to the power `exponent`, modulo 2^32. */
export function hashBasePower(exponent: number): number {
  let result = 1;
  let base = hashBase;
  let remaining = exponent;
  while (remaining > 0) {
    if ((remaining & 1) === 1) result = Math.imul(result, base);
    base = Math.imul(base, base);
    remaining >>>= 1;
  }
  return result;
}

/** The hash of the concatenation `left + right` from the parts' hashes (see `hashString`). */
export function hashConcatenation(leftHash: number, rightHash: number, rightLength: number): number {
  return (Math.imul(leftHash, hashBasePower(rightLength)) + rightHash) | 0;
}

/** A hash of a primitive value; strings use `hashString`, so `hashConcatenation` applies. */
export function hashPrimitive(value: StateKey): number {
  switch (typeof value) {
    case "string":
      return hashString(value);
    case "number": {
      const integer = value | 0;
      return integer === value ? Math.imul(integer ^ 0x5bd1e995, 0x27d4eb2f) : hashString(String(value));
    }
    case "boolean":
      return value ? 0x2545f491 : 0x1b873593;
    case "bigint":
      return hashString(value.toString());
    default:
      return 0x68e31da4;
  }
}
