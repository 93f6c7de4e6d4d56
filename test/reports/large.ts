/**
 * A large trace for the report's scale test: Raft with five servers under a steady client
 * workload, a partition and a crash, run until the trace holds at least `recordsMin` records.
 */
import { historyChecker } from "../../cli/history-check.js";
import { protocols } from "../../protocols/index.js";
import { runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";
import type { TraceLine } from "../../sim/trace.js";

export function largeRaftYaml(durationS: number): string {
  return `
name: raft-large-report
protocol: raft
nodes: 5
seed: 3
duration: ${durationS}s
network: { latency: {uniform: [1ms, 6ms]}, loss: 0.01, duplicate: 0.005 }
workload: { clients: 4, rate: 120, mix: {read: 2, write: 1, cas: 1}, keys: [x, y, z], start: 300ms, stop: ${durationS - 0.5}s, timeout: 1s }
faults:
  - {at: 2s, partition: [[n1, n2], [n3, n4, n5]]}
  - {at: 4s, heal: true}
  - {at: 6s, crash: leader}
  - {at: 7s, restart: crashed}
`;
}

/** Runs the large scenario; returns its trace. */
export function largeTrace(durationS: number): TraceLine[] {
  const scenario = parseScenario(largeRaftYaml(durationS), "large.yaml");
  const result = runScenario(scenario, protocols, { keepTrace: true, checkHistory: historyChecker(5_000) });
  return [...result.records];
}

/** A trace of at least `recordsMin` records: runs once, then once more scaled up if short. */
export function traceOfAtLeast(recordsMin: number): TraceLine[] {
  const firstS = 45;
  const first = largeTrace(firstS);
  if (first.length >= recordsMin) return first;
  return largeTrace(Math.ceil((firstS * recordsMin * 1.1) / Math.max(1, first.length)));
}
