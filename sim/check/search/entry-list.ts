/**
 * The entry list a search walks (see ../search.ts): each operation's call and return as entries
 * linked in time order, and the indeterminate operations ranked by call.
 */
import type { Operation } from "../../history.js";
import { giveInt32, takeInt32 } from "../buffers.js";
import type { AnyModel } from "../model.js";
import { indeterminateLast, orderCallsByReturn } from "./tuning.js";

/**
 * The entry list of a partition (see the header): entries linked in time order, calls before
 * returns at equal times, with the list's head at entry `2n`. Indeterminate operations have no
 * return entry and are kept apart, sorted by call, in `crashedOrder`.
 */
export interface EntryList {
  /** 1 for an indeterminate operation. */
  readonly crashed: Int32Array<ArrayBuffer>;
  /** 1 for a completed read-only operation: a legal one dominates every other choice. */
  readonly dominant: Int32Array<ArrayBuffer>;
  readonly crashedOrder: number[];
  readonly next: Int32Array<ArrayBuffer>;
  readonly previous: Int32Array<ArrayBuffer>;
  /** Each call entry's position in the list as first built. */
  readonly callRank: Int32Array<ArrayBuffer>;
}

/**
 * Sorts entries by time, calls before returns at equal times, then by number. When the times are
 * integers spanning little enough, each entry becomes one exact number (time, kind and entry
 * packed below 2^53) and the typed array's own numeric sort orders them: on the small histories
 * most checks see, the comparator below, run cold by V8's interpreter, took a sixth of the check.
 */
function sortEntries(order: number[], operations: readonly Operation[]): void {
  const n = operations.length;
  const timeOf = (entry: number): number =>
    entry < n ? operations[entry]!.callUs : operations[entry - n]!.returnUs;
  let timeMin = Infinity;
  let timeMax = -Infinity;
  let integers = true;
  for (const entry of order) {
    const time = timeOf(entry);
    if (!Number.isSafeInteger(time)) integers = false;
    if (time < timeMin) timeMin = time;
    if (time > timeMax) timeMax = time;
  }
  const radix = 2 * n + 1;
  if (integers && order.length > 0 && (timeMax - timeMin + 1) * 2 * radix < Number.MAX_SAFE_INTEGER) {
    const keys = new Float64Array(order.length);
    for (let position = 0; position < order.length; position++) {
      const entry = order[position]!;
      keys[position] = ((timeOf(entry) - timeMin) * 2 + (entry < n ? 0 : 1)) * radix + entry;
    }
    keys.sort();
    for (let position = 0; position < order.length; position++) order[position] = keys[position]! % radix;
    return;
  }
  order.sort((left, right) => {
    const difference = timeOf(left) - timeOf(right);
    if (difference !== 0) return difference;
    const kinds = (left < n ? 0 : 1) - (right < n ? 0 : 1);
    if (kinds !== 0) return kinds;
    return left - right;
  });
}

/** Within each run of consecutive calls in `order`, puts the call that returns first first. */
function orderRunsByReturn(order: number[], operations: readonly Operation[]): void {
  const n = operations.length;
  let start = 0;
  while (start < order.length) {
    if (order[start]! >= n) {
      start++;
      continue;
    }
    let end = start;
    while (end < order.length && order[end]! < n) end++;
    const run = order.slice(start, end).sort((left, right) => {
      const difference = operations[left]!.returnUs - operations[right]!.returnUs;
      return Number.isNaN(difference) || difference === 0 ? left - right : difference;
    });
    for (let index = start; index < end; index++) order[index] = run[index - start]!;
    start = end;
  }
}

/** Builds the entry list of a partition (see `EntryList`). */
export function entryListOf(operations: readonly Operation[], model: AnyModel): EntryList {
  const n = operations.length;
  const crashed = takeInt32(n);
  const dominant = takeInt32(n);
  const order: number[] = [];
  const crashedOrder: number[] = [];
  // Marks indeterminate read-only operations: they get a call rank but no place in the list.
  const unlisted = takeInt32(n);
  for (let index = 0; index < n; index++) {
    const operation = operations[index]!;
    const readOnly = model.readOnly?.(operation) === true;
    if (Number.isFinite(operation.returnUs)) {
      order.push(index, n + index);
      if (operation.status === "ok" && readOnly) dominant[index] = 1;
    } else {
      crashed[index] = 1;
      crashedOrder.push(index);
      if (readOnly) unlisted[index] = 1;
      if (!indeterminateLast) order.push(index);
    }
  }
  sortEntries(order, operations);
  if (orderCallsByReturn) orderRunsByReturn(order, operations);
  crashedOrder.sort((left, right) => operations[left]!.callUs - operations[right]!.callUs || left - right);
  const head = 2 * n;
  const next = takeInt32(2 * n + 1).fill(-1);
  const previous = takeInt32(2 * n + 1).fill(-1);
  const callRank = takeInt32(n);
  let last = head;
  for (let position = 0; position < order.length; position++) {
    const entry = order[position]!;
    if (entry < n) callRank[entry] = position;
    if (entry < n && unlisted[entry] === 1) continue;
    next[last] = entry;
    previous[entry] = last;
    last = entry;
  }
  giveInt32(unlisted);
  return { crashed, dominant, crashedOrder, next, previous, callRank };
}

/** Indeterminate operations by rank in `crashedOrder`, and each one's rank. */
export function indeterminateRanksOf(
  crashedOrder: readonly number[],
  operationCount: number,
): { crashedOperation: Int32Array<ArrayBuffer>; crashedRank: Int32Array<ArrayBuffer> } {
  const crashedOperation = takeInt32(crashedOrder.length);
  const crashedRank = takeInt32(operationCount);
  for (let rank = 0; rank < crashedOrder.length; rank++) {
    crashedOperation[rank] = crashedOrder[rank]!;
    crashedRank[crashedOrder[rank]!] = rank;
  }
  return { crashedOperation, crashedRank };
}
