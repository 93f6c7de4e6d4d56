/**
 * Registers: `register` (read, write) and `cas-register` (read, write, cas), one register per
 * key (`key: null` for a single register). The state is the register's value as a `StateKey`:
 * `null` while absent.
 *
 * Semantics (the native history format's, see docs/history-format.md):
 * - `read`: an `ok` read returning `null` saw the register absent; an indeterminate read
 *   (`info`) constrains nothing.
 * - `write v`: sets the value to v.
 * - `cas [expected, next]`: `ok` with output `true` means the value was `expected` and became
 *   `next`; output `false` means it observed a different value (nothing changed). An indeterminate
 *   CAS swaps when the value matches and otherwise does nothing.
 */
import type { Operation } from "../../history.js";
import { describeOperationDefault, describeValue, type Model, type StateKey, valueKey } from "../model.js";

/** Options shared by the register models. */
export interface RegisterOptions {
  /** The value before the first write; `null` (absent) by default. */
  readonly initial?: unknown;
}

/** Describes a register state (`nil` when absent). */
export function describeRegisterState(state: StateKey): string {
  if (typeof state === "string" && state.startsWith("\u0000")) return state.slice(1);
  return describeValue(state);
}

/** Reads `[expected, next]` from a CAS input; `undefined` when malformed. */
export function casArguments(input: unknown): readonly [StateKey, StateKey] | undefined {
  if (!Array.isArray(input) || input.length !== 2) return undefined;
  return [valueKey(input[0]), valueKey(input[1])];
}

/**
 * One register step for read/write/cas; `undefined` when illegal or unsupported. It compares
 * function names and reads a CAS's arguments in place (no set lookups, no array built): it runs
 * once per placement tried, interpreted on a fresh process's first check.
 */
export function stepRegister(state: StateKey, operation: Operation, allowCas: boolean): StateKey | undefined {
  const f = operation.f;
  if (f === "read" || f === "get") {
    if (operation.status !== "ok") return state;
    return valueKey(operation.output) === state ? state : undefined;
  }
  if (f === "write" || f === "put") return valueKey(operation.input);
  if (f !== "cas" || !allowCas) return undefined;
  const input = operation.input;
  if (!Array.isArray(input) || input.length !== 2) return undefined;
  const matches = state === valueKey(input[0]);
  if (operation.status !== "ok") return matches ? valueKey(input[1]) : state;
  if (operation.output === true) return matches ? valueKey(input[1]) : undefined;
  return matches ? undefined : state;
}

/**
 * Whether a register operation leaves the state unchanged wherever it is legal: a read, whatever
 * its status, and a completed CAS that observed a mismatch (an indeterminate CAS may swap).
 */
export function registerReadOnly(operation: Operation): boolean {
  if (operation.f === "read" || operation.f === "get") return true;
  return operation.status === "ok" && operation.f === "cas" && operation.output === false;
}

/** Validation shared by the register models (names compared in place, as in `stepRegister`). */
export function validateRegister(
  operation: Operation,
  allowCas: boolean,
  modelName: string,
): string | undefined {
  const f = operation.f;
  if (f === "read" || f === "get" || f === "write" || f === "put") return undefined;
  if (f === "cas" && allowCas) {
    const input = operation.input;
    if (!Array.isArray(input) || input.length !== 2) return "a cas needs the value [expected, next]";
    if (operation.status === "ok" && typeof operation.output !== "boolean") {
      return "a completed cas needs the value true (swapped) or false (observed a mismatch)";
    }
    return undefined;
  }
  const supported = allowCas ? "read, write, cas" : "read, write";
  return `the ${modelName} model supports ${supported} (and get, put), not '${f}'`;
}

/** Describes a register operation: `write(3)`, `read() → 3`, `cas(1→2) ✗`. */
export function describeRegisterOperation(operation: Operation): string {
  if (operation.f === "cas") {
    const cas = casArguments(operation.input);
    const target =
      cas === undefined ? "?" : `${describeRegisterState(cas[0])}→${describeRegisterState(cas[1])}`;
    const key = operation.key === null ? "" : `[${operation.key}]`;
    const result = operation.status !== "ok" ? " ?" : operation.output === true ? " ✓" : " ✗";
    return `cas${key}(${target})${result}`;
  }
  return describeOperationDefault(operation);
}

function registerModel(name: string, allowCas: boolean, options: RegisterOptions): Model<StateKey> {
  const initial = valueKey(options.initial);
  return {
    name,
    init: () => initial,
    step: (state, operation) => stepRegister(state, operation, allowCas),
    partition: (operation) => operation.key,
    readOnly: registerReadOnly,
    validate: (operation) => validateRegister(operation, allowCas, name),
    describeOperation: describeRegisterOperation,
    describeState: describeRegisterState,
  };
}

/** A read/write register per key. */
export function registerModelOf(options: RegisterOptions = {}): Model<StateKey> {
  return registerModel("register", false, options);
}

/** A read/write/compare-and-set register per key. */
export function casRegisterModelOf(options: RegisterOptions = {}): Model<StateKey> {
  return registerModel("cas-register", true, options);
}
