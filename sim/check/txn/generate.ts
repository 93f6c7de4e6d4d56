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
  const infoProbability = options.infoProbability ?? 0;
  const keys = new KeySpace({
    keysActive: options.keysActive ?? 8,
    appendsPerKeyMax: options.appendsPerKeyMax ?? 32,
    opsMax: options.opsPerTransactionMax ?? 4,
    random,
  });
  const store = new ListStore();
  const running: (Running | undefined)[] = new Array(processCount).fill(undefined);
  const processOf: number[] = [];
  for (let slot = 0; slot < processCount; slot++) processOf.push(slot);
  let nextProcess = processCount;
  let invoked = 0;
  let time = 0;
  const pending: Transaction[] = [];
  // Each tick, one process at random invokes, takes effect or completes.
  while (invoked < options.transactions || running.some((entry) => entry !== undefined)) {
    const slot = Math.floor(random() * processCount);
    const current = running[slot];
    time++;
    if (current === undefined) {
      if (invoked >= options.transactions) continue;
      running[slot] = { id: invoked++, process: processOf[slot]!, invokeTime: time, planned: keys.plan() };
    } else if (current.done === undefined) {
      current.done = store.apply(current.planned);
    } else {
      const info = random() < infoProbability;
      pending.push(completed(current, { info, time }));
      running[slot] = undefined;
      // Jepsen retires a process whose transaction ended indeterminate.
      if (info) processOf[slot] = nextProcess++;
    }
  }
  const transactions: Transaction[] = [];
  for (const transaction of pending) transactions[transaction.id] = transaction;
  return { format: "json", model: "list-append", transactions };
}

/** A running transaction as it completes at `time`: `ok` with what it did, or `info` with its plan. */
function completed(current: Running, { info, time }: { info: boolean; time: number }): Transaction {
  return {
    id: current.id,
    process: current.process,
    status: info ? "info" : "ok",
    ops: info ? current.planned : current.done!,
    invokeTime: current.invokeTime,
    completeTime: info ? Number.POSITIVE_INFINITY : time,
  };
}

/**
 * The keys in use and the next element to append: what a transaction's plan draws from. A key
 * is retired once `appendsPerKeyMax` appends to it are planned, and a fresh one takes its place.
 */
class KeySpace {
  private readonly active: string[] = [];
  private readonly appendsPlanned = new Map<string, number>();
  private nextKey = 0;
  private nextElement = 1;

  constructor(
    private readonly options: {
      readonly keysActive: number;
      readonly appendsPerKeyMax: number;
      readonly opsMax: number;
      readonly random: () => number;
    },
  ) {
    for (let slot = 0; slot < options.keysActive; slot++) this.active.push(String(this.nextKey++));
  }

  /** One to `opsMax` micro-operations, each a read or an append of a fresh element to an active key. */
  plan(): MicroOp[] {
    const { random, opsMax, appendsPerKeyMax } = this.options;
    const ops: MicroOp[] = [];
    const count = 1 + Math.floor(random() * opsMax);
    for (let at = 0; at < count; at++) {
      const slot = Math.floor(random() * this.active.length);
      const key = this.active[slot]!;
      if (random() < 0.5) ops.push({ f: "r", key, value: null });
      else {
        ops.push({ f: "append", key, value: this.nextElement++ });
        const planned = (this.appendsPlanned.get(key) ?? 0) + 1;
        this.appendsPlanned.set(key, planned);
        if (planned >= appendsPerKeyMax) this.active[slot] = String(this.nextKey++);
      }
    }
    return ops;
  }
}

/** The store transactions take effect on: one list per key. */
class ListStore {
  private readonly lists = new Map<string, number[]>();

  /** Applies `ops` atomically; returns them with each read's list filled in. */
  apply(ops: readonly MicroOp[]): MicroOp[] {
    return ops.map((op) => {
      let list = this.lists.get(op.key);
      if (list === undefined) this.lists.set(op.key, (list = []));
      if (op.f === "append") {
        list.push(op.value as number);
        return op;
      }
      return { f: "r", key: op.key, value: [...list] };
    });
  }
}

/** The history as quorumlab's JSON form (docs/history-format.md), for files and the CLI. */
export function listAppendToJson(history: TxnHistory): string {
  const events: { time: number; text: string }[] = [];
  // The generator's keys are integers' texts ("0", "1", …): written as the integers they are.
  const triple = (op: MicroOp): unknown[] => [op.f, Number(op.key), op.value];
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
