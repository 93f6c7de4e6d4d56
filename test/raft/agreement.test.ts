/**
 * Log agreement, in the spirit of MIT 6.5840's 3B tests, in simulated time. Goal: commands
 * commit at the expected indices on every connected server, never without a majority, survive
 * leader changes, and divergent logs converge quickly. Method: the lab's helpers on a Cluster
 * (one, nCommitted, start) with disconnects; leaderNoop is off where indices are asserted, as the
 * lab's Raft has no election no-op.
 */
import { describe, expect, it } from "vitest";
import { Cluster, msUs, secondUs } from "./cluster.js";

const labOptions = { leaderNoop: false };

describe("raft agreement (6.5840 3B)", () => {
  it("BasicAgree: nothing commits before Start; three commands commit at indices 1–3", () => {
    const cluster = new Cluster({ servers: 3, options: labOptions });
    for (let index = 1; index <= 3; index++) {
      expect(cluster.nCommitted(index).count, "committed before Start()").toBe(0);
      expect(cluster.one(index * 100, 3)).toBe(index);
    }
    expect(cluster.problems()).toEqual([]);
  });

  it("FollowerFailure: two servers agree; a lone leader commits nothing", () => {
    const cluster = new Cluster({ servers: 3, options: labOptions });
    cluster.one(101, 3);
    const leader1 = cluster.checkOneLeader();
    cluster.disconnect(cluster.ids.find((id) => id !== leader1) as string);
    cluster.one(102, 2);
    cluster.run(secondUs);
    cluster.one(103, 2);
    const leader2 = cluster.checkOneLeader();
    for (const id of cluster.ids) if (id !== leader2) cluster.disconnect(id);
    const { index, isLeader } = cluster.start(leader2, 104);
    expect(isLeader).toBe(true);
    expect(index).toBe(4);
    cluster.run(2 * secondUs);
    expect(cluster.nCommitted(index).count, "committed without a majority").toBe(0);
    expect(cluster.problems()).toEqual([]);
  });

  it("LeaderFailure: survivors agree after the leader leaves; nothing commits without a majority", () => {
    const cluster = new Cluster({ servers: 3, options: labOptions });
    cluster.one(101, 3);
    cluster.disconnect(cluster.checkOneLeader());
    cluster.one(102, 2);
    cluster.run(secondUs);
    cluster.one(103, 2);
    cluster.disconnect(cluster.checkOneLeader());
    const index = 4;
    for (const id of cluster.ids) cluster.start(id, 104);
    cluster.run(2 * secondUs);
    expect(cluster.nCommitted(index).count).toBe(0);
    expect(cluster.problems()).toEqual([]);
  });

  it("FailAgree: a disconnected follower catches up when it returns", () => {
    const cluster = new Cluster({ servers: 3, options: labOptions });
    cluster.one(101, 3);
    const leader = cluster.checkOneLeader();
    const follower = cluster.ids.find((id) => id !== leader) as string;
    cluster.disconnect(follower);
    for (const value of [102, 103, 104, 105]) cluster.one(value, 2);
    cluster.run(secondUs);
    cluster.connect(follower);
    cluster.one(106, 3);
    cluster.run(secondUs);
    cluster.one(107, 3);
    expect(cluster.problems()).toEqual([]);
  });

  it("FailNoAgree: with 3 of 5 followers gone nothing commits; after healing the next index is 2 or 3", () => {
    const cluster = new Cluster({ servers: 5, options: labOptions });
    cluster.one(10, 5);
    const leader = cluster.checkOneLeader();
    const followers = cluster.ids.filter((id) => id !== leader);
    for (const id of followers.slice(0, 3)) cluster.disconnect(id);
    const { index, isLeader } = cluster.start(leader, 20);
    expect(isLeader).toBe(true);
    expect(index).toBe(2);
    cluster.run(2 * secondUs);
    expect(cluster.nCommitted(index).count).toBe(0);
    for (const id of followers.slice(0, 3)) cluster.connect(id);
    const leader2 = cluster.checkOneLeader();
    const again = cluster.start(leader2, 30);
    expect(again.isLeader).toBe(true);
    expect(again.index).toBeGreaterThanOrEqual(2);
    expect(again.index).toBeLessThanOrEqual(3);
    cluster.one(1000, 5);
    expect(cluster.problems()).toEqual([]);
  });

  it("ConcurrentStarts: five commands started in one term all commit", () => {
    const cluster = new Cluster({ servers: 3, options: labOptions });
    const leader = cluster.checkOneLeader();
    const term = cluster.node(leader)?.currentTerm as number;
    const indices = [1, 2, 3, 4, 5].map((value) => cluster.start(leader, value).index);
    const values = indices.map((index) => cluster.wait(index, 3, term));
    expect(values.sort()).toEqual([1, 2, 3, 4, 5]);
    expect(cluster.problems()).toEqual([]);
  });

  it("Rejoin: a partitioned leader's uncommitted entries are overwritten when it returns (R4)", () => {
    const cluster = new Cluster({ servers: 3, options: labOptions });
    cluster.one(101, 3);
    const leader1 = cluster.checkOneLeader();
    cluster.disconnect(leader1);
    for (const value of [102, 103, 104]) cluster.start(leader1, value);
    cluster.one(103, 2);
    const leader2 = cluster.checkOneLeader();
    cluster.disconnect(leader2);
    cluster.connect(leader1);
    cluster.one(104, 2);
    cluster.connect(leader2);
    cluster.one(105, 3);
    for (const record of cluster.appliers.values()) expect([...record.applied.values()]).not.toContain(102);
    expect(cluster.problems()).toEqual([]);
  });

  it("Backup: leaders back up quickly over 50 divergent entries per round (R7)", () => {
    const cluster = new Cluster({ servers: 5, options: labOptions });
    let value = 1;
    cluster.one(value++, 5);
    const leader1 = cluster.checkOneLeader();
    const [a, b, c, d] = cluster.ids.filter((id) => id !== leader1) as [string, string, string, string];
    for (const id of [b, c, d]) cluster.disconnect(id);
    for (let i = 0; i < 50; i++) cluster.start(leader1, value++);
    cluster.run(500 * msUs);
    cluster.disconnect(leader1);
    cluster.disconnect(a);
    for (const id of [b, c, d]) cluster.connect(id);
    for (let i = 0; i < 50; i++) cluster.one(value++, 3);
    const leader2 = cluster.checkOneLeader();
    const other = [b, c, d].find((id) => id !== leader2) as string;
    cluster.disconnect(other);
    for (let i = 0; i < 50; i++) cluster.start(leader2, value++);
    cluster.run(500 * msUs);
    for (const id of cluster.ids) cluster.disconnect(id);
    for (const id of [leader1, a, other]) cluster.connect(id);
    const started = cluster.now;
    for (let i = 0; i < 50; i++) cluster.one(value++, 3);
    for (const id of cluster.ids) cluster.connect(id);
    cluster.one(value++, 5);
    expect(cluster.now - started, "backing up took too long").toBeLessThan(20 * secondUs);
    expect(cluster.problems()).toEqual([]);
  });

  it("Heartbeats fill idle periods only: one round per interval when idle, none while commands flow", () => {
    const cluster = new Cluster({ servers: 3, options: labOptions });
    const leader = cluster.checkOneLeader();
    cluster.run(secondUs);
    // Idle: a heartbeat round (one AppendEntries per follower) every 50 ms.
    let before = cluster.messages("AppendEntries");
    cluster.run(secondUs);
    const idle = cluster.messages("AppendEntries") - before;
    expect(idle).toBeGreaterThanOrEqual(2 * 19);
    expect(idle).toBeLessThanOrEqual(2 * 21);
    // Busy: a command every 10 ms; each is one round, and no heartbeat rounds come between.
    before = cluster.messages("AppendEntries");
    for (let value = 1; value <= 100; value++) {
      expect(cluster.start(leader, value).isLeader).toBe(true);
      cluster.run(10 * msUs);
    }
    const busy = cluster.messages("AppendEntries") - before;
    expect(busy).toBeGreaterThanOrEqual(2 * 100);
    expect(busy, "heartbeats sent while commands kept the followers informed").toBeLessThanOrEqual(2 * 102);
    cluster.one(101, 3);
    expect(cluster.problems()).toEqual([]);
  });

  it("Count: elections, agreement and idleness cost few RPCs", () => {
    const cluster = new Cluster({ servers: 3, options: labOptions });
    cluster.checkOneLeader();
    expect(cluster.messages("RequestVote"), "too many RequestVotes to elect a leader").toBeLessThanOrEqual(
      30,
    );
    const before = cluster.messages("AppendEntries");
    const leader = cluster.checkOneLeader();
    const term = cluster.node(leader)?.currentTerm as number;
    const during = cluster.messages("AppendEntries");
    const first = cluster.start(leader, 1).index;
    for (let value = 2; value <= 11; value++) cluster.start(leader, value);
    for (let index = first; index < first + 11; index++) expect(cluster.wait(index, 3, term)).toBeDefined();
    const heartbeatsWhileProbing = during - before;
    const agreement = cluster.messages("AppendEntries") - during;
    expect(agreement, `${heartbeatsWhileProbing} heartbeats before`).toBeLessThanOrEqual((10 + 1 + 3) * 3);
    const idleStart = cluster.messages("AppendEntries") + cluster.messages("RequestVote");
    cluster.run(secondUs);
    const idle = cluster.messages("AppendEntries") + cluster.messages("RequestVote") - idleStart;
    expect(idle, "too many RPCs in an idle second").toBeLessThanOrEqual(3 * 20);
    expect(cluster.problems()).toEqual([]);
  });
});
