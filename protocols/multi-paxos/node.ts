/**
 * Multi-Paxos as a replicated, linearizable key-value service, after Lamport's "Paxos Made
 * Simple" (2001), §3 ("Implementing a State Machine").
 *
 * Every node is acceptor, learner and replica, and may become the distinguished proposer (the
 * leader). The log is a sequence of slots, each decided by its own instance of Paxos:
 *
 * - **Phase 1 once for all slots.** A node that hears no leader for an election timeout picks a
 *   ballot above every one it has seen and sends `prepare(ballot, fromSlot)`, where `fromSlot` is
 *   the first slot it does not know to be chosen. Each promise covers every slot from there on and
 *   reports, per slot, the proposal the acceptor accepted. With a majority of promises the node is
 *   leader: for each slot up to the highest reported it proposes the value of the highest-ballot
 *   report, and fills slots nobody reported (holes) with a no-op (§3).
 * - **Phase 2 per slot.** The leader assigns each client command the next free slot and sends
 *   `accept(ballot, slot, command)`; a majority of `accepted` makes it chosen. Accepts and
 *   heartbeats carry the leader's chosen prefix, from which followers learn decisions; a follower
 *   that misses some asks with `catchup` and gets `decide`. Unchosen slots are re-sent with each heartbeat, so lost messages only
 *   delay them.
 * - **In-order execution.** Replicas execute chosen commands strictly in slot order, and only
 *   when every earlier slot is chosen. Reads go through the log like writes, so a deposed leader
 *   can never answer from stale state.
 * - **Exactly-once.** Each command carries (client, seq); the state machine remembers each
 *   client's last executed seq and result, so a retry that lands in the log twice takes effect
 *   once and is answered with the remembered result.
 *
 * Durable state: the promise, every accepted slot proposal (an append-only list; later entries
 * override earlier ones for the same slot), the ballot round, and every chosen command. A
 * restarted replica re-executes its chosen prefix to rebuild the key-value state. A node handles
 * messages to itself by direct call.
 */
import {
  type ClientRequest,
  freezeDeep,
  type NodeContext,
  type NodeId,
  type ProtocolNode,
  type StartInfo,
  type StateDescription,
} from "../../sim/node.js";
import { LazyElectionTimer } from "../shared/election-timer.js";
import { isKvFunction, KvStateMachine } from "../shared/kv-store.js";
import type { MultiPaxosBugName } from "./bugs.js";
import {
  type Command,
  commandKey,
  type MultiPaxosMessage,
  type OperationCommand,
  type SlotProposal,
} from "./messages.js";
import type { MultiPaxosOptions } from "./options.js";
import { describeMultiPaxosNode, type MultiPaxosRole } from "./state.js";

export const electionTimer = "election";
const heartbeatTimer = "heartbeat";

const promisedKey = "promised";
const acceptedKey = "accepted";
const roundKey = "round";
const chosenKey = "chosen";

/** One executed slot: the command's key and whether it took effect (false for no-ops and duplicates). */
export interface ExecutedEntry {
  readonly key: string;
  readonly effective: boolean;
}

interface Proposal {
  readonly command: Command;
  readonly acceptedBy: Set<NodeId>;
  sentUs: number;
}

export class MultiPaxosNode implements ProtocolNode<MultiPaxosMessage> {
  readonly majority: number;

  // ---- acceptor (durable unless volatile-acceptor) ----
  promised = 0;
  /** The latest accepted proposal per slot, indexed by slot. */
  private readonly acceptedSlots: Array<SlotProposal | undefined> = [];
  /** Every acceptance this process made, in order (volatile; read by invariants). */
  readonly acceptHistory: SlotProposal[] = [];

  // ---- learner and replica ----
  /** The chosen command per slot, indexed by slot. */
  readonly chosen: Array<Command | undefined> = [];
  executedThrough = 0;
  /** Entry `slot - 1` describes the execution of `slot`. */
  readonly executed: ExecutedEntry[] = [];
  private readonly kv = new KvStateMachine();

