/**
 * Breadth-first search as `quorumlab explore` and `mutants --explore` run it (`searchBreadthFirst`),
 * and its worker threads (`--workers N`, or `auto`): each rebuilds the explored world and
 * expands the runs of frontier states it is sent (cli/shared/explore-worker.ts), one at a time;
 * a run waits for the first free worker.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { InputError } from "../../sim/errors.js";
import {
  type Expansion,
  type ExpansionPool,
  exploreInParallel,
  inThreadPool,
  runMax,
} from "../../sim/explore/parallel.js";
import type { SearchResult, SearchSettings } from "../../sim/explore/search.js";
import type { ExploreInput } from "../../sim/explore/settings.js";
import type { WorldSetup } from "../../sim/explore/world.js";
import { packageRoot } from "../files.js";
import type { ExpandReply, ExpandRequest, ExploreWorkerData, SearchReply } from "./explore-worker.js";
import type { ProtocolSource } from "./fuzz-worker.js";
import { errorOf } from "./worker-errors.js";
import { workersMax } from "./workers.js";

/** Where the compiled worker lives; worker threads cannot load TypeScript sources. */
function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith(".js")) return join(here, "..", "explore-worker.js");
  const built = join(packageRoot(), "dist", "cli", "shared", "explore-worker.js");
  if (!existsSync(built))
    throw new InputError("--workers above 1 needs the compiled worker: run `npm run build`");
  return built;
}

interface Job {
  readonly request: ExpandRequest;
  readonly resolve: (expansion: Expansion) => void;
  readonly reject: (error: Error) => void;
}

/** Worker threads expanding runs of frontier states. */
export interface ExplorePool extends ExpansionPool {
  /** How many threads have built their world and expand a run at once when sent one. */
  readonly ready: number;
  /** Ends the threads; runs still waiting are rejected. */
  close(): Promise<void>;
}

