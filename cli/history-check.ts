/**
 * The end-of-run history check the CLI hands to the simulator: linearizability against the
 * protocol's model, with a wall-clock budget (the simulator itself never reads real time).
 */
import { performance } from "node:perf_hooks";
import { checkHistory } from "../sim/check/linearizability.js";
import { type ModelName, modelByName, modelNames } from "../sim/check/models/index.js";
import type { HistoryChecker } from "../sim/run.js";
import { checkTxnHistory, isTxnModel } from "./shared/txn-history-check.js";

export function historyChecker(timeoutMs = 10_000): HistoryChecker {
  return (events, model) => {
    if (isTxnModel(model)) return checkTxnHistory(events, model, { timeoutMs });
    if (!(modelNames as readonly string[]).includes(model)) {
      throw new Error(`protocol names unknown history model '${model}'`);
    }
    const result = checkHistory(events, modelByName(model as ModelName), {
      timeoutMs,
      now: () => performance.now(),
    });
    return {
      result: result.result,
      ...(result.explanation === undefined
        ? {}
        : { explanation: result.explanation, summary: result.explanation.summary }),
    };
  };
}