  // ---- proposer / leader ----
  role: MultiPaxosRole = "follower";
  /** This node's latest ballot as candidate or leader (0 before its first). */
  ballot = 0;
  private round = -1;
  private highestSeen = 0;
  leaderHint: NodeId | undefined;
  /** Lazy: a leader's every accept and heartbeat would otherwise queue a timer at each acceptor. */
  private readonly election: LazyElectionTimer;
  private fromSlot = 1;
  private readonly promises = new Map<NodeId, readonly SlotProposal[]>();
  private nextSlot = 1;
  private readonly proposals = new Map<number, Proposal>();
  /** Command key → slot, for operations proposed and not yet chosen. */
  private readonly pendingSlots = new Map<string, number>();
  /** Client requests this leader must answer, by command key. */
  private readonly waiting = new Map<string, ClientRequest>();

  private readonly bugs: ReadonlySet<MultiPaxosBugName>;
  private readonly index: number;

  constructor(
    private readonly ctx: NodeContext<MultiPaxosMessage>,
    private readonly options: MultiPaxosOptions,
  ) {
    this.election = new LazyElectionTimer(ctx, electionTimer);
    this.bugs = new Set(options.bugs);
    this.index = ctx.nodes.indexOf(ctx.id);
    this.majority = Math.floor(ctx.nodes.length / 2) + 1;
  }

  onStart(_info: StartInfo): void {
    const storage = this.ctx.storage;
    // BUG(volatile-acceptor): a restarted acceptor starts from nothing.
    if (!this.bugs.has("volatile-acceptor")) {
      this.promised = storage.get<number>(promisedKey) ?? 0;
      for (const proposal of storage.list<SlotProposal>(acceptedKey))
        this.acceptedSlots[proposal.slot] = proposal;
    }
    this.round = storage.get<number>(roundKey) ?? -1;
    this.highestSeen = this.promised;
    for (const entry of storage.list<{ slot: number; command: Command }>(chosenKey))
      this.chosen[entry.slot] = entry.command;
    this.executeReady();
    this.resetElectionTimer();
  }

  onTimer(name: string): void {
    if (name === electionTimer) {
      if (this.role !== "leader" && this.election.expired()) this.startPhaseOne();
    } else if (name === heartbeatTimer && this.role === "leader") {
      this.heartbeat();
    }
  }

  onMessage(from: NodeId, message: MultiPaxosMessage): void {
    this.handle(from, message);
  }

  onClientRequest(request: ClientRequest): void {
    if (!isKvFunction(request.f)) {
      this.ctx.reply(request, { status: "fail", error: `unknown operation '${request.f}'` });
      return;
    }
    if (this.role !== "leader") {
      const leader = this.leaderHint !== this.ctx.id ? this.leaderHint : undefined;
      this.ctx.reply(request, leader === undefined ? { status: "redirect" } : { status: "redirect", leader });
      return;
    }
    const done = this.kv.resultOf(request.client, request.seq);
    if (done !== undefined && !this.bugs.has("execute-duplicates")) {
      this.ctx.reply(request, { status: "ok", value: done.value });
      return;
    }
    // Frozen once here: acceptors store and pass on this very object, without copies.
    const command: OperationCommand = freezeDeep({
      kind: "op",
      client: request.client,
      seq: request.seq,
      f: request.f,
      key: request.key,
      value: request.value,
    });
    const key = commandKey(command);
    this.waiting.set(key, request);
    if (this.pendingSlots.has(key)) return;
    this.propose(this.nextSlot++, command);
  }

  private handle(from: NodeId, message: MultiPaxosMessage): void {
    switch (message.type) {
      case "prepare":
        this.onPrepare(from, message.ballot, message.fromSlot);
        return;
      case "promise":
        this.onPromise(from, message.ballot, message.accepted);
        return;
      case "nack":
        this.onNack(message.promised);
        return;
      case "accept":
        this.onAccept(from, message.ballot, message.slot, message.command);
        if (from !== this.ctx.id) this.learnThrough(message.ballot, message.chosenThrough);
        return;
      case "accepted":
        this.onAccepted(from, message.ballot, message.slot);
        return;
      case "decide":
        for (const entry of message.entries) this.learnChosen(entry.slot, entry.command);
        return;
      case "heartbeat":
        this.onHeartbeat(from, message.ballot, message.chosenThrough);
        return;
      case "catchup":
        this.onCatchup(from, message.fromSlot);
        return;
    }
  }

