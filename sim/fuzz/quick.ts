/**
 * A short fuzz campaign in the calling thread, for a protocol author's own tests: the same plans,
 * runs and history check as `quorumlab fuzz`, without workers, shrinking or files. A failure
 * names the run; `quorumlab fuzz <module> --seed <seed>` finds, shrinks and saves the same one.
 */
import { checkHistory } from "../check/linearizability.js";
import { isModelName, modelByName } from "../check/models/index.js";
import type { Protocol } from "../node.js";
import type { HistoryChecker } from "../run.js";
import { evaluateRun } from "./campaign.js";
import { type RunFailure, scenarioRunner } from "./property.js";
import { fuzzSettings, type SettingsInput } from "./settings.js";

export interface QuickFuzzOptions {
  /** Runs to try (default 100). */
  readonly runs?: number;
  /** Campaign seed (default 1). */
  readonly seed?: bigint;
  /** Deliberate bugs to switch on, node counts, run length... as `quorumlab fuzz` takes them. */
  readonly settings?: SettingsInput;
}

export interface QuickFuzzResult {
  readonly runs: number;
  readonly events: number;
  /** The first failing run, if any. */
  readonly failure?: RunFailure & { readonly run: number };
}

/** The history check of fuzz runs: bounded in steps, so that a run never hangs on it. */
const boundedHistoryCheck: HistoryChecker = (events, model) => {
  if (!isModelName(model)) throw new Error(`unknown history model '${model}'`);
  const verdict = checkHistory(events, modelByName(model), { maxSteps: 2_000_000, explain: false });
  return { result: verdict.result };
};

/** Fuzzes `protocol` for `runs` runs and returns the first failure. */
export function fuzzProtocol(protocol: Protocol, options: QuickFuzzOptions = {}): QuickFuzzResult {
  const settings = fuzzSettings(protocol, options.settings ?? {});
  const runner = scenarioRunner(new Map([[protocol.name, protocol]]), {
    liveness: settings.liveness,
    checkHistory: boundedHistoryCheck,
    // As `quorumlab fuzz` runs a module (`KernelConfig.guardData`).
    guardData: true,
  });
  const seed = options.seed ?? 1n;
  const runs = options.runs ?? 100;
  let events = 0;
  for (let index = 0; index < runs; index++) {
    const report = evaluateRun(settings, seed, index, runner);
    events += report.events;
    if (report.failure !== undefined)
      return { runs: index + 1, events, failure: { ...report.failure, run: index } };
  }
  return { runs, events };
}
