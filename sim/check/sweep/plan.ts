/**
 * What the read-write sweep (../read-write-sweep.ts) learns about a partition before it starts:
 * how each operation acts, its events in time order and the slots of the running operations;
 * and what runs at each instant, as slot masks.
 */
import type { Operation } from "../../history.js";
import type { AnyModel } from "../model.js";
import type { StateTable } from "../search.js";
import { highBitOf, lowBitOf, lowestBit, slotsMax } from "./configurations.js";

/** States listed at most when classifying operations. */
const statesMax = 64;

/** What an operation does, for this procedure. */
export enum Kind {
  /** Changes nothing wherever it is legal and is legal everywhere (an indeterminate read). */
  Ignored = 0,
  /** Legal only in state `value`, which it keeps. */
  Read = 1,
  /** Sets the state to `value` from every state. */
  Write = 2,
  /** Legal everywhere and changes nothing, but completed, so it must appear: placed at its call. */
  Free = 3,
}

/** An event of the sweep: the call or return of an operation. */
export interface SweepEvent {
  readonly operation: number;
  readonly isReturn: boolean;
}

/** How one operation acted on the states listed so far (see `observeOperations`). */
interface Observations {
  /** The states the partition can reach, the initial one first. */
  readonly states: unknown[];
  /** Per operation: the state it moved some state to (-1 none). */
  readonly target: Int32Array;
  /** Per operation: whether it was illegal in some state. */
  readonly illegalSomewhere: Uint8Array;
  /** Per operation: how many states it kept, and the last of them. */
  readonly keptCount: Int32Array;
  readonly keptState: Int32Array;
}

/**
 * Steps every operation from every state the partition can reach, listing the states as they
 * come; `undefined` at the first operation that is neither a read nor a blind write, or when the
 * states are more than `statesMax`, so that on other partitions (a compare-and-set, say) it costs
 * a few model steps.
 */
function observeOperations(operations: readonly Operation[], model: AnyModel): Observations | undefined {
  const n = operations.length;
  const states: unknown[] = [model.init()];
  const ids = new Map<unknown, number>([[states[0], 0]]);
  const seen: Observations = {
    states,
    target: new Int32Array(n).fill(-1),
    illegalSomewhere: new Uint8Array(n),
    keptCount: new Int32Array(n),
    keptState: new Int32Array(n).fill(-1),
  };
  for (let state = 0; state < states.length; state++) {
    for (let operation = 0; operation < n; operation++) {
      const next = model.step(states[state], operations[operation]!);
      let after = -1;
      if (next !== undefined) {
        const known = ids.get(next);
        if (known === undefined) {
          if (states.length === statesMax) return undefined;
          after = states.length;
          ids.set(next, after);
          states.push(next);
        } else {
          after = known;
        }
      }
      if (!recordObservation(seen, { operation, state, after })) return undefined;
    }
  }
  return seen;
}

/**
 * Records that `operation` took `state` to `after` (-1: illegal there); false when that
 * contradicts a read or a blind write.
 */
function recordObservation(
  seen: Observations,
  { operation, state, after }: { operation: number; state: number; after: number },
): boolean {
  const { target, illegalSomewhere, keptCount, keptState } = seen;
  if (after < 0) {
    // Illegal here, so not a write (a write is legal everywhere).
    if (target[operation]! >= 0) return false;
    illegalSomewhere[operation] = 1;
  } else if (after === state) {
    // Kept: a read, or a write of this very state.
    if (target[operation]! >= 0 && target[operation] !== state) return false;
    keptCount[operation]!++;
    keptState[operation] = state;
  } else {
    // Changed: a write, legal everywhere, always to `after`, keeping no state but `after`.
    if (illegalSomewhere[operation] === 1) return false;
    if (target[operation]! >= 0 && target[operation] !== after) return false;
    if (keptCount[operation]! > 1 || (keptCount[operation] === 1 && keptState[operation] !== after))
      return false;
    target[operation] = after;
  }
  return true;
}

/**
 * How each operation acts, over the states the partition can reach; `undefined` when they are
 * not reads and blind writes.
 */
