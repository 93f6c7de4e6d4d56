/**
 * The worker threads of `quorumlab explore --workers N`: each rebuilds the explored world and
 * expands the runs of frontier states it is sent (cli/shared/explore-worker.ts), one at a time;
 * a run waits for the first free worker.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { DeterminismError } from "../../sim/determinism.js";
import { InputError } from "../../sim/errors.js";
import type { Expansion, ExpansionPool } from "../../sim/explore/parallel.js";
import { packageRoot } from "../files.js";
import type { ExpandReply, ExpandRequest, ExploreWorkerData } from "./explore-worker.js";

/** Where the compiled worker lives; worker threads cannot load TypeScript sources. */
function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith(".js")) return join(here, "..", "explore-worker.js");
  const built = join(packageRoot(), "dist", "cli", "shared", "explore-worker.js");
  if (!existsSync(built))
    throw new InputError("--workers above 1 needs the compiled worker: run `npm run build`");
  return built;
}

/** Most worker threads `--workers` takes (`explore`, `mutants`). */
export const workersMax = 64;

/** Refuses a `--workers` that is not a whole number from 1 to `workersMax`. */
export function checkWorkers(workers: number): void {
  if (!(Number.isInteger(workers) && workers >= 1 && workers <= workersMax))
    throw new InputError(`--workers: expected a whole number from 1 to ${workersMax}, got '${workers}'`);
}

interface Job {
  readonly request: ExpandRequest;
  readonly resolve: (expansion: Expansion) => void;
  readonly reject: (error: Error) => void;
}

/** Starts `workers` threads; `close` ends them (runs still waiting are rejected). */
export function explorePool(
  data: ExploreWorkerData,
  workers: number,
): ExpansionPool & { close(): Promise<void> } {
  const file = workerFile();
  const queue: Job[] = [];
  const busy = new Map<Worker, Job>();
  const idle: Worker[] = [];
  let failure: Error | undefined;
  let nextId = 0;
  const dispatch = () => {
    while (idle.length > 0 && queue.length > 0) {
      const worker = idle.pop() as Worker;
      const job = queue.shift() as Job;
      busy.set(worker, job);
      worker.postMessage(job.request, [job.request.paths.buffer]);
    }
  };
  const fail = (error: Error) => {
    failure ??= error;
    for (const job of [...busy.values(), ...queue]) job.reject(failure);
    busy.clear();
    queue.length = 0;
  };
  const threads = Array.from({ length: workers }, () => {
    const worker = new Worker(file, { workerData: data });
    worker.on("message", (reply: ExpandReply) => {
      const job = busy.get(worker);
      busy.delete(worker);
      idle.push(worker);
      if (job !== undefined) {
        if (reply.kind === "expansion") job.resolve(reply.expansion);
        else if (reply.determinism !== undefined)
          job.reject(new DeterminismError(reply.message, reply.determinism.call, reply.determinism.handler));
        else if (reply.input !== undefined) job.reject(new InputError(reply.message, reply.input));
        else job.reject(new Error(`an explore worker failed: ${reply.message}`));
      }
      dispatch();
    });
    worker.on("error", (error) => fail(new Error(`an explore worker failed: ${error.message}`)));
    worker.on("exit", (code) => {
      if (busy.has(worker) || queue.length > 0)
        fail(new Error(`an explore worker ended (exit code ${code})`));
    });
    idle.push(worker);
    return worker;
  });
  return {
    parallelism: workers,
    expand(paths, depth, states) {
      if (failure !== undefined) return Promise.reject(failure);
      return new Promise<Expansion>((resolve, reject) => {
        queue.push({ request: { id: nextId++, paths, depth, states }, resolve, reject });
        dispatch();
      });
    },
    async close() {
      queue.length = 0;
      await Promise.all(threads.map((worker) => worker.terminate()));
    },
  };
}
