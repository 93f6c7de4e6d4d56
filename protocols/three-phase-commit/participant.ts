/**
 * A three-phase commit participant with the termination protocol (Skeen 1981; quorum variant
 * after Skeen 1982 and Keidar and Dolev's E3PC 1995).
 *
 * Voting is as in 2PC: Yes writes `prepared` and enters WAIT; No aborts at once. PRECOMMIT moves
 * WAIT to PRECOMMIT (logged), acknowledged; COMMIT or ABORT ends it.
 *
 * Termination protocol: a participant in WAIT or PRECOMMIT that hears nothing for the decision
 * timeout (staggered by its rank among the transaction's participants, so the lowest survivor
 * usually goes first) elects itself: it picks a ballot higher than any it has seen and unique to
 * it, and asks every other participant for its state (STATE-REQ). A participant answers a higher
 * ballot with its state and promises to ignore lower ones. A participant that has not voted yet
 * aborts and says so; a decided one answers with the decision.
 * - Skeen: after hearing from everyone or a round's timeout, any PRECOMMIT means Commit (first
 *   moving the others to PRECOMMIT), else Abort. Sites that crashed and recovered undecided never
 *   lead: they ask (DECISION-REQ) and wait.
 * - Quorum: the elected site needs the states of a majority; it proposes the state with the
 *   highest ballot among them (PRECOMMIT → Commit, PREABORT → Abort, none → Abort) and decides
 *   once a majority acknowledges it at its ballot. This is Paxos over {commit, abort}; ballot 0
 *   is the coordinator's PRECOMMIT. A minority never decides: it blocks until it can reach a
 *   majority or a site that knows the outcome.
 */
import type { NodeContext, StartInfo } from "../../sim/node.js";
import type { Prepare, StateReport, ThreePhaseMessage } from "./messages.js";
import type { ThreePhaseOptions } from "./options.js";
import { backoff, type Decision, localVote, Site } from "./site.js";

type State = "wait" | "precommit" | "preabort";

interface Lead {
  readonly ballot: number;
  phase: "collect" | "propose";
  readonly reports: Map<string, { state: State; acceptedBallot: number }>;
  readonly acks: Set<string>;
  value: Decision;
}

interface Held {
  readonly participants: readonly string[];
  readonly key: number;
  state: State;
  /** Ballot at which `state` was reached; -1 in WAIT. */
  acceptedBallot: number;
  /** Ballots below this are refused. */
  promised: number;
  /** The highest ballot heard of, for picking the next one. */
  highest: number;
  /** Undecided at a restart (Skeen: such a site asks, it does not lead). */
  readonly recovered: boolean;
  deadlineUs: number;
  retryUs: number;
  lead: Lead | undefined;
}

/** What the log says of a transaction prepared here and not yet decided. */
interface Recovered {
  readonly participants: readonly string[];
  readonly key: number;
  promised: number;
  state: State;
  acceptedBallot: number;
}

export class Participant extends Site {
  readonly held = new Map<number, Held>();
  private readonly locks = new Map<number, number>();
  private readonly scriptedVotes: Readonly<Record<string, "yes" | "no">>;
  private readonly index: number;

  constructor(ctx: NodeContext<ThreePhaseMessage>, options: ThreePhaseOptions) {
    super(ctx, options);
    this.scriptedVotes = options.script.votes[ctx.id] ?? {};
    this.index = ctx.nodes.indexOf(ctx.id);
  }

  /**
   * A participant elected to terminate a transaction (`startLead`) is its new coordinator until
   * it decides it or gives way to a higher ballot (Skeen 1981: the backup coordinator).
   */
  get role(): "coordinator" | "participant" {
    for (const held of this.held.values()) if (held.lead !== undefined) return "coordinator";
    return "participant";
  }

  /** More than half of the transaction's participants (Skeen 1982; E3PC). */
  private majority(held: Held): number {
    return Math.floor(held.participants.length / 2) + 1;
  }

  onStart(info: StartInfo): void {
    this.step();
    if (info.restarted) this.recover();
  }

  private recover(): void {
    const found = new Map<number, Recovered>();
    for (const line of this.logLines()) {
      const [kind, txText, ...rest] = line.split(" ");
      const tx = Number(txText);
      const entry = found.get(tx);
      if (kind === "prepared") {
        const [participants, key] = rest as [string, string];
        found.set(tx, {
          participants: participants.split(","),
          key: Number(key),
          promised: 0,
          state: "wait",
          acceptedBallot: -1,
        });
      } else if (kind === "commit" || kind === "abort") {
        this.setOutcome(tx, kind);
        found.delete(tx);
      } else if (entry !== undefined && kind === "promise") {
        entry.promised = Math.max(entry.promised, Number(rest[0]));
      } else if (entry !== undefined && (kind === "precommit" || kind === "preabort")) {
        const ballot = Number(rest[0]);
        entry.state = kind;
        entry.acceptedBallot = ballot;
        entry.promised = Math.max(entry.promised, ballot);
      }
    }
    for (const [tx, entry] of found) {
      const held = this.hold(tx, entry.participants, entry.key, true);
      held.state = entry.state;
      held.acceptedBallot = entry.acceptedBallot;
      held.promised = entry.promised;
      held.highest = entry.promised;
    }
  }

