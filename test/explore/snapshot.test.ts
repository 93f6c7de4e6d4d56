/**
 * Snapshot and restore of explored states: for every protocol with a safety bug table, a
 * breadth-first search that restores states from snapshots visits exactly the states, in the same
 * numbers, as one that rebuilds each state by replaying its path from the start (the reference:
 * the kernel is deterministic). Both also find the same shortest counterexample.
 */
import { describe, expect, it } from "vitest";
import { historyChecker } from "../../cli/history-check.js";
import { protocols } from "../../protocols/index.js";
import type { PaxosNode } from "../../protocols/paxos/node.js";
import { explore, type SearchSettings } from "../../sim/explore/search.js";
import { exploreSetup } from "../../sim/explore/settings.js";
import { World } from "../../sim/explore/world.js";
import { agreementInvariant, nodeInvariant } from "../../sim/invariants.js";
import type { Protocol } from "../../sim/node.js";
import type { ScheduleStep } from "../../sim/scenario/schema.js";
import { searchSettings } from "./support.js";

const settings = (restore: "snapshot" | "replay", depthMax: number): SearchSettings =>
  searchSettings({ depthMax, restore });

const cases: ReadonlyArray<{ protocol: string; nodes: number; depth: number; bug?: string }> = [
  { protocol: "paxos", nodes: 3, depth: 4 },
  { protocol: "two-phase-commit", nodes: 4, depth: 4 },
  { protocol: "three-phase-commit", nodes: 3, depth: 4 },
  { protocol: "raft", nodes: 3, depth: 3 },
  { protocol: "multi-paxos", nodes: 3, depth: 3 },
  { protocol: "primary-backup", nodes: 3, depth: 3 },
  { protocol: "two-phase-commit", nodes: 3, depth: 4, bug: "ready-aborts-on-timeout" },
  { protocol: "txn-kv", nodes: 3, depth: 3 },
  { protocol: "sharded-kv", nodes: 6, depth: 3 },
];

