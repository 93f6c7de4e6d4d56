/**
 * The key-value state machine the primary and the backup both hold, with client sessions for
 * exactly-once execution. Value conventions follow sim/history.ts: `read`/`get` → the value or null;
 * `write`/`put` store; `append` concatenates a string; `cas` takes `[expected, next]` and returns
 * whether it swapped. A client has at most one operation outstanding, so a session remembers the
 * last sequence number executed and its result: a command that reaches the log twice (a retry
 * through a new primary) takes effect once.
 */
import type { Operation as OperationCommand } from "./messages.js";

const functions = new Set(["read", "get", "write", "put", "append", "cas"]);

export function isKvFunction(f: string): boolean {
  return functions.has(f);
}

/** A serializable copy of the store and its sessions. */
export interface KvSnapshot {
  readonly data: ReadonlyArray<readonly [string | null, unknown]>;
  readonly sessions: ReadonlyArray<readonly [string, number, unknown]>;
}

interface Session {
  readonly seq: number;
  readonly result: unknown;
}

function sameValue(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (typeof left !== "object" || typeof right !== "object" || left === null || right === null) return false;
  return JSON.stringify(left) === JSON.stringify(right);
}

export class KvStateMachine {
  private readonly data = new Map<string | null, unknown>();
  private readonly sessions = new Map<string, Session>();

  /** A copy of the data and sessions, for state transfer. */
  snapshot(): KvSnapshot {
    return {
      data: [...this.data.entries()],
      sessions: [...this.sessions.entries()].map(([client, session]) => [
        client,
        session.seq,
        session.result,
      ]),
    };
  }

  /** Replaces everything with a transferred snapshot. */
  restore(snapshot: KvSnapshot): void {
    this.data.clear();
    this.sessions.clear();
    for (const [key, value] of snapshot.data) this.data.set(key, value);
    for (const [client, seq, result] of snapshot.sessions) this.sessions.set(client, { seq, result });
  }

  /** The current value of `key` (null when absent), for reads served locally. */
  read(key: string | null): unknown {
    return this.data.has(key) ? this.data.get(key) : null;
  }

  /** Whether the session of `client` has reached `seq` (the operation was executed). */
  hasReached(client: string, seq: number): boolean {
    return (this.sessions.get(client)?.seq ?? 0) >= seq;
  }

  /** The result of (client, seq) if it was already executed. */
  resultOf(client: string, seq: number): { value: unknown } | undefined {
    const session = this.sessions.get(client);
    return session !== undefined && session.seq === seq ? { value: session.result } : undefined;
  }

  /**
   * Executes a command unless its session already executed it. Returns whether it took effect
   * now and the result to reply with (undefined for an older, abandoned duplicate).
   */
  execute(command: OperationCommand): { effective: boolean; result: unknown } {
    const session = this.sessions.get(command.client);
    if (session !== undefined && command.seq <= session.seq) {
      return { effective: false, result: command.seq === session.seq ? session.result : undefined };
    }
    const result = this.apply(command);
    this.sessions.set(command.client, { seq: command.seq, result });
    return { effective: true, result };
  }

  private apply(command: OperationCommand): unknown {
    const { f, key, value } = command;
    const current = this.data.has(key) ? this.data.get(key) : null;
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