  onMessage(from: string, message: ThreePhaseMessage): void {
    this.step();
    switch (message.type) {
      case "prepare":
        this.onPrepare(message);
        break;
      case "precommit":
      case "preabort":
        this.onPropose(from, message.tx, message.ballot, message.type);
        break;
      case "ack":
        this.onAck(from, message.tx, message.ballot);
        break;
      case "nack":
        this.onNack(message.tx, message.promised);
        break;
      case "commit":
      case "abort":
        this.learn(from, message.tx, message.type);
        break;
      case "state-request":
        this.onStateRequest(from, message.tx, message.ballot);
        break;
      case "state-report":
        this.onStateReport(from, message);
        break;
      case "decision-request": {
        const known = this.outcome(message.tx);
        if (known !== undefined) this.sendDecision(from, message.tx, known);
        break;
      }
      default:
        return;
    }
  }

  // ---- phase 1 -----------------------------------------------------------------------------

  /**
   * PREPARE (as in 2PC): vote No and abort at once, or log `prepared`, enter WAIT and vote Yes
   * once the record is forced (Gray 1978; Skeen 1981). A repeated PREPARE gets the same vote.
   */
  private onPrepare(message: Prepare): void {
    const { tx } = message;
    const known = this.outcome(tx);
    if (known !== undefined || this.held.has(tx)) {
      if (known !== "commit") this.vote(tx, known === "abort" ? "no" : "yes");
      return;
    }
    const rule = {
      scriptedVotes: this.scriptedVotes,
      locks: this.locks,
      voteNoProbability: this.options.voteNoProbability,
    };
    if (localVote(this.ctx, rule, message) === "no") {
      this.append(`abort ${tx}`);
      this.vote(tx, "no");
      this.decided(tx, "abort", "unilateral");
      return;
    }
    this.append(`prepared ${tx} ${message.participants.join(",")} ${message.key}`);
    this.hold(tx, message.participants, message.key, false);
    this.ctx.note("uncertain", { tx });
    // BUG(unforced-vote, M30): the YES vote leaves before the prepared record is forced to disk.
    this.vote(tx, "yes", { force: !this.hasBug("unforced-vote") });
  }

  private hold(tx: number, participants: readonly string[], key: number, recovered: boolean): Held {
    if (key >= 0) this.locks.set(key, tx);
    const held: Held = {
      participants,
      key,
      state: "wait",
      acceptedBallot: -1,
      promised: 0,
      highest: 0,
      recovered,
      deadlineUs: 0,
      retryUs: this.options.terminationTimeoutUs,
      lead: undefined,
    };
    this.held.set(tx, held);
    this.wait(held, this.options.decisionTimeoutUs);
    return held;
  }

  /** Waits `delayUs`, plus a stagger by rank, before acting on its own. */
  private wait(held: Held, delayUs: number): void {
    const rank = Math.max(0, held.participants.indexOf(this.ctx.id));
    held.deadlineUs = this.ctx.now() + delayUs + rank * this.options.terminationTimeoutUs;
    this.armDeadline(held.deadlineUs);
  }

  // ---- phase 2: accepting PRECOMMIT / PREABORT -----------------------------------------------

  /**
   * PRECOMMIT (Skeen 1981) or, quorum variant only, PREABORT at `ballot`: accepted unless a higher
   * ballot was promised, logged and forced, then acknowledged (E3PC's accept phase).
   */
  private onPropose(from: string, tx: number, ballot: number, kind: "precommit" | "preabort"): void {
    const known = this.outcome(tx);
    if (known !== undefined) {
      this.sendDecision(from, tx, known);
      return;
    }
    const held = this.held.get(tx);
    if (held === undefined) return;
    if (ballot < held.promised) {
      this.ctx.send(from, { type: "nack", tx, promised: held.promised });
      return;
    }
    if (held.lead !== undefined && held.lead.ballot < ballot) held.lead = undefined;
    held.promised = ballot;
    held.highest = Math.max(held.highest, ballot);
    held.state = kind;
    held.acceptedBallot = ballot;
    this.append(`${kind} ${tx} ${ballot}`);
    // The ack promises this state to the one collecting acks: force it first.
    this.forceLog();
    if (from === this.ctx.id) return;
    this.ctx.send(from, { type: "ack", tx, ballot });
    this.wait(held, this.options.decisionTimeoutUs);
  }

