/**
 * Single-decree Paxos, after Lamport's "Paxos Made Simple" (2001), §2.
 *
 * Three roles, any of which a node may play (options `proposers`, `acceptors`, `learners`):
 *
 * - A **proposer** picks a ballot n unique to itself, sends `prepare(n)` to every acceptor (phase
 *   1a), and waits for `promise`s from a majority (1b). Each promise carries the highest-ballot
 *   proposal that acceptor accepted; if any did, the proposer must propose the value of the
 *   highest one (P2c), otherwise its own value. It then sends `accept(n, v)` (2a). If a majority
 *   answers `accepted(n, v)` (2b), v is chosen. A rejected or stalled ballot is retried with a
 *   higher one, after a randomized backoff unless `backoff: false` (§2.4: without it two
 *   proposers can pre-empt each other forever).
 * - An **acceptor** promises ballot n unless it already promised a higher one (P1a), accepts
 *   (n, v) unless it promised a ballot above n, and records both durably *before* answering:
 *   a restarted acceptor must remember (§2.5).
 * - A **learner** learns v once a majority of acceptors report `accepted` for the same ballot.
 *
 * Ballots: proposer i (its position in `ctx.nodes`, from 0) of an N-node cluster uses ballots
 * `round * N + i + 1` for rounds 0, 1, 2, ..., so no two proposers share one and each proposer's
 * ballots increase. The round is persisted before the ballot is used, so a restarted proposer
 * never reuses a ballot. A node talks to its own acceptor and learner by direct call, not over
 * the network.
 */
import type { NodeContext, NodeId, ProtocolNode, StartInfo, StateDescription } from "../../sim/node.js";
import type { PaxosBugName } from "./bugs.js";
import type { AcceptedProposal, PaxosMessage } from "./messages.js";
import type { PaxosOptions } from "./options.js";
import { describePaxosNode, type ProposerPhase } from "./state.js";

/** Name of the timer that starts a ballot; the scenario action `timeout: nX` fires it. */
export const proposeTimer = "propose";
const retryTimer = "retry";

/** Durable storage keys. */
const promisedKey = "acceptor.promised";
const acceptedKey = "acceptor.accepted";
const roundKey = "proposer.round";
const learnedKey = "learner.learned";
/** Set once this proposer started a ballot, so a restarted proposer resumes proposing. */
const activeKey = "proposer.active";

/** What a proposer sent in phase 2a, and the phase 1b quorum it relied on (for P2c checks). */
export interface PhaseTwoStart {
  readonly ballot: number;
  readonly value: string;
  /** The acceptors whose promises formed the quorum. */
  readonly quorum: readonly NodeId[];
}

export class PaxosNode implements ProtocolNode<PaxosMessage> {
  readonly isProposer: boolean;
  readonly isAcceptor: boolean;
  readonly isLearner: boolean;
  readonly acceptors: readonly NodeId[];
  readonly learners: readonly NodeId[];
  readonly majority: number;

  // ---- acceptor (durable unless volatile-acceptor) ----
  /** Highest ballot promised (0: none). */
  promised = 0;
  accepted: AcceptedProposal | null = null;

  // ---- proposer ----
  /** This proposer's own value. */
  readonly value: string;
  round = -1;
  /** Current ballot (0 before the first). */
  ballot = 0;
  phase: ProposerPhase = "idle";
  /** Promises for the current ballot, by acceptor, in arrival order. */
  private readonly promises = new Map<NodeId, AcceptedProposal | null>();
  private readonly acceptedBy = new Set<NodeId>();
  /** Last phase 2a this proposer started (read by invariants). */
  phaseTwo: PhaseTwoStart | undefined;
  /** Consecutive failed ballots, for the backoff. */
  private failures = 0;
  /** Highest ballot seen in a rejection. */
  private highestSeen = 0;
  ballotsStarted = 0;

  // ---- learner ----
  learned: string | undefined;
  /** Per ballot, the acceptors that reported accepting it (and its value). */
  private readonly votes = new Map<number, { value: string; from: Set<NodeId> }>();
  /** BUG(learner-counts-across-ballots): per value, the acceptors that accepted it in any ballot. */
  private readonly votesByValue = new Map<string, Set<NodeId>>();

  private readonly bugs: ReadonlySet<PaxosBugName>;
  private readonly index: number;

  constructor(
    private readonly ctx: NodeContext<PaxosMessage>,
    private readonly options: PaxosOptions,
  ) {
    this.bugs = new Set(options.bugs);
    this.index = ctx.nodes.indexOf(ctx.id);
    this.acceptors =
      options.acceptors === "all" ? ctx.nodes : options.acceptors.filter((n) => ctx.nodes.includes(n));
    this.learners =
      options.learners === "all" ? ctx.nodes : options.learners.filter((n) => ctx.nodes.includes(n));
    this.majority = Math.floor(this.acceptors.length / 2) + 1;
    this.isProposer = options.proposers.includes(ctx.id);
    this.isAcceptor = this.acceptors.includes(ctx.id);
    this.isLearner = this.learners.includes(ctx.id);
    this.value = options.values[ctx.id] ?? `${ctx.id}:${ctx.random.int(1, 999)}`;
  }

