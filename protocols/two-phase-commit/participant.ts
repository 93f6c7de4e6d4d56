/**
 * A two-phase commit participant (Bernstein, Hadzilacos, Goodman ch. 7 §7.3–7.4).
 *
 * On PREPARE it votes by its local rule: a scripted vote, a lock conflict on the transaction's
 * key, or a random local abort. Yes: write `prepared` to the log, lock the key, then send YES; it
 * is now uncertain and must not decide alone. No: abort at once (unilateral abort is allowed
 * before voting Yes) and send NO.
 *
 * Cooperative termination protocol: an uncertain participant that hears nothing for the decision
 * timeout sends DECISION-REQ to the coordinator and to every other participant, and keeps asking
 * with backoff. A peer that knows the outcome answers it; a peer that has not voted yet aborts
 * and answers ABORT; a peer that is itself uncertain cannot help. If every reachable site is
 * uncertain, the participant is blocked, holding its locks, until the coordinator recovers.
 *
 * Recovery: `prepared` without a decision in the log makes the participant uncertain again (and
 * relocks the key); a logged decision is final; no record means it never voted Yes.
 */
import type { NodeContext, StartInfo } from "../../sim/node.js";
import type { Prepare, TwoPhaseMessage } from "./messages.js";
import type { TwoPhaseOptions } from "./options.js";
import { backoff, type Decision, localVote, Site } from "./site.js";

interface Uncertain {
  readonly participants: readonly string[];
  readonly key: number;
  deadlineUs: number;
  retryUs: number;
}

export class Participant extends Site {
  readonly role = "participant";
  /** Transactions this participant voted Yes on and has no outcome for. */
  readonly uncertain = new Map<number, Uncertain>();
  /** Locked keys → the transaction holding them. */
  private readonly locks = new Map<number, number>();
  private readonly scriptedVotes: Readonly<Record<string, "yes" | "no">>;

  constructor(ctx: NodeContext<TwoPhaseMessage>, options: TwoPhaseOptions) {
    super(ctx, options);
    this.scriptedVotes = options.script.votes[ctx.id] ?? {};
  }

  onStart(info: StartInfo): void {
    this.step();
    if (info.restarted) this.recover();
  }

  private recover(): void {
    const prepared = new Map<number, { participants: readonly string[]; key: number }>();
    for (const line of this.logLines()) {
      const [kind, txText, participants, key] = line.split(" ");
      const tx = Number(txText);
      if (kind === "prepared") {
        prepared.set(tx, { participants: (participants as string).split(","), key: Number(key) });
      } else if (kind === "commit" || kind === "abort") {
        this.setOutcome(tx, kind);
        prepared.delete(tx);
      }
    }
    const nowUs = this.ctx.now();
    for (const [tx, { participants, key }] of prepared) {
      this.hold(tx, participants, key, nowUs);
    }
  }

  onMessage(from: string, message: TwoPhaseMessage): void {
    this.step();
    switch (message.type) {
      case "prepare":
        this.onPrepare(message);
        break;
      case "commit":
      case "abort":
        this.learn(from, message.tx, message.type);
        break;
      case "decision-request":
        this.answer(from, message.tx);
        break;
      default:
        return;
    }
  }

  private onPrepare(message: Prepare): void {
    const { tx } = message;
    const known = this.outcome(tx);
    if (known === "abort") {
      this.vote(tx, "no");
      return;
    }
    if (known === "commit") return;
    if (this.uncertain.has(tx)) {
      this.vote(tx, "yes"); // a repeated PREPARE: repeat the vote
      return;
    }
    const rule = {
      scriptedVotes: this.scriptedVotes,
      locks: this.locks,
      voteNoProbability: this.options.voteNoProbability,
    };
    // The local rule: a scripted vote, then a lock conflict, then a random local abort.
    if (localVote(this.ctx, rule, message) === "no") {
      this.append(`abort ${tx}`);
      this.vote(tx, "no");
      this.decided(tx, "abort", "unilateral");
      return;
    }
    this.append(`prepared ${tx} ${message.participants.join(",")} ${message.key}`);
    this.hold(tx, message.participants, message.key, this.ctx.now());
    this.ctx.note("uncertain", { tx });
    // BUG(unforced-vote, M28): the YES vote leaves before the prepared record is forced to disk.
    this.vote(tx, "yes", { force: !this.hasBug("unforced-vote") });
  }

  /** Becomes uncertain about `tx`: lock its key and wait for the decision. */
  private hold(tx: number, participants: readonly string[], key: number, nowUs: number): void {
    if (key >= 0) this.locks.set(key, tx);
    const deadlineUs = nowUs + this.options.decisionTimeoutUs;
    this.uncertain.set(tx, { participants, key, deadlineUs, retryUs: this.options.decisionTimeoutUs });
    this.armDeadline(deadlineUs);
  }

  private learn(from: string, tx: number, decision: Decision): void {
    const known = this.outcome(tx);
    if (known === undefined) {
      const held = this.uncertain.get(tx);
      this.append(`${decision} ${tx}`);
      // Presumed abort: a commit record is forced (the coordinator forgets the transaction once
      // every participant acked it); an abort record need not be.
      if (decision === "commit") this.forceLog();
      this.decided(tx, decision, "message", from);
      if (held !== undefined) this.release(tx, held);
    }
    if (decision === "commit" && from === this.coordinator) this.ctx.send(from, { type: "ack", tx });
  }

  private release(tx: number, held: Uncertain): void {
    this.uncertain.delete(tx);
    if (held.key >= 0 && this.locks.get(held.key) === tx) this.locks.delete(held.key);
  }

  /** Cooperative termination: answer a peer's DECISION-REQ if this site can. */
  private answer(to: string, tx: number): void {
    const known = this.outcome(tx);
    if (known !== undefined) {
      this.sendDecision(to, tx, known);
      return;
    }
    if (this.uncertain.has(tx)) return; // uncertain too: nothing to tell
    // Not voted yet: abort unilaterally, so the transaction can never commit.
    this.append(`abort ${tx}`);
    this.observe({ kind: "vote", tx, vote: "no", logLength: this.logLength });
    this.decided(tx, "abort", "unilateral");
    this.sendDecision(to, tx, "abort");
  }

  protected expire(nowUs: number): number {
    return this.expireEach(this.uncertain, nowUs, (tx, held) => {
      if (this.hasBug("ready-aborts-on-timeout")) {
        // BUG(ready-aborts-on-timeout, M19): an uncertain participant gives up and aborts alone.
        this.append(`abort ${tx}`);
        this.decided(tx, "abort", "timeout");
        this.release(tx, held);
        return;
      }
      const request = { type: "decision-request", tx, participants: held.participants } as const;
      this.ctx.send(this.coordinator, request);
      for (const peer of held.participants) if (peer !== this.ctx.id) this.ctx.send(peer, request);
      held.retryUs = backoff(held.retryUs, this.options.retryMaxUs);
      held.deadlineUs = nowUs + held.retryUs;
    });
  }

  protected transactionStates(): Record<string, string> {
    const states: Record<string, string> = {};
    for (const tx of this.uncertain.keys()) states[tx] = "prepared (uncertain)";
    return states;
  }
}
