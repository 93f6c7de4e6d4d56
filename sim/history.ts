/**
 * Client histories, Jepsen-style.
 *
 * Every client operation is recorded as an `invoke` event followed by exactly one completion:
 * `ok` (it took effect, with its result), `fail` (it definitely did NOT take effect) or `info`
 * (indeterminate: it may have taken effect at any point after its invocation, or never).
 * An operation with no completion at the end of a history is treated as `info`.
 *
 * Value conventions shared by the simulator and the checker's native JSON format:
 * - `read`/`get`: invoke value `null`; `ok` value is the value read, `null` when the key is absent.
 * - `write`/`put`: invoke and `ok` value are the value written (a reader that finds an `ok` value
 *   other than its invocation's takes the `ok` value: it is what the operation did).
 * - `append`: invoke and `ok` value are the string appended.
 * - `cas`: invoke value `[expected, next]`; `ok` value `true` when it swapped and `false` when it
 *   observed a different value (it still happened and constrains the state); `fail` means it did
 *   not take effect at all.
 */

/** How an operation ended (or `invoke` for its start). */
export type HistoryEventType = "invoke" | "ok" | "fail" | "info";

/** One line of a client history. */
export interface HistoryEvent {
  readonly type: HistoryEventType;
  /** The client (process) that issued the operation; a process has at most one pending operation. */
  readonly process: number;
  /** The operation's function: read, write, cas, get, put, append, acquire, release, ... */
  readonly f: string;
  /** The key the operation touches; `null` for single-register histories. */
  readonly key: string | null;
  /** Input on `invoke`, result on `ok`; see the module comment for each function. */
  readonly value: unknown;
  /** Virtual (or real) time of the event in microseconds; histories are ordered by it. */
  readonly timeUs: number;
  /** Optional free-form error text on `fail`/`info` (for example `timeout`, `not-leader`). */
  readonly error?: string;
  /**
   * Optional position of the event in the file it was read from (0-based, counting every entry of
   * the file, including ones the checker ignores). Explanations name operations by it.
   */
  readonly index?: number;
}

/** An operation: an invocation paired with its completion. */
export interface Operation {
  /** Position of the operation in invocation order, starting at 0. */
  readonly id: number;
  readonly process: number;
  readonly f: string;
  readonly key: string | null;
  readonly input: unknown;
  /** The result for `ok` operations; `undefined` for `info` ones. */
  readonly output: unknown;
  readonly status: "ok" | "fail" | "info";
  readonly callUs: number;
  /** Completion time; `Infinity` for indeterminate operations, which may take effect any time later. */
  readonly returnUs: number;
  /** The invocation's `index`, or its position in the events given to `pairOperations`. */
  readonly callIndex?: number;
  /** The completion's `index` (or position); absent when the operation never completed. */
  readonly returnIndex?: number;
}

/**
 * Pairs invocations with completions. Events must be in time order; each process has at most one
 * pending operation. Throws on a completion without a pending invocation.
 */
export function pairOperations(events: readonly HistoryEvent[]): Operation[] {
  const pending = new Map<number, { id: number; event: HistoryEvent; position: number }>();
  const operations: Array<Operation | undefined> = [];
  for (let position = 0; position < events.length; position++) {
    const event = events[position]!;
    if (event.type === "invoke") {
      if (pending.has(event.process)) {
        throw new Error(`process ${event.process} invoked ${event.f} while another operation was pending`);
      }
      const id = operations.length;
      operations.push(undefined);
      pending.set(event.process, { id, event, position });
      continue;
    }
    const start = pending.get(event.process);
    if (start === undefined) {
      throw new Error(`process ${event.process} completed ${event.f} with no pending invocation`);
    }
    pending.delete(event.process);
    operations[start.id] = {
      id: start.id,
      process: event.process,
      f: start.event.f,
      key: start.event.key,
      input: start.event.value,
      output: event.type === "ok" ? event.value : undefined,
      status: event.type,
      callUs: start.event.timeUs,
      returnUs: event.type === "info" ? Number.POSITIVE_INFINITY : event.timeUs,
      callIndex: start.event.index ?? start.position,
      returnIndex: event.index ?? position,
    };
  }
  for (const { id, event, position } of pending.values()) {
    operations[id] = {
      id,
      process: event.process,
      f: event.f,
      key: event.key,
      input: event.value,
      output: undefined,
      status: "info",
      callUs: event.timeUs,
      returnUs: Number.POSITIVE_INFINITY,
      callIndex: event.index ?? position,
    };
  }
  return operations as Operation[];
}

/**
 * The events with their times made strictly increasing in the order they were recorded: an
 * event at or before the previous one's time is placed 1 µs after it. Under an explicit schedule
 * (`schedule:`, exploration) several steps may run at one virtual time (a message arrives at the
 * current time), and the order of the steps is the order things happened: checked by time alone,
 * an operation that ended one step before another began would count as concurrent with it. The
 * checker then orders invocations and completions as the steps did.
 */
export function inStepOrder(events: readonly HistoryEvent[]): HistoryEvent[] {
  const out: HistoryEvent[] = [];
  let last = Number.NEGATIVE_INFINITY;
  for (const event of events) {
    const timeUs = event.timeUs > last ? event.timeUs : last + 1;
    out.push(timeUs === event.timeUs ? event : { ...event, timeUs });
    last = timeUs;
  }
  return out;
}
