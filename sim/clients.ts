/**
 * Simulated clients and the workload that drives them.
 *
 * Each client is a Jepsen-style process: it has at most one operation pending. It sends the
 * operation to a node, follows `redirect` replies (to the named leader, or to the next node),
 * retries on an attempt timeout with the same request id (so a server with client sessions can
 * execute it exactly once), and gives up when the operation's deadline passes. Every operation
 * is recorded as `invoke` and then `ok`, `fail` or `info` (indeterminate: the client cannot know
 * whether it took effect) in the history and the trace.
 */
import type { HistoryEvent } from "./history.js";
import type {
  ClientEndpoint,
  ClientReplyMessage,
  ClientRequestMessage,
  Kernel,
  Scheduled,
} from "./kernel.js";
import type { ClientReply, ClientRequest, NodeId } from "./node.js";
import type { Rng } from "./random.js";

export interface WorkloadSpec {
  readonly clients: number;
  /** Operations per simulated second, all clients together. */
  readonly ratePerSecond: number;
  /** Operation function → weight. */
  readonly mix: Readonly<Record<string, number>>;
  readonly keys: readonly string[];
  readonly startUs: number;
  /** No new operation starts at or after this time. */
  readonly stopUs: number;
  /** An operation unanswered this long is recorded `info`. */
  readonly timeoutUs: number;
  /** How long one attempt waits for a reply before retrying at another node. */
  readonly attemptTimeoutUs: number;
}

/** One operation to issue. */
export interface OperationSpec {
  readonly f: string;
  readonly key: string | null;
  readonly value: unknown;
  /** Node to send it to first; default: the client's current guess of the leader. */
  readonly node?: NodeId;
  /** Overrides the workload's operation timeout. */
  readonly timeoutUs?: number;
  /** When false, the operation goes only to `node`: no redirects, no retries elsewhere. */
  readonly follow?: boolean;
}

interface Pending {
  readonly request: ClientRequest;
  readonly deadlineUs: number;
  readonly follow: boolean;
  attempt: number;
  target: NodeId;
  /**
   * The current attempt's timer: it retries, or at the deadline gives up. It is due at the
   * attempt timeout or the deadline, whichever comes first, and cancelled when no longer needed.
   */
  timer: Scheduled | undefined;
}

/** The shared record of all clients' operations. */
export class HistoryLog {
  readonly events: HistoryEvent[] = [];

  constructor(private readonly kernel: Kernel) {}

  /**
   * Records an event of `client`, made now (`timeUs` is the current time). The history and the
   * trace keep the event object itself, so it must not change afterwards: a client records two
   * events per operation, and copying each into a new object (with its error spread in) was
   * 1.6 MB of the 49 MB a traced run of Raft's kv bench allocated (bench/raft.ts).
   */
  record(client: string, event: HistoryEvent): void {
    this.events.push(event);
    const trace = this.kernel.trace;
    if (trace.enabled) {
      trace.clientEvent(
        event.type,
        { t: event.timeUs, e: this.kernel.events, node: trace.symbol(client) },
        event,
      );
    }
  }
}

/** What a client tells when it becomes idle. */
export interface IdleListener {
  clientIdle(client: SimulatedClient): void;
}

/** What a simulated client is made of. */
export interface SimulatedClientOptions {
  /** Its name: its lane in reports and the address replies come back to. */
  readonly name: string;
  /** Its process number in the history (1, 2, …). */
  readonly process: number;
  readonly kernel: Kernel;
  readonly history: HistoryLog;
  /** The client's own random stream; it picks the first node the client asks. */
  readonly random: Rng;
  /** Timeouts for operations that do not set their own. */
  readonly defaults: { timeoutUs: number; attemptTimeoutUs: number };
}

export class SimulatedClient implements ClientEndpoint {
  readonly name: string;
  readonly process: number;
  private readonly kernel: Kernel;
  private readonly history: HistoryLog;
  private readonly defaults: { timeoutUs: number; attemptTimeoutUs: number };
  private pending: Pending | undefined;
  private seq = 0;
  private leaderGuess: NodeId;
  /**
   * Told when the client becomes idle again. An object with a method, not a closure: V8 keeps a
   * function stored into an existing field reachable from the class's hidden class until a full
   * collection, and with it the whole finished run.
   */
  idleListener: IdleListener | undefined;

