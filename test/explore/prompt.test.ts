/**
 * The bounds that make Figure 8 eight choices deep (FIFO links, prompt timeouts, prompt replies,
 * clients that ask different nodes first) and the `cells` strategy that searches them. Method:
 * take steps by hand in a `World` and check what each step ran; search the declared bounds of
 * Raft's `commit-previous-term` and correct Raft in the same bounds.
 */
import { describe, expect, it } from "vitest";
import { protocols } from "../../protocols/index.js";
import { describeStep, takeScheduleStep } from "../../sim/explore/schedule.js";
import { explore, type SearchSettings } from "../../sim/explore/search.js";
import { type ExploreInput, exploreHints, exploreSetup } from "../../sim/explore/settings.js";
import { World } from "../../sim/explore/world.js";
import type { Protocol } from "../../sim/node.js";
import { searchSettings, walk } from "./support.js";

const raft = protocols.get("raft") as Protocol;

const settings = (overrides: Partial<SearchSettings> = {}): SearchSettings =>
  searchSettings({ strategy: "cells", ...overrides });

// The declared bounds of commit-previous-term, without the bug and its option hints.
const figure8Bounds: ExploreInput = {
  options: { leaderNoop: false, preVote: false, checkQuorum: false },
  clients: 2,
  firstNodes: "spread",
  faults: { timeouts: 4 },
  timers: ["election"],
  network: "fifo",
  quietTimeouts: true,
  promptTimeouts: true,
  promptReplies: true,
};

// Figure 8 on three nodes in these bounds: four elections, one write at each of the first two
// leaders, and the third leader's two AppendEntries rounds with n3 (a rejection, then the entry).
const figure8 = [
  "fire n1 election",
  "invoke c1",
  "fire n2 election",
  "invoke c2",
  "fire n1 election",
  "AppendEntries n1 → n3",
  "AppendEntries n1 → n3",
  "fire n2 election",
];

describe("prompt timeouts and prompt replies", () => {
  it("a firing delivers what it sent, and each delivery its replies, as steps of their own", () => {
    const world = new World(exploreSetup(raft, figure8Bounds).setup);
    const taken = walk(world, ["fire n1 election"]);
    expect(taken.map(describeStep)).toEqual([
      "fire n1 election",
      "deliver RequestVote n1 → n2 (#0)",
      "deliver RequestVoteReply n2 → n1 (#2)",
      "deliver RequestVote n1 → n3 (#1)",
      "deliver RequestVoteReply n3 → n1 (#5)",
    ]);
    const n1 = world.kernel.nodeObject("n1") as { role: string };
    expect(n1.role).toBe("leader");
    // What the replies caused (the new leader's AppendEntries) stays in flight.
    expect(world.choices().map(describeStep)).toContain("deliver AppendEntries n1 → n2 (#3)");
  });

  it("without them a firing only sends", () => {
    const world = new World(
      exploreSetup(raft, { ...figure8Bounds, promptTimeouts: false, promptReplies: false }).setup,
    );
    expect(walk(world, ["fire n1 election"]).map(describeStep)).toEqual(["fire n1 election"]);
    expect(world.choices().map(describeStep)).toContain("deliver RequestVote n1 → n2 (#0)");
  });

  it("an invocation delivers the request to the node the client asks first, and its answer", () => {
    const world = new World(exploreSetup(raft, figure8Bounds).setup);
    const taken = walk(world, ["invoke c2"]);
    // No leader yet: n2 answers with a redirect, which arrives at once too.
    expect(taken.map(describeStep)).toEqual([
      "invoke c2 write(x, 2) at n2",
      "deliver client-request c2 → n2 (#0)",
      "deliver client-reply n2 → c2 (#1)",
    ]);
  });
});

describe("FIFO links", () => {
  it("offer only the oldest message on each link", () => {
    const world = new World(exploreSetup(raft, { ...figure8Bounds, promptTimeouts: false }).setup);
    walk(world, ["fire n1 election", "RequestVote n1 → n2", "RequestVote n1 → n3"]);
    // Both replies arrived: n1 leads and has sent AppendEntries to each follower.
    walk(world, ["invoke c1", "client-request c1 → n1"]);
    const inFlight = world.kernel
      .enabledSteps()
      .filter((step) => step.kind === "deliver" && step.from === "n1" && step.to === "n2");
    expect(inFlight.length).toBeGreaterThan(1);
    const offered = world
      .choices()
      .filter((step) => step.kind === "deliver" && step.from === "n1" && step.to === "n2");
    expect(offered.map((step) => (step as { id: number }).id)).toEqual([
      Math.min(...inFlight.map((step) => (step as { id: number }).id)),
    ]);
  });
});

