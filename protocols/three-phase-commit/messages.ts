/**
 * Three-phase commit messages (Skeen 1981; the quorum variant follows Skeen 1982 and Keidar and
 * Dolev's E3PC, 1995). Ballots number the attempts to finish a transaction: the coordinator's
 * attempt is ballot 0; an elected termination coordinator uses a higher ballot, unique to it.
 * PREPARE (CAN-COMMIT), the votes and the decisions (phase 3) are every commit protocol's
 * (shared/commit/messages.ts).
 */
import type { Abort, Commit, Prepare, VoteNo, VoteYes } from "../shared/commit/messages.js";

export type { Abort, Commit, Prepare, VoteNo, VoteYes } from "../shared/commit/messages.js";

/** Phase 2: move to the PRECOMMIT state (quorum variant: accept Commit at `ballot`). */
export interface PreCommit {
  readonly type: "precommit";
  readonly tx: number;
  readonly ballot: number;
}

/** Quorum variant only: accept Abort at `ballot` (E3PC's PRE-ABORT). */
export interface PreAbort {
  readonly type: "preabort";
  readonly tx: number;
  readonly ballot: number;
}

/** A participant acknowledges a PRECOMMIT or PREABORT. */
export interface Ack {
  readonly type: "ack";
  readonly tx: number;
  readonly ballot: number;
}

/** A participant refuses a ballot: it has promised `promised`, which is higher. */
export interface Nack {
  readonly type: "nack";
  readonly tx: number;
  readonly promised: number;
}

/** Termination protocol: an elected coordinator asks for states (and a promise, in the quorum variant). */
export interface StateRequest {
  readonly type: "state-request";
  readonly tx: number;
  readonly ballot: number;
  readonly participants: readonly string[];
}

/** A participant's state: WAIT, PRECOMMIT, or (quorum variant) PREABORT, with its accepted ballot. */
export interface StateReport {
  readonly type: "state-report";
  readonly tx: number;
  readonly ballot: number;
  readonly state: "wait" | "precommit" | "preabort";
  /** The ballot at which the state was reached (-1 for WAIT). */
  readonly acceptedBallot: number;
}

/** A recovering site asks for the outcome. */
export interface DecisionRequest {
  readonly type: "decision-request";
  readonly tx: number;
}

export type ThreePhaseMessage =
  | Prepare
  | VoteYes
  | VoteNo
  | PreCommit
  | PreAbort
  | Ack
  | Nack
  | Commit
  | Abort
  | StateRequest
  | StateReport
  | DecisionRequest;
