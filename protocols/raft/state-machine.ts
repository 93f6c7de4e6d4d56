/**
 * The state machine a Raft node replicates, as an interface (Raft §5.3, §7; thesis §6.3).
 *
 * Raft applies committed commands to it in log order on every server, asks it for the remembered
 * result of a client's retried command (sessions make retries exactly-once), reads from it to
 * answer ReadIndex and lease reads, and turns it into a snapshot and back for log compaction and
 * InstallSnapshot. `KvStore` (kv.ts) is the default and satisfies it as it is.
 *
 * An embedding protocol can pass its own factory to `RaftNode` (the third constructor argument):
 * it then proposes its commands as client writes through `onClientRequest`, and observes each one
 * as it is applied, with its log index, in `apply`. The sharded key-value store
 * (../sharded-kv/replica.ts) does exactly that.
 */
import { type KvCommand, type KvResult, type KvSnapshot, KvStore } from "./kv.js";

export interface ReplicatedStateMachine {
  /**
   * Applies the committed command at log index `index`, once per (client, seq): a duplicate of
   * the client's last command returns the remembered result; an older one returns undefined.
   */
  apply(command: KvCommand, index: number): KvResult | undefined;
  /** The remembered result of (client, seq), if that command was applied. */
  resultOf(client: string, seq: number): KvResult | undefined;
  /** The current value of `key` (null when absent), for reads served outside the log. */
  read(key: string | null): unknown;
  /** A plain-data copy of the whole state, sessions included; Raft treats it as opaque. */
  snapshot(): KvSnapshot;
}

/** Makes a replica's state machine: empty at start, or from a snapshot. */
export interface StateMachineFactory {
  create(): ReplicatedStateMachine;
  restore(snapshot: KvSnapshot): ReplicatedStateMachine;
}

/** The default: Raft's key-value store with client sessions. */
export const kvStateMachine: StateMachineFactory = {
  create: () => new KvStore(),
  restore: (snapshot) => KvStore.restore(snapshot),
};
