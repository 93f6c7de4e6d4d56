/**
 * The replicated key-value store with client sessions, for exactly-once execution: the data, one
 * session per client (the last sequence number executed and its result), snapshots of both, and
 * the value conventions of sim/history.ts.
 *
 * Used by multi-paxos (each replica applies chosen commands) and primary-backup (the primary and
 * the backup both hold one), which use `KvStateMachine` as it is, and by raft, whose `KvStore`
 * (raft/kv.ts) builds on `SessionKvStore` with its own result type.
 *
 * A client has at most one operation outstanding, so a session only remembers the last sequence
 * number executed and its result: a command that reaches the log twice (a retry through a new
 * leader or primary) takes effect once, and a duplicate is answered with the remembered result.
 */

/** One client operation, as the store executes it. */
export interface KvOperation {
  readonly client: string;
  readonly seq: number;
  /** `read`/`get`, `write`/`put`, `append` or `cas`. */
  readonly f: string;
  readonly key: string | null;
  readonly value: unknown;
}

/** A serializable copy of the store and its sessions, for state transfer and snapshots. */
export interface KvSnapshot<Result = unknown> {
  readonly data: ReadonlyArray<readonly [string | null, unknown]>;
  readonly sessions: ReadonlyArray<readonly [string, number, Result]>;
}

const readFunctions = new Set(["read", "get"]);
const writeFunctions = new Set(["write", "put", "append", "cas"]);

/** Whether `f` is an operation the store knows. */
export function isKvFunction(f: string): boolean {
  return readFunctions.has(f) || writeFunctions.has(f);
}

/** Whether `f` only reads. */
export function isReadFunction(f: string): boolean {
  return readFunctions.has(f);
}

/** Equality of stored values for `cas`: identical, or equal as JSON when both are objects. */
export function sameValue(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (typeof left !== "object" || typeof right !== "object" || left === null || right === null) return false;
  return JSON.stringify(left) === JSON.stringify(right);
}

interface Session<Result> {
  readonly seq: number;
  readonly result: Result;
}

/**
 * The data and the sessions; a subclass says what executing one operation does and returns
 * (`Result`), and this class makes it take effect once per (client, seq).
 */
export abstract class SessionKvStore<Result> {
  protected readonly data = new Map<string | null, unknown>();
  private readonly sessions = new Map<string, Session<Result>>();

  /** Executes one operation on the data, ignoring sessions. */
  protected abstract executeOperation(operation: KvOperation): Result;

  /** The current value of `key`, null when absent (for reads served outside the log). */
  read(key: string | null): unknown {
    return this.data.has(key) ? this.data.get(key) : null;
  }

  /** Whether the session of `client` has reached `seq` (the operation was executed). */
  hasReached(client: string, seq: number): boolean {
    return (this.sessions.get(client)?.seq ?? 0) >= seq;
  }

  /** The session of `client` if its last executed operation is `seq`. */
  protected sessionAt(client: string, seq: number): Session<Result> | undefined {
    const session = this.sessions.get(client);
    return session !== undefined && session.seq === seq ? session : undefined;
  }

  /**
   * Executes an operation unless its session already executed it. Returns whether it took effect
   * now and the result to reply with: the remembered one for a duplicate of the session's last
   * operation, undefined for an older, abandoned duplicate.
   */
  protected executeOnce(operation: KvOperation): { effective: boolean; result: Result | undefined } {
    const session = this.sessions.get(operation.client);
    if (session !== undefined && operation.seq <= session.seq) {
      return { effective: false, result: operation.seq === session.seq ? session.result : undefined };
    }
    return { effective: true, result: this.executeAlways(operation) };
  }

  /** Executes an operation even if its session already did, and remembers its result. */
  protected executeAlways(operation: KvOperation): Result {
    const result = this.executeOperation(operation);
    this.sessions.set(operation.client, { seq: operation.seq, result });
    return result;
  }

  /** A copy of the data and sessions. */
  snapshot(): KvSnapshot<Result> {
    return {
      data: [...this.data.entries()],
      sessions: [...this.sessions.entries()].map(
        ([client, session]) => [client, session.seq, session.result] as const,
      ),
    };
  }

  /** Replaces everything with a snapshot. */
  restore(snapshot: KvSnapshot<Result>): void {
    this.data.clear();
    this.sessions.clear();
    for (const [key, value] of snapshot.data) this.data.set(key, value);
    for (const [client, seq, result] of snapshot.sessions) this.sessions.set(client, { seq, result });
  }
}

/**
 * The store of multi-paxos and primary-backup: results are plain values. `read`/`get` → the value
 * or null; `write`/`put` store and return the value; `append` concatenates a string and returns
 * the appended part; `cas` takes `[expected, next]` and returns whether it swapped; anything else
 * returns null.
 */
export class KvStateMachine extends SessionKvStore<unknown> {
  /** The result of (client, seq) if it was already executed. */
  resultOf(client: string, seq: number): { value: unknown } | undefined {
    const session = this.sessionAt(client, seq);
    return session === undefined ? undefined : { value: session.result };
  }

  /**
   * Executes a command unless its session already executed it. Returns whether it took effect
   * now and the result to reply with (undefined for an older, abandoned duplicate).
   */
  execute(command: KvOperation): { effective: boolean; result: unknown } {
    return this.executeOnce(command);
  }

  /** BUG(execute-duplicates): executes the command even if its session already did. */
  executeIgnoringSession(command: KvOperation): { effective: boolean; result: unknown } {
    return { effective: true, result: this.executeAlways(command) };
  }

  protected executeOperation(command: KvOperation): unknown {
    const { f, key, value } = command;
    const current = this.read(key);
    switch (f) {
      case "read":
      case "get":
        return current;
      case "write":
      case "put":
        this.data.set(key, value);
        return value;
      case "append": {
        const next = `${typeof current === "string" ? current : current === null ? "" : String(current)}${String(value)}`;
        this.data.set(key, next);
        return value;
      }
      case "cas": {
        const [expected, next] = Array.isArray(value) ? value : [undefined, undefined];
        if (!sameValue(current, expected)) return false;
        this.data.set(key, next);
        return true;
      }
      default:
        return null;
    }
  }
}
