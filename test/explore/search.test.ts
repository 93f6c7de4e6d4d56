/**
 * Search on a toy protocol whose state graph is known by hand, and on real protocols: BFS and
 * iterative deepening return a shortest counterexample, counts are exact and repeatable, and an
 * explored counterexample saved as a scenario replays, through `runScenario`, to the same
 * violation and the same trace hash every time.
 *
 * The toy: at start n1 sends `a` to n2 and `x` to n3; n3 answers `x` with `b` to n2; n2 keeps
 * what it received, in order. Its states (messages in flight in braces):
 *   S0 {a, x} → S1 n2=[a] {x} | S2 n3 got x {a, b}
 *   S1 → S3 n2=[a], n3 got x {b};  S2 → S3 (the same state) | S4 n2=[b] {a}
 *   S3 → S5 n2=[a, b];  S4 → S6 n2=[b, a]
 * Seven states, seven transitions, longest path three steps. The invariant "n2 never receives b"
 * fails first in S4, two steps from the start (x, then b), though depth-first order reaches
 * b first at three steps (a, x, b).
 */
import { describe, expect, it } from "vitest";
import { protocols } from "../../protocols/index.js";
import { InputError } from "../../sim/errors.js";
import { exploredScenario, exploredText } from "../../sim/explore/counterexample.js";
import { explore, ReplaySamples, type SearchSettings } from "../../sim/explore/search.js";
import { exploreSetup, smallestCluster } from "../../sim/explore/settings.js";
import { ReplayDiverged, World, type WorldSetup } from "../../sim/explore/world.js";
import type { Invariant, Message, NodeContext, Protocol, ProtocolNode } from "../../sim/node.js";
import { type HistoryChecker, runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";
import type { ScheduleStep } from "../../sim/scenario/schema.js";

class ToyNode implements ProtocolNode {
  received: string[] = [];
  gotX = false;
  constructor(private readonly ctx: NodeContext) {}
  onStart(): void {
    if (this.ctx.id !== "n1") return;
    this.ctx.send("n2", { type: "a" });
    this.ctx.send("n3", { type: "x" });
  }
  onMessage(_from: string, message: Message): void {
    if (message.type === "x") {
      this.gotX = true;
      this.ctx.send("n2", { type: "b" });
    } else {
      this.received = [...this.received, message.type];
    }
  }
}

const neverB: Invariant<ToyNode> = {
  name: "toy.never-b",
  statement: "n2 never receives b.",
  source: "this test",
  kind: "safety",
  create: () => ({
    afterStep: (view) =>
      view.node("n2")?.received.includes("b") === true ? { message: "n2 received b" } : undefined,
  }),
};

function toy(invariants: Invariant<ToyNode>[]): Protocol {
  return {
    name: "toy",
    summary: "three nodes, three messages",
    defaultNodes: 3,
    parseOptions: (options: Readonly<Record<string, unknown>>) => options,
    create: (context: NodeContext) => new ToyNode(context),
    invariants,
    bugs: [],
  } as unknown as Protocol;
}

const toySetup = (invariants: Invariant<ToyNode>[]): WorldSetup => ({
  protocol: toy(invariants),
  options: {},
  nodes: 3,
  workload: [],
  seed: 1n,
  budget: { drop: 0, duplicate: 0, crash: 0, timeouts: 0 },
});

let clock = 0;
const settings = (overrides: Partial<SearchSettings> = {}): SearchSettings => ({
  strategy: "bfs",
  depthMax: Number.POSITIVE_INFINITY,
  timeMs: 60_000,
  statesMax: 1_000_000,
  // A clock that never runs out: the tests measure no time.
  now: () => clock++ * 0,
  ...overrides,
});

describe("breadth-first search on a known state graph", () => {
  it("counts every state once and explores to completion", () => {
    const result = explore(toySetup([]), settings({ commutingOrders: "both" }));
    expect(result.verdict).toBe("complete");
    expect(result.uniqueStates).toBe(7);
    expect(result.statesVisited).toBe(8);
    expect(result.depth).toBe(3);
    // One order of the two commuting deliveries: the same states, one transition fewer.
    const oneOrder = explore(toySetup([]), settings());
    expect(oneOrder.uniqueStates).toBe(7);
    expect(oneOrder.depth).toBe(3);
    expect(oneOrder.statesVisited).toBe(7);
    expect(oneOrder.transitionsSkipped).toBe(1);
  });

  it("returns the shortest counterexample", () => {
    const result = explore(toySetup([neverB]), settings());
    expect(result.verdict).toBe("violation");
    expect(result.counterexample?.finding.invariant).toBe("toy.never-b");
    expect(result.counterexample?.steps).toEqual([
      { kind: "deliver", id: 1, from: "n1", to: "n3", type: "x" },
      { kind: "deliver", id: 2, from: "n3", to: "n2", type: "b" },
    ]);
  });

  it("iterative deepening returns the same shortest counterexample and the same space", () => {
    const violation = explore(toySetup([neverB]), settings({ strategy: "dfs", depthMax: 10 }));
    expect(violation.counterexample?.steps.length).toBe(2);
    const complete = explore(toySetup([]), settings({ strategy: "dfs", depthMax: 10 }));
    expect(complete.verdict).toBe("complete");
    expect(complete.uniqueStates).toBe(7);
  });

  it("says `bounded` with the depth it covered when the depth bound cuts", () => {
    const result = explore(toySetup([]), settings({ depthMax: 2 }));
    expect(result.verdict).toBe("bounded");
    expect(result.boundedBy).toBe("depth");
    expect(result.depth).toBe(2);
    expect(result.uniqueStates).toBe(5);
  });

  it("random walks find the violation too, and never claim completeness", () => {
    const found = explore(
      toySetup([neverB]),
      settings({ strategy: "random", now: () => 0, timeMs: Number.POSITIVE_INFINITY, seed: 7n }),
    );
    expect(found.verdict).toBe("violation");
    // Nothing bounded a search that found its violation.
    expect(found.boundedBy).toBeUndefined();
    const clean = explore(
      toySetup([]),
      settings({ strategy: "random", statesMax: 7, now: () => 0, timeMs: Number.POSITIVE_INFINITY }),
    );
    expect(clean.verdict).toBe("bounded");
    expect(clean.boundedBy).toBe("states");
    expect(clean.uniqueStates).toBe(7);
    let clock = 0;
    const timed = explore(
      toySetup([]),
      settings({ strategy: "random", now: () => (clock += 10), timeMs: 50 }),
    );
    expect(timed.boundedBy).toBe("time");
  });
});

describe("replaying explored schedules", () => {
  it("a choice that is not there when a schedule is replayed is nondeterminism, an input error", () => {
    const world = new World(toySetup([]));
    const enabled = world.choices().length;
    expect(world.choiceAt(0, 1)).toEqual(world.choices()[0]);
    expect(() => world.choiceAt(enabled, 3)).toThrow(ReplayDiverged);
    expect(() => world.choiceAt(enabled, 3)).toThrow(
      new RegExp(
        `^nondeterminism: replaying an explored schedule took another turn at step 3: the schedule names choice ${enabled + 1} there, and only ${enabled} steps? (is|are) enabled`,
      ),
    );
    expect(new ReplayDiverged("x")).toBeInstanceOf(InputError);
  });

  it("kept states replay to the fingerprints they were explored with, or the search stops", () => {
    const setup = toySetup([]);
    const world = new World(setup);
    const first = world.choices()[0] as ScheduleStep;
    world.take(first);
    const print = world.fingerprint();
    const samples = new ReplaySamples();
    samples.add(() => [0], print.high, print.low);
    expect(() => samples.check(setup, false)).not.toThrow();
    // The 2nd new state is kept too; one whose fingerprint the replay does not reach.
    samples.add(() => [0], print.high, print.low ^ 1);
    expect(() => samples.check(setup, false)).toThrow(
      /^nondeterminism: replaying an explored schedule of 1 step from the start reached another state/,
    );
    // A node that hides its state has a fresh fingerprint each time: nothing to compare.
    expect(() => samples.check(setup, true)).not.toThrow();
  });

  it("keeps the 1st, 2nd, 4th, 8th... new state", () => {
    const samples = new ReplaySamples();
    const kept: number[] = [];
    for (let state = 1; state <= 100; state++)
      samples.add(
        () => {
          kept.push(state);
          return [];
        },
        0,
        0,
      );
    expect(kept).toEqual([1, 2, 4, 8, 16, 32, 64]);
  });
});

describe("an interrupted search", () => {
  const paxos = protocols.get("paxos") as Protocol;
  const { setup } = exploreSetup(paxos, { faults: { timeouts: 2 } });

  it.each(["dfs", "random", "novelty", "cells"] as const)(
    "%s is asked where it checks its time bound, and ends bounded by the interrupt",
    (strategy) => {
      let asked = 0;
      const result = explore(
        setup,
        // Without the interrupt, each would end on its bound of states.
        settings({ strategy, depthMax: 60, statesMax: 5_000, seed: 1n, interrupted: () => ++asked > 20 }),
      );
      expect(result.verdict).toBe("bounded");
      expect(result.boundedBy).toBe("interrupted");
      expect(asked).toBe(21);
      expect(result.statesVisited).toBeGreaterThan(1);
    },
  );
});

describe("exploring built-in protocols", () => {
  it("gives identical counts on every run", () => {
    const paxos = protocols.get("paxos") as Protocol;
    const { setup } = exploreSetup(paxos, { faults: { timeouts: 2 } });
    const first = explore(setup, settings({ depthMax: 5 }));
    const second = explore(setup, settings({ depthMax: 5 }));
    expect(first.uniqueStates).toBeGreaterThan(100);
    expect(second.uniqueStates).toBe(first.uniqueStates);
    expect(second.statesVisited).toBe(first.statesVisited);
  });

  it("explores a cluster the protocol supports: its smallest from 3 by default, and --nodes checked", () => {
    const sharded = protocols.get("sharded-kv") as Protocol;
    expect(exploreSetup(sharded, {}).setup.nodes).toBe(6);
    expect(exploreSetup(protocols.get("raft") as Protocol, {}).setup.nodes).toBe(3);
    expect(() => exploreSetup(sharded, { nodes: 4 })).toThrow(
      new InputError("--nodes: sharded-kv supports 6 or more nodes, in multiples of 3, got 4"),
    );
    expect(() => exploreSetup(protocols.get("two-phase-commit") as Protocol, { nodes: 1 })).toThrow(
      /--nodes: two-phase-commit supports 2 or more nodes, got 1/,
    );
  });

  it("explores a protocol's own size when it runs on no size from 3, and blames only a size the user gave", () => {
    const paxos = protocols.get("paxos") as Protocol;
    // Its default proposers are n1 and n2: on one node only, the options are what is wrong.
    const single: Protocol = { ...paxos, defaultNodes: 1, nodeCounts: { min: 1, max: 1 } };
    expect(() => exploreSetup(single, {})).toThrow(/proposers\[1\]' names n2/);
    const { checkOptions: _fits, ...anyOptions } = single;
    const one: Protocol = anyOptions;
    expect(exploreSetup(one, {}).setup.nodes).toBe(1);
    const pair: Protocol = { ...paxos, defaultNodes: 2, nodeCounts: { min: 1, max: 2 } };
    expect(exploreSetup(pair, {}).setup.nodes).toBe(2);
    expect(() => exploreSetup(one, { nodes: 3 })).toThrow(
      new InputError("--nodes: paxos supports exactly 1 node, got 3"),
    );
    expect(() => exploreSetup({ ...one, explore: { nodes: 3 } }, {})).toThrow(
      new InputError(
        "explore.nodes 3 (from the explore hints): paxos supports exactly 1 node, got 3; give --nodes",
      ),
    );
  });

  it("explores a cluster its options fit (checkOptions): a bug's hinted ring of n1..n5 gets 5 nodes", () => {
    const ring = protocols.get("consistent-hashing") as Protocol;
    const bugs = ["sequential-vnode-tokens"];
    expect(exploreSetup(ring, { bugs }).setup.nodes).toBe(5);
    expect(() => exploreSetup(ring, { bugs, nodes: 3 })).toThrow(
      new InputError(
        "--nodes 3: consistent-hashing option 'initial[3]' names n4, which is not in this scenario (nodes n1..n3) (options set by the hints of --bug sequential-vnode-tokens)",
      ),
    );
  });

  it("starts every deliberate bug's exploration on a cluster that runs: no exception in the first state", () => {
    for (const protocol of protocols.values()) {
      for (const bug of protocol.bugs) {
        // As `explore --bug` sizes the cluster, and as `mutants --explore` does (3 nodes, or the
        // smallest above that runs the bug's options).
        for (const nodes of [undefined, smallestCluster(protocol, [bug.name], 3)]) {
          const { setup } = exploreSetup(protocol, {
            bugs: [bug.name],
            ...(nodes === undefined ? {} : { nodes }),
          });
          const world = new World(setup);
          expect({
            protocol: protocol.name,
            bug: bug.name,
            nodes,
            finding: world.finding?.invariant,
          }).not.toMatchObject({
            finding: "exception",
          });
          expect(world.choices().length).toBeGreaterThan(0);
        }
      }
    }
  });

  it("offers a power-loss crash while a node has unsynced writes, and saves it in the schedule", () => {
    const protocol = protocols.get("paxos") as Protocol;
    const { setup, userOptions } = exploreSetup(protocol, {
      bugs: ["unsynced-acceptor"],
      faults: { crash: 1, timeouts: 2 },
    });
    const result = explore(setup, settings());
    expect(result.verdict).toBe("violation");
    expect(result.counterexample?.finding.invariant).toBe("paxos.promise-monotone");
    expect(result.counterexample?.steps).toEqual([
      { kind: "fire", node: "n1", timer: "propose" },
      { kind: "crash", node: "n1", loseUnsynced: true },
      { kind: "restart", node: "n1" },
    ]);
    const counterexample = result.counterexample;
    if (counterexample === undefined) throw new Error("no counterexample");
    const scenario = exploredScenario(
      { protocol: protocol.name, options: userOptions, nodes: 3, clients: 0, seed: 1n, command: "" },
      counterexample.steps,
      counterexample.finding,
      1_000_000,
    );
    const replayed = runScenario(parseScenario(exploredText(scenario), "explored.yaml"), protocols);
    expect(replayed.violations.map((violation) => violation.invariant)).toContain("paxos.promise-monotone");
  });

  it("finds a two-phase-commit bug and the saved schedule replays to the same violation and hash", () => {
    const protocol = protocols.get("two-phase-commit") as Protocol;
    const { setup, userOptions } = exploreSetup(protocol, {
      bugs: ["ready-aborts-on-timeout"],
      nodes: 3,
      faults: { timeouts: 3 },
    });
    const result = explore(setup, settings());
    expect(result.verdict).toBe("violation");
    const counterexample = result.counterexample;
    if (counterexample === undefined) throw new Error("no counterexample");
    const scenario = exploredScenario(
      { protocol: protocol.name, options: userOptions, nodes: 3, clients: 0, seed: 1n, command: "" },
      counterexample.steps,
      counterexample.finding,
      1_000_000,
    );
    const text = exploredText(scenario);
    const parsed = parseScenario(text, "explored.yaml");
    expect(parsed.schedule).toEqual(counterexample.steps);
    const first = runScenario(parsed, protocols, {});
    const second = runScenario(parseScenario(text, "explored.yaml"), protocols, {});
    expect(first.violations.map((violation) => violation.invariant)).toContain(
      counterexample.finding.invariant,
    );
    expect(first.expectationsMet).toBe(true);
    expect(second.traceHash).toBe(first.traceHash);
  });

  it("names a transactional history's failure as `quorumlab run` does: txn.strict-serializable", () => {
    // A checker that rejects every complete history: the first one ends the search.
    const rejectAll: HistoryChecker = () => ({ result: "not-linearizable", summary: "rejected" });
    const protocol = protocols.get("txn-kv") as Protocol;
    const input = {
      faults: { timeouts: 2 },
      network: "fifo",
      promptTimeouts: true,
      promptReplies: true,
    } as const;
    const { setup, userOptions } = exploreSetup(protocol, input, rejectAll);
    const result = explore(setup, settings());
    const counterexample = result.counterexample;
    if (counterexample === undefined) throw new Error("no counterexample");
    expect(counterexample.finding.invariant).toBe("txn.strict-serializable");
    const scenario = exploredScenario(
      { protocol: protocol.name, options: userOptions, nodes: 3, clients: 1, seed: 1n, command: "" },
      counterexample.steps,
      counterexample.finding,
      1_000_000,
    );
    expect(scenario.name).toMatch(/^txn-kv-txn\.strict-serializable-explored/);
    expect(scenario.expect).toEqual({ linearizable: false });
    const replayed = runScenario(parseScenario(exploredText(scenario), "explored.yaml"), protocols, {
      checkHistory: rejectAll,
    });
    expect(replayed.violations.map((violation) => violation.invariant)).toEqual(["txn.strict-serializable"]);
    expect(replayed.expectationsMet).toBe(true);
  });

  it("rejects a schedule step that is not enabled, naming the step and where the file has it", () => {
    const text = [
      "protocol: two-phase-commit",
      "duration: 1s",
      "schedule:",
      "  - {fire: {node: n1, timer: begin}}",
      "  - {deliver: {id: 9, from: n1, to: n2, type: prepare}}",
    ].join("\n");
    let thrown: unknown;
    try {
      runScenario(parseScenario(text, "bad.yaml"), protocols, {});
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InputError);
    expect((thrown as InputError).describe()).toBe(
      "bad.yaml:5:5: schedule step 2: deliver: message 9 is not in flight; in flight: prepare n1 → n2 (#0), prepare n1 → n3 (#1), prepare n1 → n4 (#2)",
    );
  });

  it("says, for a step that cannot be taken, what could be: the messages in flight, the node's timers", () => {
    const failure = (steps: readonly string[]): string => {
      const text = ["protocol: two-phase-commit", "nodes: 3", "duration: 1s", "schedule:", ...steps].join(
        "\n",
      );
      try {
        runScenario(parseScenario(text, "edited.yaml"), protocols, {});
      } catch (error) {
        return (error as InputError).describe();
      }
      throw new Error("the schedule played");
    };
    // A misspelt timer: the timers pending at that node, and the name meant.
    expect(failure(["  - {fire: {node: n1, timer: begn}}"])).toBe(
      "edited.yaml:5:5: schedule step 1: fire: n1 has no pending timer 'begn'; n1's pending timers: begin; did you mean 'begin'?",
    );
    // A step removed before it: the ids no longer name the messages meant, and what is in flight says why.
    expect(
      failure([
        "  - {fire: {node: n1, timer: begin}}",
        "  - {deliver: {id: 1, from: n1, to: n2, type: prepare}}",
      ]),
    ).toBe(
      "edited.yaml:6:5: schedule step 2: deliver: message 1 is prepare from n1 to n3, not prepare from n1 to n2; in flight: prepare n1 → n2 (#0), prepare n1 → n3 (#1)",
    );
    expect(failure(["  - {deliver: {id: 0, from: n1, to: n2, type: prepare}}"])).toBe(
      "edited.yaml:5:5: schedule step 1: deliver: message 0 is not in flight; no message is in flight",
    );
  });
});