describe("Figure 8 in eight choices", () => {
  it("breaks leader completeness with the bug; correct Raft survives the same schedule", () => {
    const buggy = new World(exploreSetup(raft, { ...figure8Bounds, bugs: ["commit-previous-term"] }).setup);
    const steps = walk(buggy, figure8);
    expect(buggy.finding?.invariant).toBe("raft.leader-completeness");
    const correct = new World(exploreSetup(raft, figure8Bounds).setup);
    walk(correct, figure8);
    expect(correct.finding).toBeUndefined();
    // The steps the choices ran replay one by one on a fresh world, to the same state.
    const replayed = new World(
      exploreSetup(raft, { ...figure8Bounds, bugs: ["commit-previous-term"] }).setup,
    );
    for (const step of steps) takeScheduleStep(replayed.kernel, replayed.clients, step);
    for (const node of replayed.nodeIds) {
      expect(replayed.kernel.stateOf(node)).toEqual(buggy.kernel.stateOf(node));
    }
    expect(replayed.kernel.violations.map((violation) => violation.invariant)).toContain(
      "raft.leader-completeness",
    );
  });

  it("the bug's declared bounds are these, searched breadth first over cells", () => {
    const hints = exploreHints(raft, ["commit-previous-term"]);
    const { options: _options, ...bounds } = figure8Bounds;
    expect(hints).toMatchObject({ ...bounds, strategy: "cells" });
  });
});

describe("breadth first over cells", () => {
  it("finds commit-previous-term in its declared bounds with a short schedule that is not called shortest", () => {
    const { setup } = exploreSetup(raft, { bugs: ["commit-previous-term"] });
    const result = explore(setup, settings());
    expect(result.verdict).toBe("violation");
    expect(result.strategy).toBe("cells");
    expect(result.counterexample?.finding.invariant).toBe("raft.leader-completeness");
    expect(result.counterexample?.shortest).toBe(false);
    expect(result.counterexample?.foundSteps).toBe(figure8.length);
    // Replayed step by step, the saved schedule breaks the same invariant.
    const world = new World(setup);
    for (const step of result.counterexample?.steps ?? [])
      takeScheduleStep(world.kernel, world.clients, step);
    expect(world.kernel.violations.map((violation) => violation.invariant)).toContain(
      "raft.leader-completeness",
    );
    // Correct Raft, as many cells in the same bounds: nothing.
    const clean = explore(
      exploreSetup(raft, figure8Bounds).setup,
      settings({ statesMax: result.uniqueStates }),
    );
    expect(clean.verdict).toBe("bounded");
    expect(clean.counterexample).toBeUndefined();
  }, 120_000);

  it("finds Multi-Paxos promise-omits-accepted in its declared bounds; correct Multi-Paxos reaches every cell there clean", () => {
    const multiPaxos = protocols.get("multi-paxos") as Protocol;
    const found = explore(exploreSetup(multiPaxos, { bugs: ["promise-omits-accepted"] }).setup, settings());
    expect(found.verdict).toBe("violation");
    expect(found.counterexample?.finding.invariant).toBe("multi-paxos.slot-agreement");
    const { faults, ...bounds } = exploreHints(multiPaxos, ["promise-omits-accepted"]);
    const clean = explore(
      exploreSetup(multiPaxos, { ...bounds, ...(faults === undefined ? {} : { faults }) }).setup,
      settings(),
    );
    expect(clean.verdict).toBe("bounded");
    expect(clean.boundedBy).toBe("cells");
    expect(clean.uniqueStates).toBeGreaterThan(found.uniqueStates);
  }, 120_000);

  it("never says complete: every cell reached is not every state", () => {
    const twoPhase = protocols.get("two-phase-commit") as Protocol;
    const input: ExploreInput = { nodes: 3, faults: { timeouts: 2 } };
    const cells = explore(exploreSetup(twoPhase, input).setup, settings());
    const states = explore(exploreSetup(twoPhase, input).setup, settings({ strategy: "bfs" }));
    expect(states.verdict).toBe("complete");
    expect(cells.verdict).toBe("bounded");
    expect(cells.boundedBy).toBe("cells");
    expect(cells.uniqueStates).toBeLessThan(states.uniqueStates);
  }, 60_000);
});
