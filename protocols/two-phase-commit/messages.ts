/**
 * Two-phase commit messages, named as in Bernstein, Hadzilacos and Goodman, ch. 7 §7.3:
 * VOTE-REQ (here `prepare`), the votes, the decision and its acknowledgement, and the
 * cooperative termination protocol's DECISION-REQ. PREPARE, the votes and the decisions are every
 * commit protocol's (shared/commit/messages.ts).
 */
import type { Abort, Commit, Prepare, VoteNo, VoteYes } from "../shared/commit/messages.js";

export type { Abort, Commit, Prepare, VoteNo, VoteYes } from "../shared/commit/messages.js";

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
