/**
 * Load of a data group's keys, for load-based splitting and merging (CockroachDB splits a range
 * whose request rate passes a threshold, at the key that halves its load, Taft et al., SIGMOD 2020
 * §2; TiKV's load-based split does the same by QPS, and its placement driver merges small, cold
 * neighbours, Huang et al., VLDB 2020 §3).
 *
 * Every replica counts, per key, the transactions its group prepared on it (applied `prepare`
 * commands, so the count follows the agreed log); the leader reads the counts once per load window
 * and starts again from zero. A replica that becomes leader starts a fresh window, so what it
 * counted as a follower never looks like one window's load.
 */
import { inRange } from "./placement.js";

export class LoadMeter {
  private counts = new Map<string, number>();

  /** One prepared transaction touched `key`. */
  record(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** The counts since the last call (or reset), per key; starts a new window. */
  take(): ReadonlyMap<string, number> {
    const counts = this.counts;
    this.counts = new Map();
    return counts;
  }

  reset(): void {
    this.counts = new Map();
  }
}

/** The load of the keys in [start, end) in one window. */
export function rangeLoad(window: ReadonlyMap<string, number>, start: string, end: string | null): number {
  let load = 0;
  for (const [key, count] of window) if (inRange(key, start, end)) load += count;
  return load;
}

/**
 * The key that halves a range's load: the first key (in key order) such that the keys below it
 * carry at least half of the range's load. Undefined when no such key lies above `start` (all the
 * load is on the range's first key: a single hot key cannot be split).
 */
export function loadMedianKey(
  window: ReadonlyMap<string, number>,
  start: string,
  end: string | null,
): string | undefined {
  const keys = [...window.keys()].filter((key) => inRange(key, start, end)).sort();
  const total = keys.reduce((sum, key) => sum + window.get(key)!, 0);
  let below = 0;
  for (const key of keys) {
    if (below * 2 >= total && key > start) return key;
    below += window.get(key)!;
  }
  return undefined;
}
