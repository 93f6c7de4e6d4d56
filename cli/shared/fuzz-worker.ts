/**
 * The fuzzer's worker: evaluates a batch of campaign runs. `quorumlab fuzz --workers N` runs it in
 * worker threads (tinypool loads the compiled `dist/cli/shared/fuzz-worker.js`); with one worker the
 * command calls the same code in-process. Also home to what both sides need to run a campaign:
 * loading the protocol (built-in or a user's module) and the runner with its history checker.
 */

import { performance } from "node:perf_hooks";
import { protocols } from "../../protocols/index.js";
import { checkHistory } from "../../sim/check/linearizability.js";
import { type ModelName, modelByName, modelNames } from "../../sim/check/models/index.js";
import { linearizableAtOnce } from "../../sim/check/quick-linearization.js";
import { evaluateJob, type RunJob, type RunReport } from "../../sim/fuzz/campaign.js";
import type { FuzzSettings } from "../../sim/fuzz/plan.js";
import { type ScenarioRunner, scenarioRunner } from "../../sim/fuzz/property.js";
import type { Protocol } from "../../sim/node.js";
import type { HistoryChecker } from "../../sim/run.js";
import { loadProtocolModule } from "./protocol-module.js";
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
  readonly jobs: readonly RunJob[];
}

/** Loads a user's protocol module (see protocol-module.ts). */
export { loadProtocolModule };

const registries = new Map<string, Promise<ReadonlyMap<string, Protocol>>>();

/** The registry a campaign runs against: the built-in one, or one holding the user's protocol. */
export function registryFor(
  source: ProtocolSource,
  onWarning?: (message: string) => void,
): Promise<ReadonlyMap<string, Protocol>> {
  if (source.module === undefined) return Promise.resolve(protocols);
  const cached = registries.get(source.module);
  if (cached !== undefined) return cached;
  const loading = loadProtocolModule(source.module, onWarning === undefined ? {} : { onWarning }).then(
    (protocol) => new Map<string, Protocol>([[protocol.name, protocol]]),
  );
  registries.set(source.module, loading);
  return loading;
}

/**
 * The history check used while fuzzing: a step budget keeps it deterministic (an undecided
 * history is `unknown`, not a failure), with a wall-clock backstop. Only the verdict is needed,
 * so a quick witness (sim/check/quick-linearization.ts) is tried first; the search runs only
 * when it finds none.
 */
export function fuzzHistoryChecker(maxSteps = 2_000_000): HistoryChecker {
  return (events, model) => {
    if (isTxnModel(model)) return checkTxnHistory(events, model, { workMax: 20 * maxSteps });
    if (!(modelNames as readonly string[]).includes(model)) {
      throw new Error(`protocol names unknown history model '${model}'`);
    }
    const sequential = modelByName(model as ModelName);
    if (linearizableAtOnce(events, sequential)) return { result: "linearizable" };
    const result = checkHistory(events, sequential, {
      maxSteps,
      timeoutMs: 10_000,
      now: () => performance.now(),
      explain: false,
    });
    return { result: result.result };
  };
}

const runners = new Map<string, ScenarioRunner>();

/**
 * The runner for a campaign (cached per protocol source and setting): it checks liveness when the
 * settings ask, and records coverage when they do (probes always).
 */
export async function fuzzRunner(
  source: ProtocolSource,
  settings: Pick<FuzzSettings, "liveness" | "coverage">,
): Promise<ScenarioRunner> {
  const liveness = settings.liveness;
  const coverage = settings.coverage === true;
  const key = `${source.module ?? ""}|${source.name ?? ""}|${liveness}|${coverage}`;
  const cached = runners.get(key);
  if (cached !== undefined) return cached;
  const runner = scenarioRunner(await registryFor(source), {
    liveness,
    checkHistory: fuzzHistoryChecker(),
    coverage,
    probes: true,
    // A module's messages stay frozen, and travel as copies: it is the code the guards exist for.
    freezeMessages: source.module !== undefined,
    guardData: source.module !== undefined,
  });
  runners.set(key, runner);
  return runner;
}

/** The worker's task: evaluate these runs. */
export default async function evaluateBatch(task: WorkerTask): Promise<RunReport[]> {
  const runner = await fuzzRunner(task.source, task.settings);
  return task.jobs.map((job) => evaluateJob(task.settings, task.seed, job, runner));
}
