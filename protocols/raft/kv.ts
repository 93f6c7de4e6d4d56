/**
 * The key-value state machine that Raft replicates, with client sessions (thesis §6.3).
 *
 * Operations follow the value conventions of sim/history.ts: `read`/`get` return the value or
 * null, `write`/`put` store a value, `append` concatenates a string, `cas` takes
 * `[expected, next]` and returns whether it swapped. Each client has at most one operation
 * outstanding, so a session remembers the last sequence number applied and its result: a retried
 * command (same client and seq) that reaches the log twice is executed once and answered with the
 * remembered result, which makes retries exactly-once.
 *
 * The data, the sessions and snapshots are the shared store's (shared/kv-store.ts); what is
 * Raft's own is the result of an operation, which carries an error for malformed operations.
 */
import {
  type KvOperation,
  type KvSnapshot as SessionKvSnapshot,
  SessionKvStore,
  sameValue,
} from "../shared/kv-store.js";

export { isKvFunction, isReadFunction } from "../shared/kv-store.js";

/** A client operation in the log, with its session identity (client, seq) for exactly-once. */
export interface KvCommand {
  readonly kind: "kv";
  /** `${client}:${seq}`, the same for every retry. */
  readonly id: string;
  readonly client: string;
  readonly seq: number;
  readonly f: string;
  readonly key: string | null;
  readonly value: unknown;
}

/** What applying an operation produced: the value for an `ok` reply, or an error. */
export type KvResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: string };

/** A serializable copy of the state machine and its sessions. */
export type KvSnapshot = SessionKvSnapshot<KvResult>;

export class KvStore extends SessionKvStore<KvResult> {
  /** The remembered result of (client, seq) if that operation was already applied. */
  resultOf(client: string, seq: number): KvResult | undefined {
    return this.sessionAt(client, seq)?.result;
  }

  /**
   * Applies a committed command once. A duplicate of the session's last command returns the
   * remembered result; an older one (the client has moved on) is ignored and returns undefined.
   */
  apply(command: KvCommand): KvResult | undefined {
    return this.executeOnce(command).result;
  }

  protected executeOperation(command: KvOperation): KvResult {
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

  static restore(snapshot: KvSnapshot): KvStore {
    const store = new KvStore();
    store.restore(snapshot);
    return store;
  }
}
