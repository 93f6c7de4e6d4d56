/**
 * Snapshots and InstallSnapshot, in the spirit of MIT 6.5840's 3D tests, in simulated time.
 * Goal: with `snapshotThreshold: 10` durable state stays small, a lagging or crashed server
 * catches up through InstallSnapshot, and restarts reload the snapshot without going back.
 * Method: a Cluster with snapshots on, the lab's helpers, and every safety invariant.
 */
import { describe, expect, it } from "vitest";
import { Cluster, secondUs, unreliableNetwork } from "./cluster.js";

const snapshotOptions = { snapshotThreshold: 10 };

function storedSize(cluster: Cluster, id: string): number {
  return JSON.stringify(cluster.kernel.storageOf(id).snapshot()).length;
}

describe("raft snapshots (6.5840 3D)", () => {
  it("SnapshotBasic: durable state stays small over 30 rounds", () => {
    const cluster = new Cluster({ servers: 3, options: snapshotOptions });
    for (let round = 0; round < 30; round++) cluster.one(round, 3);
    for (const id of cluster.ids) {
      expect(cluster.node(id)?.log.snapshotIndex).toBeGreaterThan(0);
      expect(storedSize(cluster, id)).toBeLessThan(4000);
    }
    expect(cluster.problems()).toEqual([]);
  });

  for (const variant of [
    { name: "SnapshotInstall", crash: false, unreliable: false },
    { name: "SnapshotInstallUnreliable", crash: false, unreliable: true },
    { name: "SnapshotInstallCrash", crash: true, unreliable: false },
    { name: "SnapshotInstallUnCrash", crash: true, unreliable: true },
  ]) {
    it(`${variant.name}: a lagging server catches up through InstallSnapshot`, () => {
      const cluster = new Cluster({
        servers: 3,
        seed: 4n,
        options: snapshotOptions,
        ...(variant.unreliable ? { network: unreliableNetwork } : {}),
      });
      let value = 1;
      cluster.one(value++, 3);
      for (let round = 0; round < 6; round++) {
        const leader = cluster.checkOneLeader();
        const victim = round % 3 === 0 ? leader : (cluster.ids.find((id) => id !== leader) as string);
        if (variant.crash) cluster.crash(victim);
        else cluster.disconnect(victim);
        cluster.one(value++, 2);
        for (let i = 0; i < 25; i++) {
          const current = cluster.ids.find(
            (id) => cluster.node(id)?.role === "leader" && cluster.isConnected(id),
          );
          if (current !== undefined) cluster.start(current, value++);
        }
        cluster.one(value++, 2);
        if (variant.crash) cluster.restart(victim);
        else cluster.connect(victim);
        cluster.one(value++, 3);
      }
      expect(cluster.messages("InstallSnapshot"), "no InstallSnapshot was ever sent").toBeGreaterThan(0);
      expect(cluster.problems()).toEqual([]);
    });
  }

  it("SnapshotAllCrash: after crashing all servers, no server's applied index goes back", () => {
    const cluster = new Cluster({ servers: 3, options: snapshotOptions });
    let value = 1;
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 12; i++) cluster.one(value++, 3);
      const before = cluster.one(value++, 3);
      for (const id of cluster.ids) cluster.crash(id);
      for (const id of cluster.ids) cluster.restart(id);
      for (const id of cluster.ids)
        expect(cluster.node(id)?.lastApplied).toBeGreaterThanOrEqual(
          cluster.node(id)?.log.snapshotIndex as number,
        );
      const after = cluster.one(value++, 3);
      expect(after).toBeGreaterThan(before);
    }
    expect(cluster.problems()).toEqual([]);
  });

  it("SnapshotInit: a snapshot is reloaded at restart and not lost by later writes", () => {
    const cluster = new Cluster({ servers: 3, options: snapshotOptions });
    let value = 1;
    for (let i = 0; i < 12; i++) cluster.one(value++, 3);
    for (const id of cluster.ids) cluster.crash(id);
    for (const id of cluster.ids) cluster.restart(id);
    const snapshots = cluster.ids.map((id) => cluster.node(id)?.log.snapshotIndex as number);
    expect(Math.min(...snapshots)).toBeGreaterThan(0);
    cluster.one(value++, 3);
    for (const id of cluster.ids) cluster.crash(id);
    for (const id of cluster.ids) cluster.restart(id);
    cluster.ids.forEach((id, position) => {
      expect(cluster.node(id)?.log.snapshotIndex).toBeGreaterThanOrEqual(snapshots[position] as number);
    });
    cluster.one(value++, 3);
    cluster.run(secondUs);
    expect(cluster.problems()).toEqual([]);
  });
});
