/**
 * The transactional end-of-run check (sim/check/txn-history.ts) on the CLI's wall clock.
 */
import { performance } from "node:perf_hooks";
import type { TxnModelName } from "../../sim/check/txn/index.js";
import { checkTxnHistory as checkWithClock } from "../../sim/check/txn-history.js";
import type { HistoryEvent } from "../../sim/history.js";
import type { HistoryVerdict } from "../../sim/run.js";

export { isTxnModel } from "../../sim/check/txn-history.js";

/**
 * Checks a simulator history of transactions. `workMax` bounds the cycle search deterministically
 * (fuzzing); `timeoutMs` is a wall-clock backstop.
 */
export function checkTxnHistory(
  events: readonly HistoryEvent[],
  model: TxnModelName,
  options: { workMax?: number; timeoutMs?: number } = {},
): HistoryVerdict {
  return checkWithClock(events, model, { ...options, now: () => performance.now() });
}
