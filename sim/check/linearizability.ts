/**
 * Linearizability checking: is there a total order of a history's operations that respects
 * real time (an operation that returned before another was called comes first) and that the
 * sequential model accepts? (Herlihy & Wing 1990.)
 *
 * The entry points are `checkHistory` (recorded events) and `checkOperations` (paired
 * operations). The history is split into partitions by `model.partition` (P-compositionality:
 * a history is linearizable exactly when each partition is) and each partition is searched by
 * ./search.ts. A failing partition gets an explanation (./explain.ts).
 *
 * Budgets turn a search that would take too long into the verdict `unknown`: a wall-clock
 * deadline (`timeoutMs`, measured with the `now` function the caller supplies, since sim/ never
 * reads the clock itself), a step budget and a memory budget in bytes (`memoryBytesMax`) that
 * all partitions' searches share. An `unknown` verdict says which ran out and how far the search
 * got (`progress`).
 */
import { InputError } from "../errors.js";
import { type HistoryEvent, type Operation, pairOperations } from "../history.js";
import { type Explanation, explainFailure } from "./explain.js";
import type { AnyModel } from "./model.js";
import { startSearchAfterWitness, witnessedSearch } from "./partition-search.js";
import { quickLinearization } from "./quick-linearization.js";
import type { Budget, PartitionSearch, SearchOutcome } from "./search.js";

/** The three verdicts. */
export type Verdict = "linearizable" | "not-linearizable" | "unknown";

/** Options for a check; every budget is off unless set, except memory. */
export interface CheckOptions {
  /**
   * Wall-clock budget for the whole check in milliseconds, from `startedMs`; needs `now`. The
   * deadline is checked before the search is set up and every 1,024 search steps; pairing,
   * partitioning and the quick witness before it are not interrupted, and a verdict they reach
   * is given even after the deadline.
   */
  readonly timeoutMs?: number;
  /**
   * A clock in milliseconds (for example `performance.now`), read at the start, before the
   * search is set up and every 1,024 search steps.
   */
  readonly now?: () => number;
  /**
   * The reading of `now` the time budget counts from, when the work it covers began before the
   * check (the command line's starts before it parses the file); default: the start of the check.
   */
  readonly startedMs?: number;
  /** Most search steps (attempts to place an operation) over all partitions. */
  readonly maxSteps?: number;
  /**
   * Bytes the search may hold at once over all partitions: its cache of (linearized set, state)
   * pairs, entry lists and state tables, counted from the typed arrays it allocates (plus an
   * estimate per model state). Default `defaultMemoryBytesMax` (1 GiB); the CLI's default is a
   * share of the machine's memory.
   */
  readonly memoryBytesMax?: number;
  /**
   * Return the linearization found when the history is linearizable (`CheckResult.linearization`);
   * default false.
   */
  readonly linearization?: boolean;
  /** Build an explanation when the history is not linearizable; default true. */
  readonly explain?: boolean;
}

/** The outcome of a check. */
export interface CheckResult {
  readonly result: Verdict;
  /** Number of partitions (for example keys) the history was split into. */
  readonly partitions: number;
  /** Number of operations checked (`fail` operations, which did not happen, are not counted). */
  readonly ops: number;
  /** Search steps taken (attempts to place an operation, counted in blocks of 1,024). */
  readonly steps?: number;
  /** The most bytes the searches held at once (sampled between slices of the search). */
  readonly memoryBytesPeak?: number;
  /**
   * When linearizable and `linearization` was asked for: per partition, the `Operation.id`s in an
   * order the model accepts that respects real time (indeterminate operations left out did not
   * take effect).
   */
  readonly linearization?: ReadonlyArray<{
    readonly partition: string | null;
    readonly operations: readonly number[];
  }>;
  /** Why the verdict is `unknown`: which budget ran out. */
  readonly unknownReason?: "timeout" | "steps" | "memory";
  /** How far the search got; present when the verdict is `unknown`. */
  readonly progress?: CheckProgress;
  /** Present when not linearizable and `explain` was not false. */
  readonly explanation?: Explanation;
}

