/**
 * The model states of one partition's search, interned to small integers, with a memo of
 * transitions; and the reachability pre-check that finds an operation no state allows.
 */
import type { Operation } from "../../history.js";
import { giveInt32, takeInt32 } from "../buffers.js";
import type { AnyModel, PlacementGuard } from "../model.js";
import { mix32 } from "./hash.js";

/** Interned model states. */
export interface StateTable {
  readonly values: unknown[];
  readonly initial: number;
  /** Bytes the table holds: its typed arrays plus an estimate per state. */
  bytes(): number;
  /** The state id after `operation` in state `state`, or -1 when illegal. */
  transition(operation: number, state: number): number;
}

/**
 * Bytes counted for each interned model state, beside the typed arrays: a state is a JavaScript
 * value on the heap (a kv state is an object with a value and a hash; appended strings are
 * ropes). An estimate, not a measurement: the typed arrays dominate on every history measured.
 */
const stateBytesEstimate = 64;

/**
 * Interns model states to small integers: `values[id]` is the state. With `model.hash`, an open
 * addressing table over state ids compared with the model's equality; without, a Map on identity.
 * `release` gives the table's arrays back to the pool.
 */
function stateInternerOf(model: AnyModel): {
  values: unknown[];
  intern: (state: unknown) => number;
  release: () => void;
} {
  const values: unknown[] = [];
  let intern: (state: unknown) => number;
  let release = (): void => {};
  const hashOf = model.hash;
  if (hashOf === undefined) {
    const ids = new Map<unknown, number>();
    intern = (state) => {
      let id = ids.get(state);
      if (id === undefined) {
        id = values.length;
        values.push(state);
        ids.set(state, id);
      }
      return id;
    };
  } else {
    // Open addressing over state ids, keyed by the model's hash, compared with its equality.
    const equal = model.equal ?? ((left: unknown, right: unknown) => left === right);
    let capacity = 64;
    let slots = takeInt32(capacity);
    let hashes = takeInt32(capacity);
    release = () => giveInt32(slots, hashes);
    intern = (state) => {
      const hash = hashOf(state) | 0;
      let at = mix32(hash) & (capacity - 1);
      for (;;) {
        const slot = slots[at]!;
        if (slot === 0) break;
        if (hashes[slot - 1] === hash && equal(values[slot - 1], state)) return slot - 1;
        at = (at + 1) & (capacity - 1);
      }
      const id = values.length;
      values.push(state);
      if (id >= hashes.length) {
        const grown = takeInt32(hashes.length * 2);
        grown.set(hashes);
        giveInt32(hashes);
        hashes = grown;
      }
      hashes[id] = hash;
      slots[at] = id + 1;
      if (values.length * 2 > capacity) {
        capacity *= 2;
        giveInt32(slots);
        slots = takeInt32(capacity);
        for (let other = 0; other < values.length; other++) {
          let place = mix32(hashes[other]!) & (capacity - 1);
          while (slots[place] !== 0) place = (place + 1) & (capacity - 1);
          slots[place] = other + 1;
        }
      }
      return id;
    };
  }
  return { values, intern, release };
}

/**
 * Interns states and memoizes transitions for one partition. `release` gives the table's arrays
 * back to the pool (./buffers.ts); the table must not be used afterwards.
 */
export function stateTableOf(
  operations: readonly Operation[],
  model: AnyModel,
  guard: PlacementGuard<unknown> | undefined,
): { table: StateTable; release: () => void } {
  const canonical = guard?.canonical;
  const { values, intern, release: releaseIntern } = stateInternerOf(model);
  const hashOf = model.hash;
  const initial = intern(model.init());
  // A direct-mapped, lossy memo of transitions: a collision overwrites. It starts small, since
  // most histories need few transitions (a fuzz run checks two or three small partitions), and
  // doubles, dropping what it holds, each time it has missed twice its size, up to `largest`.
  let largest = 1024;
  while (largest < operations.length * 64 && largest < 1 << 16) largest *= 2;
  let capacity = Math.min(256, largest);
  let mask = capacity - 1;
  let memoOperation = takeInt32(capacity).fill(-1);
  let memoState = takeInt32(capacity);
  let memoResult = takeInt32(capacity);
  let misses = 0;
  const transition = (operation: number, state: number): number => {
    let at = mix32(Math.imul(operation, 0x9e3779b1) ^ state) & mask;
    if (memoOperation[at] === operation && memoState[at] === state) return memoResult[at]!;
    if (++misses > 2 * capacity && capacity < largest) {
      capacity *= 2;
      mask = capacity - 1;
      giveInt32(memoOperation, memoState, memoResult);
      memoOperation = takeInt32(capacity).fill(-1);
      memoState = takeInt32(capacity);
      memoResult = takeInt32(capacity);
      misses = 0;
      at = mix32(Math.imul(operation, 0x9e3779b1) ^ state) & mask;
    }
    const before = values[state];
    const next = model.step(before, operations[operation]!);
    const result =
      next === undefined ? -1 : intern(canonical === undefined ? next : canonical(operation, before, next));
    memoOperation[at] = operation;
    memoState[at] = state;
    memoResult[at] = result;
    return result;
  };
  const bytes = (): number =>
    4 * (memoOperation.length * 3 + (hashOf === undefined ? 0 : 2 * values.length + 64)) +
    stateBytesEstimate * values.length;
  return {
    table: { values, initial, transition, bytes },
    release: () => {
      releaseIntern();
      giveInt32(memoOperation, memoState, memoResult);
    },
  };
}

/** States the reachability pre-check explores at most, and transitions it tries at most. */
const reachableStatesMax = 64;
const reachableTransitionsMax = 1 << 18;
/** Steps the search takes before it settles for an operation that is impossible everywhere (fewer than an explanation's minimization gives each attempt). */
export const impossibleSearchStepsMax = 1 << 14;

/**
 * A completed operation that is illegal in every state the partition's operations can reach,
 * applied in any order and any number of times, starting from the initial state; `undefined`
 * when there is none, or when the states are too many to list (appended strings, for example).
 * Such an operation can be placed in no linearization, so the partition is not linearizable; the
 * search would otherwise try every order of everything called before that operation returned,
 * which on a long history with many indeterminate operations takes longer than any budget. A read
 * of a value that only a failed write wrote is the everyday case.
 */
export function impossibleOperation(
  operations: readonly Operation[],
  table: StateTable,
): { operation: number; reachableStates: number } | undefined {
  const n = operations.length;
  const reachable = [table.initial];
  const seen = new Set<number>(reachable);
  let transitions = 0;
  for (let next = 0; next < reachable.length; next++) {
    const state = reachable[next]!;
    for (let operation = 0; operation < n; operation++) {
      if (++transitions > reachableTransitionsMax) return undefined;
      const after = table.transition(operation, state);
      if (after < 0 || seen.has(after)) continue;
      if (reachable.length === reachableStatesMax) return undefined;
      seen.add(after);
      reachable.push(after);
    }
  }
  for (let operation = 0; operation < n; operation++) {
    if (!Number.isFinite(operations[operation]!.returnUs)) continue;
    if (reachable.every((state) => table.transition(operation, state) < 0))
      return { operation, reachableStates: reachable.length };
  }
  return undefined;
}
