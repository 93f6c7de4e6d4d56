/**
 * Benchmark of the linearizability checker on the shared corpus, against Porcupine's Go times
 * measured on the same machine kind (shared/reference/linearizability.md). Parsing is excluded;
 * each figure is the median of several timed runs after a warm-up, with explanations off (the
 * Go figures are for `CheckEvents`, which builds none). Also checks a generated 10,000-operation
 * register history with 10 clients under a 10 s budget and reports its time and memory.
 *
 * Run with `node dist/bench/linearizability.js`; it prints one JSON object.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import seedrandom from "seedrandom";
import { generateHistory } from "../sim/check/generate.js";
import { checkHistory, models, type ParsedHistory, parseHistory } from "../sim/check/index.js";

/** Go (Porcupine) check times on this machine kind, in milliseconds. */
const goTargetsMs = { etcdAll: 500, kvC50Ok: 135, kvC50Bad: 23, knossosAll: 160 };

function corpusRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // Works from bench/ (tsx) and from dist/bench/ (compiled).
  for (const candidate of [
    path.resolve(here, "../../shared/corpus"),
    path.resolve(here, "../../../shared/corpus"),
  ]) {
    try {
      if (statSync(candidate).isDirectory()) return candidate;
    } catch {
      // try the next one
    }
  }
  throw new Error("shared/corpus not found next to the repository");
}

function filesUnder(folder: string, extension: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(folder).sort()) {
    const full = path.join(folder, name);
    if (statSync(full).isDirectory()) found.push(...filesUnder(full, extension));
    else if (name.endsWith(extension)) found.push(full);
  }
  return found;
}

function load(file: string): ParsedHistory {
  return parseHistory(readFileSync(file, "utf8"), { file });
}

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Median wall time in ms of checking every history once (explanations off). */
function timeAll(histories: readonly ParsedHistory[], runs: number): number {
  const times: number[] = [];
  for (let run = 0; run < runs + 1; run++) {
    const start = performance.now();
    for (const history of histories) checkHistory(history.events, history.model, { explain: false });
    if (run > 0) times.push(performance.now() - start);
  }
  return median(times);
}

const round = (value: number): number => Math.round(value * 100) / 100;

/** Runs the benchmark and returns its figures. */
export async function benchLinearizability(): Promise<Record<string, unknown>> {
  const root = corpusRoot();
  const etcd = filesUnder(path.join(root, "porcupine/jepsen"), ".log").map(load);
  const c50Ok = load(path.join(root, "porcupine/kv/c50-ok.txt"));
  const c50Bad = load(path.join(root, "porcupine/kv/c50-bad.txt"));
  const knossos = filesUnder(path.join(root, "knossos"), ".edn").map(load);

  const etcdAllMs = timeAll(etcd, 5);
  const c50OkMs = timeAll([c50Ok], 7);
  const c50BadMs = timeAll([c50Bad], 7);
  const knossosAllMs = timeAll(knossos, 7);
  const c50BadExplainStart = performance.now();
  checkHistory(c50Bad.events, c50Bad.model);
  const c50BadWithExplanationMs = performance.now() - c50BadExplainStart;

  const random = seedrandom.alea("quorumlab-bench-10k");
  const large = generateHistory({
    operations: 10_000,
    clients: 10,
    random: () => random.double(),
    kind: "cas-register",
    crashProbability: 0.01,
  });
  const heapBefore = process.memoryUsage();
  const largeStart = performance.now();
  const largeResult = checkHistory(large, models["cas-register"], {
    timeoutMs: 10_000,
    now: () => performance.now(),
  });
  const largeMs = performance.now() - largeStart;
  const heapAfter = process.memoryUsage();

  return {
    etcdFiles: etcd.length,
    etcdAllMs: round(etcdAllMs),
    etcdAllGoMs: goTargetsMs.etcdAll,
    kvC50OkMs: round(c50OkMs),
    kvC50OkGoMs: goTargetsMs.kvC50Ok,
    kvC50BadMs: round(c50BadMs),
    kvC50BadGoMs: goTargetsMs.kvC50Bad,
    kvC50BadWithExplanationMs: round(c50BadWithExplanationMs),
    knossosFiles: knossos.length,
    knossosAllMs: round(knossosAllMs),
    knossosAllGoMs: goTargetsMs.knossosAll,
    register10k: {
      ops: largeResult.ops,
      clients: 10,
      result: largeResult.result,
      budgetMs: 10_000,
      ms: round(largeMs),
      heapUsedDeltaMb: round((heapAfter.heapUsed - heapBefore.heapUsed) / 2 ** 20),
      arrayBuffersDeltaMb: round((heapAfter.arrayBuffers - heapBefore.arrayBuffers) / 2 ** 20),
      maxRssMb: round(process.resourceUsage().maxRSS / 1024),
    },
    withinTargets:
      etcdAllMs <= goTargetsMs.etcdAll &&
      c50OkMs <= goTargetsMs.kvC50Ok &&
      c50BadMs <= goTargetsMs.kvC50Bad &&
      knossosAllMs <= goTargetsMs.knossosAll,
  };
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${JSON.stringify(await benchLinearizability(), null, 2)}\n`);
}
