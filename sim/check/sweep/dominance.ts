/**
 * The dominance rule of the read-write sweep (../read-write-sweep.ts): which configurations of
 * the frontier can be dropped after a return, because another can do whatever they can.
 */
import { mix32 } from "../search.js";
import { bitCount, type Configuration, ConfigurationSet, covers } from "./configurations.js";
import type { RunningOperations } from "./plan.js";

/** Configurations of one state compared pairwise at most (see `pruneDominated`). */
const pairwiseGroupMax = 16384;

/**
 * Dominance between configurations of one state, at one instant (see `pruneDominated`): reads
 * and writes are told apart by the running writes' masks.
 */
export class Dominance {
  private readonly writesLow: number;
  private readonly writesHigh: number;

  constructor(
    running: RunningOperations,
    private readonly stateCount: number,
  ) {
    this.writesLow = running.allWritesLow;
    this.writesHigh = running.allWritesHigh;
  }

  /**
   * A score no lower than that of any configuration it dominates, and equal only when equal:
   * reads placed and writes hidable count up, indeterminate writes used count down.
   */
  score(configuration: Configuration): number {
    let score =
      bitCount(configuration.low & ~this.writesLow) +
      bitCount(configuration.high & ~this.writesHigh) +
      bitCount(configuration.hideLow) +
      bitCount(configuration.hideHigh);
    for (let state = 0; state < this.stateCount; state++) score -= configuration.used.charCodeAt(state);
    return score;
  }

  /** The key of the running writes a configuration placed (see `pruneDominated`). */
  placedWritesKey(configuration: Configuration): number {
    return mix32(mix32(configuration.low & this.writesLow) + (configuration.high & this.writesHigh));
  }

  /** Adds to `kept` the configurations of `group` (one state) that no other of it dominates. */
  keepUndominated(group: readonly Configuration[], kept: ConfigurationSet): void {
    if (group.length === 1) {
      kept.add(group[0]!);
      return;
    }
    // By descending score, each one needs comparing only with those kept before it: whatever
    // dominated a dropped one is kept, or dominated by one kept.
    const scores = new Float64Array(group.length);
    for (let index = 0; index < group.length; index++) scores[index] = this.score(group[index]!);
    const order = new Int32Array(group.length);
    for (let index = 0; index < group.length; index++) order[index] = index;
    order.sort((left, right) => scores[right]! - scores[left]! || left - right);
    const front = new DominanceFront({
      writesLow: this.writesLow,
      writesHigh: this.writesHigh,
      stateCount: this.stateCount,
    });
    for (const index of order) {
      const configuration = group[index]!;
      if (front.dominatesAny(configuration)) continue;
      front.push(configuration);
      kept.add(configuration);
    }
  }
}

/**
 * The undominated configurations of one group found so far, as typed-array columns, so that
 * whether any of them dominates another is one tight loop: as objects compared through a
 * closure, the comparisons took a quarter of the sweep's time on register-many-clients-1-stale.
 */
class DominanceFront {
  private count = 0;
  private low = new Int32Array(16);
  private high = new Int32Array(16);
  private hideLow = new Int32Array(16);
  private hideHigh = new Int32Array(16);
  /** Indeterminate writes used, `stateCount` numbers per configuration. */
  private used: Uint16Array;
  /** The candidate's indeterminate writes used, read once per `dominatesAny`. */
  private readonly candidateUsed: Uint16Array;
  private readonly writesLow: number;
  private readonly writesHigh: number;
  private readonly stateCount: number;

  constructor(running: { writesLow: number; writesHigh: number; stateCount: number }) {
    this.writesLow = running.writesLow;
    this.writesHigh = running.writesHigh;
    this.stateCount = running.stateCount;
    this.used = new Uint16Array(16 * running.stateCount);
    this.candidateUsed = new Uint16Array(running.stateCount);
  }

  /** Adds `configuration` to the front. */
  push(configuration: Configuration): void {
    if (this.count === this.low.length) this.grow();
    const at = this.count++;
    this.low[at] = configuration.low;
    this.high[at] = configuration.high;
    this.hideLow[at] = configuration.hideLow;
    this.hideHigh[at] = configuration.hideHigh;
    for (let state = 0; state < this.stateCount; state++)
      this.used[at * this.stateCount + state] = configuration.used.charCodeAt(state);
  }

  /**
   * Whether one configuration of the front can do whatever `right` can: it placed every read
   * `right` placed; it can still hide every write `right` can hide, and hides or placed every
   * write `right` placed, and placed none `right` had not; and it used no more indeterminate
   * writes of any value.
   */
  dominatesAny(right: Configuration): boolean {
    const { writesLow, writesHigh, stateCount, used, candidateUsed } = this;
    const readsLow = right.low & ~writesLow;
    const readsHigh = right.high & ~writesHigh;
    const placedLow = right.low & writesLow;
    const placedHigh = right.high & writesHigh;
    for (let state = 0; state < stateCount; state++) candidateUsed[state] = right.used.charCodeAt(state);
    for (let at = 0; at < this.count; at++) {
      const low = this.low[at]!;
      const high = this.high[at]!;
      if (!covers(low | writesLow, readsLow) || !covers(high | writesHigh, readsHigh)) continue;
      const hideLow = this.hideLow[at]!;
      const hideHigh = this.hideHigh[at]!;
      if (!covers(hideLow, right.hideLow) || !covers(hideHigh, right.hideHigh)) continue;
      if (!covers(low | hideLow, placedLow) || !covers(high | hideHigh, placedHigh)) continue;
      if (!covers(right.low, low & writesLow) || !covers(right.high, high & writesHigh)) continue;
      let fewerUsed = true;
      for (let state = 0; state < stateCount && fewerUsed; state++)
        fewerUsed = used[at * stateCount + state]! <= candidateUsed[state]!;
      if (fewerUsed) return true;
    }
    return false;
  }

  /** Doubles the columns' room. */
  private grow(): void {
    const doubled = (column: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
      const larger = new Int32Array(column.length * 2);
      larger.set(column);
      return larger;
    };
    this.low = doubled(this.low);
    this.high = doubled(this.high);
    this.hideLow = doubled(this.hideLow);
    this.hideHigh = doubled(this.hideHigh);
    const used = new Uint16Array(this.used.length * 2);
    used.set(this.used);
    this.used = used;
  }
}

/** Lists `items` in groups of equal `keyOf`, groups in order of their first item. */
function groupBy<T>(items: Iterable<T>, keyOf: (item: T) => number): IterableIterator<T[]> {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [item]);
    else group.push(item);
  }
  return groups.values();
}

/**
 * Drops configurations dominated by another in the same state: one that linearized every read
 * the other did, used no more indeterminate writes of any value, and stands to each running
 * write as the other does or can hide it. A write it can hide is as good as placed (it may be
 * placed, unseen, whenever wanted) and as good as not placed (it keeps the choice), so hiding
 * dominates both; placed and not placed are not comparable. Configurations are compared in
 * groups of one state, or of one state and set of placed writes when a state has more than
 * `pairwiseGroupMax`.
 */
export function pruneDominated(configurations: ConfigurationSet, dominance: Dominance): ConfigurationSet {
  const kept = new ConfigurationSet();
  for (const group of groupBy(configurations.values(), (configuration) => configuration.state)) {
    if (group.length <= pairwiseGroupMax) {
      dominance.keepUndominated(group, kept);
      continue;
    }
    for (const subgroup of groupBy(group, (configuration) => dominance.placedWritesKey(configuration)))
      dominance.keepUndominated(subgroup, kept);
  }
  return kept;
}
