/**
 * `kv`: a key/value map checked one key at a time (P-compositionality). Each key holds a
 * register whose value may also be a string that `append` extends. Functions: `read`/`get`,
 * `write`/`put`, `cas` (as in the cas-register model) and `append`.
 *
 * Keys start absent (`null`) unless `initial` says otherwise; the Porcupine kv logs start every
 * key at `""`. Appending to an absent key appends to `""`.
 */
import type { Operation } from "../../history.js";
import {
  canonicalJson,
  describeValue,
  hashConcatenation,
  hashPrimitive,
  hashString,
  type Model,
  type StateKey,
  valueKey,
} from "../model.js";
import { kvReadGuard } from "./kv-reads.js";
import {
  describeRegisterOperation,
  describeRegisterState,
  registerReadOnly,
  stepCasRegister,
  validateRegister,
} from "./register.js";

/** The operation functions the key/value model knows. */
const kvFunctions: readonly string[] = ["get", "read", "put", "write", "append", "cas"];

/** Options for the key/value model. */
export interface KvOptions {
  /** Every key's value before the first write; `null` (absent) by default. */
  readonly initial?: unknown;
}

/**
 * One key's state: its value and the value's hash. Appends extend the hash incrementally, so
 * long appended strings are never rehashed from the start.
 */
export interface KvState {
  readonly value: StateKey;
  readonly hash: number;
}

function text(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value.startsWith("\u0000") ? value.slice(1) : value;
  if (typeof value === "object") return canonicalJson(value);
  return String(value);
}

function stateOf(value: StateKey): KvState {
  return { value, hash: hashPrimitive(value) };
}

/** The key/value model. */
export function kvModelOf(options: KvOptions = {}): Model<KvState> {
  const initial = stateOf(valueKey(options.initial));
  // Hashes of what reads returned, so most illegal reads are rejected without comparing text.
  const readHashes = new WeakMap<Operation, number>();
  const readHashOf = (operation: Operation): number => {
    let hash = readHashes.get(operation);
    if (hash === undefined) {
      hash = hashPrimitive(valueKey(operation.output));
      readHashes.set(operation, hash);
    }
    return hash;
  };
  return {
    name: "kv",
    init: () => initial,
    step(state, operation) {
      if (operation.f === "append") {
        const suffix = text(operation.input);
        // Never look at the characters of state.value here: that would flatten a long
        // concatenation on every step.
        if (typeof state.value === "string") {
          return {
            value: state.value + suffix,
            hash: hashConcatenation(state.hash, hashString(suffix), suffix.length),
          };
        }
        return stateOf(text(state.value) + suffix);
      }
      if (operation.status === "ok" && (operation.f === "get" || operation.f === "read")) {
        return readHashOf(operation) === state.hash && valueKey(operation.output) === state.value
          ? state
          : undefined;
      }
      const next = stepCasRegister(state.value, operation);
      if (next === undefined) return undefined;
      return next === state.value ? state : stateOf(next);
    },
    hash: (state) => state.hash,
    equal: (left, right) => left.value === right.value,
    partition: (operation) => operation.key,
    guard: (operations) => kvReadGuard(operations, initial.value),
    readOnly: registerReadOnly,
    functions: kvFunctions,
    validate(operation) {
      if (operation.f === "append") return undefined;
      const problem = validateRegister(operation, true, "kv");
      if (problem === undefined) return undefined;
      // A function the model has, given a value it cannot take: say what is wrong with the value.
      if (kvFunctions.includes(operation.f)) return problem;
      return `the kv model supports get/read, put/write, append and cas, not '${operation.f}'`;
    },
    describeOperation(operation) {
      if (operation.f === "append") {
        const key = operation.key === null ? "" : `[${operation.key}]`;
        return `append${key}(${describeValue(operation.input)})${operation.status === "info" ? " → ?" : ""}`;
      }
      return describeRegisterOperation(operation);
    },
    describeState: (state) => describeRegisterState(state.value),
  };
}