  // ---- phase 3 -----------------------------------------------------------------------------

  private learn(from: string, tx: number, decision: Decision): void {
    if (this.outcome(tx) !== undefined) return;
    const held = this.held.get(tx);
    this.decide(tx, decision, "message", from);
    if (held !== undefined) {
      if (held.lead !== undefined) this.broadcastDecision(tx, held, decision);
      this.release(tx, held);
    }
  }

  private release(tx: number, held: Held): void {
    this.held.delete(tx);
    if (held.key >= 0 && this.locks.get(held.key) === tx) this.locks.delete(held.key);
  }

  private broadcastDecision(tx: number, held: Held, decision: Decision): void {
    for (const site of held.participants) if (site !== this.ctx.id) this.sendDecision(site, tx, decision);
    this.sendDecision(this.coordinator, tx, decision);
  }

  // ---- termination protocol: answering ---------------------------------------------------------

  /**
   * STATE-REQ from a site leading the termination protocol at `ballot`: promise it (logged and
   * forced) and report this site's state, or refuse a lower ballot (NACK). A decided site answers
   * with the decision; a site that has not voted aborts.
   */
  private onStateRequest(from: string, tx: number, ballot: number): void {
    const known = this.outcome(tx);
    if (known !== undefined) {
      this.sendDecision(from, tx, known);
      return;
    }
    const held = this.held.get(tx);
    if (held === undefined) {
      // Not voted yet: abort, so that the transaction can never commit.
      this.append(`abort ${tx}`);
      this.observe({ kind: "vote", tx, vote: "no", logLength: this.logLength });
      this.decided(tx, "abort", "unilateral");
      this.sendDecision(from, tx, "abort");
      return;
    }
    held.highest = Math.max(held.highest, ballot);
    if (ballot < held.promised || (ballot === held.promised && held.lead?.ballot === ballot)) {
      this.ctx.send(from, { type: "nack", tx, promised: held.promised });
      return;
    }
    if (ballot > held.promised) {
      held.promised = ballot;
      this.append(`promise ${tx} ${ballot}`);
      this.forceLog();
    }
    held.lead = undefined;
    this.ctx.send(from, {
      type: "state-report",
      tx,
      ballot,
      state: held.state,
      acceptedBallot: held.acceptedBallot,
    });
    this.wait(held, 2 * this.options.terminationTimeoutUs + this.ctx.random.int(0, held.retryUs));
  }

  // ---- termination protocol: leading -------------------------------------------------------------

  /**
   * Elects this site to terminate `tx` (Skeen and Stonebraker 1983): a ballot above every one it
   * has seen and unique to it (k·N + index), promised to itself, then STATE-REQ to the others.
   */
  private startLead(tx: number, held: Held): void {
    const sites = this.ctx.nodes.length;
    const ballot = (Math.floor(Math.max(held.highest, held.promised) / sites) + 1) * sites + this.index;
    held.promised = ballot;
    held.highest = ballot;
    this.append(`promise ${tx} ${ballot}`);
    this.forceLog();
    const reports = new Map([[this.ctx.id, { state: held.state, acceptedBallot: held.acceptedBallot }]]);
    held.lead = { ballot, phase: "collect", reports, acks: new Set(), value: "abort" };
    const request = { type: "state-request", tx, ballot, participants: held.participants } as const;
    for (const site of held.participants) if (site !== this.ctx.id) this.ctx.send(site, request);
    held.deadlineUs = this.ctx.now() + this.options.terminationTimeoutUs;
    this.armDeadline(held.deadlineUs);
    this.afterReport(tx, held);
  }

  private onStateReport(from: string, report: StateReport): void {
    const held = this.held.get(report.tx);
    const lead = held?.lead;
    if (held === undefined || lead === undefined || lead.ballot !== report.ballot || lead.phase !== "collect")
      return;
    lead.reports.set(from, { state: report.state, acceptedBallot: report.acceptedBallot });
    this.afterReport(report.tx, held);
  }

  private afterReport(tx: number, held: Held): void {
    const lead = held.lead as Lead;
    const enough = this.quorum ? this.majority(held) : held.participants.length;
    if (lead.reports.size >= enough) this.propose(tx, held);
  }

