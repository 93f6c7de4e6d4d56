/**
 * `multi-register`: several named registers changed by transactions (Knossos's multi-register).
 * An operation has `f: "txn"` and a value that is a list of micro-operations `[f, key, value]`
 * with f `read` or `write`. The invocation carries reads with `null`; the `ok` completion carries
 * the values actually read. A transaction applies its micro-operations left to right; a read with
 * a non-null value must equal the key's current value, and a read of `null` matches anything
 * (the result is unknown). Keys start at `initial[key]`, or 0 when not listed.
 */
import type { Operation } from "../../history.js";
import { describeValue, hashString, type Model, type StateKey, valueKey } from "../model.js";

/** Options for the multi-register model. */
export interface MultiRegisterOptions {
  /** Starting values; keys not listed start at 0. */
  readonly initial?: Readonly<Record<string, unknown>>;
}

/** Sorted key/value pairs; the state is never mutated. */
type MultiState = ReadonlyArray<readonly [string, StateKey]>;

type Micro = readonly [string, string, unknown];

function microOperations(operation: Operation): readonly Micro[] | undefined {
  const value =
    operation.status === "ok" && Array.isArray(operation.output) ? operation.output : operation.input;
  if (!Array.isArray(value)) return undefined;
  for (const micro of value) {
    if (!Array.isArray(micro) || micro.length !== 3) return undefined;
    if ((micro[0] !== "read" && micro[0] !== "write") || typeof micro[1] !== "string") return undefined;
  }
  return value as readonly Micro[];
}

function stateText(state: MultiState): string {
  return state
    .map(([key, value]) => `${key}=${typeof value === "string" ? JSON.stringify(value) : String(value)}`)
    .join(",");
}

function lookup(state: MultiState, key: string): StateKey {
  for (const [name, value] of state) if (name === key) return value;
  return 0;
}

function assign(state: MultiState, key: string, value: StateKey): MultiState {
  const next = state.filter(([name]) => name !== key);
  next.push([key, value]);
  next.sort((left, right) => (left[0] < right[0] ? -1 : left[0] > right[0] ? 1 : 0));
  return next;
}

/** The multi-register model. */
export function multiRegisterModelOf(options: MultiRegisterOptions = {}): Model<MultiState> {
  const initial: MultiState = Object.entries(options.initial ?? {})
    .map(([key, value]) => [key, valueKey(value)] as const)
    .sort((left, right) => (left[0] < right[0] ? -1 : left[0] > right[0] ? 1 : 0));
  return {
    name: "multi-register",
    init: () => initial,
    step(state, operation) {
      const micros = microOperations(operation);
      if (micros === undefined) return undefined;
      let current = state;
      for (const [f, key, value] of micros) {
        if (f === "write") current = assign(current, key, valueKey(value));
        else if (value !== null && value !== undefined && valueKey(value) !== lookup(current, key))
          return undefined;
      }
      return current;
    },
    hash: (state) => hashString(stateText(state)),
    equal: (left, right) => stateText(left) === stateText(right),
    readOnly: (operation) => microOperations(operation)?.every((micro) => micro[0] === "read") ?? false,
    functions: ["txn"],
    validate: (operation) =>
      operation.f === "txn" && microOperations(operation) !== undefined
        ? undefined
        : "the multi-register model needs f 'txn' with a list of [read|write, key, value]",
    describeOperation(operation) {
      const micros = microOperations(operation) ?? [];
      const body = micros.map(
        ([f, key, value]) => `${f === "read" ? "r" : "w"} ${key} ${describeValue(value)}`,
      );
      return `txn[${body.join(", ")}]${operation.status === "info" ? " ?" : ""}`;
    },
    describeState: (state) =>
      state.length === 0
        ? "{} (all 0)"
        : `{${state.map(([key, value]) => `${key}: ${describeValue(value)}`).join(", ")}}`,
  };
}
