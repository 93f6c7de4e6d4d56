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
 * One compare-and-set register step (read, write, cas); `undefined` when illegal or unsupported.
 * It compares function names and reads a CAS's arguments in place (no set lookups, no array
 * built), and the cas-register model takes it as its `step` as is, with no wrapper: it runs once
 * per placement tried, interpreted on a fresh process's first check.
 */
export function stepCasRegister(state: StateKey, operation: Operation): StateKey | undefined {
  const f = operation.f;
  if (f === "read" || f === "get") {
    if (operation.status !== "ok") return state;
    return valueKey(operation.output) === state ? state : undefined;
  }
  if (f === "write" || f === "put") return valueKey(operation.input);
  if (f !== "cas") return undefined;
  const input = operation.input;
  if (!Array.isArray(input) || input.length !== 2) return undefined;
  const matches = state === valueKey(input[0]);
  if (operation.status !== "ok") return matches ? valueKey(input[1]) : state;
  if (operation.output === true) return matches ? valueKey(input[1]) : undefined;
  return matches ? undefined : state;
}

/** One register step for read/write, and cas when `allowCas` (see `stepCasRegister`). */
export function stepRegister(state: StateKey, operation: Operation, allowCas: boolean): StateKey | undefined {
  return allowCas || operation.f !== "cas" ? stepCasRegister(state, operation) : undefined;
}

/**
 * Whether a register operation leaves the state unchanged wherever it is legal: a read, whatever
 * its status, and a completed CAS that observed a mismatch (an indeterminate CAS may swap).
 */
export function registerReadOnly(operation: Operation): boolean {
  if (operation.f === "read" || operation.f === "get") return true;
  return operation.status === "ok" && operation.f === "cas" && operation.output === false;
}

/**
 * Problems that make an operation meaningless for the cas-register model, names compared in
 * place; the model takes it as its `validate` as is, with no wrapper (see `stepCasRegister`).
 */
export function validateCasRegister(operation: Operation): string | undefined {
  const f = operation.f;
  if (f === "read" || f === "get" || f === "write" || f === "put") return undefined;
  if (f !== "cas") return unsupportedProblem(operation, true, "cas-register");
  const input = operation.input;
  if (!Array.isArray(input) || input.length !== 2) return "a cas needs the value [expected, next]";
  if (operation.status === "ok" && typeof operation.output !== "boolean") {
    return "a completed cas needs the value true (swapped) or false (observed a mismatch)";
  }
  return undefined;
}

/**
 * Validation shared by the register models: `validateCasRegister`, with a CAS refused unless
 * `allowCas`, and the model named `modelName` in the message.
 */
export function validateRegister(
  operation: Operation,
  allowCas: boolean,
  modelName: string,
): string | undefined {
  const f = operation.f;
  const known = f === "cas" ? allowCas : f === "read" || f === "get" || f === "write" || f === "put";
  return known ? validateCasRegister(operation) : unsupportedProblem(operation, allowCas, modelName);
}

/** The problem of an operation whose function a register model does not have. */
function unsupportedProblem(operation: Operation, allowCas: boolean, modelName: string): string {
  const supported = allowCas ? "read, write, cas" : "read, write";
  return `the ${modelName} model supports ${supported} (and get, put), not '${operation.f}'`;
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
    step: allowCas ? stepCasRegister : (state, operation) => stepRegister(state, operation, false),
    partition: (operation) => operation.key,
    readOnly: registerReadOnly,
    validate: allowCas ? validateCasRegister : (operation) => validateRegister(operation, false, name),
    functions: allowCas ? ["read", "write", "cas", "get", "put"] : ["read", "write", "get", "put"],
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