  // ---- phase 1: electing the distinguished proposer ----------------------------------------

  /**
   * Phase 1(a) (§2.2), once for every slot from the first one this node has not executed (§3).
   * Ballots of different nodes come from disjoint sets, round × n + index + 1, and a proposer
   * remembers its last round on stable storage so it never issues a ballot twice (§2.5).
   */
  private startPhaseOne(): void {
    const n = this.ctx.nodes.length;
    const seenRound = this.highestSeen === 0 ? -1 : Math.floor((this.highestSeen - 1) / n);
    this.round = Math.max(this.round + 1, seenRound + 1);
    this.ctx.storage.set(roundKey, this.round);
    // A restarted proposer must not reuse a round, so the round is on disk before it is used.
    this.ctx.storage.sync();
    this.ballot = this.round * n + this.index + 1;
    this.role = "candidate";
    this.leaderHint = undefined;
    this.promises.clear();
    this.fromSlot = this.executedThrough + 1;
    this.ctx.note("prepare", { ballot: this.ballot, fromSlot: this.fromSlot });
    this.resetElectionTimer();
    this.toAll({ type: "prepare", ballot: this.ballot, fromSlot: this.fromSlot });
  }

  /**
   * Phase 1(b) (§2.2): promise never to accept a lower ballot, and report, for each slot from
   * `fromSlot`, the proposal this acceptor accepted there.
   */
  private onPrepare(from: NodeId, ballot: number, fromSlot: number): void {
    if (ballot < this.promised) {
      this.sendTo(from, { type: "nack", ballot, promised: this.promised });
      return;
    }
    this.raisePromise(ballot);
    if (from !== this.ctx.id) this.resetElectionTimer();
    const accepted: SlotProposal[] = [];
    // BUG(promise-omits-accepted): the promise reports no accepted slots.
    if (!this.bugs.has("promise-omits-accepted")) {
      const slots = this.acceptedSlots;
      for (let slot = Math.max(fromSlot, 0); slot < slots.length; slot++) {
        const proposal = slots[slot];
        if (proposal !== undefined) accepted.push(proposal);
      }
    }
    this.sendTo(from, { type: "promise", ballot, accepted });
  }

  private onPromise(from: NodeId, ballot: number, accepted: readonly SlotProposal[]): void {
    if (this.role !== "candidate" || ballot !== this.ballot || this.promises.has(from)) return;
    this.promises.set(from, accepted);
    if (this.promises.size >= this.majority) this.becomeLeader();
  }

  /**
   * Phase 2(a) for the slots the promises cover (§3): in each slot, propose the value of the
   * highest-ballot proposal reported, or a no-op where nobody reported one.
   */
  private becomeLeader(): void {
    this.role = "leader";
    this.leaderHint = this.ctx.id;
    this.ctx.cancelTimer(electionTimer);
    // Per slot, the proposal to carry forward: the highest-ballot report (P2c).
    const carried = new Map<number, SlotProposal>();
    let maxSlot = this.executedThrough;
    for (const reports of this.promises.values()) {
      for (const proposal of reports) {
        const current = carried.get(proposal.slot);
        // BUG(adopt-first-value): the first report for a slot wins, whatever its ballot.
        const replace = this.bugs.has("adopt-first-value")
          ? current === undefined
          : current === undefined || proposal.ballot > current.ballot;
        if (replace) carried.set(proposal.slot, proposal);
        if (proposal.slot > maxSlot) maxSlot = proposal.slot;
      }
    }
    if (this.chosen.length - 1 > maxSlot) maxSlot = this.chosen.length - 1;
    if (carried.size > 0) this.ctx.probe("new-leader-carried-accepted-values-forward");
    this.ctx.note("became-leader", { ballot: this.ballot, fromSlot: this.fromSlot, throughSlot: maxSlot });
    for (let slot = this.fromSlot; slot <= maxSlot; slot++) {
      if (this.chosen[slot] !== undefined) continue;
      // A hole nobody reported cannot have been chosen: fill it with a no-op.
      this.propose(slot, carried.get(slot)?.command ?? { kind: "noop" });
    }
    this.nextSlot = maxSlot + 1;
    this.heartbeat();
  }

