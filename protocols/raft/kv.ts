/**
 * The key-value state machine that Raft replicates, with client sessions (thesis §6.3).
 *
 * Operations follow the value conventions of sim/history.ts: `read`/`get` return the value or
 * null, `write`/`put` store a value, `append` concatenates a string, `cas` takes
 * `[expected, next]` and returns whether it swapped. Each client has at most one operation
 * outstanding, so a session remembers the last sequence number applied and its result: a retried
 * command (same client and seq) that reaches the log twice is executed once and answered with the
 * remembered result, which makes retries exactly-once.
 */
import type { KvCommand } from "./messages.js";

/** What applying an operation produced: the value for an `ok` reply, or an error. */
export type KvResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: string };

interface Session {
  readonly seq: number;
  readonly result: KvResult;
}

/** A serializable copy of the state machine and its sessions. */
export interface KvSnapshot {
  readonly data: ReadonlyArray<readonly [string | null, unknown]>;
  readonly sessions: ReadonlyArray<readonly [string, number, KvResult]>;
}

const readFunctions = new Set(["read", "get"]);
const writeFunctions = new Set(["write", "put", "append", "cas"]);

/** Whether `f` is an operation this state machine knows. */
export function isKvFunction(f: string): boolean {
  return readFunctions.has(f) || writeFunctions.has(f);
}

export function isReadFunction(f: string): boolean {
  return readFunctions.has(f);
}

function sameValue(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (typeof left !== "object" || typeof right !== "object" || left === null || right === null) return false;
  return JSON.stringify(left) === JSON.stringify(right);
}

export class KvStore {
  private readonly data = new Map<string | null, unknown>();
  private readonly sessions = new Map<string, Session>();

  /** The current value of `key`, null when absent (for reads served outside the log). */
  read(key: string | null): unknown {
    return this.data.has(key) ? this.data.get(key) : null;
  }

  /** The remembered result of (client, seq) if that operation was already applied. */
  resultOf(client: string, seq: number): KvResult | undefined {
    const session = this.sessions.get(client);
    return session !== undefined && session.seq === seq ? session.result : undefined;
  }

  /**
   * Applies a committed command once. A duplicate of the session's last command returns the
   * remembered result; an older one (the client has moved on) is ignored and returns undefined.
   */
  apply(command: KvCommand): KvResult | undefined {
    const session = this.sessions.get(command.client);
    if (session !== undefined && command.seq <= session.seq) {
      return command.seq === session.seq ? session.result : undefined;
    }
    const result = this.execute(command);
    this.sessions.set(command.client, { seq: command.seq, result });
    return result;
  }

  private execute(command: KvCommand): KvResult {
    const { f, key, value } = command;
    switch (f) {
      case "read":
      case "get":
        return { ok: true, value: this.read(key) };
      case "write":
      case "put":
        this.data.set(key, value);
        return { ok: true, value };
      case "append": {
        const current = this.read(key);
        this.data.set(key, `${current === null ? "" : String(current)}${String(value)}`);
        return { ok: true, value };
      }
      case "cas": {
        if (!Array.isArray(value) || value.length !== 2)
          return { ok: false, error: "cas needs [expected, next]" };
        const swapped = sameValue(this.read(key), value[0]);
        if (swapped) this.data.set(key, value[1]);
        return { ok: true, value: swapped };
      }
      default:
        return { ok: false, error: `unknown operation '${f}'` };
    }
  }

  snapshot(): KvSnapshot {
    return {
      data: [...this.data.entries()],
      sessions: [...this.sessions.entries()].map(
        ([client, session]) => [client, session.seq, session.result] as const,
      ),
    };
  }

  static restore(snapshot: KvSnapshot): KvStore {
    const store = new KvStore();
    for (const [key, value] of snapshot.data) store.data.set(key, value);
    for (const [client, seq, result] of snapshot.sessions) store.sessions.set(client, { seq, result });
    return store;
  }
}