  constructor(options: SimulatedClientOptions) {
    this.name = options.name;
    this.process = options.process;
    this.kernel = options.kernel;
    this.history = options.history;
    this.defaults = options.defaults;
    this.leaderGuess = options.random.pick(options.kernel.nodeIds);
    options.kernel.attachClient(options.name, this);
  }

  get busy(): boolean {
    return this.pending !== undefined;
  }

  /** Starts an operation now; the client must be idle. */
  invoke(operation: OperationSpec): void {
    if (this.pending !== undefined) throw new Error(`client ${this.name} already has an operation pending`);
    const seq = ++this.seq;
    const request: ClientRequest = {
      id: `${this.name}:${seq}`,
      client: this.name,
      seq,
      f: operation.f,
      key: operation.key,
      value: operation.value,
    };
    const target = operation.node ?? this.leaderGuess;
    const pending: Pending = {
      request,
      deadlineUs: this.kernel.timeUs + (operation.timeoutUs ?? this.defaults.timeoutUs),
      follow: operation.follow ?? operation.node === undefined,
      attempt: 0,
      target,
      timer: undefined,
    };
    this.pending = pending;
    this.history.record(this.name, {
      type: "invoke",
      process: this.process,
      f: operation.f,
      key: operation.key,
      value: operation.value,
      timeUs: this.kernel.timeUs,
    });
    this.attempt(pending, target);
  }

  private attempt(pending: Pending, target: NodeId): void {
    pending.target = target;
    pending.attempt++;
    const message: ClientRequestMessage = { type: "client-request", request: pending.request };
    this.kernel.sendFromClient(this.name, target, message);
    if (pending.timer !== undefined) this.kernel.cancel(pending.timer);
    const dueUs = Math.min(this.kernel.timeUs + this.defaults.attemptTimeoutUs, pending.deadlineUs);
    // Cancelled when the operation ends or another attempt starts, so it runs only for this one.
    pending.timer = this.kernel.schedule(
      dueUs,
      () => {
        if (this.kernel.timeUs >= pending.deadlineUs) {
          this.finish(pending, "info", null, "timeout");
          return;
        }
        if (!pending.follow) {
          this.attempt(pending, pending.target);
          return;
        }
        this.attempt(pending, this.nextNode(pending.target));
      },
      this.name,
    );
  }

  receive(from: NodeId, message: ClientReplyMessage): void {
    const pending = this.pending;
    if (pending === undefined || message.requestId !== pending.request.id) return;
    const reply: ClientReply = message.reply;
    switch (reply.status) {
      case "ok":
        this.leaderGuess = from;
        this.finish(pending, "ok", reply.value ?? pending.request.value);
        return;
      case "fail":
        this.finish(pending, "fail", null, reply.error);
        return;
      case "redirect": {
        if (!pending.follow) return;
        const next = reply.leader !== undefined && reply.leader !== from ? reply.leader : this.nextNode(from);
        this.leaderGuess = next;
        // Back off a little before retrying so a leaderless cluster is not flooded.
        const delayUs = reply.leader === undefined ? 10_000 : 0;
        const attempt = pending.attempt;
        this.kernel.schedule(
          this.kernel.timeUs + delayUs,
          () => {
            if (this.pending === pending && pending.attempt === attempt) this.attempt(pending, next);
          },
          this.name,
        );
        return;
      }
    }
  }

  private finish(pending: Pending, type: "ok" | "fail" | "info", value: unknown, error?: string): void {
    this.pending = undefined;
    if (pending.timer !== undefined) this.kernel.cancel(pending.timer);
    const request = pending.request;
    const event: HistoryEvent = {
      type,
      process: this.process,
      f: request.f,
      key: request.key,
      value,
      timeUs: this.kernel.timeUs,
    };
    this.history.record(this.name, error === undefined ? event : { ...event, error });
    this.idleListener?.clientIdle(this);
  }

  private nextNode(after: NodeId): NodeId {
    const nodes = this.kernel.nodeIds;
    const index = nodes.indexOf(after);
    return nodes[(index + 1) % nodes.length] as NodeId;
  }
}

/**
 * Drives clients with a random operation mix: each client thinks for an exponentially
 * distributed time (so the clients together issue about `ratePerSecond` operations), then issues
 * one operation and waits for it to end.
 */
export class Workload implements IdleListener {
  private nextValue = 1;
  private readonly mixEntries: ReadonlyArray<readonly [string, number]>;
  private readonly mixTotal: number;
  private readonly written: unknown[] = [];

