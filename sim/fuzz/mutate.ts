/**
 * Mutations of fuzz plans, for coverage-guided search: a plan that reached new coverage is kept
 * in the corpus, and later runs try small changes of it (AFL's "havoc" stage over our own
 * structure): insert, delete, duplicate, shift or swap fault steps, change a step's node, its
 * undo time or its wait for a new leader, change the simulation seed, the cluster size, an option
 * or the network. Mutations
 * draw from a seeded stream, so a mutant is a pure function of its parent and its run.
 */
import fc from "fast-check";
import type { Rng } from "../random.js";
import { faultStepArbitrary } from "./arbitraries.js";
import type { FaultStep, FuzzPlan, FuzzSettings } from "./plan.js";

/** A mutant keeps at most this many fault steps. */
function stepsMax(settings: FuzzSettings): number {
  return 2 * settings.faultStepsMax;
}

function clampTime(settings: FuzzSettings, atMs: number): number {
  return Math.max(0, Math.min(settings.faultPhaseMs - 1, Math.round(atMs)));
}

/** A fresh fault step drawn from the uniform mix, seeded by `random`. */
function freshStep(settings: FuzzSettings, random: Rng): FaultStep {
  const [step] = fc.sample(faultStepArbitrary(settings), { seed: random.int(0, 0x7fff_ffff), numRuns: 1 });
  return step as FaultStep;
}

/** The step with one of its node fields changed. */
function changeNode(settings: FuzzSettings, step: FaultStep, random: Rng): FaultStep {
  const node = random.int(0, settings.nodesMax - 1);
  switch (step.type) {
    case "crash":
    case "isolate":
    case "timeout":
      return { ...step, target: random.chance(0.3) ? random.pick(["leader", "follower"] as const) : node };
    case "partition":
      return random.chance(0.5)
        ? { ...step, offset: node }
        : { ...step, minority: random.int(1, Math.max(1, Math.floor(settings.nodesMax / 2))) };
    case "bridge":
      return random.chance(0.5) ? { ...step, bridge: node } : { ...step, offset: node };
    case "cut":
    case "clog":
      return random.chance(0.5) ? { ...step, from: node } : { ...step, to: node };
    case "pause":
      return { ...step, node };
    case "drift":
      return { type: step.type, atMs: step.atMs, node, ratePercent: step.ratePercent };
    case "burst":
      return { ...step, lossPermille: random.int(0, 600), duplicatePermille: random.int(0, 300) };
  }
}

/** The step with its undo delay (restart, heal, resume) or its length changed. */
function changeUndo(settings: FuzzSettings, step: FaultStep, random: Rng): FaultStep {
  const delay = (): number | null => (random.chance(0.2) ? null : random.int(1, settings.faultPhaseMs));
  switch (step.type) {
    case "crash":
      return { ...step, restartAfterMs: delay() };
    case "partition":
    case "bridge":
    case "cut":
    case "isolate":
      return { ...step, healAfterMs: delay() };
    case "pause":
      return { ...step, resumeAfterMs: delay() };
    case "clog":
      return { ...step, forMs: random.int(1, settings.faultPhaseMs), delayMs: random.int(1, 400) };
    case "burst":
      return { ...step, forMs: random.int(1, settings.faultPhaseMs) };
    case "drift":
      return { ...step, ratePercent: random.int(-50, 100) };
    case "timeout":
      return step;
  }
}

/** The mutation operators, by name (the campaign report counts which produced new coverage). */
export const mutationNames = [
  "insert",
  "delete",
  "duplicate",
  "shift",
  "swap",
  "node",
  "undo",
  "wait",
  "seed",
  "shape",
] as const;

export type MutationName = (typeof mutationNames)[number];

function mutateOnce(settings: FuzzSettings, plan: FuzzPlan, random: Rng, name: MutationName): FuzzPlan {
  if (name === "seed") return { ...plan, seed: random.int(0, 0x7fff_ffff) };
  if (name === "shape") return mutateShape(settings, plan, random);
  const faults = [...plan.faults];
  return stepEdits[name](settings, faults, random) ? { ...plan, faults } : plan;
}

/** A step's index drawn from `random`. */
function anyIndex(faults: readonly FaultStep[], random: Rng): number {
  return random.int(0, faults.length - 1);
}

type StepEdit = (settings: FuzzSettings, faults: FaultStep[], random: Rng) => boolean;

