/**
 * Breadth-first search with each level's expansion shared out (sim/explore/parallel.ts) against
 * the one-thread search: the same verdict, counts, depth and counterexample, however the levels
 * are cut into runs and whichever expander answers. The expanders run in this thread here (the
 * worker threads of `explore --workers` are tested in cli-workers.test.ts); each run goes to the
 * next of several expanders in turn, so no expander sees every state.
 */
import { describe, expect, it, vi } from "vitest";
import { protocols } from "../../protocols/index.js";
import {
  type ExpansionPool,
  exploreByLevels,
  exploreInParallel,
  FrontierExpander,
} from "../../sim/explore/parallel.js";
import { explore, type SearchResult, type SearchSettings } from "../../sim/explore/search.js";
import { type ExploreInput, exploreSetup } from "../../sim/explore/settings.js";
import { World, type WorldSetup } from "../../sim/explore/world.js";
import type { Protocol } from "../../sim/node.js";
import { sameSearch, searchSettings } from "./support.js";

const protocol = (name: string): Protocol => protocols.get(name) as Protocol;

/** Expanders in this thread, taken in turn; answers come back in a scrambled order of settling. */
function takenInTurn(setup: WorldSetup, parallelism: number, settings: SearchSettings): ExpansionPool {
  const oneOrder = setup.promptReplies !== true && settings.commutingOrders !== "both";
  const expanders = Array.from(
    { length: parallelism },
    () =>
      new FrontierExpander(setup, {
        oneOrder,
        ...(settings.restore === undefined ? {} : { restore: settings.restore }),
      }),
  );
  let turn = 0;
  return {
    parallelism,
    expand(paths, depth, states) {
      const expander = expanders[turn++ % parallelism] as FrontierExpander;
      const answer = expander.expand(paths, depth, states);
      // Settle later runs first now and then: the search must still take them in order.
      const delay = turn % 3;
      return new Promise((done) => setTimeout(() => done(answer), delay));
    },
  };
}

async function compare(
  name: string,
  input: ExploreInput,
  overrides: Partial<SearchSettings> = {},
  parallelism = 3,
): Promise<SearchResult> {
  const { setup } = exploreSetup(protocol(name), input);
  const settings = searchSettings(overrides);
  const sequential = explore(setup, settings);
  const parallel = await exploreInParallel(setup, settings, takenInTurn(setup, parallelism, settings));
  sameSearch(parallel, sequential);
  return parallel;
}

