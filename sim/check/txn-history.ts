/**
 * The end-of-run check for protocols whose client model is transactional (`list-append`): the
 * simulator's history goes to the transactional checker at strict serializability, and a failure
 * is reported as the invariant `txn.strict-serializable`, with the cycles as its explanation.
 * The CLI and the lab page both run it, each with its own wall clock for the time budget.
 */

import type { HistoryEvent } from "../history.js";
import type { HistoryVerdict } from "../run.js";
import { transactionalHistoryInvariant } from "../scenario/validate.js";
import {
  anomalyDefinitions,
  type CycleAnomaly,
  checkTransactions,
  describeTransaction,
  parseTxnEvents,
  type TxnCheckResult,
  type TxnModelName,
  txnModelNames,
} from "./txn/index.js";

/** Whether `model` is a transactional data model. */
export function isTxnModel(model: string): model is TxnModelName {
  return (txnModelNames as readonly string[]).includes(model);
}

/**
 * Checks a simulator history of transactions. `workMax` bounds the cycle search deterministically
 * (fuzzing); `timeoutMs` is a wall-clock backstop, read from `now` (milliseconds).
 */
export function checkTxnHistory(
  events: readonly HistoryEvent[],
  model: TxnModelName,
  options: { readonly now: () => number; readonly workMax?: number; readonly timeoutMs?: number },
): HistoryVerdict {
  const history = parseTxnEvents(events);
  const verdict = checkTransactions(history, {
    model,
    level: "strict-serializable",
    timeoutMs: options.timeoutMs ?? 10_000,
    now: options.now,
    ...(options.workMax === undefined ? {} : { workMax: options.workMax }),
  });
  const result =
    verdict.result === "valid"
      ? "linearizable"
      : verdict.result === "invalid"
        ? "not-linearizable"
        : "unknown";
  if (verdict.result !== "invalid") return { result, property: "strict-serializable" };
  const first = verdict.cycles.find((cycle) => verdict.anomalies.includes(cycle.name));
  const describe = (id: number): string => describeTransaction(history.transactions[id]!);
  return {
    result,
    summary: failureSummary(verdict, first, describe),
    invariant: transactionalHistoryInvariant,
    property: "strict-serializable",
    explanation: {
      anomalies: verdict.anomalies,
      cycles: verdict.cycles,
      reads: verdict.reads,
      transactions: involvedTransactions(verdict).map(describe),
      graphs: findingGraphs(verdict, first, describe),
    },
  };
}

/**
 * One line that stands on its own in the terminal and the report: the cycle, why each edge
 * exists, and the transactions on it.
 */
function failureSummary(
  verdict: TxnCheckResult,
  first: CycleAnomaly | undefined,
  describe: (id: number) => string,
): string {
  if (first === undefined) {
    return `not strict-serializable: ${verdict.anomalies.join(", ")}: ${verdict.reads[0]?.why ?? ""}`;
  }
  return (
    `not strict-serializable: ${first.name} cycle ${first.steps.map((step) => `T${step.from} -${step.kind}->`).join(" ")} T${first.cycle[0]}` +
    `; ${first.steps.map((step) => step.why).join("; ")}` +
    `; ${[...new Set(first.cycle)]
      .sort((left, right) => left - right)
      .map(describe)
      .join("; ")}`
  );
}

/**
 * The findings as graphs the report draws (transactions and labelled edges), the reported one
 * first: each cycle, and for the first prohibited read anomalies (an aborted or intermediate
 * read: no cycle) the reader and the writers it read from.
 */
function findingGraphs(
  verdict: TxnCheckResult,
  first: CycleAnomaly | undefined,
  describe: (id: number) => string,
) {
  const readGraphs = verdict.reads
    .filter((read) => verdict.anomalies.includes(read.name))
    .slice(0, 2)
    .map((read) => {
      const [reader, ...writers] = read.transactions;
      return {
        title: read.name,
        definition: anomalyDefinitions[read.name],
        nodes: read.transactions.map((id) => ({ id: `T${id}`, label: describe(id), operation: id })),
        edges: writers.map((writer) => ({
          from: `T${writer}`,
          to: `T${reader}`,
          label: "wr",
          why: read.why,
        })),
      };
    });
  const cycleGraphs = [...verdict.cycles]
    .sort((left, right) => Number(right === first) - Number(left === first))
    .map((cycle) => ({
      title: `${cycle.name} cycle`,
      definition: anomalyDefinitions[cycle.name],
      nodes: [...new Set(cycle.cycle)].map((id) => ({ id: `T${id}`, label: describe(id), operation: id })),
      edges: cycle.steps.map((step) => ({
        from: `T${step.from}`,
        to: `T${step.to}`,
        label: step.kind,
        why: step.why,
      })),
    }));
  return first === undefined ? [...readGraphs, ...cycleGraphs] : [...cycleGraphs, ...readGraphs];
}

/** The transactions on any cycle or read anomaly, in order. */
function involvedTransactions(verdict: TxnCheckResult): number[] {
  const involved = new Set<number>();
  for (const cycle of verdict.cycles) for (const id of cycle.cycle) involved.add(id);
  for (const read of verdict.reads) for (const id of read.transactions) involved.add(id);
  return [...involved].sort((left, right) => left - right);
}
