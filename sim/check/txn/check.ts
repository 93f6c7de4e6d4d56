/**
 * `checkTransactions`: the transactional checker's entry point. Infers the dependency graph of a
 * history under a data model, adds process and real-time order for strict serializability,
 * searches it for cycles, and gives a verdict for the chosen consistency level.
 *
 * ```ts
 * const verdict = checkTransactions(parseTxnHistory(text), { model: "list-append", level: "serializable" });
 * if (verdict.result === "invalid") console.log(verdict.anomalies, verdict.cycles[0]?.steps);
 * ```
 *
 * Levels and the anomalies each prohibits follow Adya (1999, §4.4–4.5 and Figure 4-8) as Elle
 * applies them (Kingsbury & Alvaro, VLDB 2020, §5):
 * - snapshot isolation (Adya's PL-SI approximated as Elle does): G0, G1a, G1b, G1c, G-single;
 * - serializable (PL-3): those and G2-item;
 * - strict serializable (PL-3 plus real-time order): those and every `-process` and `-realtime`
 *   variant.
 * Every level prohibits internal inconsistency, duplicated elements, incompatible orders and
 * garbage reads, which no database that stores what it is given can produce, and lost updates,
 * which snapshot isolation's first-committer-wins rule already excludes (Berenson et al. 1995).
 */
import {
  type AnomalyName,
  type CycleAnomaly,
  type CycleStep,
  cycleAnomalyNames,
  type ReadAnomaly,
} from "./anomaly.js";
import { findCycles } from "./cycles.js";
import { EdgeKind, GraphBuilder } from "./graph.js";
import {
  describeProcess,
  describeTxnValue,
  type Scalar,
  type Transaction,
  type TxnHistory,
  type TxnModelName,
  type TxnProcess,
  unknownProcess,
} from "./history.js";
import { analyzeListAppend } from "./list-append.js";
import { analyzeRwRegister } from "./rw-register.js";

/** The consistency levels the checker decides. */
export const consistencyLevels = ["strict-serializable", "serializable", "snapshot-isolation"] as const;
export type ConsistencyLevel = (typeof consistencyLevels)[number];

const alwaysProhibited: readonly AnomalyName[] = [
  "internal",
  "duplicate-elements",
  "incompatible-order",
  "garbage-read",
  "lost-update",
  "G0",
  "G1a",
  "G1b",
  "G1c",
  "G-single",
];

/** The anomalies each level prohibits. */
export const prohibitedAnomalies: Record<ConsistencyLevel, ReadonlySet<AnomalyName>> = {
  "snapshot-isolation": new Set(alwaysProhibited),
  serializable: new Set([...alwaysProhibited, "G2-item"]),
  "strict-serializable": new Set([...alwaysProhibited, ...cycleAnomalyNames]),
};

/** Options of `checkTransactions`. */
export interface TxnCheckOptions {
  readonly model: TxnModelName;
  /** Default strict-serializable. */
  readonly level?: ConsistencyLevel;
  /** Wall-clock budget for the cycle search; needs `now`. */
  readonly timeoutMs?: number;
  readonly now?: () => number;
  /** Edge visits the cycle search may make (default 200 million). */
  readonly workMax?: number;
}

/** The verdict. */
export interface TxnCheckResult {
  /** valid: no prohibited anomaly; invalid: at least one; unknown: none found, search cut short. */
  readonly result: "valid" | "invalid" | "unknown";
  readonly model: TxnModelName;
  readonly level: ConsistencyLevel;
  /** Number of transactions (committed, aborted and indeterminate). */
  readonly transactions: number;
  /** The prohibited anomalies found, by name, sorted. */
  readonly anomalies: readonly AnomalyName[];
  /** Anomalies found that the level allows (for example G2-item under snapshot isolation). */
  readonly allowedAnomalies: readonly AnomalyName[];
  /** One minimal cycle per anomaly name and strongly connected component. */
  readonly cycles: readonly CycleAnomaly[];
  /** Non-cycle anomalies (G1a, G1b, internal, …), at most `readAnomaliesMax` of them. */
  readonly reads: readonly ReadAnomaly[];
  readonly edges: number;
  readonly components: number;
  readonly unknownReason?: string;
}

/** Non-cycle anomalies kept in a result (they are counted by name regardless). */
export const readAnomaliesMax = 100;

/**
 * Adds process order and real-time order. A process's transaction follows the last one it saw
 * commit. An indeterminate (`info`) transaction orders nothing after it: its effect may land
 * later, while the process goes on (Jepsen gives such a process a new name instead, so Elle's
 * histories never show it).
 */
