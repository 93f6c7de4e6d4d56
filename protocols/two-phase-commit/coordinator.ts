/**
 * The two-phase commit coordinator (Bernstein, Hadzilacos, Goodman ch. 7 §7.3), presumed abort
 * (Mohan, Lindsay, Obermarck 1986). Node n1 coordinates every transaction.
 *
 * Per transaction: draw the participants (and a key to lock), send PREPARE (VOTE-REQ) to each and
 * wait for the votes. All Yes: write `commit` to the log, then send COMMIT and wait for every
 * acknowledgement, resending COMMIT with backoff; when all are in, write `end`. A No vote or the
 * vote timeout: abort, without a log record (presumed abort), and send ABORT to everyone who
 * might be prepared; aborts are not acknowledged.
 *
 * Recovery: the transaction counter is durable, so numbers are never reused. A `commit` without
 * `end` is resumed (COMMIT is resent). Anything else the coordinator is asked about and does not
 * know was never committed, so it answers ABORT: that is the presumption.
 */
import type { NodeContext, StartInfo } from "../../sim/node.js";
import type { TwoPhaseMessage } from "./messages.js";
import type { TwoPhaseOptions } from "./options.js";
import { backoff, drawParticipants, Site } from "./site.js";

interface Voting {
  readonly phase: "voting";
  readonly participants: readonly string[];
  readonly yes: Set<string>;
  deadlineUs: number;
}

interface Committing {
  readonly phase: "committing";
  readonly participants: readonly string[];
  readonly unacknowledged: Set<string>;
  deadlineUs: number;
  retryUs: number;
}

type Active = Voting | Committing;

export class Coordinator extends Site {
  readonly role = "coordinator";
  /** Transactions not yet finished, in order of their number. */
  readonly active = new Map<number, Active>();
  private begun = 0;
  /** Commit records written late (BUG(send-before-log) only). */
  private unflushed: string[] = [];

  constructor(ctx: NodeContext<TwoPhaseMessage>, options: TwoPhaseOptions) {
    super(ctx, options);
  }

  onStart(info: StartInfo): void {
    this.step();
    this.begun = this.ctx.storage.get<number>("begun") ?? 0;
    if (info.restarted) this.recover();
    const workload = this.options.transactions;
    if (this.begun < workload.count) {
      const nextUs = info.restarted ? 1_000_000 / workload.rate : workload.startUs;
      this.ctx.setTimer("begin", nextUs);
    }
  }

  private recover(): void {
    const committed = new Map<number, readonly string[]>();
    for (const line of this.logLines()) {
      const [kind, txText, participants] = line.split(" ");
      const tx = Number(txText);
      if (kind === "commit") {
        this.setOutcome(tx, "commit");
        committed.set(tx, participants === undefined ? [] : participants.split(","));
      } else if (kind === "end") {
        committed.delete(tx);
      }
    }
    const nowUs = this.ctx.now();
    for (const [tx, participants] of committed) {
      this.active.set(tx, {
        phase: "committing",
        participants,
        unacknowledged: new Set(participants),
        deadlineUs: nowUs,
        retryUs: this.options.decisionTimeoutUs,
      });
      this.armDeadline(nowUs);
    }
  }

  protected override onOtherTimer(name: string): void {
    if (name === "begin") this.begin();
    else if (name === "flush") this.flush();
  }

  /** Starts the next transaction of the workload. */
  private begin(): void {
    const workload = this.options.transactions;
    const tx = ++this.begun;
    this.ctx.storage.set("begun", tx);
    // A restarted coordinator must not reuse a transaction number: force it before PREPARE leaves.
    this.forceLog();
    if (tx < workload.count) this.ctx.setTimer("begin", 1_000_000 / workload.rate);
    const participants = drawParticipants(this.ctx, this.options.transactions.participantsPerTx);
    const key = this.options.lockConflicts ? this.ctx.random.int(0, this.options.keys - 1) : -1;
    this.observe({ kind: "begin", tx, participants });
    this.ctx.note("begin", { tx, participants });
    const deadlineUs = this.ctx.now() + this.options.voteTimeoutUs;
    this.active.set(tx, { phase: "voting", participants, yes: new Set(), deadlineUs });
    const prepare = { type: "prepare", tx, participants, key } as const;
    for (const participant of participants) this.ctx.send(participant, prepare);
    this.armDeadline(deadlineUs);
  }

