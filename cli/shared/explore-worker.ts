/**
 * The worker thread of `quorumlab explore`. It rebuilds the explored world from the settings it
 * is started with, then either
 * - (`--workers N`, breadth first) expands the runs of frontier states it is sent
 *   (sim/explore/parallel.ts) and answers each with its successors' fingerprints and findings, or
 * - (`search`: dfs, random, novelty, cells) runs the whole search and posts its result, so that
 *   the main thread stays free to hear Ctrl-C; the main thread sets the shared `interrupt` flag,
 *   which the search reads where it checks its time bound.
 *
 * Messages, expanding: `start` once (`workerData`), answered by `ready` once the world is built,
 * then `expand` requests, each answered by `expansion` or `error` with the same id. The typed
 * arrays travel both ways by transfer, not copy. Searching: `progress` now and then, then
 * `result` or `error` (id 0).
 */
import { performance } from "node:perf_hooks";
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { protocols } from "../../protocols/index.js";
import { type ExpanderOptions, type Expansion, FrontierExpander } from "../../sim/explore/parallel.js";
import {
  explore,
  type SearchProgress,
  type SearchResult,
  type SearchSettings,
} from "../../sim/explore/search.js";
import { type ExploreInput, exploreSetup } from "../../sim/explore/settings.js";
import type { Protocol } from "../../sim/node.js";
import { historyChecker } from "../history-check.js";
import type { ProtocolSource } from "./fuzz-worker.js";
import { type WorkerError, workerError } from "./worker-errors.js";

/** What a worker rebuilds the world from: all of it plain data. */
export interface ExploreWorkerData {
  readonly source: ProtocolSource;
  readonly input: ExploreInput;
  readonly expander: ExpanderOptions;
  /** Set for a worker that runs a whole search rather than expanding runs of states. */
  readonly search?: WholeSearch;
}

/** A whole search for a worker to run: its settings, but those that are functions. */
export interface WholeSearch {
  readonly settings: Omit<SearchSettings, "now" | "interrupted" | "onProgress" | "onState">;
  /** Post the search's progress (`onProgress`). */
  readonly progress: boolean;
  /** Over a `SharedArrayBuffer`: the main thread sets its first element when interrupted. */
  readonly interrupt: Int32Array<SharedArrayBuffer>;
}

export type SearchReply =
  | { readonly kind: "progress"; readonly progress: SearchProgress }
  | { readonly kind: "result"; readonly result: SearchResult }
  | ({ readonly kind: "error"; readonly id: 0 } & WorkerError);

export interface ExpandRequest {
  readonly id: number;
  readonly paths: Uint16Array<ArrayBuffer>;
  readonly depth: number;
  readonly states: number;
}

export type ExpandReply =
  | { readonly kind: "ready" }
  | {
      readonly kind: "expansion";
      readonly id: number;
      readonly expansion: Expansion;
      /** How long expanding the run took this thread (ms): the pool sizes later runs by it. */
      readonly ms: number;
    }
  | ({ readonly kind: "error"; readonly id: number } & WorkerError);

/**
 * The protocol: a built-in one by name, else the user's module (loaded only then: the loader and
 * the fuzzer's worker module cost a worker a third of a second more to start).
 */
async function protocolOf(source: ProtocolSource): Promise<Protocol> {
  if (source.module === undefined) {
    const protocol = protocols.get(source.name ?? "");
    if (protocol === undefined) throw new Error(`no protocol '${source.name}'`);
    return protocol;
  }
  const { loadProtocolModule } = await import("./protocol-module.js");
  return loadProtocolModule(source.module);
}

async function expanderFor(data: ExploreWorkerData): Promise<FrontierExpander> {
  const { setup } = exploreSetup(await protocolOf(data.source), data.input, historyChecker());
  return new FrontierExpander(setup, data.expander);
}

/** Runs `search` in this thread and posts its result: the clock is this thread's. */
async function searchWhole(
  port: NonNullable<typeof parentPort>,
  data: ExploreWorkerData,
  search: WholeSearch,
): Promise<void> {
  const { setup } = exploreSetup(await protocolOf(data.source), data.input, historyChecker());
  const post = (reply: SearchReply) => port.postMessage(reply);
  const result = explore(setup, {
    ...search.settings,
    now: () => performance.now(),
    interrupted: () => Atomics.load(search.interrupt, 0) !== 0,
    ...(search.progress ? { onProgress: (progress) => post({ kind: "progress", progress }) } : {}),
  });
  post({ kind: "result", result });
}

function main(port: NonNullable<typeof parentPort>, data: ExploreWorkerData): void {
  const search = data.search;
  if (search !== undefined) {
    searchWhole(port, data, search).catch((error: unknown) => {
      port.postMessage({ kind: "error", id: 0, ...workerError(error) } satisfies SearchReply);
    });
    return;
  }
  const expander = expanderFor(data);
  // A world that fails to build says so in the answer to the first request.
  expander.then(
    () => port.postMessage({ kind: "ready" } satisfies ExpandReply),
    () => {},
  );
  port.on("message", (request: ExpandRequest) => {
    expander
      .then((ready) => {
        const started = performance.now();
        const expansion = ready.expand(request.paths, request.depth, request.states);
        const ms = performance.now() - started;
        const reply: ExpandReply = { kind: "expansion", id: request.id, expansion, ms };
        port.postMessage(reply, [
          expansion.counts.buffer,
          expansion.high.buffer,
          expansion.low.buffer,
          expansion.flags.buffer,
        ]);
      })
      .catch((error: unknown) => {
        const reply: ExpandReply = { kind: "error", id: request.id, ...workerError(error) };
        port.postMessage(reply);
      });
  });
}

if (!isMainThread && parentPort !== null) main(parentPort, workerData as ExploreWorkerData);
