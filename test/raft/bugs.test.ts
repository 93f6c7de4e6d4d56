/**
 * Every deliberate bug of Raft is caught. Goal: each bug in protocols/raft/bugs.ts makes a check
 * fail: the invariant it names, the linearizability check, or (M10) liveness; and the correct
 * protocol passes the same runs. Method: the teaching scenarios for M1, M3, M7 and M10, and a
 * seeded search over churny, lossy runs (crashes, restarts, disconnects) for M2, M4, M5 and M6.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { historyChecker } from "../../cli/history-check.js";
import { protocols } from "../../protocols/index.js";
import { raftBugs } from "../../protocols/raft/bugs.js";
import { runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";
import { Cluster, msUs, unreliableNetwork } from "./cluster.js";

function run(name: string, options?: Readonly<Record<string, unknown>>) {
  const file = `scenarios/${name}.yaml`;
  const scenario = parseScenario(readFileSync(file, "utf8"), file);
  return runScenario(options === undefined ? scenario : { ...scenario, options }, protocols, {
    checkHistory: historyChecker(),
  });
}

function violated(result: ReturnType<typeof run>): string[] {
  return result.violations.map((violation) => violation.invariant);
}

interface ChurnSetup {
  readonly servers: number;
  /** Crash and restart servers too, not only disconnect them. */
  readonly crashes: boolean;
  readonly options: Readonly<Record<string, unknown>>;
}

const churnySetup: ChurnSetup = {
  servers: 5,
  crashes: true,
  options: { electionTimeoutMin: "50ms", electionTimeoutMax: "100ms", heartbeatInterval: "20ms" },
};

/**
 * M5 needs a deposed leader whose stale suffix survives an AppendEntries that matches only a
 * prefix of it (an empty heartbeat overtaking or outliving the entries): three servers with
 * frequent heartbeats, disconnects only, and no election no-op reach it often.
 */
const staleSuffixSetup: ChurnSetup = {
  servers: 3,
  crashes: false,
  options: {
    leaderNoop: false,
    electionTimeoutMin: "50ms",
    electionTimeoutMax: "100ms",
    heartbeatInterval: "10ms",
  },
};

/** A churny run: starts on every server, crashes, restarts and disconnects, lossy links. */
function churn(seed: number, bugs: readonly string[], setup: ChurnSetup): string[] {
  const cluster = new Cluster({
    servers: setup.servers,
    seed: BigInt(seed),
    network: { ...unreliableNetwork, duplicate: 0.05 },
    options: { ...setup.options, bugs },
  });
  let state = seed * 7919 + 1;
  const random = (max: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % max;
  };
  let value = 1;
  for (let step = 0; step < 300 && cluster.problems().length === 0; step++) {
    for (const id of cluster.ids) if (cluster.isUp(id)) cluster.start(id, value++);
    cluster.run(random(30) * msUs);
    const id = cluster.ids[random(setup.servers)] as string;
    switch (setup.crashes ? random(6) : 2 + random(4)) {
      case 0:
        if (cluster.isUp(id)) cluster.crash(id);
        break;
      case 1:
        if (!cluster.isUp(id)) cluster.restart(id);
        break;
      case 2:
        cluster.disconnect(id);
        break;
      default:
        cluster.connect(id);
    }
  }
  return cluster.problems();
}

/** The first seed in [1, seeds] whose churny run finds a problem, or undefined. */
function search(
  bugs: readonly string[],
  seeds: number,
  setup: ChurnSetup,
): { seed: number; problems: string[] } | undefined {
  for (let seed = 1; seed <= seeds; seed++) {
    const problems = churn(seed, bugs, setup);
    if (problems.length > 0) return { seed, problems };
  }
  return undefined;
}

describe("raft deliberate bugs", () => {
  it("documents every bug with an id, a change, the invariants it breaks and a source", () => {
    for (const bug of raftBugs) {
      expect(bug.id).toMatch(/^M\d+$/);
      expect(bug.change.length).toBeGreaterThan(20);
      expect(bug.breaks.length).toBeGreaterThan(0);
      expect(bug.source).toMatch(/Raft paper|thesis/);
    }
  });

  it("M1 vote-before-persist: a restarted voter votes twice in one term (R6)", () => {
    expect(violated(run("raft-vote-persistence-bug"))).toEqual(["raft.one-vote-per-term"]);
    expect(violated(run("raft-vote-persistence", { bugs: [] }))).toEqual([]);
  });

  it("M3 commit-previous-term: Figure 8 step (d) elects a leader without a committed entry (R1)", () => {
    const result = run("raft-figure-8-bug");
    expect(violated(result)).toEqual(["raft.leader-completeness"]);
    expect(result.simulatedUs).toBeLessThan(80 * msUs);
    expect(violated(run("raft-figure-8-bug", { leaderNoop: false }))).toEqual([]);
  });

  it("M7 stale-local-read: a deposed leader's read is not linearizable", () => {
    const result = run("raft-stale-read-bug");
    expect(result.linearizable).toBe(false);
    expect(violated(result)).toEqual(["kv.linearizable"]);
    const correct = run("raft-stale-read-bug", {});
    expect(correct.linearizable).toBe(true);
  });

  it("M10 fixed-election-timeout: the split vote repeats and no leader is elected (R3)", () => {
    expect(run("raft-split-vote-fixed-timeout").figures.leaderChanges).toBe(0);
    expect(run("raft-split-vote-fixed-timeout", {}).figures.leaderChanges).toBeGreaterThan(0);
  });

  it("the correct protocol survives the churn used to search for bugs", () => {
    expect(search([], 6, churnySetup)).toBeUndefined();
    expect(search([], 10, staleSuffixSetup)).toBeUndefined();
  });

  for (const [bug, setup] of [
    ["no-up-to-date-check", churnySetup],
    ["truncate-without-conflict", churnySetup],
    ["commit-index-from-leader", staleSuffixSetup],
    ["count-stale-votes", churnySetup],
  ] as const) {
    it(`${bug} is found by a seeded search over churny runs`, () => {
      const found = search([bug], 40, setup);
      expect(found, `no seed up to 40 exposed ${bug}`).toBeDefined();
    });
  }
});