/** How far an inconclusive search got. */
export interface CheckProgress {
  /** Partitions whose verdict was reached (each linearizable). */
  readonly partitionsDecided: number;
  /**
   * Operations linearized: every operation of a decided partition, plus, for each undecided
   * one, the most operations its search had linearized at once (its deepest point).
   */
  readonly operationsLinearized: number;
  /** Cached (linearized set, state) pairs held by the undecided partitions' searches at the end. */
  readonly statesCached: number;
  /** The most bytes the searches held at once (sampled between slices). */
  readonly memoryBytesPeak: number;
  /** The memory budget in bytes. */
  readonly memoryBytesMax: number;
  /** Search steps taken (attempts to place an operation), over all partitions. */
  readonly steps: number;
}

/** The default memory budget of the library: 1 GiB. */
export const defaultMemoryBytesMax = 2 ** 30;

/**
 * Builds the shared budget for one check. `startedMs`: the clock when the check began, read by
 * `checkOperations` before it builds anything (default: read now).
 */
export function budgetOf(options: CheckOptions, startedMs?: number): Budget {
  const now = clockOf(options);
  const started = startedMs ?? now?.();
  return {
    now,
    deadline:
      started === undefined || options.timeoutMs === undefined ? Infinity : started + options.timeoutMs,
    maxSteps: options.maxSteps ?? Infinity,
    memoryBytesMax: options.memoryBytesMax ?? defaultMemoryBytesMax,
    memoryBytesOthers: 0,
    steps: 0,
    exhausted: undefined,
  };
}

/** The check's clock; a timeout without one is a programming error. */
function clockOf(options: CheckOptions): (() => number) | undefined {
  if (options.timeoutMs !== undefined && options.now === undefined) throw new Error(timeoutWithoutClock);
  return options.now;
}

const timeoutWithoutClock = "checkOperations: timeoutMs needs a now() clock";

/** Steps each partition runs in the first round; later rounds double it. */
const firstSliceSteps = 4096;

/**
 * The operations that took effect or may have (`fail` ones left out), split into partitions by
 * `model.partition` in order of first appearance (none when no operation is left); throws `InputError` at the first operation that
 * makes no sense for the model. One pass, with no map while every key is the first one's (a
 * single register): a first check in a fresh process runs this loop in V8's interpreter, where
 * each pass over the operations and each function called for the first time counts.
 */
export function partitionOperations(
  operations: readonly Operation[],
  model: AnyModel,
): Array<{ key: string | null; operations: Operation[] }> {
  const partitionOf = model.partition;
  const effective: Operation[] = [];
  let firstKey: string | null = null;
  let sameKey = true;
  for (let index = 0; index < operations.length; index++) {
    const operation = operations[index]!;
    if (operation.status === "fail") continue;
    const problem = model.validate?.(operation);
    if (problem !== undefined) throw invalidOperation(operation, problem);
    if (operation.returnUs < operation.callUs) {
      throw new InputError(`operation ${operation.id} returns before it is called`);
    }
    if (partitionOf !== undefined && sameKey) {
      const key = partitionOf(operation);
      if (effective.length === 0) firstKey = key;
      else sameKey = key === firstKey;
    }
    effective.push(operation);
  }
  // No operation to check makes no partition, whether or not the model partitions by key.
  if (effective.length === 0) return [];
  if (partitionOf === undefined) return [{ key: null, operations: effective }];
  if (!sameKey) return groupByPartition(effective, partitionOf);
  return [{ key: firstKey, operations: effective }];
}

