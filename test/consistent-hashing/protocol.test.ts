/**
 * The `consistent-hashing` protocol: ring members carry out the scenario's membership changes on
 * timers and report movement and load figures; invariants catch the ring's deliberate bugs.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseRingExperimentOptions, ringFigures } from "../../protocols/consistent-hashing/index.js";
import { protocols } from "../../protocols/index.js";
import { type RunResult, runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";

const folder = fileURLToPath(new URL("../../scenarios/", import.meta.url));

function run(name: string, options: Record<string, unknown> = {}, keepTrace = true): RunResult {
  const file = `${folder}${name}.yaml`;
  const scenario = parseScenario(readFileSync(file, "utf8"), file);
  return runScenario({ ...scenario, options: { ...scenario.options, ...options } }, protocols, {
    keepTrace,
    hashTrace: false,
  });
}

function figure(result: RunResult, path: string): unknown {
  let value: unknown = result.figures;
  for (const part of path.split(".")) value = (value as Record<string, unknown> | undefined)?.[part];
  return value;
}

describe("consistent-hashing scenarios", () => {
  it("H1: the join moves about K/5 keys, all to E, and the leave only B's keys; mod-N moves ~80%", () => {
    const result = run("hash-ring-join-leave");
    expect(result.violations).toEqual([]);
    expect(result.expectationsMet).toBe(true);
    expect(figure(result, "ring.consistent-v128.join-E.moved")).toBe(21_062);
    expect(figure(result, "ring.consistent-v128.leave-B.moved")).toBe(23_641);
    expect(figure(result, "ring.consistent-v128.join-E.onlyToNewcomer")).toBe(true);
    expect(figure(result, "ring.mod-n.join-E.moved")).toBe(79_807);
    expect(figure(result, "ring.mod-n.join-E.onlyToNewcomer")).toBe(false);
  });

  it("H2: vnodes cut max/mean from about 2.5 to 1.3 and bounded loads never exceed the capacity", () => {
    const result = run("hash-ring-vnodes-bounded");
    expect(result.violations).toEqual([]);
    expect(result.expectationsMet).toBe(true);
    expect(figure(result, "ring.consistent-v1.initial.maxOverMean")).toBeCloseTo(2.509, 3);
    expect(figure(result, "ring.consistent-v100.initial.maxOverMean")).toBeCloseTo(1.293, 3);
    expect(figure(result, "ring.bounded-v1.leave-C.capacity")).toBe(1_389);
  });

  it("figures recomputed from the scenario without a trace equal those read from the notes", () => {
    const kept = run("hash-ring-vnodes-bounded");
    const file = `${folder}hash-ring-vnodes-bounded.yaml`;
    const scenario = parseScenario(readFileSync(file, "utf8"), file);
    expect(ringFigures([], scenario)).toEqual({ ring: kept.figures.ring });
  });

  it("a run without a kept trace still reports the ring figures (the protocol's figures)", () => {
    const bare = run("hash-ring-vnodes-bounded", {}, false);
    expect(bare.expectationsMet).toBe(true);
    expect(figure(bare, "ring.consistent-v100.leave-C.onlyFromLeaver")).toBe(true);
  });

  it("members follow the announced membership and show their tokens", () => {
    const result = run("hash-ring-join-leave", { keys: 2_000 });
    const node = result.kernel.nodeObject("n1") as unknown as { members: string[]; label: string };
    expect(node.label).toBe("A");
    expect([...node.members].sort()).toEqual(["A", "C", "D", "E"]);
  });
});

describe("consistent-hashing deliberate bugs are caught by the scenario invariants", () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ["mod-n-placement", "ring.minimal-movement"],
    ["no-wrap-around", "ring.successor"],
    ["sequential-vnode-tokens", "ring.vnode-balance"],
  ];
  for (const [bug, invariant] of cases) {
    it(`${bug} breaks ${invariant} in hash-ring-vnodes-bounded`, () => {
      const file = `${folder}hash-ring-vnodes-bounded.yaml`;
      const scenario = parseScenario(readFileSync(file, "utf8"), file);
      const result = runScenario({ ...scenario, options: { ...scenario.options, bugs: [bug] } }, protocols, {
        keepTrace: false,
        hashTrace: false,
        stopOnViolation: false,
      });
      expect(result.violations.map((violation) => violation.invariant)).toContain(invariant);
    });
  }
});

describe("consistent-hashing options", () => {
  it("parse idempotently and reject unknown names", () => {
    const parsed = parseRingExperimentOptions({
      labels: ["A", "B"],
      changes: [{ at: "1s", leave: "B" }],
      placements: [{ kind: "bounded", vnodes: 4, loadFactor: 1.5 }],
    });
    expect(parseRingExperimentOptions(parsed as unknown as Record<string, unknown>)).toEqual(parsed);
    expect(parsed.changes[0]).toEqual({ atUs: 1_000_000, kind: "leave", label: "B" });
    expect(() => parseRingExperimentOptions({ labels: ["A"], changes: [{ at: "1s", join: "Z" }] })).toThrow(
      /not in 'labels'/,
    );
    expect(() => parseRingExperimentOptions({ vnodes: 3 })).toThrow(/unknown/);
  });
});
