/**
 * Incremental state identity: during a search, a state's fingerprint reuses what earlier states
 * computed (each node's digest until a step runs on it, the hashes of messages and pending steps),
 * and its snapshot shares with the parent state the parts a step left alone. Method: explore Paxos
 * and two-phase commit to completion in their declared bounds (and Raft with a client to a depth)
 * and, in every state reached, compute the fingerprint afresh and compare it with the one the
 * search knew the state by; then check that restored parents and children come back exactly.
 */
import { describe, expect, it, vi } from "vitest";
import { historyChecker } from "../../cli/history-check.js";
import { protocols } from "../../protocols/index.js";
import type { Fingerprint } from "../../sim/explore/fingerprint.js";
import { explore } from "../../sim/explore/search.js";
import { type ExploreInput, exploreSetup } from "../../sim/explore/settings.js";
import { World } from "../../sim/explore/world.js";
import type { Protocol } from "../../sim/node.js";
import type { ScheduleStep } from "../../sim/scenario/schema.js";
import { searchSettings } from "./support.js";

const cases: ReadonlyArray<{ protocol: string; input: ExploreInput; depth: number; unique?: number }> = [
  { protocol: "paxos", input: { nodes: 3 }, depth: Number.POSITIVE_INFINITY, unique: 30_455 },
  { protocol: "two-phase-commit", input: { nodes: 4 }, depth: Number.POSITIVE_INFINITY, unique: 7_802 },
  { protocol: "raft", input: { nodes: 3, clients: 1, operations: 1 }, depth: 4 },
  // Two clients, their retries, lost messages and a crash: steps that change clients and steps
  // that do not, in every order.
  {
    protocol: "raft",
    input: { nodes: 3, clients: 2, operations: 1, faults: { drop: 1, crash: 1, timeouts: 3 } },
    depth: 4,
  },
  {
    protocol: "primary-backup",
    input: { nodes: 3, clients: 2, operations: 1, faults: { drop: 1 } },
    depth: 5,
  },
];

describe("incremental fingerprints", () => {
  for (const { protocol, input, depth, unique } of cases) {
    const who = `${protocol}${input.clients === undefined ? "" : ` with ${input.clients} client(s)`}`;
    it(`equal the fingerprint computed afresh in every state of ${who}${unique === undefined ? ` to depth ${depth}` : ", explored to completion"}`, () => {
      const { setup } = exploreSetup(protocols.get(protocol) as Protocol, input, historyChecker());
      let states = 0;
      const differing: string[] = [];
      const result = explore(
        setup,
        searchSettings({
          depthMax: depth,
          onState: (world: World, print: Fingerprint) => {
            states++;
            const fresh = world.fingerprintFromScratch();
            if (fresh.high !== print.high || fresh.low !== print.low) differing.push(`state ${states}`);
          },
        }),
      );
      expect(differing.slice(0, 5)).toEqual([]);
      expect(states).toBe(result.statesVisited);
      if (unique !== undefined) {
        expect(result.verdict).toBe("complete");
        expect(result.uniqueStates).toBe(unique);
      } else {
        expect(result.uniqueStates).toBeGreaterThan(100);
      }
    });
  }
});

describe("shared parts of saved states", () => {
  it("share the invariant monitors and nodes a step left alone, and restore both ways exactly", () => {
    const { setup } = exploreSetup(
      protocols.get("two-phase-commit") as Protocol,
      { nodes: 4 },
      historyChecker(),
    );
    const world = new World(setup);
    const parent = world.save();
    const parentPrint = world.fingerprint();
    let shared = 0;
    let parts = 0;
    for (const choice of world.choices()) {
      world.restore(parent);
      world.take(choice);
      const child = world.save();
      const childPrint = world.fingerprint();
      // The kernel's part always changes (the queue, the event count); most monitors do not.
      expect(child.system[0]).not.toBe(parent.system[0]);
      shared += child.system.filter((part, index) => part === parent.system[index]).length;
      shared += child.nodes.filter((part, index) => part === parent.nodes[index]).length;
      parts += child.system.length + child.nodes.length;
      for (let round = 0; round < 2; round++) {
        world.restore(parent);
        expect(world.fingerprintFromScratch()).toEqual(parentPrint);
        world.restore(child);
        expect(world.fingerprintFromScratch()).toEqual(childPrint);
      }
    }
    expect(parts).toBeGreaterThan(0);
    expect(shared / parts).toBeGreaterThan(0.5);
  });

  it("restores a parent after a child that was never saved, then saves the child again alike", () => {
    const { setup } = exploreSetup(
      protocols.get("two-phase-commit") as Protocol,
      { nodes: 4 },
      historyChecker(),
    );
    const world = new World(setup);
    for (let step = 0; step < 2; step++) world.take(world.choices()[0] as ScheduleStep);
    const parent = world.save();
    const parentPrint = world.fingerprint();
    const choices = world.choices();
    const prints = choices.map((choice) => {
      world.restore(parent);
      world.take(choice);
      return world.fingerprint();
    });
    choices.forEach((choice, index) => {
      world.restore(parent);
      expect(world.fingerprintFromScratch()).toEqual(parentPrint);
      world.take(choice);
      world.save();
      expect(world.fingerprintFromScratch()).toEqual(prints[index]);
    });
  });

  it("keeps a state saved right after a step up to date: a successor hashes again only the node it stepped", () => {
    const { setup } = exploreSetup(
      protocols.get("raft") as Protocol,
      { nodes: 3, clients: 1, operations: 1 },
      historyChecker(),
    );
    const world = new World(setup);
    // Steps with no fingerprint between them, as a path replayed to a frontier state takes them.
    for (let step = 0; step < 4; step++) world.take(world.choices()[0] as ScheduleStep);
    const state = world.save();
    const deliveries = world.choices().filter((choice) => choice.kind === "deliver");
    expect(deliveries.length).toBeGreaterThan(1);
    const nodeDigest = vi.spyOn(
      World.prototype as unknown as { nodeDigest: (...args: unknown[]) => unknown },
      "nodeDigest",
    );
    try {
      for (const delivery of deliveries) {
        world.restore(state);
        nodeDigest.mockClear();
        world.take(delivery);
        world.fingerprint();
        const stepped = new Set(world.lastTaken.map((step) => (step.kind === "deliver" ? step.to : "")));
        expect(nodeDigest.mock.calls.length).toBe(stepped.size);
      }
    } finally {
      nodeDigest.mockRestore();
    }
  });
});
