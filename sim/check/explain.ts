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

/** What the minimization shrinks: the failing partition, and what it must keep. */
interface MinimizeInput {
  readonly operations: readonly Operation[];
  readonly model: AnyModel;
  /** The operation that must stay the one that cannot be placed. */
  readonly failing: number;
  readonly budget: Budget;
  /** Operations never dropped, besides `failing`. */
  readonly isProtected: (local: number) => boolean;
}

/**
 * Shrinks the failing partition to a small subset that still fails, never dropping `failing`.
 * Returns local operation numbers in the original order.
 */
function minimize(input: MinimizeInput): { kept: number[]; complete: boolean } {
  const { operations, failing, isProtected } = input;
  const attempts = new FailureAttempts(input);
  let kept = operations.map((_, index) => index);
  // Operations called after the failing one returned rarely matter: try dropping them all.
  const failingReturnUs = operations[failing]!.returnUs;
  const early = kept.filter((index) => operations[index]!.callUs <= failingReturnUs);
  if (early.length < kept.length && attempts.stillFails(early)) kept = early;
  kept = dropInChunks(kept, attempts, (index) => index !== failing && !isProtected(index));
  return { kept, complete: attempts.complete };
}

/**
 * Drops chunks of `kept` while the rest still fails, halving the chunks down to single
 * operations, then single operations again until none can go (or the steps run out).
 */
function dropInChunks(
  kept: number[],
  attempts: FailureAttempts,
  droppable: (local: number) => boolean,
): number[] {
  let chunk = Math.max(1, kept.length >>> 1);
  for (;;) {
    let changed = false;
    let start = 0;
    while (start < kept.length) {
      const removal = new Set(kept.slice(start, start + chunk).filter(droppable));
      if (removal.size === 0) {
        start += chunk;
        continue;
      }
      const candidate = kept.filter((index) => !removal.has(index));
      if (attempts.stillFails(candidate)) {
        kept = candidate;
        changed = true;
      } else {
        start += chunk;
      }
    }
    if (chunk > 1) chunk = Math.max(1, chunk >>> 1);
    else if (!changed || attempts.stepsLeft <= 0) break;
  }
  return kept;
}

/** The searches the minimization runs, within its own step budget. */
class FailureAttempts {
  /** Steps left for all attempts (see `minimizeStepsMax`). */
  stepsLeft = minimizeStepsMax;
  /** False once an attempt could not decide. */
  complete = true;

  constructor(private readonly input: MinimizeInput) {}

