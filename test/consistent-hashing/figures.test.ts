/**
 * Goal: the H1 and H2 figures land in the ranges the reference and the README document, the
 * deliberate bugs show up in them, and the exact numbers stay pinned (the hash is fixed, so any
 * change to hashing, token labels or lookup shows here). Method: run the scenario runners at full
 * size (H1: 100,000 keys; H2: 10,000 keys) and read the JSON figures.
 */

import { describe, expect, it } from "vitest";
import type { PlacementFigures, ScenarioFigures } from "../../protocols/consistent-hashing/figures.js";
import {
  keyRange,
  loadStats,
  movement,
  runHashRingJoinLeave,
  runHashRingVnodesBounded,
} from "../../protocols/consistent-hashing/figures.js";

function placement(figures: ScenarioFigures, name: string): PlacementFigures {
  const found = figures.placements.find((entry) => entry.name === name);
  if (found === undefined) throw new Error(`no placement ${name}`);
  return found;
}

describe("movement and loadStats", () => {
  it("count moved keys, the ideal fraction and where keys went", () => {
    const keys = keyRange(4);
    const before = { nodes: ["A", "B"], owners: ["A", "B", "A", "B"] };
    const after = { nodes: ["A", "B", "C"], owners: ["A", "C", "A", "B"] };
    const joined = movement(before, after, keys);
    expect(joined).toMatchObject({ moved: 1, fraction: 0.25, joined: ["C"], left: [] });
    expect(joined.idealFraction).toBeCloseTo(1 / 3);
    expect(joined.onlyToNewcomer).toBe(true);
    expect(joined.onlyFromLeaver).toBeNull();
    const left = movement(after, { nodes: ["A", "C"], owners: ["A", "C", "A", "A"] }, keys);
    expect(left).toMatchObject({ moved: 1, left: ["B"], onlyFromLeaver: true, onlyToNewcomer: null });
    expect(left.idealFraction).toBeCloseTo(1 / 3);
  });

  it("reports max, mean, max/mean and the standard deviation, empty nodes included", () => {
    const stats = loadStats({ nodes: ["B", "A", "C"], owners: ["A", "A", "A", "B", "B", "B"] });
    expect(stats.loads).toEqual({ A: 3, B: 3, C: 0 });
    expect(stats).toMatchObject({ min: 0, max: 3, mean: 2, maxOverMean: 1.5 });
    expect(stats.stddev).toBeCloseTo(Math.sqrt(2));
  });
});

describe("H1 hash-ring-join-leave (N=4 A–D, K=100,000; join E, leave B)", () => {
  const figures = runHashRingJoinLeave();

  it("consistent hashing moves keys only to E on the join and only B's keys on the leave", () => {
    for (const name of ["consistent V=1", "consistent V=128"]) {
      const [join, leave] = placement(figures, name).changes;
      expect(join!.onlyToNewcomer, name).toBe(true);
      expect(leave!.onlyFromLeaver, name).toBe(true);
    }
  });

  it("with V=128 each change moves about K/5 (15–25%)", () => {
    for (const change of placement(figures, "consistent V=128").changes) {
      expect(change.fraction).toBeGreaterThan(0.15);
      expect(change.fraction).toBeLessThan(0.25);
    }
  });

  it("mod-N moves about 80% on each change", () => {
    for (const change of placement(figures, "mod-N").changes) {
      expect(change.fraction).toBeGreaterThan(0.75);
      expect(change.fraction).toBeLessThan(0.85);
    }
  });

  it("bounded loads (V=128, c=1.25) stay under ceil(1.25·K/N) at every step", () => {
    const bounded = placement(figures, "bounded V=128 c=1.25");
    expect(bounded.capacityByStep).toEqual([31_250, 25_000, 31_250]);
    bounded.loadsByStep.forEach((loads, index) => {
      expect(loads.max).toBeLessThanOrEqual(bounded.capacityByStep![index]!);
    });
  });

  it("pins the measured moves (fixed hash: these numbers must not drift)", () => {
    const moved = figures.placements.map((entry) => [
      entry.name,
      entry.changes.map((change) => change.moved),
    ]);
    expect(moved).toEqual([
      ["consistent V=1", [10_681, 10_799]],
      ["consistent V=128", [21_062, 23_641]],
      ["bounded V=128 c=1.25", [21_062, 23_641]],
      ["mod-N", [79_807, 79_955]],
    ]);
  });

  it("M24 (mod-n-placement) makes the ring move ≈80% and breaks only-to-newcomer", () => {
    const buggy = runHashRingJoinLeave({ bugs: ["mod-n-placement"], keyCount: 20_000 });
    const [join, leave] = placement(buggy, "consistent V=128").changes;
    expect(join!.fraction).toBeGreaterThan(0.75);
    expect(join!.onlyToNewcomer).toBe(false);
    expect(leave!.onlyFromLeaver).toBe(false);
  });
});

describe("H2 hash-ring-vnodes-bounded (N=10 A–J, K=10,000, c=1.25; remove C, re-add C)", () => {
  const figures = runHashRingVnodesBounded();

  it("max/mean is 2–3 at V=1 and 1.1–1.3 at V=100", () => {
    for (const loads of placement(figures, "consistent V=1").loadsByStep) {
      expect(loads.maxOverMean).toBeGreaterThanOrEqual(2);
      expect(loads.maxOverMean).toBeLessThanOrEqual(3);
    }
    for (const loads of placement(figures, "consistent V=100").loadsByStep) {
      expect(loads.maxOverMean).toBeGreaterThanOrEqual(1.1);
      expect(loads.maxOverMean).toBeLessThanOrEqual(1.3);
    }
  });

  it("bounded placements never exceed the capacity (1,250 with 10 nodes, 1,389 with 9)", () => {
    for (const name of ["bounded V=1 c=1.25", "bounded V=100 c=1.25"]) {
      const bounded = placement(figures, name);
      expect(bounded.capacityByStep).toEqual([1250, 1389, 1250]);
      bounded.loadsByStep.forEach((loads, index) => {
        expect(loads.max).toBeLessThanOrEqual(bounded.capacityByStep![index]!);
      });
    }
  });

  it("pins the measured moves and max/mean (fixed hash: these numbers must not drift)", () => {
    const summary = figures.placements.map((entry) => [
      entry.name,
      entry.changes.map((change) => change.moved),
      Number(entry.loadsByStep[0]!.maxOverMean.toFixed(3)),
    ]);
    expect(summary).toEqual([
      ["consistent V=1", [346, 346], 2.509],
      ["consistent V=100", [812, 812], 1.293],
      ["bounded V=1 c=1.25", [1232, 1232], 1.25],
      ["bounded V=100 c=1.25", [866, 866], 1.25],
      ["mod-N", [8996, 8996], 1.055],
    ]);
  });

  it("M25b (sequential-vnode-tokens) keeps max/mean flat: V=100 balances no better than V=1", () => {
    const buggy = runHashRingVnodesBounded({ bugs: ["sequential-vnode-tokens"] });
    const atHundred = placement(buggy, "consistent V=100").loadsByStep[0]!.maxOverMean;
    const atOne = placement(buggy, "consistent V=1").loadsByStep[0]!.maxOverMean;
    expect(atHundred).toBeGreaterThan(1.8);
    expect(Math.abs(atHundred - atOne)).toBeLessThan(0.1);
  });
});