/** The `unknown` result of a check whose deadline passed before any search started. */
function timedOutBeforeSearch(
  partitions: ReadonlyArray<{ operations: readonly Operation[] }>,
  witnesses: ReadonlyArray<readonly number[] | undefined>,
  ops: number,
  budget: Budget,
): CheckResult {
  let partitionsDecided = 0;
  let operationsLinearized = 0;
  partitions.forEach((partition, index) => {
    if (witnesses[index] === undefined) return;
    partitionsDecided++;
    operationsLinearized += partition.operations.length;
  });
  return {
    result: "unknown",
    partitions: partitions.length,
    ops,
    steps: 0,
    memoryBytesPeak: 0,
    unknownReason: "timeout",
    progress: {
      partitionsDecided,
      operationsLinearized,
      statesCached: 0,
      memoryBytesPeak: 0,
      memoryBytesMax: budget.memoryBytesMax,
      steps: 0,
    },
  };
}

/**
 * `partitionOperations` with several keys. A function of its own: V8 compiles a function whole
 * on its first call, and a first check of a single register never needs this part.
 */
function groupByPartition(
  operations: readonly Operation[],
  partitionOf: (operation: Operation) => string | null,
): Array<{ key: string | null; operations: Operation[] }> {
  const groups = new Map<string | null, Operation[]>();
  for (let index = 0; index < operations.length; index++) {
    const operation = operations[index]!;
    const key = partitionOf(operation);
    let group = groups.get(key);
    if (group === undefined) {
      group = [];
      groups.set(key, group);
    }
    group.push(operation);
  }
  return [...groups].map(([key, group]) => ({ key, operations: group }));
}

/**
 * Checks paired operations against a model. Operations with status `fail` are left out (they
 * did not take effect); `info` operations may take effect at any point after their call, or never.
 * Throws `InputError` when an operation makes no sense for the model.
 */
export function checkOperations(
  operations: readonly Operation[],
  model: AnyModel,
  options: CheckOptions = {},
): CheckResult {
  // The clock is read first, so that the deadline counts the whole check; the budget itself is
  // built only when a partition needs a search. Why this function does inline what `clockOf`
  // and a result builder would: on a fresh process's first check, V8 compiles every function
  // called, at a cost of its own for each, and the small histories the quick witness decides
  // spent about as long in that as in the witness.
  const now = options.now;
  if (options.timeoutMs !== undefined && now === undefined) throw new Error(timeoutWithoutClock);
  const startedMs = options.startedMs ?? now?.();
  const partitions = partitionOperations(operations, model);
  const witnesses: Array<number[] | undefined> = [];
  let ops = 0;
  let witnessed = 0;
  for (let index = 0; index < partitions.length; index++) {
    const partition = partitions[index]!.operations;
    const witness = quickLinearization(partition, model);
    witnesses.push(witness);
    ops += partition.length;
    if (witness !== undefined) witnessed++;
  }
  if (witnessed < partitions.length) {
    const budget = budgetOf(options, startedMs);
    // Setting a search up (its entry list, cache and state table) takes as long as its first
    // thousands of steps on a large partition: a deadline already past is not spent on it.
    if (budget.now !== undefined && budget.now() > budget.deadline) {
      return timedOutBeforeSearch(partitions, witnesses, ops, budget);
    }
    const input = { partitions, model, options, budget, opsCount: ops };
    return new PartitionRounds(input, witnesses).run();
  }
  // Every partition has a quick witness (./quick-linearization.ts), which no search needs to
  // confirm: the rounds of searches (`PartitionRounds`) are never built.
  const result: CheckResult = {
    result: "linearizable",
    partitions: partitions.length,
    ops,
    steps: 0,
    memoryBytesPeak: 0,
  };
  if (options.linearization !== true) return result;
  return { ...result, linearization: witnessedLinearization(partitions, witnesses as number[][]) };
}

/** The linearization a check returns when every partition has a quick witness. */
function witnessedLinearization(
  partitions: ReadonlyArray<{ key: string | null; operations: Operation[] }>,
  witnesses: ReadonlyArray<readonly number[]>,
): CheckResult["linearization"] {
  return partitions.map((partition, index) => ({
    partition: partition.key,
    operations: witnesses[index]!.map((local) => partition.operations[local]!.id),
  }));
}