function addOrderEdges(transactions: readonly Transaction[], graph: GraphBuilder): void {
  const last = new Map<TxnProcess, Transaction>();
  const live = transactions.filter((transaction) => transaction.status !== "fail");
  for (const transaction of live) {
    if (transaction.process === unknownProcess) continue;
    const previous = last.get(transaction.process);
    if (previous !== undefined) graph.add(previous.id, transaction.id, EdgeKind.process);
    if (transaction.status === "ok") last.set(transaction.process, transaction);
  }
  // Real time, transitively reduced: a "frontier" holds the completed transactions that no
  // completed transaction is known to follow. An invocation follows everything on the frontier;
  // a completion joins it and retires what its transaction followed. Invocations at the same
  // instant as a completion are concurrent with it, so they go first.
  const events: { readonly time: number; readonly invoke: boolean; readonly transaction: Transaction }[] = [];
  for (const transaction of live) {
    events.push({ time: transaction.invokeTime, invoke: true, transaction });
    if (transaction.completeTime !== Number.POSITIVE_INFINITY) {
      events.push({ time: transaction.completeTime, invoke: false, transaction });
    }
  }
  events.sort((left, right) => left.time - right.time || Number(right.invoke) - Number(left.invoke));
  const frontier = new Set<number>();
  const followed = new Map<number, number[]>();
  for (const event of events) {
    const id = event.transaction.id;
    if (event.invoke) {
      const predecessors = [...frontier];
      followed.set(id, predecessors);
      for (const predecessor of predecessors) graph.add(predecessor, id, EdgeKind.realtime);
    } else {
      for (const predecessor of followed.get(id) ?? []) frontier.delete(predecessor);
      followed.delete(id);
      frontier.add(id);
    }
  }
}

/** Checks a transactional history (see the module comment). */
export function checkTransactions(history: TxnHistory, options: TxnCheckOptions): TxnCheckResult {
  const level = options.level ?? "strict-serializable";
  const { transactions } = history;
  const builder = new GraphBuilder(transactions.length);
  const reads =
    options.model === "list-append"
      ? analyzeListAppend(history, builder)
      : analyzeRwRegister(history, builder);
  const order = level === "strict-serializable";
  if (order) addOrderEdges(transactions, builder);
  const graph = builder.freeze();
  const describe = (from: number, to: number, kind: CycleStep["kind"]): string => {
    if (kind === "process")
      return `process ${describeProcess(transactions[from]!.process)} ran T${from}, then T${to}`;
    if (kind === "realtime") return `T${from} completed before T${to} was invoked`;
    const reason = graph.reasonOf(from, to, EdgeKind[kind]);
    const key = reason?.key ?? "?";
    const value =
      reason?.value === null || reason?.value === undefined
        ? ""
        : ` ${describeTxnValue(reason.value as Scalar | readonly Scalar[])}`;
    if (kind === "ww") return `T${to} wrote key ${key}${value} after T${from}'s version`;
    if (kind === "wr") return `T${to} read key ${key}${value} as T${from} wrote it`;
    return `T${from} read a version of key ${key} that T${to} overwrote${value === "" ? "" : ` (with${value})`}`;
  };
  const deadline =
    options.timeoutMs !== undefined && options.now !== undefined
      ? options.now() + options.timeoutMs
      : undefined;
  const search = findCycles(graph, {
    order,
    describe,
    ...(options.workMax === undefined ? {} : { workMax: options.workMax }),
    ...(deadline === undefined ? {} : { deadline, now: options.now! }),
  });
  const prohibited = prohibitedAnomalies[level];
  const found = new Set<AnomalyName>([
    ...reads.map((anomaly) => anomaly.name),
    ...search.anomalies.map((anomaly) => anomaly.name),
  ]);
  const anomalies = [...found].filter((name) => prohibited.has(name)).sort();
  const allowedAnomalies = [...found].filter((name) => !prohibited.has(name)).sort();
  const result = anomalies.length > 0 ? "invalid" : search.complete ? "valid" : "unknown";
  return {
    result,
    model: options.model,
    level,
    transactions: transactions.length,
    anomalies,
    allowedAnomalies,
    cycles: search.anomalies,
    reads: reads.slice(0, readAnomaliesMax),
    edges: graph.edgeCount,
    components: search.components,
    ...(result === "unknown" ? { unknownReason: "the cycle search ran out of its budget" } : {}),
  };
}
