/**
 * Explanations of non-linearizable histories, as plain JSON-serializable data for the CLI and
 * the HTML reports. An explanation names:
 * - the partition (key) that fails;
 * - the longest linearizable prefix the search found, with the state after each operation;
 * - the operation whose return the search could not get past (`failingOperation`) and the
 *   operations still pending at that point (`unplaceable`), each with the reason it cannot go next;
 * - the operations overlapping the failing one in real time (`concurrent`);
 * - a small failing subset (`minimalSet`): operations of the partition that are still not
 *   linearizable on their own, found by deleting operations while the rest still fails (one
 *   at a time at the end, so removing any single further operation makes it linearizable, when
 *   `minimalSetComplete` is true);
 * - a `summary` sentence a student can follow.
 */
import type { Operation } from "../history.js";
import { type AnyModel, describeOperationDefault, describeValue } from "./model.js";
import { searchPartition } from "./partition-search.js";
import type { Budget, Deepest, StateTable } from "./search.js";

/** An operation as the explanation shows it. `returnUs` is `null` for indeterminate operations. */
export interface ExplainedOperation {
  readonly id: number;
  readonly process: number;
  readonly f: string;
  readonly key: string | null;
  readonly input: unknown;
  readonly output: unknown;
  readonly status: "ok" | "fail" | "info";
  readonly callUs: number;
  readonly returnUs: number | null;
  /** Position of the invocation event in the input (file entry index when parsed from a file). */
  readonly callIndex: number | null;
  /** Position of the completion event; `null` when it never completed. */
  readonly returnIndex: number | null;
  readonly description: string;
}

/** One step of a linearization: an operation id and the state after it. */
export interface LinearizationStep {
  readonly operation: number;
  readonly stateAfter: string;
}

/** Why an operation pending at the failure point cannot be linearized next. */
export interface UnplaceableOperation {
  readonly operation: number;
  readonly reason: string;
}

/** Why a history is not linearizable. All operation references are `Operation.id`s. */
export interface Explanation {
  /** The partition key that fails (`null` for an unpartitioned history). */
  readonly partition: string | null;
  /** A few sentences for people. */
  readonly summary: string;
  readonly initialState: string;
  /** The longest linearizable prefix found, in linearization order. */
  readonly longestPrefix: readonly LinearizationStep[];
  /** The state after the longest prefix. */
  readonly stateAtFailure: string;
  /** The operation that must take effect before its return but cannot. */
  readonly failingOperation: number;
  /** Operations called but not linearized at the failure point, the failing one included. */
  readonly unplaceable: readonly UnplaceableOperation[];
  /** Operations of the partition whose interval overlaps the failing operation's. */
  readonly concurrent: readonly number[];
  /** A small subset of the partition that is still not linearizable. */
  readonly minimalSet: readonly number[];
  /** False when the minimization ran out of budget (the set is then smaller, not minimal). */
  readonly minimalSetComplete: boolean;
  /** Every operation mentioned above, by ascending id. */
  readonly operations: readonly ExplainedOperation[];
}

/** The inputs explainFailure needs: the failing partition and the search's deepest point. */
export interface FailureInput {
  readonly key: string | null;
  readonly operations: readonly Operation[];
  readonly model: AnyModel;
  readonly deepest: Deepest;
  readonly states: StateTable;
  readonly budget: Budget;
}

/** Steps the minimization may spend in total, and per attempt. */
const minimizeStepsMax = 500_000;
const minimizeAttemptStepsMax = 50_000;
/** Operations the summary names before it says "and N more". */
const summaryOperationsMax = 6;

function describeOperation(model: AnyModel, operation: Operation): string {
  return model.describeOperation?.(operation) ?? describeOperationDefault(operation);
}

function describeState(model: AnyModel, state: unknown): string {
  return model.describeState?.(state) ?? describeValue(state);
}

function explainOperation(model: AnyModel, operation: Operation): ExplainedOperation {
  return {
    id: operation.id,
    process: operation.process,
    f: operation.f,
    key: operation.key,
    input: operation.input ?? null,
    output: operation.output ?? null,
    status: operation.status,
    callUs: operation.callUs,
    returnUs: Number.isFinite(operation.returnUs) ? operation.returnUs : null,
    callIndex: operation.callIndex ?? null,
    returnIndex: operation.returnIndex ?? null,
    description: describeOperation(model, operation),
  };
}

/**
 * Shrinks the failing partition to a small subset that still fails, never dropping `failing`.
 * Returns local operation numbers in the original order.
 */