function classify(
  operations: readonly Operation[],
  model: AnyModel,
): { kinds: Int8Array; values: Int32Array; states: unknown[] } | undefined {
  if (model.hash !== undefined) return undefined;
  const seen = observeOperations(operations, model);
  if (seen === undefined) return undefined;
  const n = operations.length;
  const kinds = new Int8Array(n);
  const values = new Int32Array(n).fill(-1);
  for (let operation = 0; operation < n; operation++) {
    if (seen.target[operation]! >= 0) {
      kinds[operation] = Kind.Write;
      values[operation] = seen.target[operation]!;
    } else if (seen.illegalSomewhere[operation] === 0) {
      // Legal everywhere and changes nothing.
      kinds[operation] = isCompleted(operations[operation]!) ? Kind.Free : Kind.Ignored;
    } else if (seen.keptCount[operation]! <= 1) {
      // A read; legal nowhere when it returned a value no operation can produce.
      kinds[operation] = Kind.Read;
      values[operation] = seen.keptState[operation]!;
    } else {
      return undefined;
    }
  }
  return { kinds, values, states: seen.states };
}

/** Whether `operation` returned (an indeterminate one never does). */
export function isCompleted(operation: Operation): boolean {
  return Number.isFinite(operation.returnUs);
}

/** The facts about one partition that the sweep reads and never changes. */
export interface SweepPlan {
  readonly operations: readonly Operation[];
  readonly model: AnyModel;
  /** Per operation, its `Kind`, and its value: the state it reads or writes (-1 none). */
  readonly kinds: Int8Array;
  readonly values: Int32Array;
  /** The states the partition can reach, the initial one first. */
  readonly states: unknown[];
  /** Calls and returns in sweep order (see `sweepEventsOf`). */
  readonly events: readonly SweepEvent[];
  /** Per completed operation, its slot while it runs (see `slotsOf`); -1 for the others. */
  readonly slotOf: Int32Array;
  /** Per operation, the index in `events` of its call and of its return (-1 none). */
  readonly callEvent: Int32Array;
  readonly returnEvent: Int32Array;
  /** Per state, the indeterminate writes of that value, by call. */
  readonly crashedWrites: readonly (readonly number[])[];
}

/** The plan for one partition, or `undefined` when the sweep does not apply to it. */
export function planSweep(operations: readonly Operation[], model: AnyModel): SweepPlan | undefined {
  const n = operations.length;
  if (n === 0) return undefined;
  const classified = classify(operations, model);
  if (classified === undefined) return undefined;
  const { kinds, values, states } = classified;
  const events = sweepEventsOf(operations, kinds);
  const slotOf = slotsOf(operations, events);
  if (slotOf === undefined) return undefined;
  const callEvent = new Int32Array(n).fill(-1);
  const returnEvent = new Int32Array(n).fill(-1);
  for (let index = 0; index < events.length; index++) {
    const event = events[index]!;
    if (event.isReturn) returnEvent[event.operation] = index;
    else callEvent[event.operation] = index;
  }
  const crashedWrites: number[][] = Array.from({ length: states.length }, () => []);
  for (const event of events)
    if (!isCompleted(operations[event.operation]!))
      crashedWrites[values[event.operation]!]!.push(event.operation);
  return { operations, model, kinds, values, states, events, slotOf, callEvent, returnEvent, crashedWrites };
}

/**
 * The calls of every operation that matters and the returns of completed ones, by time, calls
 * before returns at equal times (intervals are closed).
 */
function sweepEventsOf(operations: readonly Operation[], kinds: Int8Array): SweepEvent[] {
  const events: SweepEvent[] = [];
  for (let operation = 0; operation < operations.length; operation++) {
    if (kinds[operation] === Kind.Ignored) continue;
    const completed = isCompleted(operations[operation]!);
    if (!completed && kinds[operation] === Kind.Read) continue;
    events.push({ operation, isReturn: false });
    if (completed) events.push({ operation, isReturn: true });
  }
  const timeOf = (event: SweepEvent): number =>
    event.isReturn ? operations[event.operation]!.returnUs : operations[event.operation]!.callUs;
  events.sort(
    (left, right) =>
      timeOf(left) - timeOf(right) ||
      Number(left.isReturn) - Number(right.isReturn) ||
      left.operation - right.operation,
  );
  return events;
}

/**
 * A slot per completed operation, taken at its call and freed at its return, so that the running
 * ones fit two 32-bit masks; `undefined` when more than `slotsMax` run at once.
 */
function slotsOf(operations: readonly Operation[], events: readonly SweepEvent[]): Int32Array | undefined {
  const slotOf = new Int32Array(operations.length).fill(-1);
  let taken = 0;
  let takenHigh = 0;
  for (const event of events) {
    const operation = event.operation;
    if (!isCompleted(operations[operation]!)) continue;
    if (event.isReturn) {
      const slot = slotOf[operation]!;
      if (slot < 32) taken &= ~(1 << slot);
      else takenHigh &= ~(1 << (slot - 32));
      continue;
    }
    const slot = ~taken !== 0 ? lowestBit(~taken) : ~takenHigh !== 0 ? 32 + lowestBit(~takenHigh) : -1;
    if (slot < 0 || slot >= slotsMax) return undefined;
    slotOf[operation] = slot;
    if (slot < 32) taken |= 1 << slot;
    else takenHigh |= 1 << (slot - 32);
  }
  return slotOf;
}