describe("parallel breadth-first search", () => {
  it("Paxos to completion (one timeout): the same states and transitions", async () => {
    const result = await compare("paxos", { faults: { timeouts: 1 } });
    expect(result.verdict).toBe("complete");
    expect(result.uniqueStates).toBeGreaterThan(100);
  }, 60_000);

  it("the same shortest counterexample for deliberate bugs", async () => {
    const found = [
      await compare("paxos", { bugs: ["promise-omits-accepted"] }),
      await compare("paxos", { bugs: ["volatile-acceptor"], faults: { crash: 1 } }, {}, 2),
      await compare("two-phase-commit", { bugs: ["commit-on-vote-timeout"] }, {}, 5),
    ];
    for (const result of found) {
      expect(result.verdict).toBe("violation");
      expect(result.counterexample?.shortest).toBe(true);
    }
  }, 120_000);

  it("every kind of bound and setting: depth, states, both orders, replayed states, ordered links, prompt replies", async () => {
    await compare("raft", { faults: { timeouts: 3 } }, { depthMax: 5 });
    await compare("paxos", { faults: { timeouts: 2 } }, { statesMax: 777 });
    await compare("paxos", { faults: { timeouts: 1 } }, { commutingOrders: "both" });
    await compare("paxos", { faults: { timeouts: 1 } }, { restore: "replay", depthMax: 6 }, 2);
    await compare("two-phase-commit", {}, {}, 4);
    await compare("raft", { faults: { timeouts: 2 }, promptReplies: true }, { depthMax: 5 });
  }, 180_000);

  it("in this thread, as `quorumlab explore` searches with one thread: the same result, levels cut into many runs", async () => {
    const levels = async (name: string, input: ExploreInput, overrides: Partial<SearchSettings> = {}) => {
      const { setup } = exploreSetup(protocol(name), input);
      const settings = searchSettings(overrides);
      const result = await exploreByLevels(setup, settings);
      sameSearch(result, explore(setup, settings));
      return result;
    };
    // Paxos's default bounds: levels of up to a few thousand states, so many runs a level.
    const paxos = await levels("paxos", {});
    expect(paxos.verdict).toBe("complete");
    expect(paxos.uniqueStates).toBe(30_455);
    expect((await levels("paxos", { faults: { timeouts: 2 } }, { statesMax: 5_000 })).boundedBy).toBe(
      "states",
    );
    expect((await levels("paxos", { bugs: ["promise-omits-accepted"] })).verdict).toBe("violation");
  }, 180_000);

  it("an expander keeps a replayed path's states only where a later path of the run starts from them", async () => {
    const { setup } = exploreSetup(protocol("paxos"), {});
    const save = vi.spyOn(World.prototype, "save");
    try {
      const result = await exploreByLevels(setup, searchSettings());
      expect(result.verdict).toBe("complete");
      // Keeping every replayed state made about 2.4 saves per state; each state is expanded
      // once, and saved at most once for that (plus the shared prefixes a run comes back to).
      expect(save.mock.calls.length).toBeLessThan(result.uniqueStates * 1.25);
      expect(save.mock.calls.length).toBeGreaterThan(result.uniqueStates / 4);
    } finally {
      save.mockRestore();
    }
  }, 60_000);

  it("a saved state carries the clients' digest: a step that leaves the clients alone does not hash them again", async () => {
    const { setup } = exploreSetup(protocol("raft"), { nodes: 3, clients: 1, operations: 1 });
    const digest = vi.spyOn(
      World.prototype as unknown as { clientsDigestNow(shared: unknown): unknown },
      "clientsDigestNow",
    );
    const fingerprint = vi.spyOn(World.prototype, "fingerprint");
    try {
      const result = await exploreByLevels(setup, searchSettings({ depthMax: 6 }));
      expect(result.uniqueStates).toBe(29_381);
      // Saved with a stale digest, the clients were hashed for every fingerprint (1.4 times a
      // state); most of Raft's steps are deliveries between nodes.
      expect(digest.mock.calls.length).toBeLessThan(fingerprint.mock.calls.length / 2);
    } finally {
      digest.mockRestore();
      fingerprint.mockRestore();
    }
  }, 60_000);

  it("one expander gives the same result as many", async () => {
    await compare("two-phase-commit", { nodes: 3, faults: { timeouts: 1 } }, {}, 1);
  }, 60_000);

  it("nodes that keep their state in closures: no two states merged, the same tree searched", async () => {
    const open = protocol("two-phase-commit");
    const hidden: Protocol = {
      ...open,
      name: "closures",
      // Invariants and roles read node fields, which these nodes do not show.
      invariants: [],
      roles: undefined,
      create(context, options) {
        const inner = open.create(context, options);
        return {
          onStart: (info) => inner.onStart?.(info),
          onMessage: (from, message) => inner.onMessage?.(from, message),
          onTimer: (name) => inner.onTimer?.(name),
          onClientRequest: (request) => inner.onClientRequest?.(request),
        };
      },
    };
    const { setup } = exploreSetup(hidden, { nodes: 3, faults: { timeouts: 1 } });
    const settings = searchSettings({ depthMax: 6 });
    const sequential = explore(setup, settings);
    const parallel = await exploreInParallel(setup, settings, takenInTurn(setup, 3, settings));
    expect(sequential.hiddenState).toBe(true);
    expect(parallel.hiddenState).toBe(true);
    sameSearch(parallel, sequential);
    expect(parallel.uniqueStates).toBe(parallel.statesVisited);
  }, 60_000);
});