  /** The collection is over: choose the value and move everyone to it. */
  private propose(tx: number, held: Held): void {
    const lead = held.lead as Lead;
    if (this.quorum) {
      let best = { state: "wait" as State, acceptedBallot: -1 };
      for (const report of lead.reports.values())
        if (report.acceptedBallot > best.acceptedBallot) best = report;
      lead.value = best.state === "precommit" ? "commit" : "abort";
    } else {
      const anyPrecommit = [...lead.reports.values()].some((report) => report.state === "precommit");
      if (!anyPrecommit) {
        this.decideAsLeader(tx, held, "abort", "termination");
        return;
      }
      lead.value = "commit";
    }
    lead.phase = "propose";
    const kind = lead.value === "commit" ? "precommit" : "preabort";
    this.onPropose(this.ctx.id, tx, lead.ballot, kind);
    lead.acks.add(this.ctx.id);
    for (const site of held.participants) {
      if (site !== this.ctx.id) this.ctx.send(site, { type: kind, tx, ballot: lead.ballot });
    }
    held.deadlineUs = this.ctx.now() + this.options.terminationTimeoutUs;
    this.armDeadline(held.deadlineUs);
    this.afterAck(tx, held);
  }

  private onAck(from: string, tx: number, ballot: number): void {
    const held = this.held.get(tx);
    const lead = held?.lead;
    if (held === undefined || lead === undefined || lead.ballot !== ballot || lead.phase !== "propose")
      return;
    lead.acks.add(from);
    this.afterAck(tx, held);
  }

  private afterAck(tx: number, held: Held): void {
    const lead = held.lead as Lead;
    const enough = this.quorum ? this.majority(held) : held.participants.length;
    if (lead.acks.size >= enough)
      this.decideAsLeader(tx, held, lead.value, this.quorum ? "quorum" : "termination");
  }

  private onNack(tx: number, promised: number): void {
    const held = this.held.get(tx);
    if (held === undefined) return;
    held.highest = Math.max(held.highest, promised);
    if (held.lead !== undefined && promised > held.lead.ballot) {
      held.lead = undefined;
      this.wait(
        held,
        this.options.terminationTimeoutUs + this.ctx.random.int(0, this.options.terminationTimeoutUs),
      );
    }
  }

  private decideAsLeader(tx: number, held: Held, decision: Decision, reason: "termination" | "quorum"): void {
    this.decide(tx, decision, reason);
    this.broadcastDecision(tx, held, decision);
    this.release(tx, held);
  }

  // ---- timeouts ----------------------------------------------------------------------------------

  protected expire(nowUs: number): number {
    return this.expireEach(this.held, nowUs, (tx, held) => this.onDeadline(tx, held));
  }

  private onDeadline(tx: number, held: Held): void {
    const lead = held.lead;
    if (lead === undefined) {
      if (held.state === "wait" && this.hasBug("wait-commits-on-timeout")) {
        // BUG(wait-commits-on-timeout, M21): WAIT's timeout action taken to be Commit.
        this.decide(tx, "commit", "timeout");
        this.release(tx, held);
        return;
      }
      if (held.recovered && !this.quorum) {
        // Skeen's recovery: a site that failed while undecided asks; it does not lead.
        for (const site of [this.coordinator, ...held.participants]) {
          if (site !== this.ctx.id) this.ctx.send(site, { type: "decision-request", tx });
        }
        held.retryUs = backoff(held.retryUs, this.options.retryMaxUs);
        held.deadlineUs = this.ctx.now() + held.retryUs;
        return;
      }
      this.startLead(tx, held);
      return;
    }
    if (!this.quorum) {
      // Skeen: the silent sites are taken to have crashed.
      if (lead.phase === "collect") this.propose(tx, held);
      else this.decideAsLeader(tx, held, "commit", "termination");
      if (this.held.has(tx)) held.deadlineUs = this.ctx.now() + this.options.terminationTimeoutUs;
      return;
    }
    // Quorum: no majority yet. Keep the ballot (late answers still count) and ask the silent
    // sites again; only a NACK (a higher ballot) makes this site give up leading.
    for (const site of held.participants) {
      if (site === this.ctx.id) continue;
      if (lead.phase === "collect" && !lead.reports.has(site)) {
        this.ctx.send(site, {
          type: "state-request",
          tx,
          ballot: lead.ballot,
          participants: held.participants,
        });
      } else if (lead.phase === "propose" && !lead.acks.has(site)) {
        this.ctx.send(site, {
          type: lead.value === "commit" ? "precommit" : "preabort",
          tx,
          ballot: lead.ballot,
        });
      }
    }
    held.retryUs = backoff(held.retryUs, this.options.retryMaxUs);
    held.deadlineUs = this.ctx.now() + held.retryUs;
  }

  protected transactionStates(): Record<string, string> {
    const states: Record<string, string> = {};
    for (const [tx, held] of this.held) {
      const lead = held.lead === undefined ? "" : `, leading ballot ${held.lead.ballot} (${held.lead.phase})`;
      const ballot = held.acceptedBallot >= 0 ? ` @${held.acceptedBallot}` : "";
      states[tx] = `${held.state}${ballot}${lead}`;
    }
    return states;
  }
}