  onStart(info: StartInfo): void {
    const storage = this.ctx.storage;
    // BUG(volatile-acceptor): a restarted acceptor starts from nothing.
    if (!this.bugs.has("volatile-acceptor")) {
      this.promised = storage.get<number>(promisedKey) ?? 0;
      this.accepted = storage.get<AcceptedProposal>(acceptedKey) ?? null;
    }
    // BUG(reuse-ballots): a restarted proposer starts again from round 0.
    if (!this.bugs.has("reuse-ballots")) this.round = storage.get<number>(roundKey) ?? -1;
    this.learned = storage.get<string>(learnedKey);
    if (this.learned !== undefined) this.phase = "chosen";
    const resume = info.restarted && storage.get<boolean>(activeKey) === true;
    if (this.isProposer && this.phase !== "chosen" && (this.options.autoPropose || resume)) {
      const delayUs = info.restarted ? this.options.retryTimeoutUs : 0;
      this.ctx.setTimer(proposeTimer, delayUs + this.ctx.random.int(0, this.options.proposeDelayMaxUs));
    }
  }

  onTimer(name: string): void {
    if (!this.isProposer || this.phase === "chosen") return;
    if (name === proposeTimer) {
      this.startBallot();
    } else if (name === retryTimer) {
      this.failures++;
      this.retry();
    }
  }

  onMessage(from: NodeId, message: PaxosMessage): void {
    this.handle(from, message);
  }

  private handle(from: NodeId, message: PaxosMessage): void {
    switch (message.type) {
      case "prepare":
        if (this.isAcceptor) this.onPrepare(from, message.ballot);
        return;
      case "accept":
        if (this.isAcceptor) this.onAccept(from, message.ballot, message.value);
        return;
      case "promise":
        this.onPromise(from, message.ballot, message.accepted);
        return;
      case "nack":
        this.onNack(message.ballot, message.promised);
        return;
      case "accepted":
        this.onAccepted(from, message.ballot, message.value);
        return;
    }
  }

  // ---- proposer ----------------------------------------------------------------------------

  /** Phase 1a: a fresh ballot above every one this proposer used or saw rejected. */
  private startBallot(): void {
    const n = this.ctx.nodes.length;
    const seenRound = this.highestSeen === 0 ? -1 : Math.floor((this.highestSeen - 1) / n);
    this.round = Math.max(this.round + 1, seenRound + 1);
    // Persist the round before the ballot leaves this node, so a restart never reuses it.
    // BUG(reuse-ballots): the round is not persisted.
    if (!this.bugs.has("reuse-ballots")) this.ctx.storage.set(roundKey, this.round);
    if (this.ballotsStarted === 0) this.ctx.storage.set(activeKey, true);
    this.ctx.storage.sync();
    this.ballot = this.round * n + this.index + 1;
    this.ballotsStarted++;
    this.phase = "prepare";
    this.promises.clear();
    this.acceptedBy.clear();
    this.ctx.note("prepare", { ballot: this.ballot });
    this.ctx.setTimer(retryTimer, this.options.retryTimeoutUs);
    this.toAcceptors({ type: "prepare", ballot: this.ballot });
  }

  private onPromise(from: NodeId, ballot: number, accepted: AcceptedProposal | null): void {
    if (this.phase !== "prepare") return;
    // BUG(count-stale-promises): promises for this proposer's earlier ballots count too.
    const current = this.bugs.has("count-stale-promises") ? ballot <= this.ballot : ballot === this.ballot;
    if (!current || this.promises.has(from)) return;
    this.promises.set(from, accepted);
    if (this.promises.size < this.majority) return;
    const value = this.valueToPropose();
    this.phase = "accept";
    this.phaseTwo = { ballot: this.ballot, value, quorum: [...this.promises.keys()] };
    this.toAcceptors({ type: "accept", ballot: this.ballot, value });
  }

  /** P2c: the value of the highest-ballot proposal reported by the quorum, else our own. */
  private valueToPropose(): string {
    let highest: AcceptedProposal | null = null;
    for (const accepted of this.promises.values()) {
      if (accepted === null) continue;
      // BUG(adopt-first-value): the first reported value wins, whatever its ballot.
      if (this.bugs.has("adopt-first-value")) return accepted.value;
      if (highest === null || accepted.ballot > highest.ballot) highest = accepted;
    }
    return highest === null ? this.value : highest.value;
  }

