/**
 * The lease pair of the rare-bug bench (bench/fuzz-rare-lease.ts): primary-backup with leases and
 * a 2 % drift bound. Goal: show that its bug is real and needs both halves of the combination, a
 * small drift and a takeover. Method: the same two-server scenario (the primary's clock 2 % slow,
 * the primary cut off) with and without the bug, and with a drift beyond the bound.
 */
import { describe, expect, it } from "vitest";
import { protocol } from "../../bench/fuzz-rare-lease.js";
import { runYaml, violated } from "../paxos/support.js";

function leasePair(options: { bug: boolean; rate: number; isolate: boolean }) {
  const bugs = options.bug ? "[lease-ignores-drift]" : "[]";
  return runYaml(
    `
protocol: primary-backup
nodes: 2
duration: 1500ms
options: {variant: lease, driftBound: 0.02, bugs: ${bugs}}
network: {latency: 1ms}
faults:
  - {at: 0, drift: {node: n1, rate: ${options.rate}}}
${options.isolate ? "  - {at: 500ms, isolate: n1}" : ""}
`,
    "lease-pair.yaml",
  );
}

describe("the rare-bug bench's lease pair", () => {
  it("declares the lease variant with a 2 % drift bound and only lease-ignores-drift", () => {
    expect(protocol.fuzz?.options).toEqual({ variant: ["lease"], driftBound: [0.02] });
    expect(protocol.bugs.map((bug) => bug.name)).toEqual(["lease-ignores-drift"]);
  });

  it("with the bug, a 2 % slow primary cut off shares its lease with the backup that took over", () => {
    expect(violated(leasePair({ bug: true, rate: -0.02, isolate: true }))).toEqual(["pb.lease-exclusive"]);
  });

  it("needs both the drift and the takeover, and the correct margin covers the drift", () => {
    expect(violated(leasePair({ bug: true, rate: -0.02, isolate: false }))).toEqual([]);
    expect(violated(leasePair({ bug: true, rate: 0, isolate: true }))).toEqual([]);
    expect(violated(leasePair({ bug: false, rate: -0.02, isolate: true }))).toEqual([]);
  });

  it("promises nothing for a drift beyond the bound", () => {
    expect(violated(leasePair({ bug: true, rate: -0.2, isolate: true }))).toEqual([]);
  });
});
