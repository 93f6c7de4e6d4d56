/**
 * The process that hosts the fuzzer's worker threads when `quorumlab fuzz` runs more than one.
 *
 * Why a process of its own: V8's garbage collector runs parts of its work on helper threads, in
 * parallel and concurrently. With one worker that is a gain, since the spare core does it; when
 * every core already runs a worker, the helpers of all workers only contend with them (measured
 * on two cores: with the helpers on, two workers did about 5% fewer runs than in this host). The
 * flags that turn the helpers off and size the young generation are process-wide and must be
 * given at start, so the parent starts this host with them (`hostFlags` in cli/shared/fuzz-pool.ts) and the
 * worker threads (tinypool) live here.
 *
 * Protocol (Node IPC with structured clone): the parent sends `start` once, then `evaluate`
 * messages, each answered by `reports` or `error` with the same id, then `close`.
 */
import { pathToFileURL } from "node:url";
import Tinypool from "tinypool";
import type { RunJob, RunReport } from "../../sim/fuzz/campaign.js";
import type { FuzzSettings } from "../../sim/fuzz/plan.js";
import type { ProtocolSource, WorkerTask } from "./fuzz-worker.js";

export type HostRequest =
  | {
      readonly kind: "start";
      readonly workerFile: string;
      readonly workers: number;
      readonly source: ProtocolSource;
      readonly settings: FuzzSettings;
      readonly seed: bigint;
    }
  | { readonly kind: "evaluate"; readonly id: number; readonly jobs: readonly RunJob[] }
  | { readonly kind: "close" };

export type HostReply =
  | { readonly kind: "reports"; readonly id: number; readonly reports: RunReport[] }
  | { readonly kind: "error"; readonly id: number; readonly message: string };

/** Splits jobs into `parts` contiguous chunks of near-equal size. */
function chunks(jobs: readonly RunJob[], parts: number): RunJob[][] {
  const out: RunJob[][] = [];
  const size = Math.ceil(jobs.length / parts);
  for (let start = 0; start < jobs.length; start += size) out.push(jobs.slice(start, start + size));
  return out;
}

function main(): void {
  let pool: Tinypool | undefined;
  let task: Omit<WorkerTask, "jobs"> | undefined;
  let workers = 1;
  const send = (reply: HostReply) => process.send?.(reply);
  process.on("message", (request: HostRequest) => {
    switch (request.kind) {
      case "start":
        workers = request.workers;
        task = { source: request.source, settings: request.settings, seed: request.seed };
        pool = new Tinypool({
          filename: request.workerFile,
          minThreads: workers,
          maxThreads: workers,
          isolateWorkers: false,
        });
        return;
      case "evaluate": {
        const running = pool;
        const common = task;
        if (running === undefined || common === undefined) {
          send({ kind: "error", id: request.id, message: "the fuzz host was not started" });
          return;
        }
        // Two tasks per worker: runs vary in length, and the pool hands the next task to whichever
        // worker is free; the next batch is already queued behind them, so no worker waits. More,
        // smaller tasks cost more in messages than they gain in balance (measured: 4 per worker
        // did about 5% fewer runs on short runs).
        const parts = chunks(request.jobs, Math.min(request.jobs.length, workers * 2));
        Promise.all(
          parts.map((part) => {
            const work: WorkerTask = { ...common, jobs: part };
            return running.run(work) as Promise<RunReport[]>;
          }),
        ).then(
          (results) => send({ kind: "reports", id: request.id, reports: results.flat() }),
          (error: unknown) =>
            send({
              kind: "error",
              id: request.id,
              message: error instanceof Error ? (error.stack ?? error.message) : String(error),
            }),
        );
        return;
      }
      case "close":
        (pool?.destroy() ?? Promise.resolve()).finally(() => process.disconnect());
        return;
    }
  });
  // The parent went away: nothing left to do.
  process.on("disconnect", () => process.exit(0));
  // Ctrl-C reaches every process of the terminal's group, this one too: the parent decides (it
  // finishes the batches out, then closes this host), and its exit ends this one.
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => {});
}

// Only as the entry script of a forked process (never when imported, e.g. for its types).
if (process.send !== undefined && import.meta.url === pathToFileURL(process.argv[1] ?? "").href) main();
