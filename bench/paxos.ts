/**
 * Throughput of the Paxos family and primary-backup, set up like bench/raft.ts so the figures
 * compare: default timeouts, 1 ms network, 100 client operations per simulated second (reads,
 * writes and compare-and-set on two keys), every safety invariant checked after every step, and
 * the trace recorded to memory.
 *
 * - multi-paxos: 5 nodes;
 * - primary-backup, view-service variant: 3 nodes (view service and two servers);
 * - primary-backup, lease variant: 2 nodes.
 *
 * Runnable directly: `npx tsx bench/paxos.ts`.
 */
import { performance } from "node:perf_hooks";
import { protocols } from "../protocols/index.js";
import { runScenario } from "../sim/run.js";
import { parseScenario } from "../sim/scenario/load.js";

const simulatedSeconds = 120;

interface Setup {
  readonly name: string;
  readonly protocol: string;
  readonly nodes: number;
  readonly options: string;
}

const setups: readonly Setup[] = [
  { name: "multi-paxos", protocol: "multi-paxos", nodes: 5, options: "{}" },
  {
    name: "primary-backup/view-service",
    protocol: "primary-backup",
    nodes: 3,
    options: "{variant: view-service}",
  },
  { name: "primary-backup/lease", protocol: "primary-backup", nodes: 2, options: "{variant: lease}" },
];

function scenarioText(setup: Setup): string {
  return `
name: bench-${setup.name.replace("/", "-")}
protocol: ${setup.protocol}
nodes: ${setup.nodes}
seed: 1
duration: ${simulatedSeconds}s
options: ${setup.options}
network:
  latency: 1ms
workload:
  clients: 5
  rate: 100
  mix: {read: 2, write: 1, cas: 1}
  keys: [x, y]
  start: 0
  stop: ${simulatedSeconds}s
`;
}

function measure(setup: Setup, options: { keepTrace: boolean; hashTrace: boolean }) {
  const scenario = parseScenario(scenarioText(setup), "bench/paxos.ts");
  const started = performance.now();
  const result = runScenario(scenario, protocols, options);
  const wallMs = performance.now() - started;
  return { wallMs, events: result.events, operations: result.figures.operations.ok, safe: result.ok };
}

function benchOne(setup: Setup): Record<string, unknown> {
  measure(setup, { keepTrace: true, hashTrace: false }); // warm-up
  const runs = [0, 1, 2].map(() => measure(setup, { keepTrace: true, hashTrace: false }));
  const best = runs.reduce((a, b) => (a.wallMs <= b.wallMs ? a : b));
  return {
    setup: `${setup.nodes} nodes ${setup.options}, default timeouts, 1 ms network, 100 ops/s, invariants on, trace kept`,
    simulatedSeconds,
    events: best.events,
    operationsOk: best.operations,
    wallMs: Math.round(best.wallMs),
    eventsPerSec: Math.round(best.events / (best.wallMs / 1000)),
    simulatedSecondsPerWallSecond: Math.round(simulatedSeconds / (best.wallMs / 1000)),
    eventsPerSimulatedSecond: Math.round(best.events / simulatedSeconds),
    safe: best.safe,
  };
}

export async function benchPaxosFamily(): Promise<Record<string, unknown>> {
  const figures: Record<string, unknown> = {};
  for (const setup of setups) figures[setup.name] = benchOne(setup);
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchPaxosFamily().then((figures) => process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`));
}
