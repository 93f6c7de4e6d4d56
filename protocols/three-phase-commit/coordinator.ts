/**
 * The three-phase commit coordinator (Skeen 1981). Node n1 coordinates every transaction.
 *
 * Phase 1 (as in 2PC): send PREPARE, collect votes; a No or the vote timeout aborts (logged,
 * then sent). Phase 2: all Yes → write `precommit` to the log, send PRECOMMIT (ballot 0) and
 * collect acknowledgements. Phase 3: write `commit`, send COMMIT.
 * - Skeen: when the acknowledgement timeout expires, the silent participants are taken to have
 *   failed and the coordinator commits anyway: correct when timeouts mean crashes, wrong under
 *   a partition (a silent participant may be alive and about to abort).
 * - Quorum: a majority of the participants must acknowledge ballot 0 before Commit is decided;
 *   otherwise the coordinator keeps resending PRECOMMIT and waits to learn the outcome.
 *
 * Recovery: a logged decision is final. `precommit` without a decision means the participants
 * may have terminated either way: the coordinator is in doubt and asks them (DECISION-REQ).
 * No `precommit` means nobody can have committed: the transaction aborts.
 */
import type { NodeContext, StartInfo } from "../../sim/node.js";
import type { ThreePhaseMessage } from "./messages.js";
import type { ThreePhaseOptions } from "./options.js";
import { backoff, type Decision, drawParticipants, Site } from "./site.js";

interface Active {
  phase: "voting" | "precommitting" | "in-doubt";
  readonly participants: readonly string[];
  /** Yes votes while voting; acknowledgements of ballot 0 while precommitting. */
  readonly replies: Set<string>;
  deadlineUs: number;
  retryUs: number;
}

export class Coordinator extends Site {
  readonly role = "coordinator";
  readonly active = new Map<number, Active>();
  private begun = 0;

  constructor(ctx: NodeContext<ThreePhaseMessage>, options: ThreePhaseOptions) {
    super(ctx, options);
  }

  private majority(participants: readonly string[]): number {
    return Math.floor(participants.length / 2) + 1;
  }

  onStart(info: StartInfo): void {
    this.step();
    this.begun = this.ctx.storage.get<number>("begun") ?? 0;
    if (info.restarted) this.recover();
    const workload = this.options.transactions;
    if (this.begun < workload.count) {
      this.ctx.setTimer("begin", info.restarted ? 1_000_000 / workload.rate : workload.startUs);
    }
  }

  private recover(): void {
    const inDoubt = new Map<number, readonly string[]>();
    for (const line of this.logLines()) {
      const [kind, txText, participants] = line.split(" ");
      const tx = Number(txText);
      if (kind === "precommit") inDoubt.set(tx, (participants as string).split(","));
      else if (kind === "commit" || kind === "abort") {
        this.setOutcome(tx, kind);
        inDoubt.delete(tx);
      }
    }
    const nowUs = this.ctx.now();
    for (const [tx, participants] of inDoubt) {
      const retryUs = this.options.decisionTimeoutUs;
      this.active.set(tx, {
        phase: "in-doubt",
        participants,
        replies: new Set(),
        deadlineUs: nowUs,
        retryUs,
      });
      this.armDeadline(nowUs);
    }
  }

  protected override onOtherTimer(name: string): void {
    if (name === "begin") this.begin();
  }

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
    this.active.set(tx, { phase: "voting", participants, replies: new Set(), deadlineUs, retryUs: 0 });
    const prepare = { type: "prepare", tx, participants, key } as const;
    for (const participant of participants) this.ctx.send(participant, prepare);
    this.armDeadline(deadlineUs);
  }

  onMessage(from: string, message: ThreePhaseMessage): void {
    this.step();
    switch (message.type) {
      case "vote-yes":
      case "vote-no":
        this.onVote(from, message.tx, message.type === "vote-yes");
        break;
      case "ack":
        if (message.ballot === 0) this.onAck(from, message.tx);
        break;
      case "nack":
        this.onNack(message.tx);
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

  private onVote(from: string, tx: number, yes: boolean): void {
    const active = this.active.get(tx);
    if (active === undefined || active.phase !== "voting") {
      if (yes) this.answer(from, tx);
      return;
    }
    if (!yes) {
      this.finish(tx, active, "abort", "votes", from);
      return;
    }
    active.replies.add(from);
    if (active.replies.size < active.participants.length) return;
    // Phase 2: every vote is Yes.
    this.append(`precommit ${tx} ${active.participants.join(",")}`);
    this.forceLog();
    active.phase = "precommitting";
    active.replies.clear();
    active.retryUs = this.options.voteTimeoutUs;
    active.deadlineUs = this.ctx.now() + active.retryUs;
    const precommit = { type: "precommit", tx, ballot: 0 } as const;
    for (const participant of active.participants) this.ctx.send(participant, precommit);
    this.armDeadline(active.deadlineUs);
  }

  private onAck(from: string, tx: number): void {
    const active = this.active.get(tx);
    if (active === undefined || active.phase !== "precommitting") return;
    active.replies.add(from);
    const needed = this.quorum ? this.majority(active.participants) : active.participants.length;
    if (active.replies.size >= needed) this.finish(tx, active, "commit", this.quorum ? "quorum" : "votes");
  }

  /** A participant promised a termination coordinator a higher ballot: stop proposing, ask. */
  private onNack(tx: number): void {
    const active = this.active.get(tx);
    if (active === undefined || active.phase !== "precommitting") return;
    active.phase = "in-doubt";
  }

  private finish(
    tx: number,
    active: Active,
    decision: Decision,
    reason: "votes" | "timeout" | "quorum",
    except?: string,
  ): void {
    this.decide(tx, decision, reason);
    this.active.delete(tx);
    for (const participant of active.participants) {
      if (participant !== except) this.sendDecision(participant, tx, decision);
    }
  }

  private learn(from: string, tx: number, decision: Decision): void {
    if (this.outcome(tx) !== undefined) return;
    this.decide(tx, decision, "message", from);
    this.active.delete(tx);
  }

  private answer(to: string, tx: number): void {
    const known = this.outcome(tx);
    if (known !== undefined) {
      this.sendDecision(to, tx, known);
      return;
    }
    if (this.active.has(tx)) return;
    // Unknown here means no `precommit` record: nobody can have committed.
    this.decide(tx, "abort", "presumed");
    this.sendDecision(to, tx, "abort");
  }

  protected expire(nowUs: number): number {
    return this.expireEach(this.active, nowUs, (tx, active) => {
      if (active.phase === "voting") {
        this.finish(tx, active, "abort", "timeout");
        return;
      }
      if (active.phase === "precommitting" && !this.quorum) {
        // Skeen: participants that did not acknowledge are taken to have crashed.
        this.finish(tx, active, "commit", "timeout");
        return;
      }
      if (active.phase === "precommitting") {
        const precommit = { type: "precommit", tx, ballot: 0 } as const;
        for (const participant of active.participants) {
          if (!active.replies.has(participant)) this.ctx.send(participant, precommit);
        }
      } else {
        for (const participant of active.participants)
          this.ctx.send(participant, { type: "decision-request", tx });
      }
      active.retryUs = backoff(active.retryUs, this.options.retryMaxUs);
      active.deadlineUs = nowUs + active.retryUs;
    });
  }

  protected transactionStates(): Record<string, string> {
    const states: Record<string, string> = {};
    for (const [tx, active] of this.active) {
      states[tx] = active.phase === "in-doubt" ? "in doubt (asking)" : active.phase;
    }
    return states;
  }
}
