/**
 * Clock drift as an exploration choice: a `drift` step sets one node's clock to run fast or slow by
 * the drift rate, within the `drift` budget, and a saved schedule replays it. Method: list the
 * choices of a world by hand; search primary-backup's lease variant with and without
 * `lease-ignores-drift` in the bug's declared bounds, and replay what is found.
 */
import { describe, expect, it } from "vitest";
import { protocols } from "../../protocols/index.js";
import { exploredScenario, exploredText } from "../../sim/explore/counterexample.js";
import { describeStep } from "../../sim/explore/schedule.js";
import { explore } from "../../sim/explore/search.js";
import { type ExploreInput, exploreHints, exploreSetup } from "../../sim/explore/settings.js";
import { World } from "../../sim/explore/world.js";
import type { Protocol } from "../../sim/node.js";
import { runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";
import { searchSettings } from "./support.js";

const primaryBackup = protocols.get("primary-backup") as Protocol;

// The bounds lease-ignores-drift declares, for the correct lease variant.
const leaseBounds: ExploreInput = {
  options: { variant: "lease" },
  clients: 0,
  faults: { drift: 1, timeouts: 2 },
};

describe("clock drift choices", () => {
  it("each node's clock may drift once, fast or slow, while the budget lasts", () => {
    const world = new World(exploreSetup(primaryBackup, leaseBounds).setup);
    const drifts = world
      .choices()
      .filter((step) => step.kind === "drift")
      .map(describeStep);
    expect(drifts).toEqual([
      "drift n1 +5%",
      "drift n1 -5%",
      "drift n2 +5%",
      "drift n2 -5%",
      "drift n3 +5%",
      "drift n3 -5%",
    ]);
    const slow = world.choices().find((step) => describeStep(step) === "drift n2 -5%");
    world.take(slow as never);
    expect(world.kernel.clockOf("n2").rate).toBeCloseTo(0.95);
    expect(world.budgetLeft().drift).toBe(0);
    expect(world.choices().some((step) => step.kind === "drift")).toBe(false);
  });

  it("a drifted clock is part of the state: the same steps without the drift reach another state", () => {
    const input: ExploreInput = { ...leaseBounds, faults: { drift: 1, timeouts: 2 } };
    const plain = new World(exploreSetup(primaryBackup, input).setup);
    const drifted = new World(exploreSetup(primaryBackup, input).setup);
    drifted.take({ kind: "drift", node: "n3", rate: 0.05 });
    // n3 is idle: only its clock differs (and the budget, which is hashed too); spend plain's.
    plain.take({ kind: "drift", node: "n3", rate: -0.05 });
    expect(plain.fingerprint()).not.toEqual(drifted.fingerprint());
  });

  it("without a drift budget nothing drifts", () => {
    const world = new World(exploreSetup(primaryBackup, { ...leaseBounds, faults: { timeouts: 2 } }).setup);
    expect(world.choices().some((step) => step.kind === "drift")).toBe(false);
  });
});

describe("lease-ignores-drift", () => {
  const input: ExploreInput = { bugs: ["lease-ignores-drift"] };

  it("is found breadth first in its declared bounds, and the saved schedule replays", () => {
    expect(exploreHints(primaryBackup, ["lease-ignores-drift"]).faults?.drift).toBe(1);
    const { setup, userOptions } = exploreSetup(primaryBackup, input);
    const result = explore(setup, searchSettings());
    expect(result.verdict).toBe("violation");
    const counterexample = result.counterexample;
    expect(counterexample?.finding.invariant).toBe("pb.lease-exclusive");
    expect(counterexample?.shortest).toBe(true);
    const steps = counterexample?.steps ?? [];
    // A heartbeat and its grant, one drift, the backup's takeover.
    expect(steps.length).toBe(5);
    expect(steps.filter((step) => step.kind === "drift")).toHaveLength(1);
    const scenario = exploredScenario(
      { protocol: "primary-backup", options: userOptions, nodes: 3, clients: 0, seed: 1n, command: "" },
      steps,
      counterexample?.finding ?? { invariant: "", message: "" },
      10_000_000,
    );
    const text = exploredText(scenario);
    expect(text).toContain("drift: {node:");
    const first = runScenario(parseScenario(text, "explored.yaml"), protocols, {});
    const second = runScenario(parseScenario(text, "explored.yaml"), protocols, {});
    expect(first.violations.map((violation) => violation.invariant)).toContain("pb.lease-exclusive");
    expect(second.traceHash).toBe(first.traceHash);
  });

  it("correct leases stay safe in the same bounds, and with both clocks drifting near the design's bound", () => {
    // The design tolerates 10 % (the option driftBound); 9 % on two clocks is still within it.
    const nearBound: ExploreInput = { ...leaseBounds, faults: { drift: 2, timeouts: 2 }, driftRate: 0.09 };
    for (const bounds of [leaseBounds, nearBound]) {
      const result = explore(exploreSetup(primaryBackup, bounds).setup, searchSettings());
      expect(result.verdict).toBe("complete");
      expect(result.uniqueStates).toBeGreaterThan(500);
    }
  });

  it("shows with any drift, however small", () => {
    const result = explore(
      exploreSetup(primaryBackup, { ...input, driftRate: 0.01 }).setup,
      searchSettings(),
    );
    expect(result.counterexample?.finding.invariant).toBe("pb.lease-exclusive");
  });
});
