/**
 * Random list-append histories that are strictly serializable by construction, for tests and the
 * benchmark: processes run transactions against one in-memory store, and each transaction takes
 * effect atomically at an instant between its invocation and its completion; instants interleave
 * at random, so transactions overlap at random. As in Jepsen's list-append workload, a key is
 * retired after `appendsPerKeyMax` appends and a fresh key takes its place, which keeps lists (and
 * so the history) short. Randomness comes from the `random` function the caller passes.
 */
import type { MicroOp, Transaction, TxnHistory } from "./history.js";

/** Options of `generateListAppend`. */
export interface GenerateListAppendOptions {
  readonly transactions: number;
  /** Processes running at once; default 10. */
  readonly processes?: number;
  /** Keys in use at any time; default 8. */
  readonly keysActive?: number;
  /** Appends a key receives before it is retired; default 32. */
  readonly appendsPerKeyMax?: number;
  /** Micro-operations per transaction, 1 to this; default 4. */
  readonly opsPerTransactionMax?: number;
  /** Chance that a transaction ends `info` (it took effect, the client did not hear); default 0. */
  readonly infoProbability?: number;
  /** Uniform numbers in [0, 1). */
  readonly random: () => number;
}

interface Running {
  readonly id: number;
  readonly process: number;
  readonly invokeTime: number;
  readonly planned: readonly MicroOp[];
  done?: readonly MicroOp[];
}

/** Generates a strictly serializable list-append history. */
export function generateListAppend(options: GenerateListAppendOptions): TxnHistory {
  const { random } = options;
  const processCount = options.processes ?? 10;
  const keysActive = options.keysActive ?? 8;
  const appendsPerKeyMax = options.appendsPerKeyMax ?? 32;
  const opsMax = options.opsPerTransactionMax ?? 4;
  const infoProbability = options.infoProbability ?? 0;
  const pick = (count: number): number => Math.floor(random() * count);
  const lists = new Map<string, number[]>();
  const appendsPlanned = new Map<string, number>();
  const active: string[] = [];
  let nextKey = 0;
  for (let slot = 0; slot < keysActive; slot++) active.push(String(nextKey++));
  let nextElement = 1;
  const transactions: Transaction[] = [];
  const running: (Running | undefined)[] = new Array(processCount).fill(undefined);
  let invoked = 0;
  let time = 0;
  let nextProcess = processCount;
  const processOf: number[] = [];
  for (let slot = 0; slot < processCount; slot++) processOf.push(slot);

  const plan = (): MicroOp[] => {
    const ops: MicroOp[] = [];
    const count = 1 + pick(opsMax);
    for (let at = 0; at < count; at++) {
      const slot = pick(active.length);
      const key = active[slot]!;
      if (random() < 0.5) ops.push({ f: "r", key, value: null });
      else {
        ops.push({ f: "append", key, value: nextElement++ });
        const planned = (appendsPlanned.get(key) ?? 0) + 1;
        appendsPlanned.set(key, planned);
        if (planned >= appendsPerKeyMax) active[slot] = String(nextKey++);
      }
    }
    return ops;
  };

  const apply = (ops: readonly MicroOp[]): MicroOp[] =>
    ops.map((op) => {
      let list = lists.get(op.key);
      if (list === undefined) lists.set(op.key, (list = []));
      if (op.f === "append") {
        list.push(op.value as number);
        return op;
      }
      return { f: "r", key: op.key, value: [...list] };
    });

  const pending: Transaction[] = [];
  while (invoked < options.transactions || running.some((entry) => entry !== undefined)) {
    const slot = pick(processCount);
    const current = running[slot];
    time++;
    if (current === undefined) {
      if (invoked >= options.transactions) continue;
      running[slot] = { id: invoked++, process: processOf[slot]!, invokeTime: time, planned: plan() };
    } else if (current.done === undefined) {
      current.done = apply(current.planned);
    } else {
      const info = random() < infoProbability;
      pending.push({
        id: current.id,
        process: current.process,
        status: info ? "info" : "ok",
        ops: info ? current.planned : current.done,
        invokeTime: current.invokeTime,
        completeTime: info ? Number.POSITIVE_INFINITY : time,
      });
      running[slot] = undefined;
      // Jepsen retires a process whose transaction ended indeterminate.
      if (info) processOf[slot] = nextProcess++;
    }
  }
  for (const transaction of pending) transactions[transaction.id] = transaction;
  return { format: "json", model: "list-append", transactions };
}

/** The history as quorumlab's JSON form (docs/history-format.md), for files and the CLI. */
export function listAppendToJson(history: TxnHistory): string {
  const events: { time: number; text: string }[] = [];
  const triple = (op: MicroOp): unknown[] => [op.f, op.key, op.value];
  for (const transaction of history.transactions) {
    const base = { process: transaction.process, f: "txn" };
    events.push({
      time: transaction.invokeTime,
      text: JSON.stringify({
        type: "invoke",
        ...base,
        value: transaction.ops.map((op) => triple(op.f === "r" ? { ...op, value: null } : op)),
        timeUs: transaction.invokeTime,
      }),
    });
    if (transaction.completeTime !== Number.POSITIVE_INFINITY) {
      events.push({
        time: transaction.completeTime,
        text: JSON.stringify({
          type: transaction.status,
          ...base,
          value: transaction.ops.map(triple),
          timeUs: transaction.completeTime,
        }),
      });
    }
  }
  events.sort((left, right) => left.time - right.time);
  return `${events.map((event) => event.text).join("\n")}\n`;
}