  /**
   * `reservedAppends`: the numbers scripted transactions append, by key (`scriptedAppends`). The
   * workload appends none of them to that key, so every appended element stays unique per key,
   * as the transactional checker needs.
   */
  constructor(
    private readonly spec: WorkloadSpec,
    private readonly kernel: Kernel,
    private readonly clients: readonly SimulatedClient[],
    private readonly random: Rng,
    private readonly reservedAppends: ReadonlyMap<string, ReadonlySet<number>> = new Map(),
  ) {
    this.mixEntries = Object.entries(spec.mix)
      .filter(([, weight]) => weight > 0)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    this.mixTotal = this.mixEntries.reduce((sum, [, weight]) => sum + weight, 0);
  }

  start(): void {
    if (this.mixTotal <= 0 || this.spec.ratePerSecond <= 0 || this.clients.length === 0) return;
    for (const client of this.clients) {
      client.idleListener = this;
      this.kernel.schedule(this.spec.startUs + this.thinkUs(), () => this.issue(client));
    }
  }

  private thinkUs(): number {
    const meanUs = (1_000_000 * this.clients.length) / this.spec.ratePerSecond;
    return Math.max(1, Math.round(this.random.exponential(meanUs)));
  }

  clientIdle(client: SimulatedClient): void {
    this.kernel.schedule(this.kernel.timeUs + this.thinkUs(), () => this.issue(client));
  }

  private issue(client: SimulatedClient): void {
    if (this.kernel.timeUs >= this.spec.stopUs || client.busy) return;
    client.invoke(this.nextOperation());
  }

  /** Picks the next operation: unique values for writes, so histories are easy to check. */
  private nextOperation(): OperationSpec {
    let pick = this.random.next() * this.mixTotal;
    let f = (this.mixEntries[0] as readonly [string, number])[0];
    for (const [name, weight] of this.mixEntries) {
      if (pick < weight) {
        f = name;
        break;
      }
      pick -= weight;
    }
    const key = this.spec.keys.length === 0 ? null : this.random.pick(this.spec.keys);
    switch (f) {
      case "write":
      case "put": {
        const value = this.nextValue++;
        this.remember(value);
        return { f, key, value };
      }
      case "append":
        return { f, key, value: `${this.nextValue++};` };
      case "txn":
        return { f, key: null, value: this.nextTransaction() };
      case "cas": {
        const expected = this.written.length === 0 ? null : this.random.pick(this.written);
        const value = this.nextValue++;
        this.remember(value);
        return { f, key, value: [expected, value] };
      }
      default:
        return { f, key, value: null };
    }
  }

  /**
   * A list-append transaction (Elle's workload): one to three micro-operations on random keys,
   * each a read (`["r", key, null]`) or an append of a value unique in the run.
   */
  private nextTransaction(): [string, string, number | null][] {
    const count = 1 + Math.floor(this.random.next() * 3);
    const ops: [string, string, number | null][] = [];
    for (let at = 0; at < count; at++) {
      const key = this.spec.keys.length === 0 ? "x" : this.random.pick(this.spec.keys);
      ops.push(this.random.next() < 0.5 ? ["r", key, null] : ["append", key, this.nextAppend(key)]);
    }
    return ops;
  }

  /** The next value unique in the run that no scripted transaction appends to `key`. */
  private nextAppend(key: string): number {
    const reserved = this.reservedAppends.get(key);
    while (reserved?.has(this.nextValue) === true) this.nextValue++;
    return this.nextValue++;
  }

  private remember(value: unknown): void {
    this.written.push(value);
    if (this.written.length > 4) this.written.shift();
  }
}

/**
 * The numbers that scripted `txn` operations append, by key: `["append", key, n]` among their
 * micro-operations. A workload running beside them appends none of these to the same key.
 */
export function scriptedAppends(
  operations: readonly { readonly f: string; readonly value?: unknown }[],
): Map<string, Set<number>> {
  const byKey = new Map<string, Set<number>>();
  for (const operation of operations) {
    if (operation.f !== "txn" || !Array.isArray(operation.value)) continue;
    for (const micro of operation.value as unknown[]) {
      if (!Array.isArray(micro) || micro[0] !== "append") continue;
      const [, key, value] = micro as unknown[];
      if (typeof key !== "string" || typeof value !== "number") continue;
      let values = byKey.get(key);
      if (values === undefined) {
        values = new Set();
        byKey.set(key, values);
      }
      values.add(value);
    }
  }
  return byKey;
}
