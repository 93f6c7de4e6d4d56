/**
 * The search at the heart of the linearizability checker: Wing & Gong's backtracking search with
 * Lowe's just-in-time linearization, memoized on (set of linearized operations, model state), for
 * one partition of a history. See docs/linearizability.md for the algorithm in prose.
 *
 * Data layout (everything is an integer in a typed array; the loop does not allocate):
 * - The arrays come from a pool shared by successive searches (./buffers.ts) and go back to it
 *   when the search reaches its verdict.
 * - Operations are numbered 0..n-1 in the order given. Entry i is the call of operation i and
 *   entry n+i its return. Entries sit in a doubly linked list (`next`/`previous`), sorted by time
 *   with calls before returns at equal times (intervals are closed). Indeterminate operations have
 *   no return entry: nothing ever forces them to take effect.
 * - Model states are interned to small integers; `transition` memoizes `model.step` per
 *   (operation, state) pair in an open-addressing table.
 * - The set of linearized operations is a bitset with an incrementally maintained Zobrist hash.
 *   The cache stores each seen (bitset, state) once, in an open-addressing table over records
 *   of four integers in one typed array. A bitset is stored trimmed: the words before the first
 *   one that is not all ones and after the last non-zero one are implied, so long histories stay
 *   small. The search counts the bytes of every array it holds against the memory budget.
 *
 * Pruning, on top of the classic algorithm, each safe by a dominance argument:
 * - An indeterminate operation whose step leaves the state unchanged is never linearized: leaving
 *   it out reaches the same state with the same obligations and keeps it available later. One
 *   that leaves every state unchanged (model.readOnly, an indeterminate read) is not even a
 *   candidate: it stays out of the entry list, so the search does not try it again at each depth.
 * - (Off, see `placeIndeterminateJustInTime`.) An indeterminate operation is placed only
 *   immediately before an operation that depends on it (see `needs`).
 * - An operation that no reachable state allows ends the search (see `impossibleOperation`).
 * - A completed read-only operation (model.readOnly) that is legal now dominates every other
 *   choice at this point, so when its subtree fails the search backtracks past it at once.
 * - A placement the model's guard (Model.guard) rules out is skipped: the guard answers for
 *   the configuration it leads to, which has no completion.
 */
import type { Operation } from "../history.js";
import { giveInt32, takeInt32 } from "./buffers.js";
import type { AnyModel, PlacementGuard } from "./model.js";

/** Limits shared by all partitions of one check; `exhausted` records why a search gave up. */
export interface Budget {
  readonly now: (() => number) | undefined;
  readonly deadline: number;
  readonly maxSteps: number;
  /** Bytes all partitions' searches may hold at once (see `PartitionSearch.memoryBytes`). */
  readonly memoryBytesMax: number;
  /** Bytes held by the searches of the other partitions; the scheduler sets it before a slice. */
  memoryBytesOthers: number;
  steps: number;
  exhausted: "timeout" | "steps" | "memory" | undefined;
}

/**
 * Bytes counted for each interned model state, beside the typed arrays: a state is a JavaScript
 * value on the heap (a kv state is an object with a value and a hash; appended strings are
 * ropes). An estimate, not a measurement: the typed arrays dominate on every history measured.
 */
const stateBytesEstimate = 64;

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

export type SearchOutcome =
  | {
      readonly kind: "linearizable";
      /** The operations in linearization order (partition-local numbers). */
      readonly linearization: readonly number[];
    }
  | { readonly kind: "unknown" }
  | { readonly kind: "not-linearizable"; readonly deepest: Deepest; readonly states: StateTable };

/** Interned model states. */
export interface StateTable {
  readonly values: unknown[];
  readonly initial: number;
  /** Bytes the table holds: its typed arrays plus an estimate per state. */
  bytes(): number;
  /** The state id after `operation` in state `state`, or -1 when illegal. */
  transition(operation: number, state: number): number;
}

const checkEverySteps = 1024;

/**
 * Whether, among calls that follow each other in the entry list, the one that returns first is
 * tried first. It changes only the order in which the search tries candidates, never the set of
 * candidates. Off: with the other rules it saved 17-25 % of the steps on the hard kv and register
 * histories, but one Knossos file (memstress3-55) went from 4 K to 460 K steps and the Knossos
 * corpus took 40 % more time (docs/linearizability.md, "Hard histories").
 */
const orderCallsByReturn = false;

/**
 * Whether indeterminate operations are placed just in time (see `needs`). Off: it is sound (and
 * tested against brute force with it on), but configurations reached by an indeterminate
 * operation then cannot be cached, and on the Knossos corpus that cost about half again as much
 * time as the pruning saved; on the hard benchmark it saved under 15 % of the steps.
 */
const placeIndeterminateJustInTime = false;

