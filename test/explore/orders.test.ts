/**
 * Breadth-first search takes one order of two deliveries to different nodes (search.ts,
 * `skipsOrder`). Goal: it reaches the very same states at the same depths, finds counterexamples
 * of the same length, and takes fewer transitions. Method: explore each configuration with both
 * orders and with one, and compare.
 */
import { describe, expect, it } from "vitest";
import { protocols } from "../../protocols/index.js";
import { explore, type SearchSettings } from "../../sim/explore/search.js";
import { type ExploreInput, exploreSetup } from "../../sim/explore/settings.js";
import type { Protocol } from "../../sim/node.js";
import { searchSettings } from "./support.js";

const protocol = (name: string): Protocol => protocols.get(name) as Protocol;

const search = (name: string, input: ExploreInput, overrides: Partial<SearchSettings>) =>
  explore(exploreSetup(protocol(name), input).setup, searchSettings(overrides));

describe("one order of commuting deliveries", () => {
  const complete: Array<[string, ExploreInput]> = [
    // Every schedule, in any order on a link: the most commuting pairs.
    ["paxos", { faults: { timeouts: 1 }, network: "unordered", quietTimeouts: false }],
    ["two-phase-commit", { nodes: 3, faults: { timeouts: 2 }, network: "unordered", quietTimeouts: false }],
    // The protocol's own bounds (ordered links, quiet timeouts).
    ["two-phase-commit", {}],
  ];
  it.each(complete)(
    "%s %j: the same states to completion, with fewer transitions",
    (name, input) => {
      const both = search(name, input, { commutingOrders: "both" });
      const one = search(name, input, { commutingOrders: "one" });
      expect(both.verdict).toBe("complete");
      expect(one.verdict).toBe("complete");
      expect(one.uniqueStates).toBe(both.uniqueStates);
      expect(one.depth).toBe(both.depth);
      expect(one.statesVisited).toBeLessThan(both.statesVisited);
      expect(one.statesVisited + (one.transitionsSkipped ?? 0)).toBe(both.statesVisited);
    },
    60_000,
  );

  it("the same states level by level where the search is cut by depth (Raft, one client)", () => {
    for (const depthMax of [3, 4, 5]) {
      const both = search("raft", { faults: { timeouts: 3 } }, { commutingOrders: "both", depthMax });
      const one = search("raft", { faults: { timeouts: 3 } }, { commutingOrders: "one", depthMax });
      expect(one.uniqueStates).toBe(both.uniqueStates);
    }
  }, 60_000);

  // As `mutants --explore` explores them first: no client, one crash, two timeouts, every schedule.
  const unbounded: ExploreInput = {
    nodes: 3,
    clients: 0,
    faults: { crash: 1, timeouts: 2 },
    timers: "all",
    network: "unordered",
    quietTimeouts: false,
  };
  const bugs: Array<[string, string, ExploreInput]> = [
    ["two-phase-commit", "unforced-vote", unbounded],
    ["paxos", "promise-omits-accepted", unbounded],
    ["paxos", "count-stale-promises", unbounded],
    ["three-phase-commit", "unforced-vote", unbounded],
  ];
  it.each(bugs)(
    "%s %s: a counterexample of the same length",
    (name, bug, input) => {
      const both = search(name, { ...input, bugs: [bug] }, { commutingOrders: "both" });
      const one = search(name, { ...input, bugs: [bug] }, { commutingOrders: "one" });
      expect(both.verdict).toBe("violation");
      expect(one.verdict).toBe("violation");
      expect(one.counterexample?.shortest).toBe(true);
      expect(one.counterexample?.steps.length).toBe(both.counterexample?.steps.length);
      expect(one.counterexample?.finding.invariant).toBe(both.counterexample?.finding.invariant);
    },
    60_000,
  );
});