/** The model's transitions over the listed states, for explanations. */
export function stateTableOf(plan: SweepPlan): StateTable {
  const { model, operations, states } = plan;
  return {
    values: states,
    initial: 0,
    bytes: () => 64 * states.length,
    transition: (operation, state) => {
      const after = model.step(states[state], operations[operation]!);
      return after === undefined ? -1 : states.indexOf(after);
    },
  };
}

/**
 * What runs at the current instant of the sweep, as slot masks, so that what a configuration
 * may place next is a few bit operations.
 */
export class RunningOperations {
  /** Per state, the running completed reads and writes of that value, by slot. */
  readonly readsLow: Int32Array;
  readonly readsHigh: Int32Array;
  readonly writesLow: Int32Array;
  readonly writesHigh: Int32Array;
  /** Every running completed write, by slot. */
  allWritesLow = 0;
  allWritesHigh = 0;
  /** The operation in each slot, -1 for a free one. */
  readonly operationInSlot = new Int32Array(slotsMax).fill(-1);
  /** Per state, how many of its indeterminate writes have been called so far. */
  readonly crashedCalled: Int32Array;

  constructor(private readonly plan: SweepPlan) {
    const stateCount = plan.states.length;
    this.readsLow = new Int32Array(stateCount);
    this.readsHigh = new Int32Array(stateCount);
    this.writesLow = new Int32Array(stateCount);
    this.writesHigh = new Int32Array(stateCount);
    this.crashedCalled = new Int32Array(stateCount);
  }

  /** Records the call of completed `operation`. */
  start(operation: number): void {
    const { kinds, values, slotOf } = this.plan;
    const state = values[operation]!;
    const bitLow = lowBitOf(slotOf[operation]!);
    const bitHigh = highBitOf(slotOf[operation]!);
    this.operationInSlot[slotOf[operation]!] = operation;
    if (kinds[operation] === Kind.Read && state >= 0) {
      this.readsLow[state]! |= bitLow;
      this.readsHigh[state]! |= bitHigh;
    } else if (kinds[operation] === Kind.Write) {
      this.writesLow[state]! |= bitLow;
      this.writesHigh[state]! |= bitHigh;
      this.allWritesLow |= bitLow;
      this.allWritesHigh |= bitHigh;
    }
  }

  /** Records the return of completed `operation`, which frees its slot. */
  finish(operation: number): void {
    const { kinds, values, slotOf } = this.plan;
    const state = values[operation]!;
    const bitLow = lowBitOf(slotOf[operation]!);
    const bitHigh = highBitOf(slotOf[operation]!);
    if (kinds[operation] === Kind.Read && state >= 0) {
      this.readsLow[state]! &= ~bitLow;
      this.readsHigh[state]! &= ~bitHigh;
    } else if (kinds[operation] === Kind.Write) {
      this.writesLow[state]! &= ~bitLow;
      this.writesHigh[state]! &= ~bitHigh;
      this.allWritesLow &= ~bitLow;
      this.allWritesHigh &= ~bitHigh;
    }
    this.operationInSlot[slotOf[operation]!] = -1;
  }

  /** Whether a running read of `state` is not linearized in the slot masks `low`/`high`. */
  hasReadLeft(state: number, low: number, high: number): boolean {
    return (this.readsLow[state]! & ~low) !== 0 || (this.readsHigh[state]! & ~high) !== 0;
  }

  /** The running completed write of `state` not in `low`/`high` that returns first, or -1. */
  firstWriteOf(state: number, low: number, high: number): number {
    const operations = this.plan.operations;
    let best = -1;
    let bestReturn = Infinity;
    for (let half = 0; half < 2; half++) {
      let candidates = half === 0 ? this.writesLow[state]! & ~low : this.writesHigh[state]! & ~high;
      while (candidates !== 0) {
        const operation = this.operationInSlot[32 * half + lowestBit(candidates)]!;
        candidates &= candidates - 1;
        const returnUs = operations[operation]!.returnUs;
        if (returnUs < bestReturn || (returnUs === bestReturn && operation < best)) {
          best = operation;
          bestReturn = returnUs;
        }
      }
    }
    return best;
  }
}
