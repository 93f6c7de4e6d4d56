/**
 * Two-phase commit messages, named as in Bernstein, Hadzilacos and Goodman, ch. 7 §7.3:
 * VOTE-REQ (here `prepare`), the votes, the decision and its acknowledgement, and the
 * cooperative termination protocol's DECISION-REQ.
 */

/** Phase 1: the coordinator asks a participant to prepare and vote. */
export interface Prepare {
  readonly type: "prepare";
  readonly tx: number;
  /** Every participant of the transaction (for the cooperative termination protocol). */
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

/** Phase 2: the decision, from the coordinator or (termination protocol) from a peer. */
export interface Commit {
  readonly type: "commit";
  readonly tx: number;
}

export interface Abort {
  readonly type: "abort";
  readonly tx: number;
}

/** A participant acknowledges COMMIT (presumed abort: aborts are not acknowledged). */
export interface Ack {
  readonly type: "ack";
  readonly tx: number;
}

/** An uncertain participant asks the coordinator and its peers for the outcome. */
export interface DecisionRequest {
  readonly type: "decision-request";
  readonly tx: number;
  readonly participants: readonly string[];
}

export type TwoPhaseMessage = Prepare | VoteYes | VoteNo | Commit | Abort | Ack | DecisionRequest;