  onMessage(from: string, message: TwoPhaseMessage): void {
    this.step();
    switch (message.type) {
      case "vote-yes":
        this.onVote(from, message.tx, true);
        break;
      case "vote-no":
        this.onVote(from, message.tx, false);
        break;
      case "ack":
        this.onAck(from, message.tx);
        break;
      case "decision-request":
        this.answer(from, message.tx);
        break;
      default:
        return;
    }
  }

  private onVote(from: string, tx: number, yes: boolean): void {
    const active = this.active.get(tx);
    if (active === undefined || active.phase !== "voting") {
      // A late or repeated vote: answer with the outcome, if the voter may be waiting for it.
      if (yes) this.answer(from, tx);
      return;
    }
    if (!yes) {
      this.abort(tx, active, "votes", from);
      return;
    }
    active.yes.add(from);
    if (active.yes.size === active.participants.length) this.commit(tx, active);
  }

  private commit(tx: number, voting: Voting): void {
    const record = `commit ${tx} ${voting.participants.join(",")}`;
    if (this.hasBug("send-before-log")) {
      // BUG(send-before-log, M20): the record is flushed after COMMIT has gone out.
      this.unflushed.push(record);
      if (!this.ctx.hasTimer("flush")) this.ctx.setTimer("flush", this.options.voteTimeoutUs / 10);
    } else {
      this.append(record);
    }
    this.decided(tx, "commit", "votes");
    for (const participant of voting.participants) this.sendDecision(participant, tx, "commit");
    const deadlineUs = this.ctx.now() + this.options.decisionTimeoutUs;
    this.active.set(tx, {
      phase: "committing",
      participants: voting.participants,
      unacknowledged: new Set(voting.participants),
      deadlineUs,
      retryUs: this.options.decisionTimeoutUs,
    });
    this.armDeadline(deadlineUs);
  }

  /** Presumed abort: no log record; tell everyone who has not voted No. */
  private abort(tx: number, voting: Voting, reason: "votes" | "timeout", noVoter?: string): void {
    this.decided(tx, "abort", reason);
    this.active.delete(tx);
    for (const participant of voting.participants) {
      if (participant !== noVoter) this.sendDecision(participant, tx, "abort");
    }
  }

  private flush(): void {
    for (const record of this.unflushed) this.append(record);
    this.unflushed = [];
  }

  private onAck(from: string, tx: number): void {
    const active = this.active.get(tx);
    if (active === undefined || active.phase !== "committing") return;
    active.unacknowledged.delete(from);
    if (active.unacknowledged.size === 0) {
      this.append(`end ${tx}`);
      this.active.delete(tx);
    }
  }

  /** Answers a participant asking for the outcome (or voting after it). */
  private answer(to: string, tx: number): void {
    const known = this.outcome(tx);
    if (known !== undefined) {
      this.sendDecision(to, tx, known);
      return;
    }
    if (this.active.has(tx)) return; // still collecting votes: the decision will come
    // The presumption: no record of a commit means the transaction aborted.
    this.decided(tx, "abort", "presumed");
    this.sendDecision(to, tx, "abort");
  }

  protected expire(nowUs: number): number {
    return this.expireEach(this.active, nowUs, (tx, active) => {
      if (active.phase === "voting") {
        if (this.hasBug("commit-on-vote-timeout")) {
          // BUG(commit-on-vote-timeout, M18): a missing vote is taken for Yes.
          this.commit(tx, active);
        } else {
          this.abort(tx, active, "timeout");
        }
        return;
      }
      for (const participant of active.unacknowledged) this.sendDecision(participant, tx, "commit");
      active.retryUs = backoff(active.retryUs, this.options.retryMaxUs);
      active.deadlineUs = nowUs + active.retryUs;
    });
  }

  protected transactionStates(): Record<string, string> {
    const states: Record<string, string> = {};
    for (const [tx, active] of this.active) {
      states[tx] = active.phase === "voting" ? "voting" : "committed, awaiting acks";
    }
    return states;
  }
}
