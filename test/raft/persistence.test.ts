/**
 * Persistence and unreliable networks, in the spirit of MIT 6.5840's 3C tests, in simulated time.
 * Goal: committed entries survive crashes and restarts of any server, including all at once; the
 * Figure 8 churn, lossy reordering networks and client churn never break agreement. Method: a
 * Cluster driven through fixed schedules and seeded fault steps, with the lab's helpers and every
 * safety invariant checked after every step. The churn tests draw their faults with the
 * fuzzer's own arbitrary (./fault-steps.ts): crashes (power losses among them) of leaders,
 * followers and named servers with their restarts, isolations and partitions with their heals.
 */
import { describe, expect, it } from "vitest";
import { Cluster, msUs, secondUs, unreliableNetwork } from "./cluster.js";
import { faultSteps, runFaultSteps } from "./fault-steps.js";

describe("raft persistence (6.5840 3C)", () => {
  it("Persist1: commits survive restarting all servers, then leaders, then a follower", () => {
    const cluster = new Cluster({ servers: 3 });
    cluster.one(11, 3);
    for (const id of cluster.ids) cluster.crash(id);
    for (const id of cluster.ids) cluster.restart(id);
    cluster.one(12, 3);
    const leader1 = cluster.checkOneLeader();
    cluster.crash(leader1);
    cluster.restart(leader1);
    cluster.one(13, 3);
    const leader2 = cluster.checkOneLeader();
    cluster.crash(leader2);
    cluster.one(14, 2);
    cluster.restart(leader2);
    const index = cluster.one(15, 3);
    cluster.wait(index, 3, -1);
    expect(cluster.problems()).toEqual([]);
  });

  it("Persist2: progress with 3-server majorities across 5 rounds of partitions and restarts", () => {
    const cluster = new Cluster({ servers: 5, seed: 5n });
    let value = 10;
    for (let round = 0; round < 5; round++) {
      cluster.one(value++, 1);
      const leader1 = cluster.checkOneLeader();
      const ring = (offset: number) => cluster.ids[(cluster.ids.indexOf(leader1) + offset) % 5] as string;
      cluster.disconnect(ring(1));
      cluster.disconnect(ring(2));
      cluster.one(value++, 3);
      cluster.disconnect(ring(0));
      cluster.disconnect(ring(3));
      cluster.disconnect(ring(4));
      for (const offset of [1, 2]) {
        cluster.crash(ring(offset));
        cluster.restart(ring(offset));
        cluster.connect(ring(offset));
      }
      cluster.run(secondUs);
      cluster.crash(ring(3));
      cluster.restart(ring(3));
      cluster.connect(ring(3));
      cluster.one(value++, 3);
      for (const offset of [4, 0]) {
        cluster.crash(ring(offset));
        cluster.restart(ring(offset));
        cluster.connect(ring(offset));
      }
    }
    cluster.one(1000, 5);
    expect(cluster.problems()).toEqual([]);
  });

  it("Persist3: a restarted leader commits with the follower that was partitioned earlier", () => {
    const cluster = new Cluster({ servers: 3 });
    cluster.one(101, 3);
    const leader = cluster.checkOneLeader();
    const [first, second] = cluster.ids.filter((id) => id !== leader) as [string, string];
    cluster.disconnect(second);
    cluster.one(102, 2);
    cluster.crash(leader);
    cluster.crash(first);
    cluster.connect(second);
    cluster.restart(leader);
    cluster.one(103, 2);
    cluster.restart(first);
    cluster.one(104, 3);
    expect(cluster.problems()).toEqual([]);
  });

  it("Figure8: 300 crash steps (leaders first, power losses among them) keep every server in agreement", () => {
    const cluster = new Cluster({ servers: 5, seed: 8n, options: { leaderNoop: false } });
    let value = 1;
    cluster.one(value++, 1);
    const steps = faultSteps({
      servers: 5,
      kinds: new Set(["crash"]),
      count: 300,
      seed: 8,
      faultPhaseMs: 4_000,
    });
    runFaultSteps(cluster, steps, () => {
      for (const id of cluster.ids) if (cluster.isUp(id)) cluster.start(id, value++);
    });
    for (const id of cluster.ids) if (!cluster.isUp(id)) cluster.restart(id);
    cluster.one(value++, 5);
    expect(cluster.problems()).toEqual([]);
  });

  it("UnreliableAgree: 50 rounds of concurrent commands commit over a lossy, slow network", () => {
    const cluster = new Cluster({ servers: 5, network: unreliableNetwork });
    for (let round = 1; round < 50; round++) {
      for (let j = 0; j < 4; j++) {
        const leader = cluster.ids.find((id) => cluster.node(id)?.role === "leader");
        if (leader !== undefined) cluster.start(leader, 100 * round + j);
      }
      cluster.one(round, 1);
    }
    cluster.one(100, 5);
    expect(cluster.problems()).toEqual([]);
  });

  it("Figure8Unreliable: lossy reordering network with leaders isolated and partitions", () => {
    const cluster = new Cluster({
      servers: 5,
      seed: 9n,
      network: {
        ...unreliableNetwork,
        latency: { distribution: "exponential", meanUs: 20 * msUs, minUs: 0, maxUs: 2_200 * msUs },
      },
    });
    let value = 1;
    cluster.one(value++, 1);
    const kinds = new Set(["isolate", "partition"] as const);
    const steps = faultSteps({ servers: 5, kinds, count: 300, seed: 9, faultPhaseMs: 4_000 });
    runFaultSteps(cluster, steps, () => {
      for (const id of cluster.ids) if (cluster.isConnected(id)) cluster.start(id, value++);
    });
    for (const id of cluster.ids) cluster.connect(id);
    cluster.one(value++, 5);
    expect(cluster.problems()).toEqual([]);
  });

  for (const unreliable of [false, true]) {
    it(`${unreliable ? "Unreliable" : "Reliable"}Churn: every value a client saw committed is in the final log`, () => {
      const cluster = new Cluster({
        servers: 5,
        seed: 11n,
        ...(unreliable ? { network: unreliableNetwork } : {}),
      });
      const seen: Array<{ index: number; value: number }> = [];
      let value = 1;
      const kinds = new Set(["crash", "isolate", "partition", "timeout"] as const);
      const steps = faultSteps({
        servers: 5,
        kinds,
        count: 40,
        seed: unreliable ? 12 : 11,
        faultPhaseMs: 14_000,
      });
      runFaultSteps(cluster, steps, () => {
        // Three clients: each starts a command on every server and notes what committed.
        for (let client = 0; client < 3; client++) {
          for (const id of cluster.ids) {
            const started = cluster.start(id, value);
            if (started.isLeader) seen.push({ index: started.index, value });
            value++;
          }
        }
      });
      cluster.run(secondUs);
      for (const id of cluster.ids) {
        if (!cluster.isUp(id)) cluster.restart(id);
        cluster.connect(id);
      }
      cluster.run(secondUs);
      const last = cluster.one(1_000_000, 5);
      let committedSeen = 0;
      for (const { index, value: started } of seen) {
        if (index > last) continue;
        const { count, value: committed } = cluster.nCommitted(index);
        if (count > 0 && committed === started) committedSeen++;
      }
      // Every index up to the last one is committed on all five servers, in agreement.
      for (let index = 1; index <= last; index++) expect(cluster.nCommitted(index).count).toBe(5);
      expect(committedSeen).toBeGreaterThan(0);
      expect(cluster.problems()).toEqual([]);
    });
  }
});
