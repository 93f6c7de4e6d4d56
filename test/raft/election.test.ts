/**
 * Leader election, in the spirit of MIT 6.5840's 3A tests, in simulated time. Goal: a leader is
 * elected, survives when nothing fails, is replaced when it fails, and a minority never elects
 * one. Method: drive a Cluster (test/raft/cluster.ts) with disconnects and reconnects and probe
 * who claims leadership, as the lab's checkOneLeader does. Every safety invariant runs too.
 */
import { describe, expect, it } from "vitest";
import { Cluster, msUs, secondUs } from "./cluster.js";

describe("raft elections (6.5840 3A)", () => {
  it("InitialElection: elects one leader, agrees on the term, and keeps it when nothing fails", () => {
    const cluster = new Cluster({ servers: 3 });
    cluster.checkOneLeader();
    cluster.run(50 * msUs);
    const term = cluster.checkTerms();
    expect(term).toBeGreaterThanOrEqual(1);
    cluster.run(2 * secondUs);
    expect(cluster.checkTerms(), "the term changed although nothing failed").toBe(term);
    cluster.checkOneLeader();
    expect(cluster.problems()).toEqual([]);
  });

  it("ReElection: replaces a lost leader; a rejoining one does not disrupt; no quorum, no leader", () => {
    const cluster = new Cluster({ servers: 3, seed: 2n });
    const leader1 = cluster.checkOneLeader();
    cluster.disconnect(leader1);
    const leader2 = cluster.checkOneLeader();
    expect(leader2).not.toBe(leader1);
    cluster.connect(leader1);
    const leader3 = cluster.checkOneLeader();
    cluster.disconnect(leader3);
    const other = cluster.ids.find((id) => id !== leader3 && cluster.isConnected(id)) as string;
    cluster.disconnect(other);
    cluster.run(2 * secondUs);
    cluster.checkNoLeader();
    cluster.connect(other);
    cluster.checkOneLeader();
    cluster.connect(leader3);
    cluster.checkOneLeader();
    expect(cluster.problems()).toEqual([]);
  });

  it("ManyElections: 7 servers, 10 rounds of disconnecting 3 at random, one leader each round", () => {
    const cluster = new Cluster({ servers: 7, seed: 3n });
    cluster.checkOneLeader();
    let state = 12345; // a fixed linear congruential sequence picks who is disconnected
    const pick = () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return cluster.ids[state % cluster.ids.length] as string;
    };
    for (let round = 0; round < 10; round++) {
      const out = [pick(), pick(), pick()];
      for (const id of out) cluster.disconnect(id);
      cluster.checkOneLeader();
      for (const id of out) cluster.connect(id);
    }
    cluster.checkOneLeader();
    expect(cluster.problems()).toEqual([]);
  });

  it("a split vote with fixed timeouts (M10) can leave a cluster leaderless, which randomness fixes", () => {
    // Four servers split 2–2 by lopsided latencies (scenario R3); with the bug the split repeats.
    const withBug = new Cluster({ servers: 4, options: { bugs: ["fixed-election-timeout"] } });
    const correct = new Cluster({ servers: 4 });
    for (const cluster of [withBug, correct]) {
      cluster.kernel.fireTimerNow("n1", "election");
      cluster.kernel.fireTimerNow("n2", "election");
      cluster.run(3 * secondUs);
    }
    expect(withBug.leadersByTerm().size).toBe(0);
    expect(correct.leadersByTerm().size).toBe(1);
  });

  it("PreVote and CheckQuorum keep a partially partitioned leader in place (R5)", () => {
    const run = (options: Record<string, unknown>) => {
      const cluster = new Cluster({ servers: 3, options: { leaderNoop: false, ...options } });
      cluster.kernel.fireTimerNow("n3", "election");
      cluster.run(100 * msUs);
      cluster.kernel.network.cutLink("n1", "n3", false);
      cluster.run(10 * secondUs);
      expect(cluster.problems()).toEqual([]);
      return cluster.kernel.leaderships.length;
    };
    expect(run({})).toBeGreaterThan(10);
    expect(run({ preVote: true, checkQuorum: true })).toBe(1);
  });

  it("CheckQuorum makes a leader that lost its majority step down", () => {
    const cluster = new Cluster({ servers: 5, options: { checkQuorum: true } });
    const leader = cluster.checkOneLeader();
    const others = cluster.ids.filter((id) => id !== leader);
    cluster.kernel.network.partition([[leader, others[0] as string], others.slice(1)]);
    cluster.run(secondUs);
    expect(cluster.node(leader)?.role).not.toBe("leader");
    expect(cluster.problems()).toEqual([]);
  });
});