/** The input error for an operation the model finds meaningless (`problem`), naming its event. */
function invalidOperation(operation: Operation, problem: string): InputError {
  const where =
    operation.callIndex === undefined ? `operation ${operation.id}` : `event ${operation.callIndex}`;
  return new InputError(
    `${where} (${operation.f} by process ${operation.process}): ${problem}`,
    operation.callIndex === undefined ? {} : { event: operation.callIndex },
  );
}

/** What one check hands to its rounds of partition searches. */
interface RoundsInput {
  readonly partitions: ReadonlyArray<{ key: string | null; operations: Operation[] }>;
  readonly model: AnyModel;
  readonly options: CheckOptions;
  readonly budget: Budget;
  /** Operations checked, for the result. */
  readonly opsCount: number;
}

/**
 * The partitions' searches of one check, taking turns in slices of steps that double every
 * round, so that a violation in any partition is found about as fast as in the quickest failing
 * one; and what the verdict reports of them.
 */
class PartitionRounds {
  private readonly searches: Array<PartitionSearch | undefined>;
  private readonly explain: boolean;
  /** Per decided partition, its linearization, when asked for. */
  private readonly linearization: Array<{ partition: string | null; operations: number[] }> | undefined;
  // Progress, for an unknown verdict.
  private partitionsDecided = 0;
  private operationsDecided = 0;
  private memoryBytesPeak = 0;
  /** Searches given up on (memory): their deepest point and cache size when they stopped. */
  private readonly abandoned: Array<{ depthMax: number; cacheEntries: number }> = [];
  /** The budget that ran out on a partition given up on, if any. */
  private unknownReason: CheckResult["unknownReason"];

  /** `witnesses[i]`: partition i's quick witness, when it has one (no search runs for it). */
  constructor(
    private readonly input: RoundsInput,
    witnesses: ReadonlyArray<readonly number[] | undefined>,
  ) {
    this.explain = input.options.explain !== false;
    this.searches = input.partitions.map((partition, index) => {
      const witness = witnesses[index];
      if (witness !== undefined) return witnessedSearch(witness);
      return startSearchAfterWitness(partition.operations, input.model, this.explain);
    });
    this.linearization = input.options.linearization === true ? [] : undefined;
  }

  /** Runs rounds until every partition is decided or one ends the check; the check's result. */
  run(): CheckResult {
    let active = this.input.partitions.map((_, index) => index);
    let sliceSteps = firstSliceSteps;
    while (active.length > 0) {
      const stillActive: number[] = [];
      for (const index of active) {
        const ended = this.runSlice(index, sliceSteps);
        if (ended === "running") stillActive.push(index);
        else if (ended !== "decided") return ended;
      }
      active = stillActive;
      sliceSteps *= 2;
    }
    if (this.unknownReason !== undefined) return this.unknownOf(this.unknownReason);
    return {
      ...this.resultFigures("linearizable"),
      ...(this.linearization === undefined ? {} : { linearization: this.linearization }),
    };
  }

  /**
   * Runs one slice of partition `index`'s search: `running` when the slice ran out first,
   * `decided` when the partition is done with (linearizable, or given up on for memory), or the
   * check's result when this partition ends the check.
   */
  private runSlice(index: number, sliceSteps: number): "running" | "decided" | CheckResult {
    const search = this.searches[index]!;
    const budget = this.input.budget;
    const held = this.memoryHeld();
    this.memoryBytesPeak = Math.max(this.memoryBytesPeak, held);
    budget.memoryBytesOthers = held - search.memoryBytes;
    const outcome = search.run(budget, sliceSteps);
    if (outcome === undefined) return "running";
    this.memoryBytesPeak = Math.max(this.memoryBytesPeak, this.memoryHeld());
    this.searches[index] = undefined;
    if (outcome.kind === "not-linearizable") return this.notLinearizable(index, outcome);
    if (outcome.kind === "unknown") return this.giveUp(index, search) ?? "decided";
    this.partitionsDecided++;
    this.operationsDecided += this.input.partitions[index]!.operations.length;
    if (this.linearization !== undefined) {
      const partition = this.input.partitions[index]!;
      this.linearization.push({
        partition: partition.key,
        operations: outcome.linearization.map((local) => partition.operations[local]!.id),
      });
    }
    return "decided";
  }

