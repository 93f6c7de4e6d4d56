/**
 * Traces the report tests read: fixed-seed runs of the heartbeat test protocol, one healthy and
 * one whose client history is not linearizable (a partition gives the register two leaders).
 */
import { historyChecker } from "../../cli/history-check.js";
import { viewerBundle } from "../../cli/shared/page-bundle.js";
import { gzipBase64 } from "../../cli/shared/report-file.js";
import { protocols } from "../../protocols/index.js";
import { type DisplayDeclaration, displayOf, type HtmlPage } from "../../reports/index.js";
import { type RunResult, runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";
import type { TraceLine } from "../../sim/trace.js";
import { testRegistry } from "../support/heartbeat.js";

/** Two leaders after n1 is cut off: a write on n1 is not seen by a later read on n2. */
export const splitBrainYaml = `
name: heartbeat-split-brain
protocol: heartbeat
summary: A partition gives the heartbeat register two leaders.
description: n1 is cut off; n2 takes over while n1 still serves writes.
nodes: 3
seed: 7
duration: 900ms
network: { latency: {uniform: [1ms, 4ms]}, loss: 0.02, duplicate: 0.02 }
faults:
  - {at: 100ms, op: {f: write, key: null, value: 1, node: n1}}
  - {at: 200ms, partition: [[n1], [n2, n3]]}
  - {at: 500ms, op: {f: write, key: null, value: 2, node: n1}}
  - {at: 560ms, op: {f: read, key: null, value: null, node: n2}}
  - {at: 600ms, crash: n3}
  - {at: 650ms, pause: n2}
  - {at: 700ms, resume: n2}
  - {at: 750ms, restart: n3}
  - {at: 800ms, heal: true}
`;

export function traceOf(yaml: string, file = "fixture.yaml"): TraceLine[] {
  return [...runOf(yaml, file).records];
}

/** The run of a scenario of the test protocol, its trace kept. */
export function runOf(yaml: string, file = "fixture.yaml"): RunResult {
  const scenario = parseScenario(yaml, file);
  return runScenario(scenario, testRegistry, { keepTrace: true, checkHistory: historyChecker() });
}

/** What the protocol of a trace declares, for reports: built-in protocols and the test protocol. */
export function displayFor(records: readonly TraceLine[]): DisplayDeclaration {
  const header = records[0];
  const name = header?.kind === "header" ? header.protocol : "";
  const protocol = protocols.get(name) ?? testRegistry.get(name);
  return protocol === undefined ? {} : displayOf(protocol);
}

/** The page of a report that is not a lab: the viewer's script, as the CLI embeds it. */
export function viewerPage(): HtmlPage {
  return { bundle: viewerBundle(), gzipBase64 };
}