/** Starts `workers` threads; `close` ends them (runs still waiting are rejected). */
export function explorePool(data: ExploreWorkerData, workers: number): ExplorePool {
  const file = workerFile();
  const queue: Job[] = [];
  const busy = new Map<Worker, Job>();
  const idle: Worker[] = [];
  let failure: Error | undefined;
  let nextId = 0;
  let ready = 0;
  // How long the workers took to expand a state, averaged over the runs answered, recent ones
  // counting most (a worker expands its first runs more slowly, while it compiles).
  let msPerState: number | undefined;
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
      if (reply.kind === "ready") {
        ready++;
        return;
      }
      const job = busy.get(worker);
      busy.delete(worker);
      idle.push(worker);
      if (job !== undefined && reply.kind === "expansion") {
        const rate = reply.ms / Math.max(1, job.request.states);
        msPerState = msPerState === undefined ? rate : (msPerState + rate) / 2;
      }
      if (job !== undefined) settle(job, reply);
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
    get ready() {
      return ready;
    },
    get runMax() {
      return msPerState === undefined ? undefined : statesPerRun(msPerState);
    },
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

/** Settles `job` with a worker's answer: its expansion, or the failure the answer describes. */
function settle(job: Job, reply: Exclude<ExpandReply, { kind: "ready" }>): void {
  if (reply.kind === "expansion") job.resolve(reply.expansion);
  else job.reject(errorOf(reply, "an explore worker failed"));
}

/**
 * When `--workers auto` starts worker threads: once the search has run `afterMs`, at a point where
 * what is left of the level being expanded would take this thread `workMs` or more (at its rate
 * so far) and the search's time bound leaves as much. A worker starts in about 0.3 s and then expands more slowly than this thread until it
 * has compiled the simulator anew (docs/exploring.md, "Worker threads"): handed the last level of
 * a short search, the workers made it slower (Paxos, two ballots, to depth 11: 2.6 s in one
 * thread, 3.5 s joined after 2 s). The search goes on in this thread until every worker has built
 * its world, so starting them costs it no waiting.
 */
export const joinAfter = { afterMs: 2_000, workMs: 3_000 } as const;

/** About how long a run sent to a worker thread should take. */
const runMs = 250;

/**
 * The states a worker expands in about `runMs` at `msPerState`, from 16 to `runMax`: the time
 * bound is checked as each run is answered, and runs of the most states (2,048) kept a search of
 * 12-node sharded-kv going 11 s past its bound.
 */
function statesPerRun(msPerState: number): number {
  return Math.max(16, Math.min(runMax, Math.floor(runMs / msPerState)));
}

/** A pool that starts in this thread and may bring in worker threads (`joiningPool`). */
export interface JoiningPool extends ExpansionPool {
  /** How many worker threads expand the runs now (0: all in this thread so far). */
  readonly joined: number;
  /** When they took over, in ms after the pool was made (undefined: they did not). */
  readonly joinedAtMs: number | undefined;
  close(): Promise<void>;
}

/**
 * `--workers auto`: runs are expanded in this thread (`inThread`) until the search has run for
 * `afterMs` and both the rest of its level and its time bound would keep this thread busy for
 * `workMs` (`joinAfter`); then `start` starts the worker threads, this thread goes on expanding
 * until every one of them is ready, and from then on the runs go to them. Every run's answer is
 * the same wherever it is expanded, so the result is that of one thread. With fewer than two
 * threads to start (`workers`), or no compiled worker to start them from, the search stays in
 * this thread.
 */
export function joiningPool(
  inThread: ExpansionPool,
  start: (workers: number) => ExplorePool,
  options: {
    readonly workers: number;
    readonly afterMs: number;
    readonly workMs: number;
    /** The search's time bound (ms). */
    readonly timeMs: number;
    readonly now: () => number;
  },
): JoiningPool {
  const made = options.now();
  let workers: ExplorePool | undefined;
  let unavailable = options.workers < 2;
  let joinedAtMs: number | undefined;
  // The level being expanded: its states, and how many were sent; this thread's rate so far.
  let levelStates = 0;
  let levelSent = 0;
  let inThreadStates = 0;
  let inThreadMs = 0;
  const worthStarting = (): boolean => {
    const elapsed = options.now() - made;
    if (elapsed < options.afterMs || inThreadStates === 0) return false;
    if (options.timeMs - elapsed < options.workMs) return false;
    return (levelStates - levelSent) * (inThreadMs / inThreadStates) >= options.workMs;
  };
  const joinedNow = (): boolean => {
    if (joinedAtMs !== undefined) return true;
    if (workers === undefined && !unavailable && worthStarting()) {
      try {
        workers = start(options.workers);
      } catch (error) {
        // No compiled worker to start (run from the sources): one thread it is.
        if (!(error instanceof InputError)) throw error;
        unavailable = true;
      }
    }
    if (workers === undefined || workers.ready < workers.parallelism) return false;
    joinedAtMs = options.now() - made;
    return true;
  };
  return {
    get parallelism() {
      return joinedAtMs !== undefined && workers !== undefined ? workers.parallelism : inThread.parallelism;
    },
    get runMax() {
      if (joinedAtMs === undefined || workers === undefined) return inThread.runMax;
      // Until the workers have answered a run, sized by this thread's rate.
      return workers.runMax ?? statesPerRun(inThreadMs / inThreadStates);
    },
    get joined() {
      return joinedAtMs !== undefined && workers !== undefined ? workers.parallelism : 0;
    },
    get joinedAtMs() {
      return joinedAtMs;
    },
    level(states) {
      levelStates = states;
      levelSent = 0;
    },
    expand(paths, depth, states) {
      const joined = joinedNow();
      levelSent += states;
      if (joined) return (workers as ExplorePool).expand(paths, depth, states);
      const before = options.now();
      const expansion = inThread.expand(paths, depth, states);
      inThreadMs += options.now() - before;
      inThreadStates += states;
      if (workers === undefined) return expansion;
      // The workers' `ready` messages arrive as events, which a search answered at once (in this
      // thread) would never let run: each answer now waits for the events pending.
      return new Promise((resolve, reject) => setImmediate(() => expansion.then(resolve, reject)));
    },
    async close() {
      await workers?.close();
    },
  };
}

/**
 * How often a search in this thread lets the events pending run (ms of wall time): a signal's
 * handler among them, so that Ctrl-C stops it (`SearchSettings.interrupted`).
 */
const yieldMs = 100;

/**
 * `pool`, with an answer that waits for the events pending once `yieldMs` has passed since the
 * last that did. Expanded in this thread, every answer is ready at once, and a search that only
 * awaits answers ready at once never lets an event run. The answers and their order are the same.
 */
export function yieldingPool(pool: ExpansionPool, now: () => number): ExpansionPool {
  let yielded = now();
  return {
    get parallelism() {
      return pool.parallelism;
    },
    get runMax() {
      return pool.runMax;
    },
    level(states) {
      pool.level?.(states);
    },
    expand(paths, depth, states) {
      const expansion = pool.expand(paths, depth, states);
      if (now() - yielded < yieldMs) return expansion;
      yielded = now();
      return new Promise((resolve, reject) => setImmediate(() => expansion.then(resolve, reject)));
    },
  };
}

/** A breadth-first search's result, and the worker threads that expanded its levels (1: none). */
export interface BreadthFirstRun {
  readonly result: SearchResult;
  readonly workers: number;
  /** With `auto`, when the worker threads took over (ms into the search). */
  readonly joinedAtMs?: number;
}

/**
 * Breadth first as `quorumlab explore` searches (each level's frontier kept as choice paths), in
 * this thread (`workers` 1), shared among that many worker threads from the start, or `auto`:
 * this thread, joined by one worker thread per core when it pays (`joiningPool`). The result is
 * the same in every case; the workers' start counts in the search's wall time.
 */
export async function searchBreadthFirst(
  setup: WorldSetup,
  settings: SearchSettings,
  threads: {
    readonly source: ProtocolSource;
    readonly input: ExploreInput;
    readonly workers: number | "auto";
  },
): Promise<BreadthFirstRun> {
  const inThread = yieldingPool(inThreadPool(setup, settings), settings.now);
  if (threads.workers === 1)
    return { result: await exploreInParallel(setup, settings, inThread), workers: 1 };
  const started = settings.now();
  const start = (workers: number) =>
    explorePool(
      { source: threads.source, input: threads.input, expander: { oneOrder: setup.promptReplies !== true } },
      workers,
    );
  if (threads.workers !== "auto") {
    const pool = start(threads.workers);
    try {
      const result = await exploreInParallel(setup, settings, pool);
      return { result: { ...result, wallMs: settings.now() - started }, workers: threads.workers };
    } finally {
      await pool.close();
    }
  }
  const pool = joiningPool(inThread, start, {
    workers: Math.min(availableParallelism(), workersMax),
    ...joinAfter,
    timeMs: settings.timeMs,
    now: settings.now,
  });
  try {
    const result = await exploreInParallel(setup, settings, pool);
    return pool.joinedAtMs === undefined
      ? { result, workers: 1 }
      : { result, workers: pool.joined, joinedAtMs: pool.joinedAtMs };
  } finally {
    await pool.close();
  }
}

/**
 * Whether dfs, random, novelty and cells can search in a worker thread (`searchInWorker`): only
 * when quorumlab runs compiled. Run from its sources, this thread searches, deaf to signals.
 */
export function searchesInWorker(): boolean {
  return fileURLToPath(import.meta.url).endsWith(".js");
}

/**
 * A whole search of dfs, random, novelty or cells, in a worker thread (cli/shared/explore-worker.ts).
 * Those strategies search without awaiting anything, so in this thread no signal's handler would
 * run before they end; in a worker, this thread hears Ctrl-C or SIGTERM and sets a flag the search
 * reads with `Atomics` where it checks its time bound. The search is the same code on the same
 * setup, rebuilt from `source` and `input`: its result is that of this thread. Its clock is the
 * worker's, started once the world is built, so `wallMs` leaves out the worker's start.
 *
 * Why a worker: making those searches resumable in slices, as breadth first is, would have meant
 * rewriting depth-first search without its recursion, and a way out of each of the loops at every
 * check of the time bound; in a worker the search is the same code, asked one more question
 * where it reads the clock. Measured on two shared cores: the worker's start adds 0.1 to 0.2 s
 * to a command (two-phase commit found by dfs: 0.35 s before, 0.5 s now), and Raft's dfs to
 * depth 7 (75,141 states) took 3.5 to 4.8 s of search in either thread.
 */
export function searchInWorker(
  settings: SearchSettings,
  thread: { readonly source: ProtocolSource; readonly input: ExploreInput; readonly signal: AbortSignal },
): Promise<SearchResult> {
  const interrupt = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  const data: ExploreWorkerData = {
    source: thread.source,
    input: thread.input,
    // Unused by a whole search, which takes its own settings.
    expander: { oneOrder: true },
    search: {
      settings: {
        strategy: settings.strategy,
        depthMax: settings.depthMax,
        timeMs: settings.timeMs,
        statesMax: settings.statesMax,
        ...(settings.seed === undefined ? {} : { seed: settings.seed }),
        ...(settings.restore === undefined ? {} : { restore: settings.restore }),
        ...(settings.progressMs === undefined ? {} : { progressMs: settings.progressMs }),
        ...(settings.commutingOrders === undefined ? {} : { commutingOrders: settings.commutingOrders }),
      },
      progress: settings.onProgress !== undefined,
      interrupt,
    },
  };
  const onAbort = () => Atomics.store(interrupt, 0, 1);
  if (thread.signal.aborted) onAbort();
  thread.signal.addEventListener("abort", onAbort);
  const worker = new Worker(workerFile(), { workerData: data });
  const searched = new Promise<SearchResult>((resolve, reject) => {
    worker.on("message", (reply: SearchReply) => {
      if (reply.kind === "progress") settings.onProgress?.(reply.progress);
      else if (reply.kind === "result") resolve(reply.result);
      else reject(errorOf(reply, "the explore worker failed"));
    });
    worker.on("error", (error) => reject(new Error(`the explore worker failed: ${error.message}`)));
    // After the result, its end changes nothing.
    worker.on("exit", (code) => reject(new Error(`the explore worker ended (exit code ${code})`)));
  });
  return searched.finally(async () => {
    thread.signal.removeEventListener("abort", onAbort);
    await worker.terminate();
  });
}
