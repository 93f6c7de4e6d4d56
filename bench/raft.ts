/**
 * Raft throughput on the standard key-value load (bench/kv-workload.ts): 5 nodes, trace recorded
 * to memory; and once more with the trace serialized and hashed as `quorumlab run` does.
 *
 * Targets: at least 1,000 simulated seconds per wall-clock second and at least 1 million kernel
 * events per second. Runnable directly: `node dist/bench/raft.js`.
 */
import { benchKv, measureKv, simulatedSeconds } from "./kv-workload.js";

export async function benchRaft(): Promise<Record<string, unknown>> {
  const setup = { protocol: "raft", nodes: 5 };
  const figures = benchKv(setup);
  const hashed = measureKv(setup, { keepTrace: false, hashTrace: true });
  return {
    ...figures,
    hashedTrace: {
      wallMs: Math.round(hashed.wallMs),
      simulatedSecondsPerWallSecond: Math.round(simulatedSeconds / (hashed.wallMs / 1000)),
    },
    safe: figures.safe && hashed.safe,
    targets: { eventsPerSec: 1_000_000, simulatedSecondsPerWallSecond: 1_000 },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchRaft().then((figures) => process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`));
}
