/**
 * The last pass of shrinking: removing the fault actions a counterexample does not need.
 *
 * fast-check (or ./shrink.ts, for a corpus mutant) shrinks the plan by the moves its arbitraries
 * allow and stops at a plan none of whose neighbours fails the same way. The scenario that plan
 * gives can still hold actions that do nothing for the violation: a heal before anything was cut,
 * an isolation of a leader not yet elected (skipped), steps waiting for a leader that comes after
 * the violation stopped the run. This pass works on the scenario's fault actions themselves:
 *
 * 1. drop, all at once, every action that never ran or was skipped (`RunResult.stepsRun`);
 * 2. try removing each remaining action alone, from the last to the first, and go round again
 *    until no single removal still fails (the result is 1-minimal, as ddmin's).
 *
 * A removal is kept only when the run still fails the same way (same kind and invariant), so the
 * counterexample stays a witness of the bug that was found. Deterministic: the candidates come in
 * a fixed order and each is one run; a time budget can only cut the pass short.
 */
import { copyScenario } from "../scenario/load.js";
import type { FaultAction, Scenario } from "../scenario/schema.js";
import { type RunFailure, type RunVerdict, type ScenarioRunner, sameFailure } from "./property.js";

export interface ActionPassOptions {
  /** Whether the pass may remove this action (the quiet phase's repairs stay). Default: any. */
  readonly removable?: (action: FaultAction) => boolean;
  /** A clock in milliseconds and the time on it at which the pass stops, unfinished. */
  readonly now?: () => number;
  readonly deadline?: number;
}

export interface ActionPassResult {
  /** Indexes in the given scenario's `faults` of the actions removed, ascending. */
  readonly removed: readonly number[];
  /** How the scenario without them fails (the target's kind and invariant; its own message). */
  readonly failure: RunFailure;
  /** Runs performed. */
  readonly runs: number;
  /** True when the deadline came before the pass had tried every removal. */
  readonly budgetExhausted: boolean;
}

/** The scenario with only the fault actions at `kept` (indexes in its `faults`, ascending). */
export function keepActions(scenario: Scenario, kept: readonly number[]): Scenario {
  const faults = kept.map((index) => scenario.faults[index] as FaultAction);
  return copyScenario(scenario, { faults });
}

/**
 * Removes the fault actions of `scenario` that a run failing as `target` does not need.
 * `scenario` must fail as `target`; `runner` runs a scenario (and says which actions ran).
 */
export function removeIdleActions(
  scenario: Scenario,
  target: RunFailure,
  runner: ScenarioRunner,
  options: ActionPassOptions = {},
): ActionPassResult {
  const removable = options.removable ?? (() => true);
  let kept = scenario.faults.map((_, index) => index);
  let failure = target;
  let runs = 0;
  let budgetExhausted = false;
  const outOfTime = () =>
    options.now !== undefined && options.deadline !== undefined && options.now() > options.deadline;
  /** Runs the scenario with the actions at `indexes`; its verdict when it fails as the target. */
  const failsWith = (indexes: readonly number[]): RunVerdict | undefined => {
    runs++;
    const verdict = runner(keepActions(scenario, indexes), { stepsRun: true });
    return verdict.failure !== undefined && sameFailure(verdict.failure, target) ? verdict : undefined;
  };
  /** The removable actions of `indexes` that, in `verdict`'s run, never ran or were skipped. */
  const idleOf = (indexes: readonly number[], verdict: RunVerdict): number[] => {
    const acted = new Set<number>();
    for (const step of verdict.stepsRun ?? []) {
      if (step.skipped !== true) acted.add(indexes[step.step] as number);
    }
    return indexes.filter((index) => !acted.has(index) && removable(scenario.faults[index] as FaultAction));
  };
  /** Drops the idle actions of a failing run, when the run without them still fails. */
  const dropIdle = (verdict: RunVerdict): void => {
    const idle = new Set(idleOf(kept, verdict));
    if (idle.size === 0 || outOfTime()) return;
    const fewer = kept.filter((index) => !idle.has(index));
    const after = failsWith(fewer);
    if (after === undefined) return;
    kept = fewer;
    failure = after.failure as RunFailure;
  };

  if (outOfTime()) return { removed: [], failure, runs, budgetExhausted: true };
  const first = failsWith(kept);
  // A scenario that no longer fails the same way (it should) is left as it is.
  if (first === undefined) return { removed: [], failure, runs, budgetExhausted };
  failure = first.failure as RunFailure;
  dropIdle(first);
  let removedInRound = true;
  while (removedInRound && !budgetExhausted) {
    removedInRound = false;
    for (const index of [...kept].reverse()) {
      // Gone already: dropped with the idle actions of an earlier removal's run.
      if (!kept.includes(index)) continue;
      if (!removable(scenario.faults[index] as FaultAction)) continue;
      if (outOfTime()) {
        budgetExhausted = true;
        break;
      }
      const fewer = kept.filter((other) => other !== index);
      const after = failsWith(fewer);
      if (after === undefined) continue;
      kept = fewer;
      failure = after.failure as RunFailure;
      removedInRound = true;
      dropIdle(after);
    }
  }
  const left = new Set(kept);
  const removed = scenario.faults.map((_, index) => index).filter((index) => !left.has(index));
  return { removed, failure, runs, budgetExhausted };
}
