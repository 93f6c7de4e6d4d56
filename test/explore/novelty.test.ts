/**
 * Novelty walks and schedule shortening: bugs too deep for breadth-first search are found, their
 * schedules are shortened without ever getting shorter than the proven shortest one, the saved
 * scenario replays to the same violation, and correct protocols stay clean. Method: run the
 * strategies on built-in protocols with a fixed seed and a state bound instead of a clock, then
 * replay what they return through `runScenario`, as `quorumlab run` does.
 */
import { describe, expect, it } from "vitest";
import { protocols } from "../../protocols/index.js";
import { explore, type SearchSettings } from "../../sim/explore/search.js";
import { type ExploreInput, exploreSetup } from "../../sim/explore/settings.js";
import { replayLoosely, shortenSchedule } from "../../sim/explore/shorten.js";
import { WorldShared } from "../../sim/explore/world.js";
import type { Protocol } from "../../sim/node.js";
import { replayFound } from "./support.js";

const protocol = (name: string): Protocol => protocols.get(name) as Protocol;

const settings = (overrides: Partial<SearchSettings> = {}): SearchSettings => ({
  strategy: "novelty",
  depthMax: 60,
  timeMs: Number.POSITIVE_INFINITY,
  statesMax: 200_000,
  now: () => 0,
  seed: 1n,
  ...overrides,
});

describe("novelty walks", () => {
  it("find a Raft bug with a short schedule that replays, the same for the same seed", () => {
    const input: ExploreInput = { bugs: ["no-up-to-date-check"], nodes: 3 };
    const { setup } = exploreSetup(protocol("raft"), input);
    const result = explore(setup, settings());
    expect(result.verdict).toBe("violation");
    expect(result.strategy).toBe("novelty");
    const counterexample = result.counterexample;
    expect(counterexample?.finding.invariant).toBe("raft.leader-completeness");
    expect(counterexample?.shortest).toBe(false);
    expect(counterexample?.steps.length).toBeLessThanOrEqual(counterexample?.foundSteps as number);
    expect(replayFound("raft", input, result).broke).toContain("raft.leader-completeness");
    // Repeatable: the same seed gives the same walks and the same schedule.
    const again = explore(setup, settings());
    expect(again.counterexample?.steps).toEqual(counterexample?.steps);
    expect(again.statesVisited).toBe(result.statesVisited);
  });

  // Correct protocols: a few thousand walks from their cells find nothing.
  for (const name of [
    "paxos",
    "multi-paxos",
    "raft",
    "two-phase-commit",
    "three-phase-commit",
    "primary-backup",
  ]) {
    it(`find nothing in correct ${name}`, () => {
      const { setup } = exploreSetup(protocol(name), { nodes: 3, faults: { crash: 1, timeouts: 3 } });
      const result = explore(setup, settings({ statesMax: 3_000 }));
      expect(result.counterexample).toBeUndefined();
      expect(result.verdict).toBe("bounded");
      expect(result.boundedBy).toBe("states");
    });
  }
});

describe("shortening", () => {
  const input: ExploreInput = {
    bugs: ["ready-aborts-on-timeout"],
    nodes: 3,
    faults: { timeouts: 3 },
    // Every schedule step is a choice (no drops implied by the bounds).
    network: "unordered",
    quietTimeouts: false,
  };

  it("never gets below the shortest schedule, and what it returns breaks the same invariant", () => {
    const { setup } = exploreSetup(protocol("two-phase-commit"), input);
    const shortest = explore(setup, settings({ strategy: "bfs", depthMax: Number.POSITIVE_INFINITY }));
    expect(shortest.counterexample?.shortest).toBe(true);
    const found = explore(setup, settings({ strategy: "random" }));
    const counterexample = found.counterexample;
    expect(counterexample?.finding.invariant).toBe(shortest.counterexample?.finding.invariant);
    expect(counterexample?.shortest).toBe(false);
    expect(counterexample?.steps.length).toBeGreaterThanOrEqual(
      shortest.counterexample?.steps.length as number,
    );
    expect(replayFound("two-phase-commit", input, found).broke).toContain(counterexample?.finding.invariant);
  });

  it("removes steps that do not matter", () => {
    const { setup } = exploreSetup(protocol("two-phase-commit"), input);
    const shortest = explore(setup, settings({ strategy: "bfs", depthMax: Number.POSITIVE_INFINITY }));
    const steps = shortest.counterexample?.steps ?? [];
    const finding = shortest.counterexample?.finding;
    if (finding === undefined) throw new Error("no finding");
    // The shortest schedule with every step doubled: the second of each pair is not enabled (or
    // is another message of the same kind), and shortening must come back to the same length.
    const padded = steps.flatMap((step) => [step, step]);
    const short = shortenSchedule(setup, padded, finding, { now: () => 0, deadlineMs: 1 });
    expect(short.choices.length).toBe(steps.length);
    expect(replayLoosely(setup, new WorldShared(), short.choices, finding.invariant)?.finding.invariant).toBe(
      finding.invariant,
    );
  });
  it("stops when interrupted, with the shortest schedule so far", () => {
    const { setup } = exploreSetup(protocol("two-phase-commit"), input);
    const shortest = explore(setup, settings({ strategy: "bfs", depthMax: Number.POSITIVE_INFINITY }));
    const steps = shortest.counterexample?.steps ?? [];
    const finding = shortest.counterexample?.finding;
    if (finding === undefined) throw new Error("no finding");
    const padded = steps.flatMap((step) => [step, step, step]);
    const done = shortenSchedule(setup, padded, finding, { now: () => 0, deadlineMs: 1 });
    expect(done.interrupted).toBeUndefined();
    // Interrupted at the third question: no more candidates are tried, and what it has is kept.
    let asked = 0;
    const cut = shortenSchedule(setup, padded, finding, {
      now: () => 0,
      deadlineMs: 1,
      interrupted: () => ++asked > 2,
    });
    expect(cut.interrupted).toBe(true);
    expect(asked).toBe(3);
    expect(cut.choices.length).toBeGreaterThanOrEqual(done.choices.length);
    expect(cut.choices.length).toBeLessThanOrEqual(padded.length);
    // Interrupted before the first candidate: the schedule as given.
    const at = shortenSchedule(setup, padded, finding, {
      now: () => 0,
      deadlineMs: 1,
      interrupted: () => true,
    });
    expect(at.interrupted).toBe(true);
    expect(at.choices).toEqual(padded);
  });

  it("a random search interrupted while it shortens keeps its violation, marked cut short", () => {
    const { setup } = exploreSetup(protocol("two-phase-commit"), input);
    const whole = explore(setup, settings({ strategy: "random" }));
    expect(whole.counterexample?.cutShort).toBeUndefined();
    // The walks ask after each walk that found nothing, the shortening before each replay: the
    // first answer of true that the search does not end on bounded is the shortening's.
    for (let asked = 0; asked < 100; asked++) {
      let calls = 0;
      const result = explore(setup, settings({ strategy: "random", interrupted: () => calls++ >= asked }));
      if (result.verdict === "bounded") {
        expect(result.boundedBy).toBe("interrupted");
        continue;
      }
      expect(result.verdict).toBe("violation");
      expect(result.counterexample?.cutShort).toBe(true);
      expect(result.counterexample?.foundSteps).toBe(whole.counterexample?.foundSteps);
      expect(replayFound("two-phase-commit", input, result).broke).toContain(
        whole.counterexample?.finding.invariant,
      );
      return;
    }
    throw new Error("no search was interrupted while it shortened");
  });
});
