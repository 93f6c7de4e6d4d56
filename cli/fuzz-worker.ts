/**
 * The fuzzer's worker: evaluates a batch of campaign runs. `quorumlab fuzz --workers N` runs it in
 * worker threads (tinypool loads the compiled `dist/cli/fuzz-worker.js`); with one worker the
 * command calls the same code in-process. Also home to what both sides need to run a campaign:
 * loading the protocol (built-in or a user's module) and the runner with its history checker.
 */

import { resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { protocols } from "../protocols/index.js";
import { checkHistory } from "../sim/check/linearizability.js";
import { type ModelName, modelByName, modelNames } from "../sim/check/models/index.js";
import { InputError } from "../sim/errors.js";
import { evaluateRun, type RunReport } from "../sim/fuzz/campaign.js";
import type { FuzzSettings } from "../sim/fuzz/plan.js";
import { type ScenarioRunner, scenarioRunner } from "../sim/fuzz/property.js";
import type { Protocol } from "../sim/node.js";
import type { HistoryChecker } from "../sim/run.js";
import { checkTxnHistory, isTxnModel } from "./txn-history-check.js";

/** What to fuzz: a built-in protocol by name, or a user's module by path. */
export interface ProtocolSource {
  readonly name?: string;
  /** Absolute path of a JavaScript module exporting a `Protocol`. */
  readonly module?: string;
}

export interface WorkerTask {
  readonly source: ProtocolSource;
  readonly settings: FuzzSettings;
  readonly seed: bigint;
  readonly indices: readonly number[];
}

function looksLikeProtocol(value: unknown): value is Protocol {
  if (value === null || typeof value !== "object") return false;
  const candidate = value as Partial<Protocol>;
  return (
    typeof candidate.name === "string" &&
    typeof candidate.create === "function" &&
    typeof candidate.parseOptions === "function" &&
    Array.isArray(candidate.invariants)
  );
}

/** Loads a user's protocol module: its default export, an export named `protocol`, or its only protocol. */
export async function loadProtocolModule(path: string): Promise<Protocol> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new InputError(`cannot load the protocol module: ${(error as Error).message}`, { file: path });
  }
  for (const key of ["default", "protocol"]) {
    if (looksLikeProtocol(module[key])) return module[key];
  }
  const found = Object.keys(module)
    .sort()
    .map((key) => module[key])
    .filter(looksLikeProtocol);
  if (found.length === 1) return found[0] as Protocol;
  throw new InputError(
    found.length === 0
      ? "the module exports no protocol (an object with name, parseOptions, create and invariants)"
      : "the module exports several protocols; export the one to fuzz as default",
    { file: path },
  );
}

const registries = new Map<string, Promise<ReadonlyMap<string, Protocol>>>();

/** The registry a campaign runs against: the built-in one, or one holding the user's protocol. */
export function registryFor(source: ProtocolSource): Promise<ReadonlyMap<string, Protocol>> {
  if (source.module === undefined) return Promise.resolve(protocols);
  const cached = registries.get(source.module);
  if (cached !== undefined) return cached;
  const loading = loadProtocolModule(source.module).then(
    (protocol) => new Map<string, Protocol>([[protocol.name, protocol]]),
  );
  registries.set(source.module, loading);
  return loading;
}

/**
 * The history check used while fuzzing: a step budget keeps it deterministic (an undecided
 * history is `unknown`, not a failure), with a wall-clock backstop.
 */
export function fuzzHistoryChecker(maxSteps = 2_000_000): HistoryChecker {
  return (events, model) => {
    if (isTxnModel(model)) return checkTxnHistory(events, model, { workMax: 20 * maxSteps });
    if (!(modelNames as readonly string[]).includes(model)) {
      throw new Error(`protocol names unknown history model '${model}'`);
    }
    const result = checkHistory(events, modelByName(model as ModelName), {
      maxSteps,
      timeoutMs: 10_000,
      now: () => performance.now(),
      explain: false,
    });
    return { result: result.result };
  };
}

const runners = new Map<string, ScenarioRunner>();

/** The runner for a campaign (cached per protocol source and liveness setting). */
export async function fuzzRunner(source: ProtocolSource, liveness: boolean): Promise<ScenarioRunner> {
  const key = `${source.module ?? ""}|${source.name ?? ""}|${liveness}`;
  const cached = runners.get(key);
  if (cached !== undefined) return cached;
  const runner = scenarioRunner(await registryFor(source), {
    liveness,
    checkHistory: fuzzHistoryChecker(),
  });
  runners.set(key, runner);
  return runner;
}

/** The worker's task: evaluate these global runs. */
export default async function evaluateBatch(task: WorkerTask): Promise<RunReport[]> {
  const runner = await fuzzRunner(task.source, task.settings.liveness);
  return task.indices.map((index) => evaluateRun(task.settings, task.seed, index, runner));
}
