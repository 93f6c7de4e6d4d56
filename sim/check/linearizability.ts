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
 * reads the clock itself), a step budget and a cap on cache entries (memory).
 */
import { InputError } from "../errors.js";
import { type HistoryEvent, type Operation, pairOperations } from "../history.js";
import { type Explanation, explainFailure } from "./explain.js";
import type { AnyModel } from "./model.js";
import { type Budget, type PartitionSearch, startSearch } from "./search.js";

/** The three verdicts. */
export type Verdict = "linearizable" | "not-linearizable" | "unknown";

/** Options for a check; every budget is off unless set, except the cache cap. */
export interface CheckOptions {
  /** Wall-clock budget for the whole check in milliseconds; needs `now`. */
  readonly timeoutMs?: number;
  /** A clock in milliseconds (for example `performance.now`), read every 1,024 search steps. */
  readonly now?: () => number;
  /** Most search steps (attempts to place an operation) over all partitions. */
  readonly maxSteps?: number;
  /** Most cached (linearized set, state) pairs in one partition; default 4,000,000 (about 0.3 GB). */
  readonly maxCacheEntries?: number;
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
  /** Why the verdict is `unknown`. */
  readonly unknownReason?: "timeout" | "steps" | "memory";
  /** Present when not linearizable and `explain` was not false. */
  readonly explanation?: Explanation;
}

/** The default cap on cache entries per partition. */
export const defaultMaxCacheEntries = 4_000_000;

/** Builds the shared budget for one check. */
export function budgetOf(options: CheckOptions): Budget {
  if (options.timeoutMs !== undefined && options.now === undefined) {
    throw new Error("checkOperations: timeoutMs needs a now() clock");
  }
  const now = options.now;
  return {
    now,
    deadline: now === undefined || options.timeoutMs === undefined ? Infinity : now() + options.timeoutMs,
    maxSteps: options.maxSteps ?? Infinity,
    maxCacheEntries: options.maxCacheEntries ?? defaultMaxCacheEntries,
    steps: 0,
    exhausted: undefined,
  };
}

/** Steps each partition runs in the first round; later rounds double it. */
const firstSliceSteps = 4096;

function unknownOf(
  reason: NonNullable<CheckResult["unknownReason"]>,
  partitions: number,
  ops: number,
): CheckResult {
  return { result: "unknown", partitions, ops, unknownReason: reason };
}

/** Splits operations into partitions in order of first appearance. */
export function partitionOperations(
  operations: readonly Operation[],
  model: AnyModel,
): Array<{ key: string | null; operations: Operation[] }> {
  const partitionOf = model.partition;
  if (partitionOf === undefined) return [{ key: null, operations: [...operations] }];
  const groups = new Map<string | null, Operation[]>();
  for (const operation of operations) {
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
  const budget = budgetOf(options);
  const effective: Operation[] = [];
  for (const operation of operations) {
    if (operation.status === "fail") continue;
    const problem = model.validate?.(operation);
    if (problem !== undefined) {
      const where =
        operation.callIndex === undefined ? `operation ${operation.id}` : `event ${operation.callIndex}`;
      throw new InputError(`${where} (${operation.f} by process ${operation.process}): ${problem}`);
    }
    if (operation.returnUs < operation.callUs) {
      throw new InputError(`operation ${operation.id} returns before it is called`);
    }
    effective.push(operation);
  }
  const partitions = partitionOperations(effective, model);
  const explain = options.explain !== false;
  // Partitions take turns in slices of steps that double every round, so a violation in any
  // partition is found about as fast as in the quickest failing one.
  const searches: Array<PartitionSearch | undefined> = partitions.map((partition) =>
    startSearch(partition.operations, model, explain),
  );
  let active = partitions.map((_, index) => index);
  let sliceSteps = firstSliceSteps;
  let unknownReason: CheckResult["unknownReason"];
  while (active.length > 0) {
    const stillActive: number[] = [];
    for (const index of active) {
      const outcome = searches[index]!.run(budget, sliceSteps);
      if (outcome === undefined) {
        stillActive.push(index);
        continue;
      }
      searches[index] = undefined;
      if (outcome.kind === "not-linearizable") {
        const result: CheckResult = {
          result: "not-linearizable",
          partitions: partitions.length,
          ops: effective.length,
        };
        if (!explain) return result;
        const partition = partitions[index]!;
        const explanation = explainFailure({
          key: partition.key,
          operations: partition.operations,
          model,
          deepest: outcome.deepest,
          states: outcome.states,
          budget: { ...budget, exhausted: undefined },
        });
        return { ...result, explanation };
      }
      if (outcome.kind === "unknown") {
        // The cache cap gives up on this partition only: another may still show a violation.
        unknownReason = budget.exhausted ?? "memory";
        if (budget.exhausted !== "memory")
          return unknownOf(unknownReason, partitions.length, effective.length);
        budget.exhausted = undefined;
      }
    }
    active = stillActive;
    sliceSteps *= 2;
  }
  if (unknownReason !== undefined) return unknownOf(unknownReason, partitions.length, effective.length);
  return { result: "linearizable", partitions: partitions.length, ops: effective.length };
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
