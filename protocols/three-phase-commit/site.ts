/**
 * What the coordinator and the participants of three-phase commit share: the durable log (a list of
 * one-line records in storage under `log`), the table of known outcomes, the observations the
 * atomicity monitor reads after each step, one `timeout` timer armed for the earliest deadline,
 * and the state description for traces.
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
import type { NodeContext, ProtocolNode } from "../../sim/node.js";
import type { ThreePhaseMessage } from "./messages.js";
import type { ThreePhaseOptions } from "./options.js";

export type Decision = "commit" | "abort";
export type DecisionReason =
  | "votes"
  | "timeout"
  | "unilateral"
  | "message"
  | "presumed"
  | "termination"
  | "quorum";

/** What a site did in its last step; the shape of sim/check/atomicity.ts's `CommitObservation`. */
export type Observation =
  | { readonly kind: "begin"; readonly tx: number; readonly participants: readonly string[] }
  | { readonly kind: "vote"; readonly tx: number; readonly vote: "yes" | "no"; readonly logLength: number }
  | {
      readonly kind: "decide";
      readonly tx: number;
      readonly decision: Decision;
      readonly reason: DecisionReason;
      readonly from?: string;
    }
  | {
      readonly kind: "send-decision";
      readonly tx: number;
      readonly decision: Decision;
      readonly to: string;
      readonly logLength: number;
    }
  | { readonly kind: "suspect"; readonly tx: number };

const none: readonly Observation[] = Object.freeze([]);
const outcomeCommit = 1;
const outcomeAbort = 2;
export const logKey = "log";
const recentLogLines = 4;

export abstract class Site implements ProtocolNode<ThreePhaseMessage> {
  /** `quorum` for quorum three-phase commit, `skeen` for the original protocol. */
  protected readonly quorum: boolean;
  /** What this site did in its last step, for the atomicity monitor (not protocol state). */
  observations: readonly Observation[] = none;
  /** Known outcomes by transaction number: 0 unknown, 1 commit, 2 abort. */
  private outcomes = new Uint8Array(64);
  private armedAtUs = Number.POSITIVE_INFINITY;
  /** Whether something shown in the state description changed during this step. */
  protected changed = true;

  constructor(
    protected readonly ctx: NodeContext<ThreePhaseMessage>,
    protected readonly options: ThreePhaseOptions,
  ) {
    this.quorum = options.variant === "quorum";
  }

  abstract readonly role: "coordinator" | "participant";

  /** Every handler starts a new step. */
  protected step(): void {
    this.observations = none;
  }

  protected observe(observation: Observation): void {
    if (this.observations === none) this.observations = [];
    (this.observations as Observation[]).push(observation);
  }

  protected hasBug(name: ThreePhaseOptions["bugs"][number]): boolean {
    return this.options.bugs.includes(name);
  }

  // ---- the durable log ---------------------------------------------------------------------

  protected append(line: string): void {
    this.ctx.storage.append(logKey, line);
    this.changed = true;
  }

  protected get logLength(): number {
    return this.ctx.storage.list(logKey).length;
  }

  protected logLines(): readonly string[] {
    return this.ctx.storage.list<string>(logKey);
  }

  // ---- outcomes ----------------------------------------------------------------------------

  outcome(tx: number): Decision | undefined {
    const code = tx < this.outcomes.length ? this.outcomes[tx] : 0;
    return code === outcomeCommit ? "commit" : code === outcomeAbort ? "abort" : undefined;
  }

  protected setOutcome(tx: number, decision: Decision): void {
    if (tx >= this.outcomes.length) {
      let size = this.outcomes.length * 2;
      while (size <= tx) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.outcomes);
      this.outcomes = grown;
    }
    this.outcomes[tx] = decision === "commit" ? outcomeCommit : outcomeAbort;
  }

  /** Records a decision reached now (the caller has logged it when the protocol says so). */
  protected decided(tx: number, decision: Decision, reason: DecisionReason, from?: string): void {
    this.setOutcome(tx, decision);
    this.observe(
      from === undefined
        ? { kind: "decide", tx, decision, reason }
        : { kind: "decide", tx, decision, reason, from },
    );
    this.ctx.note("decided", { tx, decision });
  }

  /** Logs a decision, then records it. */
  protected decide(tx: number, decision: Decision, reason: DecisionReason, from?: string): void {
    this.append(`${decision} ${tx}`);
    this.decided(tx, decision, reason, from);
  }

  /** Sends a decision message, recording it for the durability check. */
  protected sendDecision(to: string, tx: number, decision: Decision): void {
    this.observe({ kind: "send-decision", tx, decision, to, logLength: this.logLength });
    this.ctx.send(to, { type: decision, tx });
  }

  // ---- deadlines ---------------------------------------------------------------------------

  /** Makes sure the `timeout` timer fires no later than `deadlineUs` (local time). */
  protected armDeadline(deadlineUs: number): void {
    if (deadlineUs < this.armedAtUs || !this.ctx.hasTimer("timeout")) {
      this.armedAtUs = deadlineUs;
      this.ctx.setTimer("timeout", Math.max(0, deadlineUs - this.ctx.now()));
    }
  }

  /** Handles expired deadlines; returns the next pending deadline or +∞. */
  protected abstract expire(nowUs: number): number;

  onTimer(name: string): void {
    this.step();
    if (name === "timeout") {
      this.armedAtUs = Number.POSITIVE_INFINITY;
      const next = this.expire(this.ctx.now());
      if (next !== Number.POSITIVE_INFINITY) this.armDeadline(next);
    } else {
      this.onOtherTimer(name);
    }
    this.describe();
  }

  protected onOtherTimer(_name: string): void {}

  // ---- state description -------------------------------------------------------------------

  protected abstract transactionStates(): Record<string, string>;

  /** Annotates the state, when a log record or a transaction's phase changed in this step. */
  protected describe(): void {
    if (!this.changed) return;
    this.changed = false;
    const log = this.logLines();
    this.ctx.annotate({
      role: this.role,
      transactions: this.transactionStates(),
      log: log.length <= recentLogLines ? log.slice() : log.slice(log.length - recentLogLines),
    });
  }
}

/** Exponential backoff for retries: doubles up to `maxUs`. */
export function backoff(currentUs: number, maxUs: number): number {
  return Math.min(maxUs, currentUs * 2);
}