  /** Whether `candidate` (local numbers) still fails at the same operation. */
  stillFails(candidate: readonly number[]): boolean {
    if (this.stepsLeft <= 0) {
      this.complete = false;
      return false;
    }
    const { operations, model, failing, budget } = this.input;
    const attempt: Budget = {
      now: budget.now,
      deadline: budget.deadline,
      maxSteps: Math.min(minimizeAttemptStepsMax, this.stepsLeft),
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
    this.stepsLeft -= attempt.steps + 1;
    if (outcome.kind === "unknown") {
      this.complete = false;
      if (attempt.exhausted === "timeout") this.stepsLeft = 0;
    }
    // The same operation must still be the one that cannot be placed.
    return outcome.kind === "not-linearizable" && candidate[outcome.deepest.failing] === failing;
  }
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
  const prefix = prefixStatesOf(input);
  const failing = operations[deepest.failing]!;
  const unplaceable = unplaceableAt(input, prefix);
  const enablers = enablersOf(operations, deepest.failing, states);
  for (const local of deepest.witnesses ?? []) enablers.add(local);
  const { kept, complete } = minimize({
    operations,
    model,
    failing: deepest.failing,
    budget: input.budget,
    isProtected: (local) => enablers.has(local),
  });
  const minimalSet = kept.map((local) => operations[local]!.id);
  const explained = mentionedOperations(input, kept);
  return {
    partition: key,
    summary: summaryOf({ input, prefix, explained, minimalSet }),
    initialState: prefix.describeStateId(states.initial),
    longestPrefix: deepest.prefix.map((local, position) => ({
      operation: operations[local]!.id,
      stateAfter: prefix.describeAfter(position),
    })),
    stateAtFailure: prefix.stateAtFailureText,
    failingOperation: failing.id,
    unplaceable,
    concurrent: operations
      .filter((operation) => overlaps(operation, failing))
      .map((operation) => operation.id),
    minimalSet,
    minimalSetComplete: complete,
    operations: explained,
  };
}

/** The states along the longest prefix, described. */
interface PrefixStates {
  /** Describes a state of the search's table. */
  readonly describeStateId: (id: number) => string;
  /** Describes the state after the prefix's operation at `position`. */
  readonly describeAfter: (position: number) => string;
  /** The state after the whole prefix (a table id), and its description. */
  readonly stateAtFailure: number;
  readonly stateAtFailureText: string;
}

/**
 * The states after each operation of the prefix, replayed through the model: the search's
 * table may hold one state standing for several equivalent ones (PlacementGuard.canonical).
 */
function prefixStatesOf({ operations, model, deepest, states }: FailureInput): PrefixStates {
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
  const last = deepest.states.length - 1;
  return {
    describeStateId,
    describeAfter,
    stateAtFailure: last < 0 ? states.initial : deepest.states[last]!,
    stateAtFailureText: last < 0 ? describeStateId(states.initial) : describeAfter(last),
  };
}

/** Whether `operation`'s interval overlaps `failing`'s. */
function overlaps(operation: Operation, failing: Operation): boolean {
  return operation.callUs <= failing.returnUs && operation.returnUs >= failing.callUs;
}

/** Why each operation pending at the failure point cannot go next. */
function unplaceableAt(
  { operations, model, deepest, states }: FailureInput,
  prefix: PrefixStates,
): UnplaceableOperation[] {
  return deepest.pending.map((local) => {
    const operation = operations[local]!;
    const legal = states.transition(local, prefix.stateAtFailure) >= 0;
    const text = describeOperation(model, operation);
    let reason: string;
    if (!legal) reason = `${text} is not possible in state ${prefix.stateAtFailureText}`;
    else if (operation.status === "info") reason = `${text} may take effect here, but that does not help`;
    else reason = `${text} is possible here, but every order that starts with it fails later`;
    return { operation: operation.id, reason };
  });
}

/**
 * Every operation the explanation mentions (prefix, pending, minimal set, witnesses, those
 * overlapping the failing one, and the failing one), by ascending id.
 */
function mentionedOperations(
  { operations, model, deepest }: FailureInput,
  kept: readonly number[],
): ExplainedOperation[] {
  const mentioned = new Set<number>();
  for (const local of deepest.prefix) mentioned.add(local);
  for (const local of deepest.pending) mentioned.add(local);
  for (const local of kept) mentioned.add(local);
  for (const local of deepest.witnesses ?? []) mentioned.add(local);
  const failing = operations[deepest.failing]!;
  for (let local = 0; local < operations.length; local++)
    if (overlaps(operations[local]!, failing)) mentioned.add(local);
  mentioned.add(deepest.failing);
  return [...mentioned]
    .map((local) => explainOperation(model, operations[local]!))
    .sort((left, right) => left.id - right.id);
}

/** Names an operation for the summary: what it did, by whom, and where in the input. */
function nameOf(operation: ExplainedOperation): string {
  const where =
    operation.callIndex === null
      ? ""
      : operation.returnIndex === null
        ? ` (event ${operation.callIndex})`
        : ` (events ${operation.callIndex}–${operation.returnIndex})`;
  return `${operation.description} by process ${operation.process}${where}`;
}

/** `count` and `noun`, plural unless one. */
function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** The summary: what fails, why the search could not place it, and the smallest failing subset. */
function summaryOf({
  input,
  prefix,
  explained,
  minimalSet,
}: {
  input: FailureInput;
  prefix: PrefixStates;
  explained: readonly ExplainedOperation[];
  minimalSet: readonly number[];
}): string {
  const { key, operations, deepest } = input;
  const byId = new Map(explained.map((operation) => [operation.id, operation]));
  const name = (id: number): string => nameOf(byId.get(id)!);
  const failing = operations[deepest.failing]!;
  const partitionText = key === null ? "" : ` on key ${JSON.stringify(key)}`;
  const minimalNames = minimalSet.slice(0, summaryOperationsMax).map(name).join("; ");
  const minimalMore =
    minimalSet.length > summaryOperationsMax ? `; and ${minimalSet.length - summaryOperationsMax} more` : "";
  const sentences = [
    `Not linearizable${partitionText}: ${name(failing.id)} cannot take effect anywhere between its call and its return.`,
    ...whySentences(input, prefix, name),
    `A smallest failing subset found has ${counted(minimalSet.length, "operation")}: ${minimalNames}${minimalMore}.`,
  ];
  return sentences.join(" ");
}

/**
 * Why the failing operation cannot be placed: the guard's witnesses, the states no order can
 * reach, or the longest prefix and the pending operations.
 */
function whySentences(input: FailureInput, prefix: PrefixStates, name: (id: number) => string): string[] {
  const { operations, model, deepest, states } = input;
  const failingText = describeOperation(model, operations[deepest.failing]!);
  if (deepest.witnesses !== undefined)
    return [witnessSentence(deepest.witnesses.map((local) => name(operations[local]!.id)))];
  if (deepest.reachableStates !== undefined)
    return [
      deepest.reachableStates === 1
        ? `${failingText} is not possible in the one state the partition's operations can reach.`
        : `${failingText} is possible in none of the ${counted(deepest.reachableStates, "state")} the partition's operations can reach, in any order.`,
    ];
  const failingLegal = states.transition(deepest.failing, prefix.stateAtFailure) >= 0;
  const others = deepest.pending.length - 1;
  const failingSentence = failingLegal
    ? `${failingText} would be possible there, but then ${others === 1 ? "the other pending operation cannot be placed" : `the other ${others} pending operations cannot all be placed`}.`
    : others === 0
      ? `${failingText} is not possible in that state and no other operation is pending.`
      : others === 1
        ? `${failingText} is not possible in that state, and placing the other pending operation first does not make it possible.`
        : `${failingText} is not possible in that state, and no order of the ${others} other pending operations makes it possible.`;
  return [
    `The longest linearizable prefix found has ${counted(deepest.prefix.length, "operation")} and leaves the state at ${prefix.stateAtFailureText};`,
    failingSentence,
  ];
}