function minimize(
  operations: readonly Operation[],
  model: AnyModel,
  failing: number,
  budget: Budget,
  isProtected: (local: number) => boolean,
): { kept: number[]; complete: boolean } {
  let stepsLeft = minimizeStepsMax;
  let complete = true;
  const stillFails = (candidate: readonly number[]): boolean => {
    if (stepsLeft <= 0) {
      complete = false;
      return false;
    }
    const attempt: Budget = {
      now: budget.now,
      deadline: budget.deadline,
      maxSteps: Math.min(minimizeAttemptStepsMax, stepsLeft),
      memoryBytesMax: budget.memoryBytesMax,
      memoryBytesOthers: 0,
      steps: 0,
      exhausted: undefined,
    };
    const outcome = searchPartition(
      candidate.map((index) => operations[index]!),
      model,
      attempt,
      true,
    );
    stepsLeft -= attempt.steps + 1;
    if (outcome.kind === "unknown") {
      complete = false;
      if (attempt.exhausted === "timeout") stepsLeft = 0;
    }
    // The same operation must still be the one that cannot be placed.
    return outcome.kind === "not-linearizable" && candidate[outcome.deepest.failing] === failing;
  };

  let kept = operations.map((_, index) => index);
  // Operations called after the failing one returned rarely matter: try dropping them all.
  const failingReturnUs = operations[failing]!.returnUs;
  const early = kept.filter((index) => operations[index]!.callUs <= failingReturnUs);
  if (early.length < kept.length && stillFails(early)) kept = early;

  let chunk = Math.max(1, kept.length >>> 1);
  for (;;) {
    let changed = false;
    let start = 0;
    while (start < kept.length) {
      const removal = new Set(
        kept.slice(start, start + chunk).filter((index) => index !== failing && !isProtected(index)),
      );
      if (removal.size === 0) {
        start += chunk;
        continue;
      }
      const candidate = kept.filter((index) => !removal.has(index));
      if (stillFails(candidate)) {
        kept = candidate;
        changed = true;
      } else {
        start += chunk;
      }
    }
    if (chunk > 1) chunk = Math.max(1, chunk >>> 1);
    else if (!changed || stepsLeft <= 0) break;
  }
  return { kept, complete };
}

/**
 * Operations that could make the failing operation possible (for example the write of the value
 * a read returned): the minimization keeps them, so that the small set still says why the
 * value was stale rather than merely that it was never written. Only looked for when there are
 * few states, and given up when there are many such operations.
 */
function enablersOf(operations: readonly Operation[], failing: number, states: StateTable): Set<number> {
  const enablers = new Set<number>();
  const stateCount = states.values.length;
  if (stateCount > 64) return enablers;
  for (let local = 0; local < operations.length; local++) {
    if (local === failing || operations[local]!.status !== "ok") continue;
    for (let state = 0; state < stateCount; state++) {
      const after = states.transition(local, state);
      if (after >= 0 && after !== state && states.transition(failing, after) >= 0) {
        enablers.add(local);
        break;
      }
    }
    if (enablers.size > 8) return new Set();
  }
  return enablers;
}

/** Why a guard found the failing operation unplaceable (see `Unplaceable.witnesses`), given their names. */
function witnessSentence(names: readonly string[]): string {
  if (names.length < 2) return "No operation that may take effect before it can leave the state it needs.";
  return `The last operation that may take effect before it and can leave the state it needs is ${names[0]}; it returned before ${names[1]} was called, which changes that state or is not possible in it, and which returned before this one was called.`;
}

