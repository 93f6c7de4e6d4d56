/**
 * Goal: the `leaderChanges` figure (and `leadersByGroup`) counts each (node, term) that entered a
 * leading role once, as docs/node-api.md says, even when a leader cut off from its majority still
 * acts as leader between the steps of the newer one.
 * Method: a Raft leader and a txn-kv group leader are each cut off until a new leader is elected
 * and beyond; the figure is compared with the distinct (node, term) pairs of the kernel's record.
 */
import { describe, expect, it } from "vitest";
import { protocols } from "../../protocols/index.js";
import { type RunResult, runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";

function run(text: string): RunResult {
  return runScenario(parseScenario(text, "leaders.yaml"), protocols, { hashTrace: false });
}

function distinctLeaderships(result: RunResult): number {
  return new Set(result.kernel.leaderships.map(({ node, term }) => `${node}/${term}`)).size;
}

describe("leaderChanges", () => {
  it("counts a stale leader once while a newer one leads", () => {
    const result = run(`
protocol: raft
nodes: 5
seed: 1
duration: 2s
network: {latency: 1ms}
faults:
  - {at: 0, timeout: n1}
  - {at: 100ms, partition: [[n1, n2], [n3, n4, n5]]}
  - {at: 1500ms, heal: true}
`);
    // n1 leads term 1 and goes on doing so in its minority; one of n3..n5 leads term 2.
    expect(result.figures.leaderChanges).toBe(2);
    expect(result.kernel.leaderships).toHaveLength(2);
  });

  it("counts each group's leaders once when a group's old leader is cut off", () => {
    const result = run(`
protocol: txn-kv
nodes: 9
seed: 7
duration: 2s
network: {latency: {uniform: [1ms, 3ms]}}
faults:
  - {at: 500ms, partition: [[n1, n4, n7], [n2, n3, n5, n6, n8, n9]]}
  - {at: 1500ms, heal: true}
`);
    const byGroup = result.figures.leadersByGroup ?? {};
    const total = Object.values(byGroup).reduce((sum, count) => sum + count, 0);
    expect(total).toBe(result.figures.leaderChanges);
    expect(result.figures.leaderChanges).toBe(distinctLeaderships(result));
    // Three groups, each with at most one leader before the partition and one after it.
    for (const count of Object.values(byGroup)) expect(count).toBeLessThanOrEqual(2);
  });
});