describe("snapshot restore", () => {
  for (const { protocol: name, nodes, depth, bug } of cases) {
    it(`explores ${name}${bug === undefined ? "" : ` with ${bug}`} exactly as path replay does`, () => {
      const protocol = protocols.get(name) as Protocol;
      const { setup } = exploreSetup(
        protocol,
        { nodes, faults: { crash: 1, timeouts: 2 }, ...(bug === undefined ? {} : { bugs: [bug] }) },
        historyChecker(),
      );
      expect(new World(setup).restorable).toBe(true);
      const restored = explore(setup, settings("snapshot", depth));
      const replayed = explore(setup, settings("replay", depth));
      expect(restored.uniqueStates).toBeGreaterThan(20);
      expect(restored.restore).toBe("snapshot");
      expect(replayed.restore).toBe("replay");
      expect({ ...restored, wallMs: 0, restore: "" }).toEqual({ ...replayed, wallMs: 0, restore: "" });
    });
  }

  it("restores every built-in protocol from snapshots: no node or monitor keeps its state out of sight", () => {
    for (const protocol of protocols.values()) {
      const { setup } = exploreSetup(protocol, {}, historyChecker());
      const world = new World(setup);
      expect({ protocol: protocol.name, reasons: world.replayReasons() }).toEqual({
        protocol: protocol.name,
        reasons: [],
      });
      expect(world.restorable).toBe(true);
    }
  });

  it("explores a protocol whose invariants come from the invariant helpers from snapshots, as path replay does", () => {
    const paxos = protocols.get("paxos") as Protocol;
    const helped: Protocol = {
      ...paxos,
      name: "paxos-helped",
      invariants: [
        agreementInvariant<PaxosNode>({
          name: "helped.agreement",
          statement: "Learners learn one value.",
          source: "this test",
          decided: (node) => node.learned,
        }),
        nodeInvariant<PaxosNode>({
          name: "helped.accepted-under-promise",
          statement: "An acceptor's accepted ballot is at most its promise.",
          source: "this test",
          check: (node) =>
            node.accepted !== null && node.accepted.ballot > node.promised
              ? "accepted above its promise"
              : undefined,
        }),
      ] as unknown as Protocol["invariants"],
    };
    const { setup } = exploreSetup(
      helped as Protocol,
      { nodes: 3, faults: { crash: 1, timeouts: 2 } },
      historyChecker(),
    );
    expect(new World(setup).restorable).toBe(true);
    const restored = explore(setup, settings("snapshot", 5));
    const replayed = explore(setup, settings("replay", 5));
    expect(restored.restore).toBe("snapshot");
    expect(restored.uniqueStates).toBeGreaterThan(20);
    expect({ ...restored, wallMs: 0, restore: "" }).toEqual({ ...replayed, wallMs: 0, restore: "" });
  });

  it("says why states are replayed: each node and each monitor that keeps its state out of sight", () => {
    const paxos = protocols.get("paxos") as Protocol;
    const plain = exploreSetup(paxos, { nodes: 3 }, historyChecker()).setup;
    expect(new World(plain).replayReasons()).toEqual([]);
    const closures: Protocol = {
      ...paxos,
      name: "paxos-hidden",
      // n2's node keeps its state in closures: an object of methods over a node kept out of sight.
      create: (context, options) => {
        const node = paxos.create(context, options) as unknown as Record<
          string,
          (...args: unknown[]) => unknown
        >;
        if (context.id !== "n2") return node as never;
        const methods: Record<string, unknown> = {};
        for (const name of ["onStart", "onMessage", "onTimer", "onClientRequest"]) {
          if (typeof node[name] === "function") {
            const method = (node[name] as (...args: unknown[]) => unknown).bind(node);
            Object.defineProperty(methods, name, { value: method, enumerable: false });
          }
        }
        return methods as never;
      },
      invariants: [
        ...paxos.invariants,
        {
          name: "hidden.no-state",
          statement: "Nothing.",
          source: "this test",
          kind: "safety",
          create: () => ({ afterStep: () => undefined }),
        },
        {
          name: "hidden.weak-state",
          statement: "Nothing.",
          source: "this test",
          kind: "safety",
          create: () => ({ state: { seen: new WeakMap<object, number>() }, afterStep: () => undefined }),
        },
      ] as Protocol["invariants"],
    };
    const { setup } = exploreSetup(closures, { nodes: 3 }, historyChecker());
    const world = new World(setup);
    expect(world.restorable).toBe(false);
    expect(world.replayReasons()).toEqual([
      "node n2's object keeps its state out of its fields (closures)",
      "the monitor of hidden.no-state has no `state`",
      "the `state` of hidden.weak-state's monitor holds an object whose contents cannot be read (a WeakMap, a WeakSet or a Promise)",
    ]);
  });

  it("shares the parts of nodes that did not step with the parent state", () => {
    const { setup } = exploreSetup(protocols.get("paxos") as Protocol, { nodes: 3 }, historyChecker());
    const world = new World(setup);
    const parent = world.save();
    const fire = world.choices().find((step) => step.kind === "fire" && step.node === "n1");
    expect(fire).toBeDefined();
    world.take(fire as ScheduleStep);
    const child = world.save();
    expect(child.nodes[0]).not.toBe(parent.nodes[0]);
    expect(child.nodes[1]).toBe(parent.nodes[1]);
    expect(child.nodes[2]).toBe(parent.nodes[2]);
    // Restoring the parent, then the child again, gives back each state exactly.
    const childPrint = world.fingerprint();
    world.restore(parent);
    const parentPrint = world.fingerprint();
    expect(parentPrint).not.toEqual(childPrint);
    world.restore(child);
    expect(world.fingerprint()).toEqual(childPrint);
    world.restore(parent);
    expect(world.fingerprint()).toEqual(parentPrint);
  });

  it("puts a world back exactly: the same fingerprint and the same next steps", () => {
    const { setup } = exploreSetup(protocols.get("raft") as Protocol, { nodes: 3 }, historyChecker());
    const world = new World(setup);
    const saved = world.save();
    const before = world.fingerprint();
    const choices = world.choices();
    for (let step = 0; step < 6; step++) {
      const next = world.choices();
      if (next.length === 0) break;
      world.take(next[step % next.length] as ScheduleStep);
    }
    expect(world.fingerprint()).not.toEqual(before);
    world.restore(saved);
    expect(world.fingerprint()).toEqual(before);
    expect(world.choices()).toEqual(choices);
  });

  it("puts a state back right after a child of it was saved, comparing only what the step changed", () => {
    const { setup } = exploreSetup(
      protocols.get("raft") as Protocol,
      { nodes: 3, clients: 1, faults: { crash: 1, timeouts: 2 } },
      historyChecker(),
    );
    const world = new World(setup);
    for (let step = 0; step < 3; step++) world.take(world.choices()[0] as ScheduleStep);
    const parent = world.save();
    const parentPrint = world.fingerprint();
    const parentChoices = world.choices();
    expect(parentChoices.length).toBeGreaterThan(2);
    for (const choice of parentChoices) {
      world.restore(parent);
      world.take(choice);
      const childPrint = world.fingerprint();
      const child = world.save();
      // No step since that save: this restore trusts it and skips the objects the step left alone.
      world.restore(parent);
      expect(world.fingerprint()).toEqual(parentPrint);
      expect(world.choices()).toEqual(parentChoices);
      world.restore(child);
      expect(world.fingerprint()).toEqual(childPrint);
    }
  });
});