/**
 * Whether indeterminate operations are tried after every completed candidate, rather than in
 * call order among them.
 */
const indeterminateLast = false;

/** A 32-bit mixer (the finalizer of MurmurHash3). */
export function mix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

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
function stateTableOf(
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
const impossibleSearchStepsMax = 1 << 14;

/**
 * A completed operation that is illegal in every state the partition's operations can reach,
 * applied in any order and any number of times, starting from the initial state; `undefined`
 * when there is none, or when the states are too many to list (appended strings, for example).
 * Such an operation can be placed in no linearization, so the partition is not linearizable; the
 * search would otherwise try every order of everything called before that operation returned,
 * which on a long history with many indeterminate operations takes longer than any budget. A read
 * of a value that only a failed write wrote is the everyday case.
 */
function impossibleOperation(
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

/** A search that can run in slices, so that partitions can take turns. */
export interface PartitionSearch {
  /**
   * Runs at most `stepsMax` more steps (rounded up to a multiple of 1,024). Returns the outcome,
   * or `undefined` when the slice ran out first; the search can then be resumed.
   */
  run(budget: Budget, stepsMax: number): SearchOutcome | undefined;
  /** Cached (linearized set, state) pairs so far. */
  readonly cacheEntries: number;
  /** Bytes the search holds now: its typed arrays (entry list, stack, cache) and state table. */
  readonly memoryBytes: number;
  /** The most operations linearized at once so far (the deepest point of the search). */
  readonly depthMax: number;
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

/**
 * A hash of a value as a model may see it: values `sameValue` finds equal hash equal. Texts are
 * numbered through `textIds` (a Map hashes them natively, where a character loop would run in
 * V8's interpreter on a first check), and the numbers mixed: building a text key per operation
 * (`JSON.stringify` for a CAS's pair) took a sixth of a warm check of a 220-operation history.
 */
function valueHash(value: unknown, textIds: Map<string, number>): number {
  switch (typeof value) {
    case "number":
      return Number.isInteger(value) && Math.abs(value) < 2 ** 31
        ? mix32((value | 0) ^ 0x1b873593)
        : textHash(`n${value}`, textIds);
    case "string":
      return textHash(value, textIds) ^ 0x2545f491;
    case "boolean":
      return value ? 0x3c6ef372 : 0x5851f42d;
    case "undefined":
      return 0x7f4a7c15;
    case "object": {
      if (value === null) return 0x12b9b0a1;
      if (!Array.isArray(value)) return textHash(`o${JSON.stringify(value)}`, textIds);
      let hash = 0x6a09e667 ^ value.length;
      for (const element of value) hash = mix32(Math.imul(hash, 31) + valueHash(element, textIds));
      return hash;
    }
    default:
      return textHash(`${typeof value}${String(value)}`, textIds);
  }
}

/** A text's number in `textIds` (given on first sight), mixed. */
function textHash(text: string, textIds: Map<string, number>): number {
  let id = textIds.get(text);
  if (id === undefined) {
    id = textIds.size;
    textIds.set(text, id);
  }
  return mix32(Math.imul(id + 1, 0x27d4eb2f));
}

/** Whether a model can tell two values apart: primitives by `===` (NaN equal to itself), arrays element by element, other objects by their JSON. */
function sameValue(left: unknown, right: unknown): boolean {
  if (typeof left !== typeof right) return false;
  if (typeof left !== "object" || left === null || right === null) {
    return left === right || (Number.isNaN(left) && Number.isNaN(right));
  }
  if (Array.isArray(left) !== Array.isArray(right)) return false;
  if (!Array.isArray(left)) return JSON.stringify(left) === JSON.stringify(right);
  const other = right as unknown[];
  if (left.length !== other.length) return false;
  for (let index = 0; index < left.length; index++) if (!sameValue(left[index], other[index])) return false;
  return true;
}

/** Whether the model cannot tell two operations apart (see `twinsOf`). */
function sameIdentity(left: Operation, right: Operation): boolean {
  return (
    left.f === right.f &&
    left.key === right.key &&
    left.status === right.status &&
    sameValue(left.input, right.input) &&
    sameValue(left.output, right.output)
  );
}

/** A hash of what the model sees of an operation (see `Model.step`); `undefined` when a value cannot be written down. */
function identityHashOf(operation: Operation, textIds: Map<string, number>): number | undefined {
  try {
    let hash = textHash(operation.f, textIds);
    hash = mix32(
      Math.imul(hash, 31) + (operation.key === null ? 0x12b9b0a1 : textHash(operation.key, textIds)),
    );
    hash = mix32(Math.imul(hash, 31) + textHash(operation.status, textIds));
    hash = mix32(Math.imul(hash, 31) + valueHash(operation.input, textIds));
    return mix32(Math.imul(hash, 31) + valueHash(operation.output, textIds));
  } catch {
    return undefined;
  }
}

/**
 * For each operation, the interchangeable operation tried before it, or -1. Two operations are
 * interchangeable when the model cannot tell them apart (same function, key, input, output and
 * status: `Model.step` looks at nothing else), so linearizing one or the other leads to the same
 * state. Completed ones are ordered by return (then number): of two interchangeable candidates
 * both called, the one that returns first can take the other's place in any linearization (its
 * deadline is no later), so the search tries only it. Indeterminate ones are ordered by call
 * (`crashedOrder`): the linearized ones of a kind are always the first called.
 */
function twinsOf(operations: readonly Operation[], crashedOrder: readonly number[]): Int32Array<ArrayBuffer> {
  const n = operations.length;
  const twin = takeInt32(n).fill(-1);
  const completed: number[] = [];
  for (let index = 0; index < n; index++)
    if (Number.isFinite(operations[index]!.returnUs)) completed.push(index);
  completed.sort((left, right) => operations[left]!.returnUs - operations[right]!.returnUs || left - right);
  const textIds = new Map<string, number>();
  for (const sequence of [completed, crashedOrder]) {
    // Per identity hash, the latest operation of each identity with that hash.
    const latest = new Map<number, number[]>();
    for (const operation of sequence) {
      const hash = identityHashOf(operations[operation]!, textIds);
      if (hash === undefined) continue;
      const bucket = latest.get(hash);
      if (bucket === undefined) {
        latest.set(hash, [operation]);
        continue;
      }
      let place = 0;
      while (place < bucket.length && !sameIdentity(operations[bucket[place]!]!, operations[operation]!))
        place++;
      if (place < bucket.length) twin[operation] = bucket[place]!;
      bucket[place] = operation;
    }
  }
  return twin;
}

/**
 * The entry list of a partition (see the header): entries linked in time order, calls before
 * returns at equal times, with the list's head at entry `2n`. Indeterminate operations have no
 * return entry and are kept apart, sorted by call, in `crashedOrder`.
 */
interface EntryList {
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

function entryListOf(operations: readonly Operation[], model: AnyModel): EntryList {
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
function indeterminateRanksOf(
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

/**
 * The bitset of linearized completed operations as the search starts, and the Zobrist words of
 * its hash. The bits of indeterminate operations are always set (they live in `crashedBits`), so
 * that the trimmed form stays short. The hash is the XOR of a random word per linearized
 * operation, of either kind. `fullWords` and `highWord` trim the bitset: see `remember`.
 */
function linearizedSetOf(crashed: Int32Array<ArrayBuffer>, operationCount: number) {
  const wordCount = (operationCount + 31) >>> 5;
  const bits = takeInt32(wordCount);
  const zobrist = takeInt32(operationCount);
  for (let index = 0; index < operationCount; index++) {
    zobrist[index] = mix32(Math.imul(index + 1, 0x9e3779b9) ^ 0x5bd1e995);
    if (crashed[index] === 1) bits[index >>> 5]! |= 1 << (index & 31);
  }
  let fullWords = 0;
  while (fullWords < wordCount && bits[fullWords] === -1) fullWords++;
  let highWord = wordCount - 1;
  while (highWord >= 0 && bits[highWord] === 0) highWord--;
  return { bits, zobrist, wordCount, fullWords, highWord };
}

const recordSize = 4;
const tagBits = 5;
/** Most entries: the entry number and its tag share one 32-bit slot. */
const entryCountMax = 2 ** (32 - tagBits) - 2;

/**
 * The cache of seen configurations: the sets of linearized completed and indeterminate
 * operations, and the state. Each entry is one record of four integers (its
 * hash, state, first stored bitset word and where its words start in `words`; its length is
 * where the next entry's words start), so that a lookup touches one cache line for the record.
 * The open-addressing slots hold the entry's number and five bits of its hash, so that most
 * probes of other entries never touch their records. Measured on the long kv histories of the
 * hard benchmark, this layout against five separate arrays per field: see
 * docs/linearizability.md, "Hard histories".
 */
class ConfigurationCache {
  /** Entries stored. */
  entryCount = 0;
  /** Set once a configuration was left out for want of memory. */
  full = false;
  private slotCapacity = 64;
  private slotMask: number;
  private slots: Int32Array<ArrayBuffer>;
  private entryCapacity: number;
  private records: Int32Array<ArrayBuffer>;
  private words: Int32Array<ArrayBuffer>;
  private wordsUsed = 0;
  /** The search's bitsets, read in place at each lookup. */
  private readonly bits: Int32Array<ArrayBuffer>;
  private readonly crashedBits: Int32Array<ArrayBuffer>;
  private readonly crashedWordCount: number;
  /** Whether the search may hold `extraBytes` more within its memory budget. */
  private readonly fits: (extraBytes: number) => boolean;

  constructor(options: {
    bits: Int32Array<ArrayBuffer>;
    crashedBits: Int32Array<ArrayBuffer>;
    crashedWordCount: number;
    operationCount: number;
    fits: (extraBytes: number) => boolean;
  }) {
    this.bits = options.bits;
    this.crashedBits = options.crashedBits;
    this.crashedWordCount = options.crashedWordCount;
    this.fits = options.fits;
    while (this.slotCapacity < options.operationCount * 16 && this.slotCapacity < 1 << 16)
      this.slotCapacity *= 2;
    this.slotMask = this.slotCapacity - 1;
    this.slots = takeInt32(this.slotCapacity);
    this.entryCapacity = this.slotCapacity >>> 1;
    this.records = takeInt32(this.entryCapacity * recordSize);
    this.words = takeInt32(this.entryCapacity * 2);
  }

  /** Bytes of the cache's arrays. */
  bytes(): number {
    return 4 * (this.slots.length + this.records.length + this.words.length);
  }

  /** Gives the arrays back to the pool; the cache must not be used afterwards. */
  release(): void {
    giveInt32(this.slots, this.records, this.words);
  }

  /**
   * Adds the configuration (bits, crashedBits, state) to the cache and returns true, or returns
   * false when it was there; with `insert` false, only looks. Words of `bits` below `low` are all
   * ones and words from `low + length` on are all zeros; `bitsHash` covers both sets.
   *
   * Tried and left: a configuration with a superset of a cached one's indeterminate operations
   * (and the same completed ones and state) is dominated by it, since an indeterminate operation
   * may be left out. Looking for subsets means leaving the indeterminate operations out of the
   * hash, and on the etcd logs (up to 19 crashed operations) the probe chains that made took
   * twice the time the pruning saved (docs/linearizability.md, "Hard histories").
   */
  remember(bitsHash: number, state: number, low: number, length: number, insert: boolean): boolean {
    const hash = mix32(bitsHash ^ Math.imul(state + 1, 0x27d4eb2f));
    const tag = hash >>> (32 - tagBits);
    const stored = length + this.crashedWordCount;
    let at = this.freeSlotFor(hash, state, low, length);
    if (at < 0) return false;
    if (!insert) return true;
    if (
      this.entryCount === this.entryCapacity ||
      (this.entryCount + 1) * 2 > this.slotCapacity ||
      this.wordsUsed + stored > this.words.length
    ) {
      if (!this.makeRoom(stored)) {
        // Not caching a configuration is always sound (only slower); the search stops at its
        // next budget check with the verdict unknown (memory).
        this.full = true;
        return true;
      }
      at = hash & this.slotMask;
      while (this.slots[at] !== 0) at = (at + 1) & this.slotMask;
    }
    const { bits, crashedBits, words, wordsUsed } = this;
    for (let word = 0; word < length; word++) words[wordsUsed + word] = bits[low + word]!;
    for (let word = 0; word < this.crashedWordCount; word++)
      words[wordsUsed + length + word] = crashedBits[word]!;
    const record = this.entryCount * recordSize;
    this.records[record] = hash;
    this.records[record + 1] = state;
    this.records[record + 2] = low;
    this.records[record + 3] = wordsUsed;
    this.wordsUsed += stored;
    this.entryCount++;
    this.slots[at] = (this.entryCount << tagBits) | tag;
    return true;
  }

  /**
   * Where the configuration with this `hash` would be stored (see `remember`): the free slot its
   * probe reaches, or -1 when it is stored already.
   */
  private freeSlotFor(hash: number, state: number, low: number, length: number): number {
    const { slots, records, words, bits, crashedBits, crashedWordCount } = this;
    const tag = hash >>> (32 - tagBits);
    const stored = length + crashedWordCount;
    let at = hash & this.slotMask;
    for (; slots[at] !== 0; at = (at + 1) & this.slotMask) {
      const slot = slots[at]!;
      if ((slot & ((1 << tagBits) - 1)) !== tag) continue;
      const entry = (slot >>> tagBits) - 1;
      const record = entry * recordSize;
      if (records[record] !== hash || records[record + 1] !== state || records[record + 2] !== low) continue;
      const start = records[record + 3]!;
      const end = entry + 1 < this.entryCount ? records[record + recordSize + 3]! : this.wordsUsed;
      if (end - start !== stored) continue;
      let same = true;
      for (let word = 0; word < length; word++) {
        if (words[start + word] !== bits[low + word]) {
          same = false;
          break;
        }
      }
      for (let word = 0; same && word < crashedWordCount; word++) {
        if (words[start + length + word] !== crashedBits[word]) same = false;
      }
      if (same) return -1;
    }
    return at;
  }

  /**
   * Grows the cache's arrays so that one more entry of `length` words fits, unless that would
   * take the search past the memory budget; returns whether it fits.
   */
  private makeRoom(length: number): boolean {
    if (this.entryCount >= entryCountMax) return false;
    const growEntries = this.entryCount === this.entryCapacity;
    const growSlots = (this.entryCount + 1) * 2 > this.slotCapacity;
    const { words, wordsUsed } = this;
    const wordsWanted =
      wordsUsed + length > words.length ? Math.max(words.length * 2, wordsUsed + length) : 0;
    let extraBytes = 4 * wordsWanted;
    if (growEntries) extraBytes += 4 * recordSize * this.entryCapacity * 2;
    if (growSlots) extraBytes += 4 * this.slotCapacity * 2;
    if (!this.fits(extraBytes)) return false;
    if (growEntries) this.growEntries();
    if (growSlots) this.growSlots();
    if (wordsWanted > 0) {
      const grown = takeInt32(wordsWanted);
      grown.set(words.subarray(0, wordsUsed));
      giveInt32(words);
      this.words = grown;
    }
    return true;
  }

  private growSlots(): void {
    this.slotCapacity *= 2;
    this.slotMask = this.slotCapacity - 1;
    giveInt32(this.slots);
    const slots = takeInt32(this.slotCapacity);
    this.slots = slots;
    for (let entry = 0; entry < this.entryCount; entry++) {
      const hash = this.records[entry * recordSize]!;
      let at = hash & this.slotMask;
      while (slots[at] !== 0) at = (at + 1) & this.slotMask;
      slots[at] = ((entry + 1) << tagBits) | (hash >>> (32 - tagBits));
    }
  }

  private growEntries(): void {
    this.entryCapacity *= 2;
    const grown = takeInt32(this.entryCapacity * recordSize);
    grown.set(this.records);
    giveInt32(this.records);
    this.records = grown;
  }
}

/**
 * Prepares the search for a linearization of one partition. `operations` must not contain
 * `fail` operations; indeterminate ones have `returnUs === Infinity`.
 */
export function startSearch(
  operations: readonly Operation[],
  model: AnyModel,
  recordDeepest: boolean,
): PartitionSearch {
  const n = operations.length;
  // What the model knows of this partition that prunes placements (Model.guard).
  const guard = model.guard?.(operations);
  const { table, release: releaseTable } = stateTableOf(operations, model, guard);
  const transition = table.transition;
  const { crashed, dominant, crashedOrder, next, previous, callRank } = entryListOf(operations, model);
  const head = 2 * n;
  /** Completed operations not yet linearized. */
  let remaining = n - crashedOrder.length;
  const twin = twinsOf(operations, crashedOrder);

  // Indeterminate operations, by rank in `crashedOrder`, and which of them are linearized.
  const crashedCount = crashedOrder.length;
  const { crashedOperation, crashedRank } = indeterminateRanksOf(crashedOrder, n);
  const crashedWordCount = (crashedCount + 31) >>> 5;
  const crashedBits = takeInt32(crashedWordCount);
  /** Entries from here on stand for the indeterminate candidates, by rank. */
  const crashedPhase = 2 * n + 1;
  const linearized = linearizedSetOf(crashed, n);
  const { bits, zobrist, wordCount } = linearized;

  const fixedBytes = 4 * (10 * n + 2 + 2 * wordCount + crashedWordCount);
  let budgetOfRun: Budget | undefined;
  /** Bytes held now. */
  const heldBytes = (): number => fixedBytes + cache.bytes() + table.bytes();
  const cache = new ConfigurationCache({
    bits,
    crashedBits,
    crashedWordCount,
    operationCount: n,
    fits: (extraBytes) =>
      heldBytes() + extraBytes + budgetOfRun!.memoryBytesOthers <= budgetOfRun!.memoryBytesMax,
  });

  const stackOperation = takeInt32(n);
  const stackState = takeInt32(n);
  /** For an indeterminate operation on the stack: the return entry that bounded its candidates. */
  const stackBound = takeInt32(n);
  /** Gives the search's arrays back once it has its verdict (and the table, unless the verdict shows it). */
  const release = (keepTable: boolean): void => {
    giveInt32(crashed, dominant, next, previous, callRank, twin, bits, zobrist, stackOperation, stackState);
    giveInt32(crashedOperation, crashedRank, crashedBits, stackBound);
    cache.release();
    if (!keepTable) releaseTable();
  };
  const isLinearized = (operation: number): boolean =>
    crashed[operation] === 1
      ? (crashedBits[crashedRank[operation]! >>> 5]! & (1 << (crashedRank[operation]! & 31))) !== 0
      : (bits[operation >>> 5]! & (1 << (operation & 31))) !== 0;
  // The search's position, saved between slices.
  let savedDepth = 0;
  let savedState = table.initial;
  let savedEntry = next[head]!;
  let savedBound = -1;
  let savedBitsHash = 0;
  let savedFullWords = linearized.fullWords;
  let savedHighWord = linearized.highWord;
  let depthMax = 0;
  let finished: SearchOutcome | undefined =
    remaining === 0 ? { kind: "linearizable", linearization: [] } : undefined;
  if (finished !== undefined) release(false);
  const unplaceable = finished === undefined ? guard?.unplaceable?.() : undefined;
  if (unplaceable !== undefined) {
    const failing = unplaceable.operation;
    finished = {
      kind: "not-linearizable",
      deepest: { prefix: [], states: [], failing, pending: [failing], witnesses: unplaceable.witnesses },
      states: table,
    };
    release(true);
  }
  // An operation impossible everywhere is looked for only once the search has run a while: most
  // histories are decided sooner (the check costs a model step per operation and reachable state,
  // as much as a whole easy search), and the search, when it ends soon, names the first operation
  // whose return cannot be passed, with the longest prefix.
  let impossibleChecked = false;
  let searchSteps = 0;
  let deepestDepth = -1;

  /**
   * Counts `checkEverySteps` more steps against the budget and, once the search has run a while,
   * looks for an operation that is impossible everywhere. Returns the outcome that ends the
   * search there, if any.
   */
  const spendSteps = (budget: Budget): SearchOutcome | undefined => {
    budget.steps += checkEverySteps;
    if (budget.steps > budget.maxSteps) budget.exhausted = "steps";
    else if (cache.full || heldBytes() + budget.memoryBytesOthers > budget.memoryBytesMax)
      // The cache checks before it grows; the state table (model states) grows unchecked
      // between two checks, by at most 1,024 steps' worth.
      budget.exhausted = "memory";
    else if (budget.now !== undefined && budget.now() > budget.deadline) budget.exhausted = "timeout";
    if (budget.exhausted !== undefined) return { kind: "unknown" };
    searchSteps += checkEverySteps;
    if (impossibleChecked || searchSteps <= impossibleSearchStepsMax) return undefined;
    impossibleChecked = true;
    const impossible = impossibleOperation(operations, table);
    if (impossible === undefined) return undefined;
    return {
      kind: "not-linearizable",
      deepest: {
        prefix: [],
        states: [],
        failing: impossible.operation,
        pending: [impossible.operation],
        reachableStates: impossible.reachableStates,
      },
      states: table,
    };
  };

  // The deepest point where the search had to backtrack, kept for the explanation. The stack up
  // to it is mirrored lazily: only the positions popped since the last record are copied again
  // (`deepestSynced`), so a search that goes ever deeper copies each pushed operation about once
  // instead of its whole prefix at every new depth (that copy was about 15 % of a check's time).
  const deepestOperations: number[] = [];
  const deepestStatesBefore: number[] = [];
  let deepestSynced = 0;
  let deepestState = 0;
  let deepestFailing = -1;

  const recordFailure = (depth: number, state: number, entry: number): void => {
    deepestDepth = depth;
    for (let position = deepestSynced; position < depth; position++) {
      deepestOperations[position] = stackOperation[position]!;
      deepestStatesBefore[position] = stackState[position]!;
    }
    deepestSynced = depth;
    deepestState = state;
    deepestFailing = entry - n;
  };

  /**
   * The recorded deepest point (see `Deepest`), built when the verdict needs it. Its pending
   * operations are those called (calls come before returns at equal times) before the failing
   * operation returned and not in the prefix, in list order.
   */
  const deepestOf = (): Deepest | undefined => {
    if (deepestFailing < 0) return undefined;
    const prefix = deepestOperations.slice(0, deepestDepth);
    const states = [...deepestStatesBefore.slice(1, deepestDepth), deepestState];
    const inPrefix = new Uint8Array(n);
    for (const operation of prefix) inPrefix[operation] = 1;
    const bound = operations[deepestFailing]!.returnUs;
    const pending: number[] = [];
    for (let operation = 0; operation < n; operation++) {
      if (inPrefix[operation] === 1 || operations[operation]!.callUs > bound) continue;
      if (!indeterminateLast || crashed[operation] === 0) pending.push(operation);
    }
    pending.sort((left, right) => callRank[left]! - callRank[right]!);
    for (let rank = 0; indeterminateLast && rank < crashedCount; rank++) {
      const operation = crashedOperation[rank]!;
      if (operations[operation]!.callUs > bound) break;
      if (inPrefix[operation] === 0) pending.push(operation);
    }
    return { prefix, states, failing: deepestFailing, pending };
  };

  /**
   * Whether `operation`, going to `after` right after the indeterminate `crashedOperation` took
   * the state from `before`, depends on it. Just-in-time linearization of indeterminate
   * operations: one is only placed immediately before an operation that depends on it.
   *
   * Soundness. Take any linearization L and any indeterminate X in it, immediately followed by Y,
   * with s the state before X. If Y is legal in s and (a) leads from s to the same state as
   * from after X, drop X (it is optional; nothing after changes); or if Y is a completed
   * operation and (b) X is legal after Y and Y-then-X ends in the same state as X-then-Y, swap
   * them. Real time allows both: X never returns, so nothing has to come after it, and X moved
   * later is still after its call. Each rewrite removes an indeterminate operation or moves one
   * past a completed one, so rewriting ends (swapping two indeterminate operations could go on
   * forever: hence (b) only for completed Y), and an X left last is dropped. What remains is a
   * linearization in which every indeterminate operation is immediately followed by one for
   * which neither (a) nor (b) holds: one this returns true for. So the search, which only builds such orders, finds a linearization when one exists.
   * The rewriting acts on the operations after any point alone, so it holds from every
   * configuration the search reaches by a completed operation (those are the ones it caches).
   * The read-only dominance rule still holds: a legal read-only operation that depends on X can
   * be moved first among the rest, as before.
   */
  const needs = (crashedOperation: number, before: number, operation: number, after: number): boolean => {
    const without = transition(operation, before);
    if (without < 0) return true;
    if (without === after) return false;
    return crashed[operation] === 1 || transition(crashedOperation, without) !== after;
  };

  const run = (budget: Budget, stepsMax: number): SearchOutcome | undefined => {
    if (finished !== undefined) return finished;
    let depth = savedDepth;
    let state = savedState;
    let entry = savedEntry;
    let bound = savedBound;
    let bitsHash = savedBitsHash;
    let fullWords = savedFullWords;
    let highWord = savedHighWord;
    budgetOfRun = budget;
    let stepsLeft = stepsMax;
    let countdown = checkEverySteps;
    let outcome: SearchOutcome | undefined;
    for (;;) {
      if (remaining === 0) {
        outcome = { kind: "linearizable", linearization: Array.from(stackOperation.subarray(0, depth)) };
        break;
      }
      if (--countdown === 0) {
        countdown = checkEverySteps;
        stepsLeft -= checkEverySteps;
        outcome = spendSteps(budget);
        if (outcome !== undefined || stepsLeft <= 0) break;
      }
      // The candidate to try: the call of a completed operation, or (once the scan reached the
      // first return entry, `bound`) an indeterminate operation called before that return.
      let operation = -1;
      if (entry >= 0 && entry < n) {
        operation = entry;
        entry = next[entry]!;
        const earlier = twin[operation]!;
        // An interchangeable operation that returns no later and whose call comes first in the
        // list was (or will be) tried here instead; of interchangeable indeterminate operations,
        // the one called first is placed first: see `twinsOf`.
        if (
          earlier >= 0 &&
          (crashed[operation] === 1
            ? !isLinearized(earlier)
            : callRank[earlier]! < callRank[operation]! &&
              (bits[earlier >>> 5]! & (1 << (earlier & 31))) === 0)
        )
          continue;
      } else if (entry >= n && entry < 2 * n) {
        bound = entry;
        if (indeterminateLast) {
          entry = crashedPhase;
          continue;
        }
      } else if (entry >= crashedPhase) {
        const rank = entry - crashedPhase;
        if (
          rank < crashedCount &&
          operations[crashedOperation[rank]!]!.callUs <= operations[bound - n]!.returnUs
        ) {
          operation = crashedOperation[rank]!;
          entry++;
          const earlier = twin[operation]!;
          // Of interchangeable indeterminate operations, the one called first is placed first.
          if (isLinearized(operation) || (earlier >= 0 && !isLinearized(earlier))) continue;
        }
      }
      if (operation >= 0) {
        // Try to linearize this operation now.
        const after = transition(operation, state);
        const placedLast = depth > 0 ? stackOperation[depth - 1]! : -1;
        const isCrashed = crashed[operation] === 1;
        if (
          after < 0 ||
          (isCrashed && after === state) ||
          (placeIndeterminateJustInTime &&
            placedLast >= 0 &&
            crashed[placedLast] === 1 &&
            !needs(placedLast, stackState[depth - 1]!, operation, after)) ||
          (guard !== undefined &&
            after !== state &&
            !guard.allows(operation, table.values[state], table.values[after], isLinearized))
        )
          continue;
        const word = operation >>> 5;
        const bit = 1 << (operation & 31);
        const crashedWord = isCrashed ? crashedRank[operation]! >>> 5 : 0;
        const crashedBit = isCrashed ? 1 << (crashedRank[operation]! & 31) : 0;
        if (isCrashed) {
          crashedBits[crashedWord]! |= crashedBit;
          bitsHash ^= zobrist[operation]!;
        } else {
          bits[word]! |= bit;
          bitsHash ^= zobrist[operation]!;
          if (word > highWord) highWord = word;
          if (word === fullWords) while (fullWords < wordCount && bits[fullWords] === -1) fullWords++;
          while (highWord >= 0 && bits[highWord] === 0) highWord--;
        }
        const length = highWord >= fullWords ? highWord - fullWords + 1 : 0;
        // With just-in-time placement, a configuration reached by an indeterminate operation is
        // looked up, never stored: the search below it is restricted (see `needs`), so it cannot
        // vouch for the configuration.
        if (cache.remember(bitsHash, after, fullWords, length, !isCrashed || !placeIndeterminateJustInTime)) {
          stackOperation[depth] = operation;
          stackState[depth] = state;
          stackBound[depth] = bound;
          depth++;
          if (depth > depthMax) depthMax = depth;
          state = after;
          if (!isCrashed || !indeterminateLast) {
            // Lift the call entry out of the list.
            const callPrevious = previous[operation]!;
            const callNext = next[operation]!;
            next[callPrevious] = callNext;
            if (callNext >= 0) previous[callNext] = callPrevious;
          }
          if (!isCrashed) {
            // And its return entry.
            const returnEntry = n + operation;
            const returnPrevious = previous[returnEntry]!;
            const returnNext = next[returnEntry]!;
            next[returnPrevious] = returnNext;
            if (returnNext >= 0) previous[returnNext] = returnPrevious;
            remaining--;
          }
          entry = next[head]!;
          continue;
        }
        if (isCrashed) {
          crashedBits[crashedWord]! &= ~crashedBit;
          bitsHash ^= zobrist[operation]!;
          continue;
        }
        bits[word]! &= ~bit;
        bitsHash ^= zobrist[operation]!;
        if (word < fullWords) fullWords = word;
        // Seen before, so it failed: a legal read-only operation dominates the other choices.
        if (dominant[operation] === 1) entry = -1;
        continue;
      }
      // Every candidate was tried (or a read-only operation's failure decided): backtrack.
      if (recordDeepest && depth > deepestDepth && (entry >= crashedPhase || (entry >= n && entry < 2 * n)))
        recordFailure(depth, state, bound);
      let popped = -1;
      do {
        if (depth === 0) break;
        depth--;
        if (depth < deepestSynced) deepestSynced = depth;
        popped = stackOperation[depth]!;
        state = stackState[depth]!;
        if (crashed[popped] === 1) {
          crashedBits[crashedRank[popped]! >>> 5]! &= ~(1 << (crashedRank[popped]! & 31));
          bitsHash ^= zobrist[popped]!;
          if (indeterminateLast) continue;
        } else {
          // Put the entries back, return first (the reverse of lifting).
          const returnEntry = n + popped;
          next[previous[returnEntry]!] = returnEntry;
          const returnNext = next[returnEntry]!;
          if (returnNext >= 0) previous[returnNext] = returnEntry;
          remaining++;
        }
        next[previous[popped]!] = popped;
        const callNext = next[popped]!;
        if (callNext >= 0) previous[callNext] = popped;
        if (crashed[popped] === 1) continue;
        const word = popped >>> 5;
        bits[word]! &= ~(1 << (popped & 31));
        bitsHash ^= zobrist[popped]!;
        if (word < fullWords) fullWords = word;
      } while (dominant[popped] === 1);
      if (popped < 0 || (dominant[popped] === 1 && depth === 0)) {
        outcome = {
          kind: "not-linearizable",
          deepest: deepestOf() ?? {
            prefix: [],
            states: [],
            failing: bound >= n ? bound - n : 0,
            pending: [],
          },
          states: table,
        };
        break;
      }
      if (crashed[popped] === 1 && indeterminateLast) {
        bound = stackBound[depth]!;
        entry = crashedPhase + crashedRank[popped]! + 1;
      } else {
        entry = next[popped]!;
      }
    }
    savedDepth = depth;
    savedState = state;
    savedEntry = entry;
    savedBound = bound;
    savedBitsHash = bitsHash;
    savedFullWords = fullWords;
    savedHighWord = highWord;
    if (outcome !== undefined && outcome.kind !== "unknown") {
      finished = outcome;
      release(outcome.kind === "not-linearizable");
    }
    return outcome;
  };

  return {
    run,
    get cacheEntries() {
      return cache.entryCount;
    },
    get memoryBytes() {
      return finished === undefined ? heldBytes() : 0;
    },
    get depthMax() {
      return depthMax;
    },
  };
}