  /** The result when partition `index` is not linearizable, explained unless told not to. */
  private notLinearizable(
    index: number,
    outcome: Extract<SearchOutcome, { kind: "not-linearizable" }>,
  ): CheckResult {
    const result = this.resultFigures("not-linearizable");
    if (!this.explain) return result;
    const partition = this.input.partitions[index]!;
    const explanation = explainFailure({
      key: partition.key,
      operations: partition.operations,
      model: this.input.model,
      deepest: outcome.deepest,
      states: outcome.states,
      budget: { ...this.input.budget, exhausted: undefined },
    });
    return { ...result, explanation };
  }

  /**
   * A budget ran out on `search`. Running out of memory gives up on this partition only (its
   * memory goes back): another may still show a violation, so the check goes on (`undefined`).
   * Any other budget ends the check: its `unknown` result.
   */
  private giveUp(index: number, search: PartitionSearch): CheckResult | undefined {
    const budget = this.input.budget;
    this.unknownReason = budget.exhausted ?? "memory";
    if (budget.exhausted !== "memory") {
      this.searches[index] = search;
      return this.unknownOf(this.unknownReason);
    }
    this.abandoned.push({ depthMax: search.depthMax, cacheEntries: search.cacheEntries });
    budget.exhausted = undefined;
    return undefined;
  }

  /** Bytes the searches still running hold now. */
  private memoryHeld(): number {
    let total = 0;
    for (const search of this.searches) if (search !== undefined) total += search.memoryBytes;
    return total;
  }

  /** The figures every result carries, with the verdict. */
  private resultFigures(result: Verdict): CheckResult {
    return {
      result,
      partitions: this.input.partitions.length,
      ops: this.input.opsCount,
      steps: this.input.budget.steps,
      memoryBytesPeak: this.memoryBytesPeak,
    };
  }

  /** The `unknown` result: which budget ran out, and how far the searches got. */
  private unknownOf(reason: NonNullable<CheckResult["unknownReason"]>): CheckResult {
    let operationsLinearized = this.operationsDecided;
    let statesCached = 0;
    for (const search of [...this.searches, ...this.abandoned]) {
      if (search === undefined) continue;
      operationsLinearized += search.depthMax;
      statesCached += search.cacheEntries;
    }
    const memoryBytesPeak = Math.max(this.memoryBytesPeak, this.memoryHeld());
    return {
      ...this.resultFigures("unknown"),
      memoryBytesPeak,
      unknownReason: reason,
      progress: {
        partitionsDecided: this.partitionsDecided,
        operationsLinearized,
        statesCached,
        memoryBytesPeak,
        memoryBytesMax: this.input.budget.memoryBytesMax,
        steps: this.input.budget.steps,
      },
    };
  }
}

/**
 * Checks a recorded history (see sim/history.ts). Events are ordered by `timeUs` (stably, so
 * events with equal times keep their order) and paired per process.
 */
export function checkHistory(
  events: readonly HistoryEvent[],
  model: AnyModel,
  options: CheckOptions = {},
): CheckResult {
  let sorted = true;
  for (let index = 1; index < events.length; index++) {
    if (events[index]!.timeUs < events[index - 1]!.timeUs) {
      sorted = false;
      break;
    }
  }
  const ordered = sorted ? events : [...events].sort((left, right) => left.timeUs - right.timeUs);
  let operations: Operation[];
  try {
    operations = pairOperations(ordered);
  } catch (error) {
    throw new InputError(error instanceof Error ? error.message : String(error));
  }
  return checkOperations(operations, model, options);
}
