/**
 * A quick witness of linearizability, tried before the sweep or the search of every partition
 * (./linearizability.ts), and by the fuzzer on the history of every run it makes.
 *
 * Taking the completed operations in the order they returned always respects real time: if `a`
 * returned before `b` was called, `a` also returned before `b` did. So when the model accepts
 * that order, the history is linearizable, with the indeterminate operations left out (they did
 * not take effect). Where an operation is not legal in its turn, one operation that may come
 * first (a completed one returning later, or an indeterminate one, called no later than this
 * operation returned) is tried just before it, as happens when a read sees a write that was
 * still running; and a read-only operation that is not legal in its turn is moved in front of
 * the last operations placed, as happens when a read returns just after a write it did not see.
 * Last, the few operations placed last are taken back and placed again with it in another order
 * (a bounded depth-first search), as happens when two writes ran at once and a later read saw
 * the one that returned first. Nothing earlier is undone: when that fails too there is no
 * witness, which says nothing about the history, and the caller runs the full search.
 *
 * Measured on fuzz runs of Raft, Multi-Paxos and primary-backup (kv histories of about 30
 * operations), uniform and swarm: this decides 93-96% of the histories, and a Raft fuzz run's
 * CPU fell by 13-14% with it, which is why the fuzzer tries it first.
 */
import { type HistoryEvent, type Operation, pairOperations } from "../history.js";
import type { AnyModel } from "./model.js";

/** How many later completed operations are tried in front of one that is not legal in its turn. */
const lookaheadMax = 32;

/** How many placed operations a read-only operation may be moved in front of. */
const lookbackMax = 32;

/**
 * How many of the last placed operations a tail reorder (`Witness.reorderTail`) takes back and
 * places again, in another order, with the one that is not legal in its turn.
 */
const reorderTailMax = 5;

/** Model steps one tail reorder may take, over every window it tries. */
const reorderStepsMax = 600;

/**
 * Model steps all tail reorders of one witness may take, per operation (plus one reorder's
 * worth), so that the witness stays linear in the history's length.
 */
const reorderStepsPerOperation = 16;

/**
 * Positions in `operations` (one partition, no `fail` operations) in an order the model accepts
 * that respects real time, holding every completed operation and some indeterminate ones; or
 * `undefined` when this greedy order does not work (the history may still be linearizable).
 */
export function quickLinearization(operations: readonly Operation[], model: AnyModel): number[] | undefined {
  const completed: number[] = [];
  const indeterminate: number[] = [];
  for (let index = 0; index < operations.length; index++) {
    if (operations[index]!.status === "ok") completed.push(index);
    else indeterminate.push(index);
  }
  completed.sort(
    (left, right) =>
      operations[left]!.returnUs - operations[right]!.returnUs ||
      operations[left]!.callUs - operations[right]!.callUs ||
      left - right,
  );
  const witness = new Witness(operations, model);
  for (let position = 0; position < completed.length; position++) {
    const index = completed[position]!;
    if (witness.placed[index] === 1 || witness.append(index) || witness.insertReadOnly(index)) continue;
    const later = { completed, from: position + 1, to: position + 1 + lookaheadMax, indeterminate };
    if (witness.appendAfterOneOf(later, index)) continue;
    if (!witness.reorderTail(index)) return undefined;
  }
  return witness.order;
}

/**
 * Operations that may take effect just before one that is not legal in its turn: the completed
 * ones at positions `from` to `to` (exclusive) of `completed`, then the indeterminate ones.
 */
interface LaterCandidates {
  readonly completed: readonly number[];
  readonly from: number;
  readonly to: number;
  readonly indeterminate: readonly number[];
}

/**
 * A linearization being built, with the state before each of its operations.
 *
 * Real time holds throughout: an operation is appended only when it returns first among the
 * completed operations not yet placed (so nothing unplaced precedes it), and every operation put
 * in front of it was called no later than it returned (intervals are closed, as in ./search.ts).
 */
