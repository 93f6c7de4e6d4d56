/**
 * Multi-Paxos: the X4 hole-filling scenario, a fault-free workload, the fuzzer's fault schedules
 * for the correct protocol, and each deliberate bug caught under them by an invariant it declares.
 */
import { describe, expect, it } from "vitest";
import { multiPaxosBugNames } from "../../protocols/multi-paxos/bugs.js";
import type { MultiPaxosNode } from "../../protocols/multi-paxos/node.js";
import { runScenarioFile, runYaml } from "../paxos/support.js";
import { bugNamed, firstFailure } from "../support/fuzz-runs.js";

describe("multipaxos-holes (X4)", () => {
  const result = runScenarioFile("multipaxos-holes");

  it("is safe and linearizable, and meets its expectations", () => {
    expect(result.violations).toEqual([]);
    expect(result.linearizable).toBe(true);
    expect(result.expectationsMet).toBe(true);
  });

  it("re-proposes slot 3, fills slot 2 with a no-op, and every replica executes the same log", () => {
    const logs = ["n1", "n2", "n3"].map((id) =>
      (result.kernel.nodeObject(id) as MultiPaxosNode).executed.map((entry) => entry.key),
    );
    for (const log of logs) expect(log).toEqual(["c1:1", "noop", "c3:1", "c2:1"]);
  });

  it("answers every client exactly once", () => {
    expect(result.figures.operations).toEqual({ ok: 3, fail: 0, info: 0, pending: 0 });
  });
});

describe("multi-paxos under a steady workload", () => {
  it("elects a leader and completes nearly every operation, linearizably", () => {
    const result = runYaml(
      `
protocol: multi-paxos
nodes: 5
duration: 3s
network: {latency: {uniform: [1ms, 3ms]}}
workload: {clients: 4, rate: 100, mix: {read: 1, write: 1, cas: 1}, keys: [x, y], stop: 2500ms}
expect: {leader: {by: 1s}}
`,
      "steady.yaml",
    );
    expect(result.violations).toEqual([]);
    expect(result.linearizable).toBe(true);
    expect(result.expectationsMet).toBe(true);
    const { ok, info, fail } = result.figures.operations;
    expect(ok).toBeGreaterThan(150);
    expect(info + fail).toBeLessThanOrEqual(4);
  });
});

describe("multi-paxos under the fuzzer's faults", () => {
  it("stays safe and linearizable on 30 runs", () => {
    expect(firstFailure("multi-paxos", { runs: 30 })).toBeUndefined();
  });

  for (const bug of multiPaxosBugNames) {
    it(`${bug} is caught within 300 runs, by an invariant it declares`, () => {
      const found = firstFailure("multi-paxos", { bugs: [bug], runs: 300 });
      expect(found, `no run up to 300 exposed ${bug}`).toBeDefined();
      expect(bugNamed("multi-paxos", bug).breaks).toContain(found?.failure.invariant);
    });
  }
});

/**
 * M12 per slot: slot 1 holds x=1 at ballot 1 on n1 only, and x=2 chosen at ballot 5 on n2 and n3.
 * Restarted n1 runs phase 1 at n1 and n3; its own report (ballot 1) comes first.
 */
const adoptFirstValue = `
protocol: multi-paxos
nodes: 3
duration: 500ms
network: {latency: 1ms}
faults:
  - {at: 0, timeout: n1}
  - {at: 10ms, cut: {from: n1, to: n2, oneWay: true}}
  - {at: 10ms, cut: {from: n1, to: n3, oneWay: true}}
  - {at: 11ms, op: {f: write, key: x, value: 1, node: n1}}
  - {at: 20ms, crash: n1}
  - {at: 25ms, heal: true}
  - {at: 30ms, timeout: n2}
  - {at: 40ms, op: {f: write, key: x, value: 2, node: n2}}
  - {at: 60ms, partition: [[n1, n3], [n2]]}
  - {at: 60ms, restart: n1}
  - {at: 70ms, timeout: n1}
  - {at: 80ms, timeout: n1}
`;

describe("multi-paxos adopt-first-value (M12)", () => {
  it("the correct leader carries the highest-ballot proposal forward", () => {
    const result = runYaml(adoptFirstValue, "m12.yaml");
    expect(result.violations).toEqual([]);
    expect(result.linearizable).toBe(true);
  });

  it("the buggy leader re-proposes the stale x=1 in a chosen slot", () => {
    const result = runYaml(adoptFirstValue, "m12.yaml", { options: { bugs: ["adopt-first-value"] } });
    expect(result.violations.map((violation) => violation.invariant)).toEqual(["multi-paxos.slot-agreement"]);
  });
});
