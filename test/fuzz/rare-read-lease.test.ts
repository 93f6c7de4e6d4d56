/**
 * The Raft read-lease variant of the rare-bug bench (bench/fuzz-rare-read-lease.ts): leader leases
 * designed for a 5 % drift bound. Goal: show that its bug is real and needs the whole combination,
 * a slow clock on the leader, the leader cut off, and a new leader committing before the lease
 * runs out. Method: one three-node scenario (n1, the first leader with this seed, 5 % slow; the
 * leader cut off at 1 s) with and without the bug, the drift and the isolation, and with a drift
 * beyond the bound.
 */
import { describe, expect, it } from "vitest";
import { protocol } from "../../bench/fuzz-rare-read-lease.js";
import type { Protocol } from "../../sim/node.js";
import { runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";

const registry: ReadonlyMap<string, Protocol> = new Map([[protocol.name, protocol]]);

function readLease(options: { bug: boolean; rate: number; isolate: boolean }): string[] {
  const bugs = options.bug ? "[read-lease-ignores-drift]" : "[]";
  const scenario = parseScenario(
    `
protocol: raft-read-lease
nodes: 3
seed: 2
duration: 3s
options: {bugs: ${bugs}}
network: {latency: 1ms}
faults:
  - {at: 0, drift: {node: n1, rate: ${options.rate}}}
${options.isolate ? "  - {at: 1000ms, isolate: leader}" : ""}
`,
    "read-lease.yaml",
  );
  const result = runScenario(scenario, registry, {
    keepTrace: false,
    hashTrace: false,
    stopOnViolation: true,
  });
  return [...new Set(result.violations.map((violation) => violation.invariant))];
}

describe("the rare-bug bench's Raft read lease", () => {
  it("declares only read-lease-ignores-drift, and no forced election timeouts", () => {
    expect(protocol.bugs.map((bug) => bug.name)).toEqual(["read-lease-ignores-drift"]);
    expect(protocol.electionTimer).toBeUndefined();
  });

  it("with the bug, a leader 5 % slow and cut off holds its lease after the next leader commits", () => {
    expect(readLease({ bug: true, rate: -0.05, isolate: true })).toEqual(["raft-lease.read-lease-exclusive"]);
  });

  it("needs both the drift and the isolation, and the correct lease's margin covers the drift", () => {
    expect(readLease({ bug: true, rate: -0.05, isolate: false })).toEqual([]);
    expect(readLease({ bug: true, rate: 0, isolate: true })).toEqual([]);
    expect(readLease({ bug: false, rate: -0.05, isolate: true })).toEqual([]);
  });

  it("promises nothing for a drift beyond the bound", () => {
    expect(readLease({ bug: true, rate: -0.2, isolate: true })).toEqual([]);
  });
});