class Witness {
  // Fields are declared only (`declare`) and set in the constructor: class fields compile to a
  // function of their own, one more for V8 to compile on a fresh process's first check.
  declare readonly order: number[];
  declare readonly placed: Uint8Array;
  /** `statesBefore[k]`: the state `order[k]` was applied to. */
  declare private readonly statesBefore: unknown[];
  declare private readonly operations: readonly Operation[];
  declare private readonly model: AnyModel;
  declare private state: unknown;
  /** Model steps the tail reorders may still take (`reorderStepsPerOperation`). */
  declare private reorderStepsLeft: number;

  constructor(operations: readonly Operation[], model: AnyModel) {
    this.order = [];
    this.placed = new Uint8Array(operations.length);
    this.statesBefore = [];
    this.operations = operations;
    this.model = model;
    this.state = model.init();
    this.reorderStepsLeft = reorderStepsMax + reorderStepsPerOperation * operations.length;
  }

  /** Places `index` last, when the model accepts it in the current state. */
  append(index: number): boolean {
    const next = this.model.step(this.state, this.operations[index]!);
    if (next === undefined) return false;
    this.statesBefore.push(this.state);
    this.order.push(index);
    this.placed[index] = 1;
    this.state = next;
    return true;
  }

  /**
   * Places a read-only operation (`Model.readOnly`) in front of some of the last placed ones,
   * none of which returned before it was called, where the model accepts it: it changes no
   * state, so what follows stays legal. This is a read that returned just after a write it did
   * not see.
   */
  insertReadOnly(index: number): boolean {
    const operation = this.operations[index]!;
    if (this.model.readOnly?.(operation) !== true) return false;
    const last = this.order.length - 1;
    for (let position = last; position >= 0 && position > last - lookbackMax; position--) {
      if (this.operations[this.order[position]!]!.returnUs < operation.callUs) return false;
      const before = this.statesBefore[position];
      if (this.model.step(before, operation) === undefined) continue;
      this.order.splice(position, 0, index);
      this.statesBefore.splice(position, 0, before);
      this.placed[index] = 1;
      return true;
    }
    return false;
  }

  /**
   * Places one of `later` (called no later than `index` returned) and then `index`, for the
   * first candidate with which the model accepts both: a write a read saw while it still ran.
   * Candidates already placed, or called after `index` returned, are passed over here rather than
   * in `appendPair`: they are most of them (200 to 420 of 216 to 539 tried on each of the small
   * CAS histories of the hard benchmark), and a first check interprets every call.
   */
  appendAfterOneOf(later: LaterCandidates, index: number): boolean {
    const returnUs = this.operations[index]!.returnUs;
    const completedTo = Math.min(later.to, later.completed.length);
    const end = completedTo + later.indeterminate.length;
    for (let position = later.from; position < end; position++) {
      const candidate =
        position < completedTo ? later.completed[position]! : later.indeterminate[position - completedTo]!;
      if (this.placed[candidate] === 1 || this.operations[candidate]!.callUs > returnUs) continue;
      if (this.appendPair(candidate, index)) return true;
    }
    return false;
  }

  /**
   * Places `candidate` then `index`, when the model allows both; `candidate` is not placed yet
   * and was called no later than `index` returned (see `appendAfterOneOf`).
   */
  private appendPair(candidate: number, index: number): boolean {
    const between = this.model.step(this.state, this.operations[candidate]!);
    if (between === undefined) return false;
    const after = this.model.step(between, this.operations[index]!);
    if (after === undefined) return false;
    this.statesBefore.push(this.state, between);
    this.order.push(candidate, index);
    this.placed[candidate] = 1;
    this.placed[index] = 1;
    this.state = after;
    return true;
  }

