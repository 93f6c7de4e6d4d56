/**
 * The pool that evaluates a campaign's runs: this thread for one worker, else worker threads in a
 * host process of their own (cli/shared/fuzz-host.ts says why).
 */
import { fork } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { InputError } from "../../sim/errors.js";
import type { RunJob, RunReport } from "../../sim/fuzz/campaign.js";
import type { FuzzSettings } from "../../sim/fuzz/plan.js";
import { packageRoot } from "../files.js";
import type { HostReply, HostRequest } from "./fuzz-host.js";
import evaluateBatch, { type ProtocolSource } from "./fuzz-worker.js";

/** Where the compiled worker lives; worker threads cannot load TypeScript sources. */
export function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith(".js")) return join(here, "..", "fuzz-worker.js");
  const built = join(packageRoot(), "dist", "cli", "shared", "fuzz-worker.js");
  if (!existsSync(built))
    throw new InputError("--workers above 1 needs the compiled worker: run `npm run build`");
  return built;
}

/**
 * V8 flags of the worker host process, chosen by measuring on two cores: single-threaded garbage
 * collection (every core already runs a worker; GC helper threads would only contend), and a
 * 16 MB young generation. A fuzz run allocates about half a megabyte and keeps little of it, so a
 * young generation that holds many runs is collected rarely, each time copying only what the
 * current run still holds; at 4 MB, two workers did about 6% fewer runs, and 32 or 64 MB gained
 * nothing more.
 */
const hostFlags = ["--single-threaded-gc", "--max-semi-space-size=16"];

/** Where the compiled fuzz host lives (see cli/shared/fuzz-host.ts). */
function hostFile(): string {
  return join(workerFile(), "..", "fuzz-host.js");
}

/**
 * Evaluates batches of runs: in this thread for one worker, else over a pool of worker threads
 * that live in a host process started with single-threaded garbage collection (cli/shared/fuzz-host.ts
 * says why). The reports are the same either way.
 */
export function runEvaluator({
  source,
  settings,
  seed,
  workers,
}: {
  readonly source: ProtocolSource;
  readonly settings: FuzzSettings;
  readonly seed: bigint;
  readonly workers: number;
}): { evaluate: (jobs: readonly RunJob[]) => Promise<RunReport[]>; close: () => Promise<void> } {
  if (workers <= 1) {
    return {
      async evaluate(jobs) {
        // Let timers (the progress bar) run between batches.
        await new Promise((done) => setImmediate(done));
        return evaluateBatch({ source, settings, seed, jobs });
      },
      close: async () => {},
    };
  }
  const host = fork(hostFile(), [], {
    execArgv: hostFlags,
    serialization: "advanced",
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const waiting = new Map<
    number,
    { resolve: (reports: RunReport[]) => void; reject: (error: Error) => void }
  >();
  let nextId = 0;
  let exited: Error | undefined;
  host.on("message", (reply: HostReply) => {
    const pending = waiting.get(reply.id);
    if (pending === undefined) return;
    waiting.delete(reply.id);
    if (reply.kind === "reports") pending.resolve(reply.reports);
    else pending.reject(new Error(`a fuzz worker failed: ${reply.message}`));
  });
  const ended = new Promise<void>((done) => {
    host.on("exit", (code, signal) => {
      exited = new Error(`the fuzz worker process ended (${signal ?? `exit code ${code}`})`);
      for (const pending of waiting.values()) pending.reject(exited);
      waiting.clear();
      done();
    });
  });
  const request = (message: HostRequest) => host.send(message);
  request({ kind: "start", workerFile: workerFile(), workers, source, settings, seed });
  return {
    evaluate(jobs) {
      if (exited !== undefined) return Promise.reject(exited);
      const id = nextId++;
      return new Promise<RunReport[]>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        request({ kind: "evaluate", id, jobs });
      });
    },
    close: async () => {
      if (exited === undefined) request({ kind: "close" });
      await ended;
    },
  };
}
