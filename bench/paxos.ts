/**
 * Throughput of Multi-Paxos and primary-backup on the standard key-value load
 * (bench/kv-workload.ts), the same as bench/raft.ts, so the figures compare.
 *
 * - multi-paxos: 5 nodes;
 * - primary-backup, view-service variant: 3 nodes (view service and two servers);
 * - primary-backup, lease variant: 2 nodes.
 *
 * Runnable directly: `node dist/bench/paxos.js`.
 */
import { benchKv, type KvSetup } from "./kv-workload.js";

interface Setup extends KvSetup {
  readonly name: string;
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

export async function benchPaxosFamily(): Promise<Record<string, unknown>> {
  const figures: Record<string, unknown> = {};
  for (const setup of setups) figures[setup.name] = benchKv(setup);
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchPaxosFamily().then((figures) => process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`));
}