  /**
   * Takes back the last placed operations, one more at a time up to `reorderTailMax`, and looks
   * for an order of them and `index` that respects real time and that the model accepts: two
   * writes that ran at once, placed in the order they returned, when a later read saw the
   * first one's value; or a compare-and-set that took effect before a write that returned first.
   * The windows are searched depth first within `reorderStepsMax` model steps in all, and all
   * reorders of one witness within `reorderStepsPerOperation` per operation.
   */
  reorderTail(index: number): boolean {
    const stepsGiven = Math.min(reorderStepsMax, this.reorderStepsLeft);
    const budget = { steps: stepsGiven };
    const found = this.findTailOrder(index, budget);
    this.reorderStepsLeft -= stepsGiven - Math.max(0, budget.steps);
    return found;
  }

  /** `reorderTail` within `budget`: replaces the tail and places `index` when an order is found. */
  private findTailOrder(index: number, budget: { steps: number }): boolean {
    const window = [index];
    for (let size = 1; size <= reorderTailMax && size <= this.order.length && budget.steps > 0; size++) {
      const base = this.order.length - size;
      window.push(this.order[base]!);
      const arranged: number[] = [];
      const states: unknown[] = [];
      const search = { window, used: new Uint8Array(window.length), arranged, states, budget };
      if (!this.arrange(search, this.statesBefore[base])) continue;
      this.order.length = base;
      this.statesBefore.length = base;
      for (let position = 0; position < arranged.length; position++) {
        this.order.push(arranged[position]!);
        this.statesBefore.push(states[position]);
      }
      this.placed[index] = 1;
      this.state = states[arranged.length];
      return true;
    }
    return false;
  }

  /**
   * Depth first: extends `arranged` (with the state before each of its operations in `states`)
   * by the unused operations of `window`, each only when no other unused one returned before it
   * was called. True when all are placed; `states` then ends with the state after the last.
   */
  private arrange(
    search: {
      window: readonly number[];
      used: Uint8Array;
      arranged: number[];
      states: unknown[];
      budget: { steps: number };
    },
    state: unknown,
  ): boolean {
    const { window, used, arranged, states, budget } = search;
    if (arranged.length === window.length) {
      states.push(state);
      return true;
    }
    for (let slot = 0; slot < window.length; slot++) {
      if (used[slot] === 1) continue;
      const operation = this.operations[window[slot]!]!;
      let forced = false;
      for (let other = 0; other < window.length && !forced; other++) {
        forced = used[other] === 0 && this.operations[window[other]!]!.returnUs < operation.callUs;
      }
      if (forced || budget.steps-- <= 0) continue;
      const next = this.model.step(state, operation);
      if (next === undefined) continue;
      used[slot] = 1;
      arranged.push(window[slot]!);
      states.push(state);
      if (this.arrange(search, next)) return true;
      used[slot] = 0;
      arranged.pop();
      states.pop();
    }
    return false;
  }
}

/**
 * True when every partition of the history has a quick witness (`quickLinearization`); false
 * says nothing. Events must be in time order; anything unusual (events out of order, an
 * operation the model rejects as meaningless) is left to the full check, which reports it.
 */
export function linearizableAtOnce(events: readonly HistoryEvent[], model: AnyModel): boolean {
  for (let index = 1; index < events.length; index++) {
    if (events[index]!.timeUs < events[index - 1]!.timeUs) return false;
  }
  let operations: Operation[];
  try {
    operations = pairOperations(events);
  } catch {
    return false;
  }
  const partitions = new Map<string | null, Operation[]>();
  for (const operation of operations) {
    if (operation.status === "fail") continue;
    if (operation.returnUs < operation.callUs || model.validate?.(operation) !== undefined) return false;
    const key = model.partition?.(operation) ?? null;
    let partition = partitions.get(key);
    if (partition === undefined) {
      partition = [];
      partitions.set(key, partition);
    }
    partition.push(operation);
  }
  for (const partition of partitions.values()) {
    if (quickLinearization(partition, model) === undefined) return false;
  }
  return true;
}
