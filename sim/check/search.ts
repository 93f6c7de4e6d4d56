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
 * The parts live in ./search/: the state table (state-table.ts), the entry list (entry-list.ts),
 * interchangeable operations (twins.ts), the linearized set (linearized-set.ts), the cache
 * (configuration-cache.ts), the deepest point kept for explanations (deepest.ts), and the
 * switches tried and measured (tuning.ts). This file holds the search itself.
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
import { ConfigurationCache } from "./search/configuration-cache.js";
import { type Deepest, DeepestPoint } from "./search/deepest.js";
import { type EntryList, entryListOf, indeterminateRanksOf } from "./search/entry-list.js";
import { LinearizedSet } from "./search/linearized-set.js";
import {
  impossibleOperation,
  impossibleSearchStepsMax,
  type StateTable,
  stateTableOf,
} from "./search/state-table.js";
import { indeterminateLast, placeIndeterminateJustInTime } from "./search/tuning.js";
import { twinsOf } from "./search/twins.js";

export type { Deepest } from "./search/deepest.js";
export { mix32 } from "./search/hash.js";
export type { StateTable } from "./search/state-table.js";

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

export type SearchOutcome =
  | {
      readonly kind: "linearizable";
      /** The operations in linearization order (partition-local numbers). */
      readonly linearization: readonly number[];
    }
  | { readonly kind: "unknown" }
  | { readonly kind: "not-linearizable"; readonly deepest: Deepest; readonly states: StateTable };

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

const checkEverySteps = 1024;

/**
 * Prepares the search for a linearization of one partition. `operations` must not contain
 * `fail` operations; indeterminate ones have `returnUs === Infinity`.
 */
export function startSearch(
  operations: readonly Operation[],
  model: AnyModel,
  recordDeepest: boolean,
): PartitionSearch {
  return new GeneralSearch(operations, model, recordDeepest);
}

/** What `nextCandidate` returns when no candidate is left at this point: the search backtracks. */
const noCandidate = -1;
/** What `nextCandidate` returns for an entry it passes over without trying it: the step is spent. */
const passedOver = -2;

/**
 * The search of one partition (see the module comment). Its position (depth, state, scan entry,
 * bound) lives in fields, so that it can stop after any slice of steps and resume.
 */
class GeneralSearch implements PartitionSearch {
  private readonly operations: readonly Operation[];
  /** Operations in the partition; entries 0..n-1 are their calls, n..2n-1 their returns. */
  private readonly n: number;
  private readonly recordDeepest: boolean;
  /** What the model knows of this partition that prunes placements (Model.guard). */
  private readonly guard: PlacementGuard<unknown> | undefined;
  private readonly table: StateTable;
  private readonly releaseTable: () => void;
  private readonly list: EntryList;
  // The entry list's arrays, read at every step (see `EntryList`).
  private readonly crashed: Int32Array<ArrayBuffer>;
  private readonly dominant: Int32Array<ArrayBuffer>;
  private readonly next: Int32Array<ArrayBuffer>;
  private readonly previous: Int32Array<ArrayBuffer>;
  private readonly callRank: Int32Array<ArrayBuffer>;
  /** The list's head entry, 2n. */
  private readonly head: number;
  /** Each operation's interchangeable operation tried before it, or -1 (see `twinsOf`). */
  private readonly twin: Int32Array<ArrayBuffer>;
  // Indeterminate operations by rank in `crashedOrder`, and each one's rank.
  private readonly crashedCount: number;
  private readonly crashedOperation: Int32Array<ArrayBuffer>;
  private readonly crashedRank: Int32Array<ArrayBuffer>;
  /** Entries from here on stand for the indeterminate candidates, by rank. */
  private readonly crashedPhase: number;
  private readonly linearized: LinearizedSet;
  private readonly cache: ConfigurationCache;
  /** Bytes of the arrays whose size is fixed at the start. */
  private readonly fixedBytes: number;
  // The placed operations, the state before each, and for an indeterminate one the return entry
  // that bounded its candidates.
  private readonly stackOperation: Int32Array<ArrayBuffer>;
  private readonly stackState: Int32Array<ArrayBuffer>;
  private readonly stackBound: Int32Array<ArrayBuffer>;
  private readonly deepest: DeepestPoint;
  /** Hands `isLinearized` to the guard without building a function at each call. */
  private readonly isLinearized = (operation: number): boolean => this.linearized.has(operation);