/** Builds the explanation for a failed partition. */
export function explainFailure(input: FailureInput): Explanation {
  const { key, operations, model, deepest, states } = input;
  // The states after each operation of the prefix, replayed through the model: the search's
  // table may hold one state standing for several equivalent ones (PlacementGuard.canonical).
  const replayed: unknown[] = [];
  let replaying: unknown = model.init();
  for (const local of deepest.prefix) {
    replaying = replaying === undefined ? undefined : model.step(replaying, operations[local]!);
    replayed.push(replaying);
  }
  const describeStateId = (id: number): string => describeState(model, states.values[id]);
  const describeAfter = (position: number): string =>
    replayed[position] === undefined
      ? describeStateId(deepest.states[position]!)
      : describeState(model, replayed[position]);
  const stateAtFailure =
    deepest.states.length === 0 ? states.initial : deepest.states[deepest.states.length - 1]!;
  const stateAtFailureText =
    deepest.states.length === 0 ? describeStateId(states.initial) : describeAfter(deepest.states.length - 1);
  const failing = operations[deepest.failing]!;

  const unplaceable: UnplaceableOperation[] = deepest.pending.map((local) => {
    const operation = operations[local]!;
    const legal = states.transition(local, stateAtFailure) >= 0;
    const text = describeOperation(model, operation);
    let reason: string;
    if (!legal) reason = `${text} is not possible in state ${stateAtFailureText}`;
    else if (operation.status === "info") reason = `${text} may take effect here, but that does not help`;
    else reason = `${text} is possible here, but every order that starts with it fails later`;
    return { operation: operation.id, reason };
  });

  const failingReturnUs = failing.returnUs;
  const concurrent = operations
    .filter((operation) => operation.callUs <= failingReturnUs && operation.returnUs >= failing.callUs)
    .map((operation) => operation.id);

  const enablers = enablersOf(operations, deepest.failing, states);
  for (const local of deepest.witnesses ?? []) enablers.add(local);
  const { kept, complete } = minimize(operations, model, deepest.failing, input.budget, (local) =>
    enablers.has(local),
  );
  const minimalSet = kept.map((local) => operations[local]!.id);

  const longestPrefix = deepest.prefix.map((local, position) => ({
    operation: operations[local]!.id,
    stateAfter: describeAfter(position),
  }));

  const mentioned = new Set<number>();
  for (const local of deepest.prefix) mentioned.add(local);
  for (const local of deepest.pending) mentioned.add(local);
  for (const local of kept) mentioned.add(local);
  for (const local of deepest.witnesses ?? []) mentioned.add(local);
  const failingLocal = deepest.failing;
  for (let local = 0; local < operations.length; local++) {
    const operation = operations[local]!;
    if (operation.callUs <= failingReturnUs && operation.returnUs >= failing.callUs) mentioned.add(local);
  }
  mentioned.add(failingLocal);
  const explained = [...mentioned]
    .map((local) => explainOperation(model, operations[local]!))
    .sort((left, right) => left.id - right.id);

  const byId = new Map(explained.map((operation) => [operation.id, operation]));
  const name = (id: number): string => {
    const operation = byId.get(id)!;
    const where =
      operation.callIndex === null
        ? ""
        : operation.returnIndex === null
          ? ` (event ${operation.callIndex})`
          : ` (events ${operation.callIndex}–${operation.returnIndex})`;
    return `${operation.description} by process ${operation.process}${where}`;
  };
  const partitionText = key === null ? "" : ` on key ${JSON.stringify(key)}`;
  const failingLegal = states.transition(failingLocal, stateAtFailure) >= 0;
  const others = deepest.pending.length - 1;
  const failingSentence = failingLegal
    ? `${describeOperation(model, failing)} would be possible there, but then ${others === 1 ? "the other pending operation" : `the other ${others} pending operations`} cannot all be placed.`
    : others === 0
      ? `${describeOperation(model, failing)} is not possible in that state and no other operation is pending.`
      : `${describeOperation(model, failing)} is not possible in that state, and no order of the ${others} other pending operation${others === 1 ? "" : "s"} makes it possible.`;
  const sentences = [
    `Not linearizable${partitionText}: ${name(failing.id)} cannot take effect anywhere between its call and its return.`,
    ...(deepest.witnesses !== undefined
      ? [witnessSentence(deepest.witnesses.map((local) => name(operations[local]!.id)))]
      : deepest.reachableStates === undefined
        ? [
            `The longest linearizable prefix found has ${deepest.prefix.length} operation${deepest.prefix.length === 1 ? "" : "s"} and leaves the state at ${stateAtFailureText};`,
            failingSentence,
          ]
        : [
            `${describeOperation(model, failing)} is possible in none of the ${deepest.reachableStates} state${deepest.reachableStates === 1 ? "" : "s"} the partition's operations can reach, in any order.`,
          ]),
    `A smallest failing subset found has ${minimalSet.length} operation${minimalSet.length === 1 ? "" : "s"}: ${minimalSet
      .slice(0, summaryOperationsMax)
      .map(name)
      .join(
        "; ",
      )}${minimalSet.length > summaryOperationsMax ? `; and ${minimalSet.length - summaryOperationsMax} more` : ""}.`,
  ];
  return {
    partition: key,
    summary: sentences.join(" "),
    initialState: describeStateId(states.initial),
    longestPrefix,
    stateAtFailure: stateAtFailureText,
    failingOperation: failing.id,
    unplaceable,
    concurrent,
    minimalSet,
    minimalSetComplete: complete,
    operations: explained,
  };
}
