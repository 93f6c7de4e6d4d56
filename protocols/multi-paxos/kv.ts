/**
 * The key-value state machine Multi-Paxos replicates, with client sessions for exactly-once
 * execution. Value conventions follow sim/history.ts: `read`/`get` → the value or null;
 * `write`/`put` store; `append` concatenates a string; `cas` takes `[expected, next]` and returns
 * whether it swapped. A client has at most one operation outstanding, so a session remembers the
 * last sequence number executed and its result: a command that reaches the log twice (a retry
 * through a new leader) takes effect once.
 */
import type { OperationCommand } from "./messages.js";

const functions = new Set(["read", "get", "write", "put", "append", "cas"]);

export function isKvFunction(f: string): boolean {
  return functions.has(f);
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

  /** BUG(execute-duplicates): executes the command even if its session already did. */
  executeIgnoringSession(command: OperationCommand): { effective: boolean; result: unknown } {
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
