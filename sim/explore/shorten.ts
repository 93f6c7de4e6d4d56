/**
 * Shortening a counterexample that a random search found: remove steps while the rest still
 * breaks the same invariant (delta debugging: Zeller and Hildebrandt, "Simplifying and isolating
 * failure-inducing input", IEEE TSE 28(2), 2002).
 *
 * A schedule names messages by number, and numbers shift when an earlier step is removed, so a
 * candidate is replayed loosely: each step takes the enabled choice of the same kind between the
 * same nodes (a delivery of the same message type on the same link, the oldest such when the
 * number no longer matches), and a step with no such choice is left out. The result is the list
 * of choices actually taken, replayed once more from the start before it is returned: it breaks
 * the invariant exactly as listed.
 *
 * The schedule is short, not the shortest: only breadth-first search proves that no shorter
 * schedule exists.
 */
import type { ScheduleStep } from "../scenario/schema.js";
import { type Finding, World, type WorldSetup, WorldShared } from "./world.js";

export interface ShortenSettings {
  /** Wall clock in milliseconds, from the caller. */
  readonly now: () => number;
  /** Stop shortening at this wall-clock time (the schedule so far is returned). */
  readonly deadlineMs: number;
  /**
   * Asked before each candidate is replayed: once it returns true, shortening stops and the
   * schedule so far is returned, marked `interrupted` (the command line: Ctrl-C or SIGTERM).
   */
  readonly interrupted?: () => boolean;
}

export interface Shortened {
  readonly choices: readonly ScheduleStep[];
  readonly finding: Finding;
  /** `settings.interrupted` ended the shortening early: `choices` is the shortest found until then. */
  readonly interrupted?: true;
}

/**
 * A shorter list of choices that still breaks `finding.invariant` (or `choices` itself when no
 * step can go). `choices` must break it when taken from the initial state.
 */
export function shortenSchedule(
  setup: WorldSetup,
  choices: readonly ScheduleStep[],
  finding: Finding,
  settings: ShortenSettings,
): Shortened {
  const shared = new WorldShared();
  let best: Shortened = replayLoosely(setup, shared, choices, finding.invariant) ?? { choices, finding };
  let interrupted = false;
  // Once interrupted, stays so: the schedule so far is the answer, and says it was cut short.
  const goOn = (): boolean => {
    if (!interrupted && settings.interrupted?.() === true) interrupted = true;
    return !interrupted && settings.now() < settings.deadlineMs;
  };
  let improved = true;
  while (improved && goOn()) {
    improved = false;
    for (let chunk = Math.max(1, best.choices.length >> 1); chunk >= 1; chunk >>= 1) {
      for (let start = 0; start < best.choices.length && goOn(); ) {
        const candidate = [...best.choices.slice(0, start), ...best.choices.slice(start + chunk)];
        const replayed = replayLoosely(setup, shared, candidate, finding.invariant);
        if (replayed !== undefined && replayed.choices.length < best.choices.length) {
          best = replayed;
          improved = true;
        } else {
          start += chunk;
        }
      }
    }
  }
  return interrupted ? { ...best, interrupted: true } : best;
}

/**
 * Takes `choices` from the initial state, each matched loosely against the enabled ones; the
 * choices taken up to the first state that breaks `invariant`, or undefined when none does.
 */
export function replayLoosely(
  setup: WorldSetup,
  shared: WorldShared,
  choices: readonly ScheduleStep[],
  invariant: string,
): Shortened | undefined {
  const world = new World(setup, shared);
  const taken: ScheduleStep[] = [];
  const breaks = (): boolean =>
    invariant === "explore.deadlock"
      ? world.choices().length === 0 && world.deadlocked()
      : world.finding?.invariant === invariant;
  if (breaks()) return { choices: taken, finding: world.finding as Finding };
  for (const wanted of choices) {
    // Another invariant broke first: this candidate shows something else.
    if (world.finding !== undefined) return undefined;
    const step = matching(world.choices(), wanted);
    if (step === undefined) continue;
    world.take(step);
    taken.push(step);
    if (breaks()) {
      const finding = world.finding ?? {
        invariant,
        message: "no step can run while a client waits for an answer",
      };
      return { choices: taken, finding };
    }
  }
  return undefined;
}

/** The enabled choice that `wanted` stands for: the same one, else the same kind on the same nodes. */
function matching(enabled: readonly ScheduleStep[], wanted: ScheduleStep): ScheduleStep | undefined {
  let loose: ScheduleStep | undefined;
  for (const step of enabled) {
    if (step.kind !== wanted.kind) continue;
    switch (step.kind) {
      case "deliver":
      case "drop":
      case "duplicate": {
        const other = wanted as typeof step;
        if (step.from !== other.from || step.to !== other.to || step.type !== other.type) continue;
        if (step.id === other.id) return step;
        // Choices list messages oldest first: the first loose match is the oldest.
        loose ??= step;
        continue;
      }
      case "fire":
        if (step.node === (wanted as typeof step).node && step.timer === (wanted as typeof step).timer)
          return step;
        continue;
      case "retry":
      case "invoke":
        if (step.client === (wanted as typeof step).client) return step;
        continue;
      case "crash":
        if (
          step.node === (wanted as typeof step).node &&
          (step.loseUnsynced === true) === ((wanted as typeof step).loseUnsynced === true)
        )
          return step;
        continue;
      case "restart":
      case "isolate":
        if (step.node === (wanted as typeof step).node) return step;
        continue;
      case "heal":
        return step;
    }
  }
  return loose;
}