  /** An acceptor promised a higher ballot: this node's ballot cannot win, so it stops leading. */
  private onNack(promised: number): void {
    if (promised > this.highestSeen) this.highestSeen = promised;
    if (this.role !== "follower" && promised > this.ballot) this.stepDown(undefined);
  }

  // ---- phase 2: one instance per slot -------------------------------------------------------

  private propose(slot: number, command: Command): void {
    this.proposals.set(slot, { command, acceptedBy: new Set(), sentUs: this.ctx.now() });
    if (command.kind === "op") this.pendingSlots.set(commandKey(command), slot);
    this.toAll({ type: "accept", ballot: this.ballot, slot, command, chosenThrough: this.executedThrough });
  }

  /** Phase 2(b) (§2.2): accept unless this acceptor promised a higher ballot. */
  private onAccept(from: NodeId, ballot: number, slot: number, command: Command): void {
    if (ballot < this.promised) {
      this.sendTo(from, { type: "nack", ballot, promised: this.promised });
      return;
    }
    this.raisePromise(ballot);
    if (from !== this.ctx.id) {
      this.leaderHint = from;
      this.resetElectionTimer();
    }
    // Stored and shared without copies, so frozen (a command frozen where it was made stays as is).
    const proposal: SlotProposal = freezeDeep({ slot, ballot, command });
    this.acceptedSlots[slot] = proposal;
    // BUG(volatile-acceptor): the acceptance is not written to stable storage.
    if (!this.bugs.has("volatile-acceptor")) this.ctx.storage.append(acceptedKey, proposal);
    // BUG(unsynced-accept): "accepted" leaves before the acceptance is synced.
    if (!this.bugs.has("unsynced-accept")) this.ctx.storage.sync();
    this.acceptHistory.push(proposal);
    this.sendTo(from, { type: "accepted", ballot, slot });
  }

  /** Learning (§2.3): a proposal accepted by a majority of acceptors is chosen. */
  private onAccepted(from: NodeId, ballot: number, slot: number): void {
    if (this.role !== "leader" || ballot !== this.ballot) return;
    const proposal = this.proposals.get(slot);
    if (proposal === undefined) return;
    proposal.acceptedBy.add(from);
    if (proposal.acceptedBy.size < this.majority) return;
    this.proposals.delete(slot);
    if (proposal.command.kind === "op") this.pendingSlots.delete(commandKey(proposal.command));
    this.ctx.note("chosen", { slot, ballot });
    this.learnChosen(slot, proposal.command);
  }

  /** Promises `ballot` (durably) if it is above the current promise; a higher ballot deposes us. */
  private raisePromise(ballot: number): void {
    if (ballot > this.highestSeen) this.highestSeen = ballot;
    if (ballot <= this.promised) return;
    this.promised = ballot;
    // BUG(volatile-acceptor): the promise is not written to stable storage.
    if (!this.bugs.has("volatile-acceptor")) this.ctx.storage.set(promisedKey, ballot);
    this.ctx.storage.sync();
    if (this.role !== "follower" && ballot > this.ballot) this.stepDown(undefined);
  }

  private stepDown(leader: NodeId | undefined): void {
    this.role = "follower";
    this.leaderHint = leader;
    if (this.proposals.size > 0) this.ctx.probe("leader-stepped-down-with-proposals-in-flight");
    this.proposals.clear();
    this.pendingSlots.clear();
    for (const request of this.waiting.values()) this.ctx.reply(request, { status: "redirect" });
    this.waiting.clear();
    this.ctx.cancelTimer(heartbeatTimer);
    this.resetElectionTimer();
  }

  // ---- leader upkeep, learning and catch-up -------------------------------------------------

  private heartbeat(): void {
    this.ctx.broadcast({ type: "heartbeat", ballot: this.ballot, chosenThrough: this.executedThrough });
    const nowUs = this.ctx.now();
    const staleUs = nowUs - this.options.heartbeatIntervalUs;
    for (const [slot, proposal] of this.proposals) {
      if (proposal.sentUs > staleUs) continue;
      proposal.sentUs = nowUs;
      for (const peer of this.ctx.peers) {
        if (!proposal.acceptedBy.has(peer)) {
          this.ctx.send(peer, {
            type: "accept",
            ballot: this.ballot,
            slot,
            command: proposal.command,
            chosenThrough: this.executedThrough,
          });
        }
      }
    }
    this.ctx.setTimer(heartbeatTimer, this.options.heartbeatIntervalUs);
  }

