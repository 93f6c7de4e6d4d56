/**
 * Shrinking a plan that fast-check did not generate (a corpus mutant): fast-check's shrinker
 * needs the generation context that only its own runs have, so a mutant is shrunk here, greedily,
 * by the same moves: drop fault steps (halves first, then one at a time), drop undo steps, move
 * steps earlier, shorten lengths, shrink the cluster, simplify the network and the options toward
 * their first choices, drop the workload and the quiet phase. A candidate is kept only when it
 * fails the same way (same kind and invariant), as with fast-check. Deterministic: the candidates
 * come in a fixed order.
 */
import type { FaultStep, FuzzPlan, FuzzSettings } from "./plan.js";
import { type RunFailure, sameFailure } from "./property.js";

export interface PlanShrinkOptions {
  readonly now?: () => number;
  readonly budgetMs?: number;
}

export interface PlanShrinkResult {
  readonly plan: FuzzPlan;
  /** How `plan` itself fails (the target's kind and invariant; its message may differ). */
  readonly failure: RunFailure;
  readonly shrinkSteps: number;
  readonly shrinkRuns: number;
  readonly budgetExhausted: boolean;
}

function simplerStep(step: FaultStep): FaultStep[] {
  const out: FaultStep[] = [];
  if (step.atMs > 0) out.push({ ...step, atMs: 0 }, { ...step, atMs: Math.floor(step.atMs / 2) });
  if (step.afterNewLeaderMs !== undefined) {
    const { afterNewLeaderMs, nthNewLeader, ...fixed } = step;
    out.push(fixed as FaultStep);
    if (nthNewLeader !== undefined && nthNewLeader > 1) out.push({ ...step, nthNewLeader: nthNewLeader - 1 });
    if (afterNewLeaderMs > 0) out.push({ ...step, afterNewLeaderMs: Math.floor(afterNewLeaderMs / 2) });
  }
  switch (step.type) {
    case "crash":
      if (step.restartAfterMs !== null) out.push({ ...step, restartAfterMs: null });
      if (step.loseUnsynced) out.push({ ...step, loseUnsynced: false });
      break;
    case "partition":
    case "bridge":
    case "cut":
    case "isolate":
      if (step.healAfterMs !== null) out.push({ ...step, healAfterMs: null });
      if (step.type === "isolate" && step.healFirst === true) out.push({ ...step, healFirst: false });
      break;
    case "pause":
      if (step.resumeAfterMs !== null) out.push({ ...step, resumeAfterMs: null });
      break;
    case "clog":
    case "burst":
      if (step.forMs > 1) out.push({ ...step, forMs: Math.floor(step.forMs / 2) });
      break;
    default:
      break;
  }
  return out;
}

/** Simpler plans than `plan`, most promising first. */
function candidates(plan: FuzzPlan, settings: FuzzSettings): FuzzPlan[] {
  const out: FuzzPlan[] = [];
  const faults = plan.faults;
  // Remove chunks of steps: halves, quarters, ..., single steps.
  for (let size = Math.ceil(faults.length / 2); size >= 1; size = size === 1 ? 0 : Math.ceil(size / 2)) {
    for (let start = 0; start < faults.length; start += size) {
      out.push({ ...plan, faults: [...faults.slice(0, start), ...faults.slice(start + size)] });
    }
  }
  if (plan.nodes > settings.nodesMin) out.push({ ...plan, nodes: plan.nodes - 1 });
  const network = plan.network;
  if (network.latency.kind !== "constant" || network.latency.ms !== 1) {
    out.push({ ...plan, network: { ...network, latency: { kind: "constant", ms: 1 } } });
  }
  if (network.lossPermille > 0) out.push({ ...plan, network: { ...network, lossPermille: 0 } });
  if (network.duplicatePermille > 0) out.push({ ...plan, network: { ...network, duplicatePermille: 0 } });
  for (const key of Object.keys(plan.options).sort()) {
    const first = settings.optionChoices[key]?.[0];
    if (first !== undefined && plan.options[key] !== first) {
      out.push({ ...plan, options: { ...plan.options, [key]: first } });
    }
  }
  if (plan.quiet && !settings.liveness) out.push({ ...plan, quiet: false });
  if (plan.workload !== null && settings.workloadRequired !== true) out.push({ ...plan, workload: null });
  faults.forEach((step, index) => {
    for (const simpler of simplerStep(step)) {
      out.push({ ...plan, faults: faults.map((other, at) => (at === index ? simpler : other)) });
    }
  });
  return out;
}

/**
 * Shrinks a failing plan. `fails` runs a plan and returns its failure (or undefined); `target`
 * is the failure to keep.
 */
export function shrinkPlan(
  plan: FuzzPlan,
  settings: FuzzSettings,
  target: RunFailure,
  fails: (plan: FuzzPlan) => RunFailure | undefined,
  options: PlanShrinkOptions = {},
): PlanShrinkResult {
  const deadline =
    options.now === undefined || options.budgetMs === undefined
      ? undefined
      : options.now() + options.budgetMs;
  let current = plan;
  let failing = target;
  let shrinkSteps = 0;
  let shrinkRuns = 0;
  for (;;) {
    let improved = false;
    for (const candidate of candidates(current, settings)) {
      if (deadline !== undefined && (options.now as () => number)() > deadline) {
        return { plan: current, failure: failing, shrinkSteps, shrinkRuns, budgetExhausted: true };
      }
      shrinkRuns++;
      const failure = fails(candidate);
      if (failure !== undefined && sameFailure(failure, target)) {
        current = candidate;
        failing = failure;
        shrinkSteps++;
        improved = true;
        break;
      }
    }
    if (!improved)
      return { plan: current, failure: failing, shrinkSteps, shrinkRuns, budgetExhausted: false };
  }
}
