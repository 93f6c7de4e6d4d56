/**
 * Benchmark of the transactional checker: seeded, strictly serializable list-append histories of
 * 100,000 transactions (10 processes, 1–4 micro-operations each, 8 keys in use, 32 appends per
 * key), checked at each consistency level, and one history with a real-time anomaly planted (so
 * the cycle search has a component to search). Figures: wall time of the check alone (history
 * generation excluded), its CPU time, the time to parse the same history from its JSON form, and
 * the process's peak resident memory, against the targets of 10 s and 1 GiB for 100,000
 * transactions (`met`: the slowest check plus the parse within 10 s, and the memory within 1 GiB).
 *
 * Run with `node dist/bench/txn.js` (or `npx tsx bench/txn.ts`); it prints one JSON object.
 */
import { performance } from "node:perf_hooks";
import seedrandom from "seedrandom";
import {
  type ConsistencyLevel,
  checkTransactions,
  consistencyLevels,
  generateListAppend,
  listAppendToJson,
  parseTxnHistory,
  type Transaction,
  type TxnHistory,
} from "../sim/check/txn/index.js";

const transactionCount = 100_000;
const targets = { wallMsMax: 10_000, rssBytesMax: 1024 ** 3 };

/** The history with one read, halfway through, made stale by one element: a planted anomaly. */
function plantStaleRead(history: TxnHistory): TxnHistory {
  const transactions = [...history.transactions];
  for (let id = transactions.length >> 1; id < transactions.length; id++) {
    const transaction = transactions[id]!;
    const at = transaction.ops.findIndex(
      (op) => op.f === "r" && Array.isArray(op.value) && op.value.length > 0,
    );
    if (at === -1) continue;
    const ops = [...transaction.ops];
    const read = ops[at]!;
    ops[at] = { ...read, value: (read.value as readonly number[]).slice(0, -1) };
    transactions[id] = { ...transaction, ops } satisfies Transaction;
    break;
  }
  return { ...history, transactions };
}

function measure(level: ConsistencyLevel, seed: string, planted = false): Record<string, unknown> {
  const generated = generateListAppend({ transactions: transactionCount, random: seedrandom(seed) });
  const history = planted ? plantStaleRead(generated) : generated;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const verdict = checkTransactions(history, { model: "list-append", level });
  const cpu = process.cpuUsage(cpuStart);
  const wallMs = performance.now() - start;
  return {
    level,
    seed,
    planted,
    transactions: verdict.transactions,
    result: verdict.result,
    anomalies: verdict.anomalies,
    edges: verdict.edges,
    wallMs: Math.round(wallMs),
    // CPU time of this process over the check: on a shared machine, wall time includes waiting.
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    transactionsPerSecond: Math.round((transactionCount / wallMs) * 1000),
  };
}

const runs = [
  ...consistencyLevels.map((level) => measure(level, "txn-bench-1")),
  measure("strict-serializable", "txn-bench-1", true),
];
const text = listAppendToJson(
  generateListAppend({ transactions: transactionCount, random: seedrandom("txn-bench-1") }),
);
const parseStart = performance.now();
parseTxnHistory(text);
const parseMs = Math.round(performance.now() - parseStart);
const rssBytesPeak = process.resourceUsage().maxRSS * 1024;
const slowestMs = Math.max(...runs.map((run) => run.wallMs as number));
process.stdout.write(
  `${JSON.stringify({
    listAppend: {
      transactions: transactionCount,
      runs,
      slowestMs,
      parseMs,
      fileBytes: text.length,
      rssBytesPeak,
      targets,
      met: slowestMs + parseMs <= targets.wallMsMax && rssBytesPeak <= targets.rssBytesMax,
    },
  })}\n`,
);
