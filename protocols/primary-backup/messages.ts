/**
 * Primary-backup messages.
 *
 * View-service variant (MIT 6.824 Lab 2, 2015): servers `ping` the view service with the view
 * they have acknowledged; it answers with the current `view`.
 * Lease and timeout variants: the primary sends `heartbeat`s; the backup answers with a `grant`
 * (lease variant: a promise not to take over for a while).
 * All variants: the primary `forward`s each operation to the backup, which applies it and answers
 * `forward-reply` (or rejects it: "ErrWrongServer"); a new backup gets the whole state in a
 * `transfer` and confirms with `transfer-reply`; a node that needs state asks with `join`.
 */
import type { KvSnapshot } from "../shared/kv-store.js";

/** A client operation as the servers pass it around. */
export interface Operation {
  readonly client: string;
  readonly seq: number;
  readonly f: string;
  readonly key: string | null;
  readonly value: unknown;
}

export interface View {
  readonly viewnum: number;
  readonly primary: string | null;
  readonly backup: string | null;
}

export interface Ping {
  readonly type: "ping";
  /** The latest view this server has acknowledged (0 after a restart: it has no state). */
  readonly viewnum: number;
}

export interface ViewReply {
  readonly type: "view";
  readonly view: View;
}

export interface Heartbeat {
  readonly type: "heartbeat";
  readonly view: number;
  /** The primary's local clock when it sent this (echoed in the grant). */
  readonly sentUs: number;
}

export interface Grant {
  readonly type: "grant";
  readonly view: number;
  readonly sentUs: number;
  /** The backup has the primary's state for this view. */
  readonly synced: boolean;
}

/**
 * Forwards, transfers and their replies carry the primary's `incarnation` in the view: a primary
 * that restarts within the same view (lease and timeout variants keep their state durably) starts
 * a new one, so that its backup and it itself can tell its indices and transfers from those of
 * its run before the crash.
 */
export interface Forward {
  readonly type: "forward";
  readonly view: number;
  readonly incarnation: number;
  /** Position of the operation in the primary's order for this view, from 1. */
  readonly index: number;
  readonly operation: Operation;
}

export interface ForwardReply {
  readonly type: "forward-reply";
  readonly view: number;
  /** The incarnation of the forward answered. */
  readonly incarnation: number;
  readonly index: number;
  readonly ok: boolean;
}

export interface Transfer {
  readonly type: "transfer";
  readonly view: number;
  readonly incarnation: number;
  readonly state: KvSnapshot;
  /** Forwards of this view continue after this index. */
  readonly index: number;
}

export interface TransferReply {
  readonly type: "transfer-reply";
  readonly view: number;
  readonly incarnation: number;
  /**
   * The `index` of the transfer installed: within one view a primary may transfer several times
   * (after a resync), and only the answer to its latest transfer says the backup has its state.
   */
  readonly index: number;
}

export interface Join {
  readonly type: "join";
  readonly view: number;
}

export type PrimaryBackupMessage =
  | Ping
  | ViewReply
  | Heartbeat
  | Grant
  | Forward
  | ForwardReply
  | Transfer
  | TransferReply
  | Join;
