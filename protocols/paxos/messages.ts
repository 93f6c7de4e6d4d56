/**
 * Single-decree Paxos messages, named after "Paxos Made Simple" §2.2–2.3: phase 1a `prepare`,
 * phase 1b `promise` (or `nack` when the acceptor already promised a higher ballot), phase 2a
 * `accept`, phase 2b `accepted` (sent to the proposer and to every learner).
 *
 * A ballot is a positive integer, unique per proposer: see `ballotOf` in node.ts.
 */

/** A proposal an acceptor accepted: (ballot, value). */
export interface AcceptedProposal {
  readonly ballot: number;
  readonly value: string;
}

/** Phase 1a: "promise not to accept anything below `ballot`, and tell me what you accepted". */
export interface Prepare {
  readonly type: "prepare";
  readonly ballot: number;
}

/** Phase 1b: the promise, with the highest-ballot proposal the acceptor accepted (if any). */
export interface Promise {
  readonly type: "promise";
  readonly ballot: number;
  readonly accepted: AcceptedProposal | null;
}

/** The acceptor ignored a prepare or accept for `ballot` because it promised `promised`. */
export interface Nack {
  readonly type: "nack";
  readonly ballot: number;
  readonly promised: number;
}

/** Phase 2a: "accept (ballot, value)". */
export interface Accept {
  readonly type: "accept";
  readonly ballot: number;
  readonly value: string;
}

/** Phase 2b: the acceptor accepted (ballot, value). */
export interface Accepted {
  readonly type: "accepted";
  readonly ballot: number;
  readonly value: string;
}

export type PaxosMessage = Prepare | Promise | Nack | Accept | Accepted;