  private onNack(ballot: number, promised: number): void {
    if (promised > this.highestSeen) this.highestSeen = promised;
    if (ballot !== this.ballot || (this.phase !== "prepare" && this.phase !== "accept")) return;
    this.failures++;
    this.phase = "idle";
    this.ctx.cancelTimer(retryTimer);
    this.retry();
  }

  /** Starts the next ballot: at once without backoff, else after a randomized, growing delay. */
  private retry(): void {
    this.phase = "idle";
    if (!this.options.backoff) {
      this.startBallot();
      return;
    }
    const maxUs = this.options.backoffMaxUs * 2 ** Math.min(this.failures - 1, 4);
    this.ctx.setTimer(
      proposeTimer,
      this.ctx.random.int(this.options.backoffMinUs, Math.max(maxUs, this.options.backoffMinUs)),
    );
  }

  private onAccepted(from: NodeId, ballot: number, value: string): void {
    if (this.phase === "accept" && ballot === this.ballot) {
      this.acceptedBy.add(from);
      if (this.acceptedBy.size >= this.majority) {
        this.phase = "chosen";
        this.failures = 0;
        this.ctx.cancelTimer(retryTimer);
        this.ctx.cancelTimer(proposeTimer);
        this.ctx.note("chosen", { ballot, value });
      }
    }
    if (this.isLearner) this.learn(from, ballot, value);
  }

  // ---- acceptor ----------------------------------------------------------------------------

  private onPrepare(from: NodeId, ballot: number): void {
    if (ballot < this.promised) {
      this.reply(from, { type: "nack", ballot, promised: this.promised });
      return;
    }
    if (ballot > this.promised) {
      this.promised = ballot;
      this.persistAcceptor();
    }
    // BUG(promise-omits-accepted): the promise does not report the accepted proposal.
    const accepted = this.bugs.has("promise-omits-accepted") ? null : this.accepted;
    this.reply(from, { type: "promise", ballot, accepted });
  }

  private onAccept(from: NodeId, ballot: number, value: string): void {
    // BUG(accept-checks-accepted-ballot): compare with the accepted ballot, not the promise.
    const floor = this.bugs.has("accept-checks-accepted-ballot")
      ? (this.accepted?.ballot ?? 0)
      : this.promised;
    if (ballot < floor) {
      this.reply(from, { type: "nack", ballot, promised: this.promised });
      return;
    }
    if (ballot > this.promised) this.promised = ballot;
    this.accepted = { ballot, value };
    this.persistAcceptor();
    // Phase 2b goes to the proposer and to every learner.
    const message: PaxosMessage = { type: "accepted", ballot, value };
    if (!this.learners.includes(from)) this.reply(from, message);
    for (const learner of this.learners) this.reply(learner, message);
  }

  private persistAcceptor(): void {
    // BUG(volatile-acceptor): nothing reaches stable storage.
    if (this.bugs.has("volatile-acceptor")) return;
    this.ctx.storage.set(promisedKey, this.promised);
    this.ctx.storage.set(acceptedKey, this.accepted);
    // Both go to stable storage before the promise or the acceptance is sent (§2.5).
    // BUG(unsynced-acceptor): they are written, but the answer leaves before they are synced.
    if (!this.bugs.has("unsynced-acceptor")) this.ctx.storage.sync();
  }

  // ---- learner -----------------------------------------------------------------------------

  private learn(from: NodeId, ballot: number, value: string): void {
    if (this.learned !== undefined) return;
    let count: number;
    if (this.bugs.has("learner-counts-across-ballots")) {
      // BUG(learner-counts-across-ballots): votes for a value add up over different ballots.
      let voters = this.votesByValue.get(value);
      if (voters === undefined) this.votesByValue.set(value, (voters = new Set()));
      voters.add(from);
      count = voters.size;
    } else {
      let vote = this.votes.get(ballot);
      if (vote === undefined) this.votes.set(ballot, (vote = { value, from: new Set() }));
      vote.from.add(from);
      count = vote.from.size;
    }
    if (count < this.majority) return;
    this.learned = value;
    this.ctx.storage.set(learnedKey, value);
    this.ctx.note("learned", { ballot, value });
    if (this.isProposer && this.phase !== "chosen") {
      this.phase = "chosen";
      this.ctx.cancelTimer(retryTimer);
      this.ctx.cancelTimer(proposeTimer);
    }
  }

  // ---- plumbing ----------------------------------------------------------------------------

  private toAcceptors(message: PaxosMessage): void {
    for (const acceptor of this.acceptors) this.reply(acceptor, message);
  }

  /** Sends a message; to this node itself it is handled at once, without the network. */
  private reply(to: NodeId, message: PaxosMessage): void {
    if (to === this.ctx.id) this.handle(to, message);
    else this.ctx.send(to, message);
  }

  /** Roles, ballot and phase, promise, accepted proposal and learned value (state.ts). */
  describe(): StateDescription {
    return describePaxosNode(this);
  }
}