  private onHeartbeat(from: NodeId, ballot: number, chosenThrough: number): void {
    if (ballot < this.promised) {
      this.sendTo(from, { type: "nack", ballot, promised: this.promised });
      return;
    }
    this.raisePromise(ballot);
    this.leaderHint = from;
    this.resetElectionTimer();
    this.learnThrough(ballot, chosenThrough);
    if (chosenThrough > this.executedThrough)
      this.sendTo(from, { type: "catchup", fromSlot: this.executedThrough + 1 });
  }

  /**
   * The leader of `ballot` says every slot up to `chosenThrough` is chosen. For each such slot
   * where this acceptor holds the leader's own proposal, that proposal is the chosen command.
   */
  private learnThrough(ballot: number, chosenThrough: number): void {
    if (ballot !== this.promised) return;
    for (let slot = this.executedThrough + 1; slot <= chosenThrough; slot++) {
      const proposal = this.acceptedSlots[slot];
      if (proposal === undefined || proposal.ballot !== ballot) return;
      this.learnChosen(slot, proposal.command);
    }
  }

  private onCatchup(from: NodeId, fromSlot: number): void {
    const entries: Array<{ slot: number; command: Command }> = [];
    for (let slot = fromSlot; slot < fromSlot + this.options.catchupBatch; slot++) {
      const command = this.chosen[slot];
      if (command !== undefined) entries.push({ slot, command });
    }
    if (entries.length > 0) this.sendTo(from, { type: "decide", entries });
  }

  private learnChosen(slot: number, command: Command): void {
    if (this.chosen[slot] !== undefined) return;
    this.chosen[slot] = command;
    this.ctx.storage.append(chosenKey, freezeDeep({ slot, command }));
    this.executeReady();
  }

  /** Executes chosen commands in slot order, stopping at the first slot not yet chosen. */
  private executeReady(): void {
    for (;;) {
      const slot = this.executedThrough + 1;
      const command = this.chosen[slot];
      if (command === undefined) return;
      this.executedThrough = slot;
      if (command.kind === "noop") {
        this.executed.push({ key: "noop", effective: false });
        continue;
      }
      const key = commandKey(command);
      // BUG(execute-duplicates): sessions are ignored, so a duplicate takes effect again.
      const outcome = this.bugs.has("execute-duplicates")
        ? this.kv.executeIgnoringSession(command)
        : this.kv.execute(command);
      this.executed.push({ key, effective: outcome.effective });
      const request = this.waiting.get(key);
      if (request !== undefined && outcome.result !== undefined) {
        this.waiting.delete(key);
        this.ctx.reply(request, { status: "ok", value: outcome.result });
      }
    }
  }

  // ---- plumbing ----------------------------------------------------------------------------

  private resetElectionTimer(): void {
    const { electionTimeoutMinUs, electionTimeoutMaxUs } = this.options;
    this.election.reset(this.ctx.random.int(electionTimeoutMinUs, electionTimeoutMaxUs));
  }

  /** Sends to every node, this one included (handled at once, without the network). */
  private toAll(message: MultiPaxosMessage): void {
    this.ctx.broadcast(message);
    this.handle(this.ctx.id, message);
  }

  private sendTo(to: NodeId, message: MultiPaxosMessage): void {
    if (to === this.ctx.id) this.handle(to, message);
    else this.ctx.send(to, message);
  }

  /** Role, ballot, promise, execution and (as leader) open slots (state.ts). */
  describe(): StateDescription {
    return describeMultiPaxosNode(this);
  }

  /** Slots proposed by this leader and not yet chosen (for state descriptions). */
  get openSlots(): number {
    return this.proposals.size;
  }

  /** How many slots this node knows chosen (for state descriptions). */
  get chosenCount(): number {
    let count = 0;
    for (const command of this.chosen) if (command !== undefined) count++;
    return count;
  }

  get nextFreeSlot(): number {
    return this.nextSlot;
  }
}
