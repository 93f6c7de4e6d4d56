/**
 * The messages every commit protocol sends, named after Bernstein, Hadzilacos and Goodman
 * (ch. 7 §7.3): VOTE-REQ (here `prepare`), the two votes and the two decisions. Used by
 * two-phase-commit/messages.ts and three-phase-commit/messages.ts, which add their own
 * acknowledgements, termination-protocol messages and decision requests.
 */

/** Phase 1: the coordinator asks a participant to prepare and vote (VOTE-REQ, CAN-COMMIT). */
export interface Prepare {
  readonly type: "prepare";
  readonly tx: number;
  /** Every participant of the transaction (for the termination protocols). */
  readonly participants: readonly string[];
  /** The key the transaction locks at every participant, or -1 for none. */
  readonly key: number;
}

export interface VoteYes {
  readonly type: "vote-yes";
  readonly tx: number;
}

export interface VoteNo {
  readonly type: "vote-no";
  readonly tx: number;
}

/** The decision, from the coordinator or (termination protocol) from a peer. */
export interface Commit {
  readonly type: "commit";
  readonly tx: number;
}

export interface Abort {
  readonly type: "abort";
  readonly tx: number;
}

/** The messages the shared site machinery (shared/commit/site.ts) sends itself. */
export type VoteOrDecision = VoteYes | VoteNo | Commit | Abort;
