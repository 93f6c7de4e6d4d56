/**
 * What the coordinator and the participants of three-phase commit share: the variant, and
 * decisions that are always logged before they are recorded. The machinery (the durable log,
 * known outcomes, observations for the atomicity monitor, the deadline timer, votes and the state
 * description) is every commit protocol's: see shared/commit/site.ts.
 *
 * Log records, one string each:
 * - `prepared <tx> <participants,comma-separated> <key>`: a participant voted Yes (WAIT);
 * - `promise <tx> <ballot>`: a participant will refuse lower ballots (termination protocol);
 * - `precommit <tx> <ballot>` / `preabort <tx> <ballot>`: a participant reached PRECOMMIT
 *   (or PREABORT, quorum variant) at that ballot;
 * - `precommit <tx> <participants>` at the coordinator: it is about to send PRECOMMIT;
 * - `commit <tx>` and `abort <tx>`: a decision (both are logged before they are sent).
 * Strings keep storage writes cheap (no structured copy).
 */
import type { DecisionReason } from "../../sim/check/atomicity.js";
import type { NodeContext } from "../../sim/node.js";
import { CommitSite, type Decision } from "../shared/commit/site.js";
import type { ThreePhaseMessage } from "./messages.js";
import type { ThreePhaseOptions } from "./options.js";

export { backoff, type Decision, drawParticipants, localVote, logKey } from "../shared/commit/site.js";

/** Every reason the atomicity monitor knows, `termination` and `quorum` included. */
export type { DecisionReason };

export abstract class Site extends CommitSite<ThreePhaseMessage, ThreePhaseOptions, DecisionReason> {
  /** `quorum` for quorum three-phase commit, `skeen` for the original protocol. */
  protected readonly quorum: boolean;

  constructor(ctx: NodeContext<ThreePhaseMessage>, options: ThreePhaseOptions) {
    super(ctx, options);
    this.quorum = options.variant === "quorum";
  }

  /** Logs a decision and forces it, then records it. */
  protected decide(tx: number, decision: Decision, reason: DecisionReason, from?: string): void {
    this.append(`${decision} ${tx}`);
    this.forceLog();
    this.decided(tx, decision, reason, from);
  }
}
