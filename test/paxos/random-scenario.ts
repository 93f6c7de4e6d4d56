/**
 * Builds a random scenario (YAML text) for the key-value protocols: a workload plus a seeded
 * timeline of crashes, restarts, partitions, clogs, heals and timer firings, ending healed. The
 * project's fuzzer explores far more; this keeps the protocol tests self-contained.
 */
import { randomStream } from "../../sim/random.js";

export interface RandomScenarioOptions {
  readonly protocol: string;
  readonly nodes: number;
  readonly seed: number;
  readonly options?: Readonly<Record<string, unknown>>;
  readonly durationMs?: number;
  /** Nodes that may crash (default all). */
  readonly crashable?: readonly string[];
  /** Drift faults with rates up to this magnitude (default none). */
  readonly driftMax?: number;
  readonly loss?: number;
  readonly duplicate?: number;
}

export function randomScenarioYaml(choices: RandomScenarioOptions): string {
  const random = randomStream(BigInt(choices.seed), "test-scenario");
  const durationMs = choices.durationMs ?? 3_000;
  const faultStopMs = Math.round(durationMs * 0.6);
  const nodes = Array.from({ length: choices.nodes }, (_, index) => `n${index + 1}`);
  const crashable = choices.crashable ?? nodes;
  const faults: string[] = [];
  let timeMs = 0;
  for (let step = 0; step < 200; step++) {
    timeMs += Math.max(1, Math.round(random.exponential(120)));
    if (timeMs >= faultStopMs) break;
    const roll = random.next();
    const node = random.pick(nodes);
    if (roll < 0.2) {
      const victim = random.pick(crashable);
      faults.push(`{at: ${timeMs}ms, crash: ${victim}}`);
      faults.push(`{at: ${timeMs + random.int(5, 400)}ms, restart: ${victim}}`);
    } else if (roll < 0.35) {
      const shuffled = [...nodes];
      for (let index = shuffled.length - 1; index > 0; index--) {
        const other = random.int(0, index);
        [shuffled[index], shuffled[other]] = [shuffled[other] as string, shuffled[index] as string];
      }
      const cut = random.int(1, nodes.length - 1);
      faults.push(
        `{at: ${timeMs}ms, partition: [[${shuffled.slice(0, cut).join(", ")}], [${shuffled.slice(cut).join(", ")}]]}`,
      );
    } else if (roll < 0.5) {
      faults.push(`{at: ${timeMs}ms, heal: true}`);
    } else if (roll < 0.6) {
      const other = random.pick(nodes.filter((name) => name !== node));
      faults.push(
        `{at: ${timeMs}ms, clog: {link: [${node}, ${other}], delay: ${random.int(5, 200)}ms, for: ${random.int(10, 500)}ms}}`,
      );
    } else if (roll < 0.7) {
      faults.push(`{at: ${timeMs}ms, pause: ${node}}`);
      faults.push(`{at: ${timeMs + random.int(5, 500)}ms, resume: ${node}}`);
    } else if (roll < 0.8 && choices.driftMax !== undefined) {
      const rate = Math.round((random.next() * 2 - 1) * choices.driftMax * 1000) / 1000;
      faults.push(`{at: ${timeMs}ms, drift: {node: ${node}, rate: ${rate}}}`);
    } else {
      faults.push(`{at: ${timeMs}ms, timeout: ${node}}`);
    }
  }
  faults.push(`{at: ${faultStopMs}ms, heal: true}`);
  for (const node of nodes) faults.push(`{at: ${faultStopMs}ms, restart: ${node}}`);
  faults.sort(
    (left, right) => Number(/at: (\d+)ms/.exec(left)?.[1]) - Number(/at: (\d+)ms/.exec(right)?.[1]),
  );
  return [
    `protocol: ${choices.protocol}`,
    `nodes: ${choices.nodes}`,
    `seed: ${choices.seed}`,
    `duration: ${durationMs}ms`,
    `options: ${JSON.stringify(choices.options ?? {})}`,
    "network:",
    `  latency: {uniform: [500us, 4ms]}`,
    `  loss: ${choices.loss ?? Math.round(random.next() * 50) / 1000}`,
    `  duplicate: ${choices.duplicate ?? Math.round(random.next() * 100) / 1000}`,
    "workload:",
    `  clients: ${random.int(2, 4)}`,
    `  rate: ${random.int(50, 200)}`,
    "  mix: {read: 1, write: 1, cas: 1}",
    "  keys: [x, y]",
    `  stop: ${durationMs - 500}ms`,
    "  timeout: 400ms",
    "  attemptTimeout: 100ms",
    "faults:",
    ...faults.map((fault) => `  - ${fault}`),
  ].join("\n");
}