  // The search's position, kept between slices.
  private depth = 0;
  private state: number;
  /** The entry the scan tries next. */
  private entry: number;
  /** The first return entry the scan reached at this depth: indeterminate candidates are called before it. */
  private bound = -1;
  /** Completed operations not yet linearized. */
  private remaining: number;
  private depthMaxSoFar = 0;
  private finished: SearchOutcome | undefined;
  /** The budget of the current slice, which the cache asks before it grows. */
  private budgetOfRun: Budget | undefined;
  // An operation impossible everywhere is looked for only once the search has run a while: most
  // histories are decided sooner (the check costs a model step per operation and reachable state,
  // as much as a whole easy search), and the search, when it ends soon, names the first operation
  // whose return cannot be passed, with the longest prefix.
  private impossibleChecked = false;
  private searchSteps = 0;

  constructor(operations: readonly Operation[], model: AnyModel, recordDeepest: boolean) {
    const n = operations.length;
    this.operations = operations;
    this.n = n;
    this.recordDeepest = recordDeepest;
    this.guard = model.guard?.(operations);
    const { table, release } = stateTableOf(operations, model, this.guard);
    this.table = table;
    this.releaseTable = release;
    const list = entryListOf(operations, model);
    this.list = list;
    this.crashed = list.crashed;
    this.dominant = list.dominant;
    this.next = list.next;
    this.previous = list.previous;
    this.callRank = list.callRank;
    this.head = 2 * n;
    this.remaining = n - list.crashedOrder.length;
    this.twin = twinsOf(operations, list.crashedOrder);
    this.crashedCount = list.crashedOrder.length;
    const ranks = indeterminateRanksOf(list.crashedOrder, n);
    this.crashedOperation = ranks.crashedOperation;
    this.crashedRank = ranks.crashedRank;
    this.crashedPhase = 2 * n + 1;
    this.linearized = new LinearizedSet({
      crashed: this.crashed,
      crashedRank: this.crashedRank,
      crashedCount: this.crashedCount,
      operationCount: n,
    });
    const { bits, crashedBits, wordCount, crashedWordCount } = this.linearized;
    this.fixedBytes = 4 * (10 * n + 2 + 2 * wordCount + crashedWordCount);
    this.cache = new ConfigurationCache({
      bits,
      crashedBits,
      crashedWordCount,
      operationCount: n,
      fits: (extraBytes) =>
        this.heldBytes() + extraBytes + this.budgetOfRun!.memoryBytesOthers <=
        this.budgetOfRun!.memoryBytesMax,
    });
    this.stackOperation = takeInt32(n);
    this.stackState = takeInt32(n);
    this.stackBound = takeInt32(n);
    this.deepest = new DeepestPoint({ operations: this.stackOperation, states: this.stackState });
    this.state = table.initial;
    this.entry = this.next[this.head]!;
    this.finished = this.decidedBeforeSearch();
  }

  get cacheEntries(): number {
    return this.cache.entryCount;
  }

  get memoryBytes(): number {
    return this.finished === undefined ? this.heldBytes() : 0;
  }

  get depthMax(): number {
    return this.depthMaxSoFar;
  }

  /**
   * Steps until the verdict, the budget's end or the end of the slice. Each step tries one entry
   * of the scan, or backtracks when none is left at this point.
   */
  run(budget: Budget, stepsMax: number): SearchOutcome | undefined {
    if (this.finished !== undefined) return this.finished;
    this.budgetOfRun = budget;
    let stepsLeft = stepsMax;
    let countdown = checkEverySteps;
    let outcome: SearchOutcome | undefined;
    for (;;) {
      if (this.remaining === 0) {
        outcome = {
          kind: "linearizable",
          linearization: Array.from(this.stackOperation.subarray(0, this.depth)),
        };
        break;
      }
      if (--countdown === 0) {
        countdown = checkEverySteps;
        stepsLeft -= checkEverySteps;
        outcome = this.spendSteps(budget);
        if (outcome !== undefined || stepsLeft <= 0) break;
      }
      const operation = this.nextCandidate();
      if (operation >= 0) this.tryToPlace(operation);
      else if (operation === noCandidate && !this.backtrack()) {
        outcome = this.notLinearizable();
        break;
      }
    }
    if (outcome !== undefined && outcome.kind !== "unknown") {
      this.finished = outcome;
      this.release(outcome.kind === "not-linearizable");
    }
    return outcome;
  }

  /** The outcome when it is known before the first step: nothing to place, or an operation the guard shows unplaceable. */
  private decidedBeforeSearch(): SearchOutcome | undefined {
    if (this.remaining === 0) {
      this.release(false);
      return { kind: "linearizable", linearization: [] };
    }
    const unplaceable = this.guard?.unplaceable?.();
    if (unplaceable === undefined) return undefined;
    const failing = unplaceable.operation;
    this.release(true);
    return {
      kind: "not-linearizable",
      deepest: { prefix: [], states: [], failing, pending: [failing], witnesses: unplaceable.witnesses },
      states: this.table,
    };
  }

