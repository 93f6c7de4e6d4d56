/** The deepest point a failed search reached, which the explanation of a failure shows. */
import type { Operation } from "../../history.js";
import type { EntryList } from "./entry-list.js";
import { indeterminateLast } from "./tuning.js";

/** The deepest point a failed search reached, in partition-local operation numbers. */
export interface Deepest {
  /** Operations in linearization order. */
  readonly prefix: number[];
  /** State ids after each operation of `prefix`. */
  readonly states: number[];
  /** The operation whose return was reached without it being placed. */
  readonly failing: number;
  /** Operations called but not linearized at that point, in list order (includes `failing`). */
  readonly pending: number[];
  /**
   * Set when `failing` is a completed operation that is illegal in every state the partition's
   * operations can reach in any order (see `impossibleOperation`): the number of those states.
   */
  readonly reachableStates?: number;
  /** Set when the model's guard showed `failing` unplaceable before the search (Unplaceable.witnesses). */
  readonly witnesses?: readonly number[];
}

/**
 * The deepest point where the search had to backtrack, kept for the explanation. The stack up
 * to it is mirrored lazily: only the positions popped since the last record are copied again
 * (`synced`), so a search that goes ever deeper copies each pushed operation about once
 * instead of its whole prefix at every new depth (that copy was about 15 % of a check's time).
 */
export class DeepestPoint {
  /** The depth of the point; -1 before the first is recorded. */
  depth = -1;
  private readonly operations: number[] = [];
  private readonly statesBefore: number[] = [];
  /** Positions of the mirror that match the search's stack. */
  private synced = 0;
  private state = 0;
  private failing = -1;
  /** The search's stack: the placed operations and the state before each. */
  private readonly stack: { operations: Int32Array<ArrayBuffer>; states: Int32Array<ArrayBuffer> };

  constructor(stack: { operations: Int32Array<ArrayBuffer>; states: Int32Array<ArrayBuffer> }) {
    this.stack = stack;
  }

  /** Records the point: the stack up to `depth`, the state there and the operation that failed. */
  record(depth: number, state: number, failing: number): void {
    this.depth = depth;
    for (let position = this.synced; position < depth; position++) {
      this.operations[position] = this.stack.operations[position]!;
      this.statesBefore[position] = this.stack.states[position]!;
    }
    this.synced = depth;
    this.state = state;
    this.failing = failing;
  }

  /** Notes that the search's stack was popped down to `depth`. */
  popped(depth: number): void {
    if (depth < this.synced) this.synced = depth;
  }

  /**
   * The recorded point (see `Deepest`), built when the verdict needs it. Its pending operations
   * are those called (calls come before returns at equal times) before the failing operation
   * returned and not in the prefix, in list order.
   */
  build(operations: readonly Operation[], list: EntryList): Deepest | undefined {
    if (this.failing < 0) return undefined;
    const n = operations.length;
    const { crashed, callRank, crashedOrder } = list;
    const prefix = this.operations.slice(0, this.depth);
    const states = [...this.statesBefore.slice(1, this.depth), this.state];
    const inPrefix = new Uint8Array(n);
    for (const operation of prefix) inPrefix[operation] = 1;
    const bound = operations[this.failing]!.returnUs;
    const pending: number[] = [];
    for (let operation = 0; operation < n; operation++) {
      if (inPrefix[operation] === 1 || operations[operation]!.callUs > bound) continue;
      if (!indeterminateLast || crashed[operation] === 0) pending.push(operation);
    }
    pending.sort((left, right) => callRank[left]! - callRank[right]!);
    for (let rank = 0; indeterminateLast && rank < crashedOrder.length; rank++) {
      const operation = crashedOrder[rank]!;
      if (operations[operation]!.callUs > bound) break;
      if (inPrefix[operation] === 0) pending.push(operation);
    }
    return { prefix, states, failing: this.failing, pending };
  }
}
