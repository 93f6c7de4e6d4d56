/**
 * Cluster sizes: each protocol declares the sizes it supports, scenarios are checked against
 * them, and Raft and Multi-Paxos run from a single node (which commits alone) to a hundred and one
 * (which elect a leader and commit).
 */
import { describe, expect, it } from "vitest";
import { protocols } from "../../protocols/index.js";
import { InputError } from "../../sim/errors.js";
import { runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";

function run(protocol: string, nodes: number) {
  const text = `protocol: ${protocol}\nnodes: ${nodes}\nduration: 3s\nworkload: {clients: 2, rate: 20, mix: {read: 1, write: 1}}\n`;
  return runScenario(parseScenario(text, `${protocol}-${nodes}.yaml`), protocols, {});
}

describe("node counts", () => {
  for (const protocol of ["raft", "multi-paxos"]) {
    it(`${protocol} commits on a single node`, () => {
      const result = run(protocol, 1);
      expect(result.ok).toBe(true);
      expect(result.kernel.leaderships.length).toBeGreaterThan(0);
      expect(result.figures.operations.ok).toBeGreaterThan(20);
    });

    it(`${protocol} elects a leader and commits with 101 nodes`, () => {
      const result = run(protocol, 101);
      expect(result.ok).toBe(true);
      expect(result.kernel.leaderships.length).toBeGreaterThan(0);
      expect(result.figures.operations.ok).toBeGreaterThan(20);
    });
  }

  it("refuses a size the protocol does not support, at the nodes: line", () => {
    expect(() => run("sharded-kv", 7)).toThrow(InputError);
    let error: unknown;
    try {
      run("primary-backup", 1);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).describe()).toBe(
      "primary-backup-1.yaml:2:8: nodes: primary-backup supports 2 or more nodes, got 1",
    );
  });
});