  /**
   * The candidate to try at this step, with the scan moved past it: the call of a completed
   * operation, or (once the scan reached the first return entry, `bound`) an indeterminate
   * operation called before that return. `passedOver` for an entry not tried, `noCandidate` when
   * none is left at this point.
   */
  private nextCandidate(): number {
    const n = this.n;
    const entry = this.entry;
    if (entry >= 0 && entry < n) {
      this.entry = this.next[entry]!;
      const earlier = this.twin[entry]!;
      // An interchangeable operation that returns no later and whose call comes first in the
      // list was (or will be) tried here instead; of interchangeable indeterminate operations,
      // the one called first is placed first: see `twinsOf`.
      if (
        earlier >= 0 &&
        (this.crashed[entry] === 1
          ? !this.linearized.has(earlier)
          : this.callRank[earlier]! < this.callRank[entry]! && !this.linearized.has(earlier))
      )
        return passedOver;
      return entry;
    }
    if (entry >= n && entry < 2 * n) {
      this.bound = entry;
      if (!indeterminateLast) return noCandidate;
      this.entry = this.crashedPhase;
      return passedOver;
    }
    if (entry < this.crashedPhase) return noCandidate;
    const rank = entry - this.crashedPhase;
    if (rank >= this.crashedCount) return noCandidate;
    const operation = this.crashedOperation[rank]!;
    if (this.operations[operation]!.callUs > this.operations[this.bound - n]!.returnUs) return noCandidate;
    this.entry++;
    const earlier = this.twin[operation]!;
    // Of interchangeable indeterminate operations, the one called first is placed first.
    if (this.linearized.has(operation) || (earlier >= 0 && !this.linearized.has(earlier))) return passedOver;
    return operation;
  }

  /** Tries to linearize `operation` now: places it when it is legal, not pruned, and leads to a configuration not seen before. */
  private tryToPlace(operation: number): void {
    const after = this.table.transition(operation, this.state);
    if (after < 0 || (after === this.state && this.crashed[operation] === 1)) return;
    if ((this.guard !== undefined || placeIndeterminateJustInTime) && this.ruledOut(operation, after)) return;
    const linearized = this.linearized;
    linearized.add(operation);
    // With just-in-time placement, a configuration reached by an indeterminate operation is
    // looked up, never stored: the search below it is restricted (see `needs`), so it cannot
    // vouch for the configuration.
    const insert = !placeIndeterminateJustInTime || this.crashed[operation] === 0;
    const { hash, fullWords } = linearized;
    if (this.cache.remember(hash, after, fullWords, linearized.storedWords(), insert)) {
      this.push(operation, after);
      return;
    }
    linearized.remove(operation);
    // Seen before, so it failed: a legal read-only operation dominates the other choices (only
    // completed operations are marked dominant).
    if (this.dominant[operation] === 1) this.entry = -1;
  }

  /**
   * Whether a pruning rule skips placing `operation` (leading to `after`) here: just-in-time
   * placement of indeterminate operations (see `needs`), or the model's guard.
   */
  private ruledOut(operation: number, after: number): boolean {
    const { depth, state, guard } = this;
    if (placeIndeterminateJustInTime && depth > 0) {
      const placedLast = this.stackOperation[depth - 1]!;
      if (
        this.crashed[placedLast] === 1 &&
        !this.needs(placedLast, this.stackState[depth - 1]!, operation, after)
      )
        return true;
    }
    return (
      guard !== undefined &&
      after !== state &&
      !guard.allows(operation, this.table.values[state], this.table.values[after], this.isLinearized)
    );
  }

  /** Places `operation`, which leads to `after`, and lifts its entries out of the list; the scan restarts. */
  private push(operation: number, after: number): void {
    const { next, previous } = this;
    const depth = this.depth;
    this.stackOperation[depth] = operation;
    this.stackState[depth] = this.state;
    this.stackBound[depth] = this.bound;
    this.depth = depth + 1;
    if (this.depth > this.depthMaxSoFar) this.depthMaxSoFar = this.depth;
    this.state = after;
    const isCrashed = this.crashed[operation] === 1;
    if (!isCrashed || !indeterminateLast) {
      // Lift the call entry out of the list.
      const callPrevious = previous[operation]!;
      const callNext = next[operation]!;
      next[callPrevious] = callNext;
      if (callNext >= 0) previous[callNext] = callPrevious;
    }
    if (!isCrashed) {
      // And its return entry.
      const returnEntry = this.n + operation;
      const returnPrevious = previous[returnEntry]!;
      const returnNext = next[returnEntry]!;
      next[returnPrevious] = returnNext;
      if (returnNext >= 0) previous[returnNext] = returnPrevious;
      this.remaining--;
    }
    this.entry = next[this.head]!;
  }