/** Edits of a plan's fault steps, in place; each says false when the steps do not allow it. */
const stepEdits: Record<Exclude<MutationName, "seed" | "shape">, StepEdit> = {
  insert(settings, faults, random) {
    if (faults.length >= stepsMax(settings)) return false;
    const step = freshStep(settings, random);
    // Often right next to an existing step: coinciding faults are what break protocols.
    const near =
      faults.length > 0 && random.chance(0.5)
        ? (faults[anyIndex(faults, random)] as FaultStep).atMs
        : undefined;
    const atMs = near === undefined ? step.atMs : clampTime(settings, near + random.int(-20, 20));
    faults.splice(random.int(0, faults.length), 0, { ...step, atMs });
    return true;
  },
  delete(_settings, faults, random) {
    if (faults.length === 0) return false;
    faults.splice(anyIndex(faults, random), 1);
    return true;
  },
  duplicate(settings, faults, random) {
    if (faults.length === 0 || faults.length >= stepsMax(settings)) return false;
    const step = faults[anyIndex(faults, random)] as FaultStep;
    faults.push({ ...step, atMs: clampTime(settings, step.atMs + random.int(1, 300)) });
    return true;
  },
  shift(settings, faults, random) {
    if (faults.length === 0) return false;
    const index = anyIndex(faults, random);
    const step = faults[index] as FaultStep;
    const spread = random.pick([5, 50, 500]);
    faults[index] = { ...step, atMs: clampTime(settings, step.atMs + random.int(-spread, spread)) };
    return true;
  },
  swap(_settings, faults, random) {
    if (faults.length < 2) return false;
    const first = anyIndex(faults, random);
    const second = anyIndex(faults, random);
    const a = faults[first] as FaultStep;
    const b = faults[second] as FaultStep;
    faults[first] = { ...a, atMs: b.atMs };
    faults[second] = { ...b, atMs: a.atMs };
    return true;
  },
  node(settings, faults, random) {
    if (faults.length === 0) return false;
    const index = anyIndex(faults, random);
    faults[index] = changeNode(settings, faults[index] as FaultStep, random);
    return true;
  },
  undo(settings, faults, random) {
    if (faults.length === 0) return false;
    const index = anyIndex(faults, random);
    faults[index] = changeUndo(settings, faults[index] as FaultStep, random);
    return true;
  },
  wait(settings, faults, random) {
    // A step that waits may come after the quiet phase, which liveness checks must not see.
    if (faults.length === 0 || settings.liveness) return false;
    const index = anyIndex(faults, random);
    faults[index] = changeWait(faults[index] as FaultStep, random);
    return true;
  },
};

/**
 * The step with its wait for a new leader changed: made to wait for the next one, its delay or
 * the number of leaders it waits for changed, or the wait dropped; an isolation may also start
 * or stop healing first.
 */
function changeWait(step: FaultStep, random: Rng): FaultStep {
  if (step.type === "isolate" && random.chance(0.25)) return { ...step, healFirst: step.healFirst !== true };
  const { afterNewLeaderMs, nthNewLeader, ...fixed } = step;
  const delayMs = random.int(0, random.pick([5, 20, 100]));
  if (afterNewLeaderMs === undefined) return { ...fixed, afterNewLeaderMs: delayMs } as FaultStep;
  const choice = random.int(0, 3);
  if (choice === 0) return fixed as FaultStep;
  if (choice === 1) return { ...step, afterNewLeaderMs: delayMs };
  const nth = Math.max(1, (nthNewLeader ?? 1) + (choice === 2 ? 1 : -1));
  return { ...fixed, afterNewLeaderMs, ...(nth === 1 ? {} : { nthNewLeader: nth }) } as FaultStep;
}

/** The plan with its cluster size, one option, its quiet phase or its network changed. */
function mutateShape(settings: FuzzSettings, plan: FuzzPlan, random: Rng): FuzzPlan {
  const choice = random.int(0, 3);
  if (choice === 0) return { ...plan, nodes: random.int(settings.nodesMin, settings.nodesMax) };
  if (choice === 1) {
    const keys = Object.keys(settings.optionChoices).sort();
    if (keys.length === 0) return plan;
    const key = random.pick(keys);
    return {
      ...plan,
      options: { ...plan.options, [key]: random.pick(settings.optionChoices[key] ?? [null]) },
    };
  }
  if (choice === 2) return { ...plan, quiet: settings.liveness || !plan.quiet };
  return {
    ...plan,
    network: {
      ...plan.network,
      lossPermille: random.chance(0.5) ? 0 : random.int(1, 80),
      duplicatePermille: random.chance(0.5) ? 0 : random.int(1, 80),
      fifo: random.chance(0.5),
    },
  };
}

/** A mutant of `plan`: one to four stacked mutations. Returns it with the operators applied. */
export function mutatePlan(
  settings: FuzzSettings,
  plan: FuzzPlan,
  random: Rng,
): { plan: FuzzPlan; mutations: MutationName[] } {
  const count = random.pick([1, 1, 2, 2, 3, 4]);
  const mutations: MutationName[] = [];
  let mutant = plan;
  for (let step = 0; step < count; step++) {
    const name = random.pick(mutationNames);
    mutations.push(name);
    mutant = mutateOnce(settings, mutant, random, name);
  }
  return { plan: mutant, mutations };
}
