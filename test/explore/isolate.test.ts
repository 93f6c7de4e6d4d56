/**
 * Isolation as an exploration choice: an `isolate` step cuts one node off from every other node
 * (clients still reach it), within the `isolate` budget, and a free `heal` step ends it; saved
 * schedules carry both steps and `quorumlab run` replays them. Raft's `stale-local-read` is found
 * in its declared bounds. Method: list and take choices of a world by hand; search the declared
 * bounds; write, load and replay the schedules found or taken, as `quorumlab explore` saves them
 * and `quorumlab run` runs them.
 */
import { describe, expect, it } from "vitest";
import { historyChecker } from "../../cli/history-check.js";
import { protocols } from "../../protocols/index.js";
import { InputError } from "../../sim/errors.js";
import { exploredScenario, exploredText } from "../../sim/explore/counterexample.js";
import { describeStep } from "../../sim/explore/schedule.js";
import { explore } from "../../sim/explore/search.js";
import { type ExploreInput, exploreHints, exploreSetup } from "../../sim/explore/settings.js";
import { World } from "../../sim/explore/world.js";
import type { Protocol } from "../../sim/node.js";
import { runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";
import type { ScheduleStep } from "../../sim/scenario/schema.js";
import { searchSettings, walk } from "./support.js";

const raft = protocols.get("raft") as Protocol;
const bug = raft.bugs.find((candidate) => candidate.name === "stale-local-read");

// The declared bounds of stale-local-read, without the bug.
const { strategy: _strategy, ...declared } = exploreHints(raft, ["stale-local-read"]);
const bounds: ExploreInput = declared;
const withBug: ExploreInput = { ...declared, bugs: ["stale-local-read"] };

/** The schedule as `quorumlab explore` saves it, replayed twice as `quorumlab run` does. */
function replay(input: ExploreInput, steps: readonly ScheduleStep[], invariant: string) {
  const { userOptions, setup } = exploreSetup(raft, input);
  const scenario = exploredScenario(
    {
      protocol: "raft",
      options: userOptions,
      nodes: setup.nodes,
      clients: setup.workload.length,
      seed: 1n,
      command: "",
    },
    steps,
    { invariant, message: "" },
    10_000_000,
  );
  const text = exploredText(scenario);
  const options = { checkHistory: historyChecker() };
  const first = runScenario(parseScenario(text, "explored.yaml"), protocols, options);
  const second = runScenario(parseScenario(text, "explored.yaml"), protocols, options);
  expect(second.traceHash).toBe(first.traceHash);
  return { text, first };
}

// A deposed leader's stale read: n1 leads and commits c1's write with n2; cut off, it does not
// hear of n2's election (n3 votes) nor of c2's write, which n2 commits with n3; c1 reads at n1.
const deposedLeader = [
  "fire n1 election",
  "invoke c1",
  "AppendEntries n1 → n2",
  "AppendEntries n1 → n2",
  "client-reply n1 → c1",
  "isolate n1",
  "fire n2 election",
  "invoke c2",
  "AppendEntries n2 → n3",
  "AppendEntries n2 → n3",
  "AppendEntries n2 → n3",
  "client-reply n2 → c2",
  "invoke c1 read",
];

describe("isolation choices", () => {
  it("each node that is up may be isolated while the budget lasts; then only a heal", () => {
    const world = new World(exploreSetup(raft, bounds).setup);
    const isolations = () =>
      world
        .choices()
        .filter((step) => step.kind === "isolate" || step.kind === "heal")
        .map(describeStep);
    expect(isolations()).toEqual(["isolate n1", "isolate n2", "isolate n3"]);
    walk(world, ["isolate n2"]);
    expect(world.budgetLeft().isolate).toBe(0);
    expect(world.isolatedNode).toBe("n2");
    expect(isolations()).toEqual(["heal"]);
    walk(world, ["heal"]);
    expect(world.isolatedNode).toBeUndefined();
    expect(isolations()).toEqual([]);
  });

  it("without an isolate budget nothing is isolated", () => {
    const world = new World(exploreSetup(raft, { ...bounds, faults: { timeouts: 2 } }).setup);
    expect(world.choices().some((step) => step.kind === "isolate" || step.kind === "heal")).toBe(false);
  });

  it("an isolated node's messages to other nodes are lost, and its clients still reach it", () => {
    const world = new World(exploreSetup(raft, bounds).setup);
    const taken = walk(world, ["isolate n1", "fire n1 election", "invoke c1"]).map(describeStep);
    // The firing's RequestVotes are lost when sent: nothing of n1's reaches n2 or n3.
    expect(taken.filter((text) => text.includes("RequestVote"))).toEqual([]);
    expect(taken).toContain("deliver client-request c1 → n1 (#2)");
    const n1 = world.kernel.nodeObject("n1") as { role: string };
    expect(n1.role).toBe("candidate");
    expect(world.choices().some((step) => step.kind === "deliver" && step.from === "n1")).toBe(false);
  });

  it("which node is isolated is part of the state, and a restore puts the cut back", () => {
    const { setup } = exploreSetup(raft, bounds);
    const first = new World(setup);
    const second = new World(setup);
    walk(first, ["isolate n1"]);
    walk(second, ["isolate n2"]);
    expect(first.fingerprint()).not.toEqual(second.fingerprint());

    const world = new World(setup);
    const network = world.kernel.network;
    const [n1, n2] = [network.endpoint("n1"), network.endpoint("n2")];
    const before = world.save();
    walk(world, ["isolate n1"]);
    const cut = world.save();
    expect(network.reachable(n1, n2)).toBe(false);
    world.restore(before);
    expect(network.reachable(n1, n2)).toBe(true);
    expect(world.choices().filter((step) => step.kind === "isolate")).toHaveLength(3);
    world.restore(cut);
    expect(network.reachable(n2, n1)).toBe(false);
    expect(world.choices().map(describeStep)).toContain("heal");
  });
});

describe("isolation in a search", () => {
  it("restoring states from snapshots explores exactly what replaying their paths does", () => {
    const { setup } = exploreSetup(raft, { faults: { timeouts: 2, isolate: 1 } }, historyChecker());
    const restored = explore(setup, searchSettings({ depthMax: 4, restore: "snapshot" }));
    const replayed = explore(setup, searchSettings({ depthMax: 4, restore: "replay" }));
    expect(restored.restore).toBe("snapshot");
    expect(restored.uniqueStates).toBeGreaterThan(100);
    expect({ ...restored, wallMs: 0, restore: "" }).toEqual({ ...replayed, wallMs: 0, restore: "" });
  });

  it("each state's fingerprint, kept step by step, equals the one computed afresh", () => {
    const { setup } = exploreSetup(raft, { faults: { timeouts: 2, isolate: 1 } }, historyChecker());
    let states = 0;
    explore(
      setup,
      searchSettings({
        depthMax: 4,
        onState: (world, fingerprint) => {
          expect(world.fingerprintFromScratch()).toEqual(fingerprint);
          states++;
        },
      }),
    );
    expect(states).toBeGreaterThan(100);
  });
});

describe("isolate and heal schedule steps", () => {
  const steps: ScheduleStep[] = [
    { kind: "isolate", node: "n2" },
    { kind: "fire", node: "n2", timer: "election" },
    { kind: "heal" },
  ];
  const file = (schedule: string) =>
    ["protocol: raft", "duration: 1s", "nodes: 3", "schedule:", schedule].join("\n");

  it("are written as `isolate: n2` and `heal: true` and load back the same", () => {
    const scenario = exploredScenario(
      { protocol: "raft", options: {}, nodes: 3, clients: 0, seed: 1n, command: "" },
      steps,
      { invariant: "explore.deadlock", message: "" },
      1_000_000,
    );
    const text = exploredText(scenario);
    expect(text).toContain("- {isolate: n2}");
    expect(text).toContain("- {heal: true}");
    expect(parseScenario(text, "round-trip.yaml").schedule).toEqual(steps);
  });

  it("a bad step is an error that names its field", () => {
    const error = (schedule: string): string => {
      try {
        parseScenario(file(schedule), "bad.yaml");
      } catch (caught) {
        expect(caught).toBeInstanceOf(InputError);
        return (caught as InputError).describe();
      }
      throw new Error("no error");
    };
    expect(error("  - {isolate: n7}")).toBe(
      "bad.yaml:5:15: unknown node 'n7': this scenario has nodes n1..n3",
    );
    expect(error("  - {heal: false}")).toBe(
      "bad.yaml:5:12: schedule.0.heal: expected true: a heal step is written `heal: true`",
    );
    expect(error("  - {isolate: {node: n1}}")).toMatch(/^bad\.yaml:5:\d+: schedule\.0\.isolate: /);
    expect(error("  - {isolate: n1, heal: true}")).toMatch(
      /^bad\.yaml:5:\d+: schedule\.0: each schedule step names exactly one action \(.*isolate, heal\); found isolate, heal$/,
    );
  });

  it("replay: the isolated node's messages are lost, then reach the others again", () => {
    const text = file(steps.map((step) => `  - ${JSON.stringify(writeStep(step))}`).join("\n"));
    const run = runScenario(parseScenario(text, "cut.yaml"), protocols, { keepTrace: true });
    const kinds = run.records.map((record) => record.kind);
    expect(kinds).toContain("partition");
    expect(kinds).toContain("heal");
    const n2 = run.kernel.nodeObject("n2") as { role: string };
    expect(n2.role).toBe("candidate");
    // Its RequestVotes were lost when sent: none is in flight after the heal.
    expect(run.kernel.enabledSteps().filter((step) => step.kind === "deliver")).toEqual([]);
  });
});

function writeStep(step: ScheduleStep): Record<string, unknown> {
  switch (step.kind) {
    case "isolate":
      return { isolate: step.node };
    case "heal":
      return { heal: true };
    case "fire":
      return { fire: { node: step.node, timer: step.timer } };
    default:
      throw new Error(`not used here: ${step.kind}`);
  }
}

describe("raft stale-local-read", () => {
  it("declares the bounds it is found in, isolation among them, and breaks what it declares", () => {
    expect(bug?.breaks).toEqual(["kv.linearizable"]);
    expect(declared.faults).toEqual({ timeouts: 2, isolate: 1 });
  });

  it("is found breadth first in its declared bounds; the saved schedule replays to the same trace", () => {
    const { setup } = exploreSetup(raft, withBug, historyChecker());
    const result = explore(setup, searchSettings());
    expect(result.verdict).toBe("violation");
    const counterexample = result.counterexample;
    expect(bug?.breaks).toContain(counterexample?.finding.invariant);
    expect(counterexample?.shortest).toBe(true);
    // A new leader (n1) answers c1's read before it learns that c1's write, committed by the
    // leader before it, is committed: two elections, no isolation needed.
    const choices = (counterexample?.steps ?? [])
      .map(describeStep)
      .filter((text) => !text.startsWith("deliver") && !text.startsWith("drop"));
    expect(choices).toEqual([
      "invoke c1 write(x, 1) at n1",
      "fire n2 election",
      "fire n1 election",
      "invoke c1 read(x) at n1",
    ]);
    const { first } = replay(withBug, counterexample?.steps ?? [], "kv.linearizable");
    expect(first.violations.map((violation) => violation.invariant)).toContain("kv.linearizable");
    expect(first.expectationsMet).toBe(true);
  });

  it("a deposed leader, cut off, answers a read after its successor committed a write", () => {
    const world = new World(exploreSetup(raft, withBug, historyChecker()).setup);
    const steps = walk(world, deposedLeader.slice(0, -1));
    expect(world.finding).toBeUndefined();
    const n1 = world.kernel.nodeObject("n1") as { role: string; currentTerm: number };
    const n2 = world.kernel.nodeObject("n2") as { role: string; currentTerm: number };
    expect([n1.role, n1.currentTerm, n2.role, n2.currentTerm]).toEqual(["leader", 1, "leader", 2]);
    steps.push(...walk(world, deposedLeader.slice(-1)));
    expect(world.finding?.invariant).toBe("kv.linearizable");

    const { text, first } = replay(withBug, steps, "kv.linearizable");
    expect(text).toContain("- {isolate: n1}");
    expect(first.violations.map((violation) => violation.invariant)).toContain("kv.linearizable");
    expect(first.expectationsMet).toBe(true);
    // c2's write ends and c1's read begins at one virtual time: only the order of the steps
    // says the write came first. By time alone the history is linearizable.
    const model = raft.client?.model as string;
    expect(historyChecker()(first.history, model).result).toBe("linearizable");
  });

  it("correct Raft takes the same steps without a violation, and stays clean in the same bounds", () => {
    const world = new World(exploreSetup(raft, bounds, historyChecker()).setup);
    walk(world, deposedLeader.slice(0, -1));
    // The read waits for a ReadIndex round that the cut-off n1 cannot complete.
    walk(world, deposedLeader.slice(-1));
    expect(world.finding).toBeUndefined();
    // Every state within 7 choices, one short of the bug's 8, is clean.
    const result = explore(
      exploreSetup(raft, bounds, historyChecker()).setup,
      searchSettings({ depthMax: 7 }),
    );
    expect(result.verdict).toBe("bounded");
    expect(result.depth).toBe(7);
    expect(result.uniqueStates).toBeGreaterThan(70_000);
  });
});
