/** Shared pieces of the exploration tests: search settings and the replay of a found schedule. */
import { expect } from "vitest";
import { protocols } from "../../protocols/index.js";
import { exploredScenario, exploredText } from "../../sim/explore/counterexample.js";
import { describeStep } from "../../sim/explore/schedule.js";
import type { SearchResult, SearchSettings } from "../../sim/explore/search.js";
import { type ExploreInput, exploreSetup } from "../../sim/explore/settings.js";
import type { World } from "../../sim/explore/world.js";
import type { Protocol } from "../../sim/node.js";
import { runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";
import type { ScheduleStep } from "../../sim/scenario/schema.js";

/** Search settings for the exploration tests: breadth first, no depth or time bound, no clock. */
export const searchSettings = (overrides: Partial<SearchSettings> = {}): SearchSettings => ({
  strategy: "bfs",
  depthMax: Number.POSITIVE_INFINITY,
  timeMs: Number.POSITIVE_INFINITY,
  statesMax: 1_000_000,
  now: () => 0,
  ...overrides,
});

/**
 * Replays a found counterexample as a saved scenario, twice, as `quorumlab run` does: the
 * invariants the replay broke and its trace hash, which both replays must share.
 */
export function replayFound(
  name: string,
  input: ExploreInput,
  result: SearchResult,
): { broke: string[]; traceHash: string } {
  const { userOptions, setup } = exploreSetup(protocols.get(name) as Protocol, input);
  const counterexample = result.counterexample;
  if (counterexample === undefined) throw new Error("no counterexample");
  const scenario = exploredScenario(
    {
      protocol: name,
      options: userOptions,
      nodes: setup.nodes,
      clients: setup.workload.length,
      seed: 1n,
      command: "",
    },
    counterexample.steps,
    counterexample.finding,
    10_000_000,
  );
  const text = exploredText(scenario);
  const first = runScenario(parseScenario(text, "explored.yaml"), protocols, {});
  const second = runScenario(parseScenario(text, "explored.yaml"), protocols, {});
  expect(second.traceHash).toBe(first.traceHash);
  return { broke: first.violations.map((violation) => violation.invariant), traceHash: first.traceHash };
}

/** Takes the first enabled choice whose description contains each of `wanted`, in order. */
export function walk(world: World, wanted: readonly string[]): ScheduleStep[] {
  const taken: ScheduleStep[] = [];
  for (const text of wanted) {
    const step = world.choices().find((candidate) => describeStep(candidate).includes(text));
    if (step === undefined) {
      throw new Error(`'${text}' is not enabled: ${world.choices().map(describeStep).join(" | ")}`);
    }
    world.take(step);
    taken.push(...world.lastTaken);
  }
  return taken;
}

/** Two searches of the same space ended alike: verdict, counts, depth, bound and counterexample. */
export function sameSearch(result: SearchResult, reference: SearchResult): void {
  expect(result.verdict).toBe(reference.verdict);
  expect(result.uniqueStates).toBe(reference.uniqueStates);
  expect(result.statesVisited).toBe(reference.statesVisited);
  expect(result.transitionsSkipped).toBe(reference.transitionsSkipped);
  expect(result.depth).toBe(reference.depth);
  expect(result.boundedBy).toBe(reference.boundedBy);
  expect(result.restore).toBe(reference.restore);
  expect(result.counterexample).toEqual(reference.counterexample);
}
