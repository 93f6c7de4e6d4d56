/**
 * Two list operations whose built-ins allocate where a hot handler does not need them to: a
 * slice from index 0 copies the whole list, and `splice` returns the removed items as a new
 * array. On Raft's kv bench (bench/raft.ts, no trace), a copy of every AppendEntries' entries and
 * the array of every served read round were 1.8 of the 42.7 MB a run allocated.
 */

/** The items of `list` from `start` on: `list` itself when that is all of it (do not change it). */
export function itemsFrom<T>(list: readonly T[], start: number): readonly T[] {
  return start === 0 ? list : list.slice(start);
}

/** Removes the first `count` items of `list`, in place. */
export function dropFirst(list: unknown[], count: number): void {
  if (count >= list.length) list.length = 0;
  else if (count > 0) list.splice(0, count);
}