  /**
   * Every candidate at this point was tried (or a read-only operation's failure decided): takes
   * back the last placement (and the one before, while the one taken back is read-only, which
   * dominated its alternatives) and moves the scan past it. Returns false when nothing is left
   * to take back: no linearization exists.
   */
  private backtrack(): boolean {
    const n = this.n;
    const entry = this.entry;
    if (
      this.recordDeepest &&
      this.depth > this.deepest.depth &&
      (entry >= this.crashedPhase || (entry >= n && entry < 2 * n))
    ) {
      this.deepest.record(this.depth, this.state, this.bound - n);
    }
    let popped = -1;
    do {
      if (this.depth === 0) break;
      popped = this.pop();
    } while (this.dominant[popped] === 1);
    if (popped < 0 || (this.dominant[popped] === 1 && this.depth === 0)) return false;
    if (this.crashed[popped] === 1 && indeterminateLast) {
      this.bound = this.stackBound[this.depth]!;
      this.entry = this.crashedPhase + this.crashedRank[popped]! + 1;
    } else {
      this.entry = this.next[popped]!;
    }
    return true;
  }

  /** Takes the last placement back: its operation leaves the set and its entries return to the list. */
  private pop(): number {
    const { next, previous } = this;
    const depth = --this.depth;
    this.deepest.popped(depth);
    const popped = this.stackOperation[depth]!;
    this.state = this.stackState[depth]!;
    this.linearized.remove(popped);
    const isCrashed = this.crashed[popped] === 1;
    if (isCrashed && indeterminateLast) return popped;
    if (!isCrashed) {
      // Put the entries back, return first (the reverse of lifting).
      const returnEntry = this.n + popped;
      next[previous[returnEntry]!] = returnEntry;
      const returnNext = next[returnEntry]!;
      if (returnNext >= 0) previous[returnNext] = returnEntry;
      this.remaining++;
    }
    next[previous[popped]!] = popped;
    const callNext = next[popped]!;
    if (callNext >= 0) previous[callNext] = popped;
    return popped;
  }

  /** The verdict once nothing is left to take back, with the deepest point reached. */
  private notLinearizable(): SearchOutcome {
    const n = this.n;
    const deepest = this.deepest.build(this.operations, this.list) ?? {
      prefix: [],
      states: [],
      failing: this.bound >= n ? this.bound - n : 0,
      pending: [],
    };
    return { kind: "not-linearizable", deepest, states: this.table };
  }

  /**
   * Counts `checkEverySteps` more steps against the budget and, once the search has run a while,
   * looks for an operation that is impossible everywhere. Returns the outcome that ends the
   * search there, if any.
   */
  private spendSteps(budget: Budget): SearchOutcome | undefined {
    budget.steps += checkEverySteps;
    if (budget.steps > budget.maxSteps) budget.exhausted = "steps";
    else if (this.cache.full || this.heldBytes() + budget.memoryBytesOthers > budget.memoryBytesMax)
      // The cache checks before it grows; the state table (model states) grows unchecked
      // between two checks, by at most 1,024 steps' worth.
      budget.exhausted = "memory";
    else if (budget.now !== undefined && budget.now() > budget.deadline) budget.exhausted = "timeout";
    if (budget.exhausted !== undefined) return { kind: "unknown" };
    this.searchSteps += checkEverySteps;
    if (this.impossibleChecked || this.searchSteps <= impossibleSearchStepsMax) return undefined;
    this.impossibleChecked = true;
    const impossible = impossibleOperation(this.operations, this.table);
    if (impossible === undefined) return undefined;
    const failing = impossible.operation;
    return {
      kind: "not-linearizable",
      deepest: {
        prefix: [],
        states: [],
        failing,
        pending: [failing],
        reachableStates: impossible.reachableStates,
      },
      states: this.table,
    };
  }

  /** Bytes held now. */
  private heldBytes(): number {
    return this.fixedBytes + this.cache.bytes() + this.table.bytes();
  }

  /** Gives the search's arrays back once it has its verdict (and the table, unless the verdict shows it). */
  private release(keepTable: boolean): void {
    giveInt32(this.crashed, this.dominant, this.next, this.previous, this.callRank, this.twin);
    giveInt32(this.crashedOperation, this.crashedRank, this.stackOperation, this.stackState, this.stackBound);
    this.linearized.release();
    this.cache.release();
    if (!keepTable) this.releaseTable();
  }

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
  private needs(crashedOperation: number, before: number, operation: number, after: number): boolean {
    const transition = this.table.transition;
    const without = transition(operation, before);
    if (without < 0) return true;
    if (without === after) return false;
    return this.crashed[operation] === 1 || transition(crashedOperation, without) !== after;
  }
}
