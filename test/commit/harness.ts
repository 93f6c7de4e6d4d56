/**
 * A small driver for commit-protocol tests: builds a kernel over a protocol with options, a
 * network and a fault timeline of plain callbacks, runs it, checks the end-of-run invariants and
 * returns the violations, the trace records and the blocking figures.
 */
import { type CommitFigures, commitFigures } from "../../sim/check/atomicity.js";
import { Kernel, type Violation } from "../../sim/kernel.js";
import { defaultNetwork, type NetworkSpec } from "../../sim/network.js";
import type { Protocol } from "../../sim/node.js";
import { type TraceLine, TraceRecorder } from "../../sim/trace.js";

export interface CommitRun {
  readonly kernel: Kernel;
  readonly violations: readonly Violation[];
  readonly records: readonly TraceLine[];
  readonly figures: CommitFigures;
  /** The first decision noted per site and transaction: `decisions.get(1)?.get("n2")`. */
  readonly decisions: Map<number, Map<string, string>>;
}

export interface CommitRunConfig {
  readonly protocol: Protocol;
  readonly options?: Readonly<Record<string, unknown>>;
  readonly nodes?: number;
  readonly seed?: bigint;
  readonly network?: Partial<NetworkSpec>;
  readonly durationUs: number;
  /** Faults at exact times: `[[3_000, (k) => k.crash("n1")]]`. */
  readonly faults?: ReadonlyArray<readonly [number, (kernel: Kernel) => void]>;
  readonly checkLiveness?: boolean;
  readonly keep?: boolean;
}

export function runCommit(config: CommitRunConfig): CommitRun {
  const nodes = Array.from(
    { length: config.nodes ?? config.protocol.defaultNodes },
    (_, index) => `n${index + 1}`,
  );
  const trace = new TraceRecorder({ hash: false, keep: config.keep ?? true });
  const kernel = new Kernel({
    protocol: config.protocol,
    options: config.protocol.parseOptions(config.options ?? {}),
    nodes,
    clients: [],
    seed: config.seed ?? 1n,
    network: { ...defaultNetwork, ...config.network },
    trace,
    checkLiveness: config.checkLiveness ?? false,
  });
  for (const [timeUs, fault] of config.faults ?? []) kernel.schedule(timeUs, () => fault(kernel));
  kernel.startAll();
  kernel.runUntil(config.durationUs);
  if (!kernel.isStopped) kernel.checkAtEnd();
  trace.finish(kernel.timeUs, kernel.events, kernel.events);
  const decisions = new Map<number, Map<string, string>>();
  for (const line of trace.records) {
    if (line.kind !== "note" || line.label !== "decided") continue;
    const data = line.data as { tx: number; decision: string };
    let byNode = decisions.get(data.tx);
    if (byNode === undefined) decisions.set(data.tx, (byNode = new Map()));
    if (!byNode.has(line.node)) byNode.set(line.node, data.decision);
  }
  return {
    kernel,
    violations: kernel.violations,
    records: trace.records,
    figures: commitFigures(trace.records),
    decisions,
  };
}

/** Invariant names of a run's violations. */
export function violated(run: CommitRun): string[] {
  return run.violations.map((violation) => violation.invariant);
}
