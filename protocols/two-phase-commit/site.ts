/**
 * What the coordinator and the participants of two-phase commit share. The machinery (the
 * durable log, known outcomes, observations for the atomicity monitor, the deadline timer, votes
 * and the state description) is every commit protocol's: see shared/commit/site.ts.
 *
 * Log records (the DT log of Bernstein, Hadzilacos, Goodman ch. 7 §7.4), one string each:
 * - `prepared <tx> <participants,comma-separated> <key>`: a participant voted Yes;
 * - `commit <tx> [<participants>]` and `abort <tx>`: a decision;
 * - `end <tx>`: the coordinator has every COMMIT acknowledgement and may forget the transaction.
 * Strings keep storage writes cheap (no structured copy).
 */
import { CommitSite } from "../shared/commit/site.js";
import type { TwoPhaseMessage } from "./messages.js";
import type { TwoPhaseOptions } from "./options.js";

export { backoff, type Decision, drawParticipants, localVote, logKey } from "../shared/commit/site.js";

export type DecisionReason = "votes" | "timeout" | "unilateral" | "message" | "presumed";

export abstract class Site extends CommitSite<TwoPhaseMessage, TwoPhaseOptions, DecisionReason> {}
