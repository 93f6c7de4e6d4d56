/**
 * The names of the timers nodes set, as short random walks from the start see them: what the
 * names given to `--timers` are checked against when a protocol does not declare its `timers`.
 */
import { randomStream } from "../random.js";
import { World, type WorldSetup } from "./world.js";

/** How many walks, and how many steps each, `timerNamesSeen` takes by default. */
export const timerWalks = { walks: 20, steps: 40 } as const;

/**
 * The sorted names of the timers pending in the states that seeded random walks from the start
 * of `setup` pass through, with every timer free to fire (a few times each walk).
 */
export function timerNamesSeen(
  setup: WorldSetup,
  walks: number = timerWalks.walks,
  steps: number = timerWalks.steps,
): string[] {
  const { timers: _chosen, ...rest } = setup;
  const probe: WorldSetup = {
    ...rest,
    budget: { ...setup.budget, timeouts: Math.max(setup.budget.timeouts, 4) },
  };
  const random = randomStream(setup.seed, "timer-names");
  const names = new Set<string>();
  for (let walk = 0; walk < walks; walk++) {
    const world = new World(probe);
    for (let step = 0; step < steps; step++) {
      const choices = world.choices();
      for (const choice of choices) if (choice.kind === "fire") names.add(choice.timer);
      if (choices.length === 0 || world.finding !== undefined) break;
      world.take(random.pick(choices));
    }
  }
  return [...names].sort();
}
