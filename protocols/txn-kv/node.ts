/**
 * A node of the transactional store: a member of one Raft group that holds a range of keys, and
 * both a participant (for transactions touching its range) and a coordinator (for transactions
 * whose first key is in its range). Two-phase commit runs between groups, never between single
 * nodes: every step a coordinator or a participant takes is first agreed in its group's log, so a
 * crashed leader is replaced by another replica that knows everything it did (Spanner's idea,
 * Corbett et al. 2012 §4.2.1; Gray & Lamport 2006 §4 for why consensus removes 2PC's blocking).
 *
 * A transaction, step by step (each "log" step is a proposal in the group's Raft log, acted on by
 * whichever replica leads when it is applied):
 *
 * | step | who | what |
 * |---|---|---|
 * | route | any node | a transaction goes to the group holding its first key (redirect), then to that group's leader |
 * | begin | coordinator log | the coordinator record: operations and participant groups |
 * | prepare | coordinator leader → participant groups | `Prepare` with each group's operations, resent each tick until voted |
 * | lock | participant log | take every lock or refuse (no-wait 2PL), read under the locks |
 * | vote | participant leader → coordinator | `Vote` yes with the reads, or no |
 * | decide | coordinator log | commit if every vote is yes, else abort; the first decision in the log wins |
 * | answer | coordinator leader → client | `ok` with the reads, or `fail` (aborted: it did not take effect) |
 * | finish | participant log | apply the appends (commit) and release the locks |
 * | end | coordinator log | every participant acknowledged: stop resending |
 *
 * A new coordinator leader presumes abort: it proposes `abort` for every transaction its machine
 * shows undecided. If a `commit` was already in the log, it is applied first and the abort is
 * ignored, so this is safe; a transaction whose `begin` only reaches the log later is driven to a
 * decision by the ticks like any other.
 */
import type {
  ClientRequest,
  NodeContext,
  NodeId,
  ProtocolNode,
  StartInfo,
  StateDescription,
} from "../../sim/node.js";
import type { RaftMessage } from "../raft/index.js";
import { RaftReplica, raftFields } from "../sharded-kv/replica.js";
import type { TxnBugName } from "./bugs.js";
import { LoadMeter, loadMedianKey, rangeLoad } from "./load.js";
import { type GroupCommand, GroupMachine, type ReadResult, type TxnOp } from "./machine.js";
import {
  type CommitMessage,
  isCommitMessage,
  isPlacementMessage,
  type PlacementMessage,
  type TxnKvMessage,
} from "./messages.js";
import {
  deriveTxnLayout,
  groupOfKey,
  loadWindowUsDefault,
  placementGroupId,
  type TxnKvOptions,
  type TxnLayout,
} from "./options.js";
import {
  inRange,
  type PlacementCommand,
  PlacementMachine,
  type RangeStats,
  type RangeTable,
} from "./placement.js";

export const tickTimer = "txn-tick";

/** Parses a client's `txn` value, `[[f, key, value], …]`, or says what is wrong. */
export function parseTransaction(value: unknown): TxnOp[] | string {
  if (!Array.isArray(value) || value.length === 0) return "a txn is a non-empty list of [f, key, value]";
  const ops: TxnOp[] = [];
  for (const [index, item] of value.entries()) {
    if (!Array.isArray(item) || item.length !== 3) return `micro-operation ${index} is not [f, key, value]`;
    const [f, key, operand] = item as unknown[];
    if ((f !== "append" && f !== "r") || typeof key !== "string") {
      return `micro-operation ${index}: expected ["append", key, value] or ["r", key, null]`;
    }
    if (f === "append" && typeof operand !== "number" && typeof operand !== "string") {
      return `micro-operation ${index}: an append needs a number or a string`;
    }
    ops.push({ index, f, key, value: f === "append" ? (operand as number | string) : null });
  }
  return ops;
}

export class TxnKvNode implements ProtocolNode<TxnKvMessage> {
  readonly layout: TxnLayout;
  readonly group: string;
  readonly members: readonly NodeId[];
  readonly replica: RaftReplica<GroupCommand | PlacementCommand>;
  machine: GroupMachine;
  /** Set on placement-group members (replaced when Raft restores a snapshot). */
  placement: PlacementMachine | undefined;
  /** Which placement member to ask for the table next (data-group leaders poll in turn). */
  private pollCursor = 0;
  private readonly bugs: ReadonlySet<TxnBugName>;
  /** Clients waiting for their transaction's decision (coordinator leader), by transaction. */
  private readonly waiters = new Map<string, ClientRequest>();
  /** Votes received, by transaction and group (coordinator leader; lost on a leader change). */
  private readonly votes = new Map<string, Map<string, { yes: boolean; reads: readonly ReadResult[] }>>();
  /** Groups that acknowledged a decision, by transaction (coordinator leader). */
  private readonly acks = new Map<string, Set<string>>();
  /** Proposals made while leading this term, so retries do not fill the log. */
  private readonly proposed = new Set<string>();
  /** BUG(forget-decision): decisions kept in the leader's memory only. */
  private readonly remembered = new Map<string, { commit: boolean; reads: readonly ReadResult[] }>();
  private wasLeader = false;
  /** Transactions prepared per key in this load window (see load.ts). */
  private readonly load = new LoadMeter();
  /** Ticks since this leader's load window began. */
  private windowTicks = 0;

  constructor(
    private readonly ctx: NodeContext<TxnKvMessage>,
    readonly options: TxnKvOptions,
  ) {
    this.layout = deriveTxnLayout(options, ctx.nodes);
    const group = this.layout.groupOf.get(ctx.id);
    if (group === undefined) throw new Error(`txn-kv: ${ctx.id} is in no group`);
    this.group = group;
    this.members = this.layout.groups[group] as readonly NodeId[];
    this.bugs = new Set(options.bugs);
    this.machine = new GroupMachine(group, this.bugs, this.layout.initialTable);
    this.placement = group === placementGroupId ? new PlacementMachine(this.layout.initialTable) : undefined;
    this.replica = new RaftReplica(ctx as unknown as NodeContext<RaftMessage>, this.members, options.raft, {
      onApply: (command) => this.onApply(command),
      snapshot: () => (this.placement === undefined ? this.machine.snapshot() : this.placement.table),
      restore: (snapshot) => {
        if (this.placement !== undefined) {
          this.placement = new PlacementMachine(snapshot as RangeTable);
          return;
        }
        this.machine = new GroupMachine(this.group, this.bugs, this.layout.initialTable);
        this.machine.restore(snapshot);
      },
    });
  }

  private get isLeader(): boolean {
    return this.replica.isLeader;
  }

  // ---- handlers ---------------------------------------------------------------------------------

  onStart(info: StartInfo): void {
    this.replica.start(info.restarted);
    this.ctx.setTimer(tickTimer, this.options.tickUs);
    this.settle();
  }

  onTimer(name: string): void {
    if (name === tickTimer) {
      this.tick();
      this.ctx.setTimer(tickTimer, this.options.tickUs);
    } else this.replica.onTimer(name);
    this.settle();
  }

  onMessage(from: NodeId, message: TxnKvMessage): void {
    if (isCommitMessage(message)) this.onCommitMessage(message);
    else if (isPlacementMessage(message)) this.onPlacementMessage(from, message);
    else this.replica.onMessage(from, message);
    this.settle();
  }

  onClientRequest(request: ClientRequest): void {
    this.handleRequest(request);
    this.settle();
  }

  // ---- clients ----------------------------------------------------------------------------------

  private handleRequest(request: ClientRequest): void {
    const ops = request.f === "txn" ? parseTransaction(request.value) : `unknown operation '${request.f}'`;
    if (typeof ops === "string") {
      this.ctx.reply(request, { status: "fail", error: ops });
      return;
    }
    const coordinator = this.coordinatorOf(request.client, ops);
    if (coordinator !== this.group) {
      this.ctx.reply(request, { status: "redirect", leader: this.layout.groups[coordinator]![0]! });
      return;
    }
    if (!this.isLeader) {
      this.replica.redirectToLeader(request);
      return;
    }
    const txn = request.id;
    const decision = this.remembered.get(txn) ?? this.machine.coordinator.get(txn)?.decision;
    if (decision !== undefined) {
      this.answer(request, decision);
      return;
    }
    this.waiters.set(txn, request);
    if (this.machine.coordinator.has(txn)) return;
    const owners = ops.map((op) => groupOfKey(this.machine.table, op.key));
    const participants = [...new Set(owners)].sort();
    this.propose(`begin ${txn}`, { kind: "begin", txn, ops, owners, participants });
  }

  /**
   * The coordinator group of a transaction. With static ranges, the group of its first key. With
   * placement, ranges move, so a retry could reach a group that never saw the transaction: the
   * coordinator is picked from the client's name instead, which never changes.
   */
  private coordinatorOf(client: string, ops: readonly TxnOp[]): string {
    if (this.options.placement === null) return groupOfKey(this.layout.initialTable, ops[0]!.key);
    let hash = 2166136261;
    for (let at = 0; at < client.length; at++) hash = Math.imul(hash ^ client.charCodeAt(at), 16777619) >>> 0;
    return this.layout.groupNames[hash % this.layout.groupNames.length]!;
  }

  private answer(request: ClientRequest, decision: { commit: boolean; reads: readonly ReadResult[] }): void {
    if (!decision.commit) {
      this.ctx.reply(request, { status: "fail", error: "aborted" });
      return;
    }
    const reads = new Map(decision.reads);
    const ops = request.value as [string, string, unknown][];
    const value = ops.map(([f, key, operand], index) => [
      f,
      key,
      f === "r" ? (reads.get(index) ?? []) : operand,
    ]);
    this.ctx.reply(request, { status: "ok", value });
  }

  // ---- the log ----------------------------------------------------------------------------------

  private propose(label: string, command: GroupCommand | PlacementCommand): void {
    if (this.proposed.has(label)) return;
    if (this.replica.propose(command)) this.proposed.add(label);
  }

  private onApply(command: GroupCommand | PlacementCommand): void {
    if (this.placement !== undefined) {
      this.onPlacementApply(command as PlacementCommand);
      return;
    }
    const group = command as GroupCommand;
    const preparedBefore = group.kind === "prepare" && this.machine.participant.has(group.txn);
    const routedBefore =
      group.kind === "reroute" ? this.machine.coordinator.get(group.txn)?.participants : undefined;
    this.machine.apply(group);
    if (group.kind === "prepare" && !preparedBefore) this.recordLoad(group.txn);
    if (group.kind === "reroute" && routedBefore !== this.machine.coordinator.get(group.txn)?.participants) {
      this.ctx.note("txn-redirect", {
        txn: group.txn,
        from: group.group,
        to: [...new Set(group.owners)].filter((owner) => !routedBefore!.includes(owner)),
      });
    }
    if (
      group.kind === "install" &&
      this.machine.installed.has(`${group.start}@${this.machine.table.version}`)
    ) {
      this.ctx.note("range-installed", {
        start: group.start,
        group: this.group,
        version: this.machine.table.version,
      });
    }
    if (!this.isLeader) return;
    switch (group.kind) {
      case "begin":
        this.sendPrepares(group.txn);
        return;
      case "decide": {
        const decision = this.machine.coordinator.get(group.txn)?.decision;
        if (decision === undefined) return;
        const waiter = this.waiters.get(group.txn);
        if (waiter !== undefined) {
          this.waiters.delete(group.txn);
          this.answer(waiter, decision);
        }
        this.sendDecides(group.txn, decision.commit);
        return;
      }
      case "prepare":
      case "finish":
        this.reportToCoordinator(group.txn);
        return;
      case "reroute":
        // The refused group's operations go to the groups the newer table names.
        this.votes.get(group.txn)?.delete(group.group);
        this.sendPrepares(group.txn);
        return;
      case "install":
        // An install that arrived before this group learned of the move changed nothing.
        if (this.machine.installed.has(`${group.start}@${this.machine.table.version}`)) {
          this.sendToGroup(placementGroupId, {
            type: "RangeInstalled",
            start: group.start,
            group: this.group,
          });
        }
        return;
      case "ended":
      case "table":
        return;
    }
  }

  /** Every `tick`, the leader resends what is still unanswered. */
  private tick(): void {
    if (!this.isLeader) return;
    if (this.placement !== undefined) {
      this.balance();
      return;
    }
    if (this.options.placement !== null) this.placementTick();
    for (const [txn, record] of this.machine.coordinator) {
      if (record.ended) continue;
      const decision = this.remembered.get(txn) ?? record.decision;
      if (decision === undefined) this.sendPrepares(txn);
      else this.sendDecides(txn, decision.commit);
    }
  }

  // ---- placement ----------------------------------------------------------------------------------

  /** Counts a transaction this group just prepared on each key it touches here. */
  private recordLoad(txn: string): void {
    const record = this.machine.participant.get(txn);
    if (record?.state !== "prepared") return;
    for (const key of new Set(record.ops.map((op) => op.key))) this.load.record(key);
  }

  /** The load counted in the window that ends now, or undefined while the window runs. */
  private endedWindow(): ReadonlyMap<string, number> | undefined {
    const placement = this.options.placement!;
    if (placement.splitLoad === undefined && placement.mergeSize === undefined) return undefined;
    const windowUs = placement.loadWindowUs ?? loadWindowUsDefault;
    const windowTicksMax = Math.max(1, Math.round(windowUs / this.options.tickUs));
    if (++this.windowTicks < windowTicksMax) return undefined;
    this.windowTicks = 0;
    return this.load.take();
  }

  /** A data group's leader, each tick: learn the table, report big ranges, ship frozen ones. */
  private placementTick(): void {
    const members = this.layout.placementMembers;
    const target = members[this.pollCursor++ % members.length]!;
    this.ctx.send(target, { type: "TableQuery" });
    const { table } = this.machine;
    const { splitSize, splitLoad, mergeSize } = this.options.placement!;
    const window = this.endedWindow();
    const stats: RangeStats[] = [];
    table.ranges.forEach((range, index) => {
      if (range.group !== this.group) return;
      const end = table.ranges[index + 1]?.start ?? null;
      const keys = [...this.machine.data.keys()].filter((key) => inRange(key, range.start, end)).sort();
      if (range.moving !== undefined) {
        this.shipRange(range.start, end, range.moving, keys);
        return;
      }
      const size = keys.reduce((sum, key) => sum + this.machine.data.get(key)!.length, 0);
      const at = keys[Math.floor(keys.length / 2)];
      const load = window === undefined ? 0 : rangeLoad(window, range.start, end);
      stats.push({ start: range.start, size, load });
      if (size > splitSize && at !== undefined && at > range.start) {
        this.sendToGroup(placementGroupId, { type: "SplitRequest", version: table.version, at });
      } else if (window !== undefined && splitLoad !== undefined && load > splitLoad) {
        // A hot range splits where its load halves, even while it is small (load-based split).
        const hot = loadMedianKey(window, range.start, end);
        if (hot !== undefined) {
          this.sendToGroup(placementGroupId, {
            type: "SplitRequest",
            version: table.version,
            at: hot,
            reason: "load",
          });
        }
      }
    });
    if (window !== undefined && mergeSize !== undefined) {
      this.sendToGroup(placementGroupId, {
        type: "RangeStats",
        version: table.version,
        group: this.group,
        ranges: stats,
      });
    }
  }

  /** Sends a frozen range's data to its new group once no transaction holds a lock in it. */
  private shipRange(start: string, end: string | null, to: string, keys: readonly string[]): void {
    const locked = [...this.machine.locks.keys()].some((key) => inRange(key, start, end));
    const prepared = [...this.machine.participant.values()].some(
      (record) => record.state === "prepared" && record.ops.some((op) => inRange(op.key, start, end)),
    );
    if (locked || prepared) return;
    const data = keys.map((key) => [key, [...this.machine.data.get(key)!]] as const);
    this.sendToGroup(to, { type: "RangeData", start, end, data });
  }

  private onPlacementMessage(from: NodeId, message: PlacementMessage): void {
    switch (message.type) {
      case "TableQuery":
        if (this.placement !== undefined)
          this.ctx.send(from, { type: "TableReply", table: this.placement.table });
        return;
      case "TableReply":
        if (this.isLeader && message.table.version > this.machine.table.version) {
          this.propose(`table ${message.table.version}`, { kind: "table", table: message.table });
        }
        return;
      case "SplitRequest":
        if (this.isLeader && this.placement !== undefined) {
          this.propose(`split ${message.version} ${message.at}`, {
            kind: "split",
            version: message.version,
            at: message.at,
            ...(message.reason === undefined ? {} : { reason: message.reason }),
          });
        }
        return;
      case "RangeStats":
        if (this.isLeader && this.placement !== undefined) this.considerMerge(message);
        return;
      case "RangeData":
        if (!this.isLeader || this.placement !== undefined) return;
        if (this.machine.installed.has(`${message.start}@${this.machine.table.version}`)) {
          this.sendToGroup(placementGroupId, {
            type: "RangeInstalled",
            start: message.start,
            group: this.group,
          });
          return;
        }
        this.propose(`install ${message.start} ${this.machine.table.version}`, {
          kind: "install",
          start: message.start,
          end: message.end,
          data: message.data,
        });
        return;
      case "RangeInstalled":
        if (this.isLeader && this.placement !== undefined) {
          this.propose(`moved ${message.start} ${message.group}`, {
            kind: "moved",
            start: message.start,
            to: message.group,
          });
        }
        return;
    }
  }

  /** The placement leader merges two small, cold neighbours a group's load report shows. */
  private considerMerge(report: { version: number; group: string; ranges: readonly RangeStats[] }): void {
    const { mergeSize, splitLoad } = this.options.placement!;
    if (mergeSize === undefined) return;
    // Below half the split threshold, so that a range split by load does not merge straight back.
    const loadMax = splitLoad === undefined ? Number.POSITIVE_INFINITY : Math.floor(splitLoad / 2);
    const merge = this.placement!.mergeFor(report, { mergeSize, loadMax });
    if (merge !== undefined && merge.kind === "merge") {
      this.propose(`merge ${merge.version} ${merge.start}`, merge);
    }
  }

  private onPlacementApply(command: PlacementCommand): void {
    const note = this.placement!.apply(command);
    if (note !== undefined) this.ctx.note(note.label, note.data);
    if (this.isLeader) this.balance();
  }

  /** The placement leader moves a range when the groups' range counts differ by two or more. */
  private balance(): void {
    const move = this.placement!.balancingMove(this.layout.groupNames);
    if (move !== undefined && move.kind === "move") {
      this.propose(`move ${move.version} ${move.start}`, move);
    }
  }

  private becameLeader(): void {
    // Presumed abort (see the module comment): a commit already in the log is applied first.
    for (const [txn, record] of this.machine.coordinator) {
      if (record.decision === undefined)
        this.propose(`decide ${txn}`, { kind: "decide", txn, commit: false, reads: [] });
    }
  }

  // ---- two-phase commit ---------------------------------------------------------------------------

  private sendToGroup(group: string, message: CommitMessage | PlacementMessage): void {
    if (group === this.group && this.isLeader) {
      if (isCommitMessage(message)) this.onCommitMessage(message);
      else this.onPlacementMessage(this.ctx.id, message);
      return;
    }
    for (const member of this.layout.groups[group] ?? []) this.ctx.send(member, message);
  }

  private sendPrepares(txn: string): void {
    const record = this.machine.coordinator.get(txn);
    if (record === undefined) return;
    const voted = this.votes.get(txn);
    for (const group of record.participants) {
      if (voted?.has(group)) continue;
      const ops = record.ops.filter((_, index) => record.owners[index] === group);
      this.sendToGroup(group, { type: "Prepare", txn, coordinator: this.group, ops });
    }
  }

  private sendDecides(txn: string, commit: boolean): void {
    const record = this.machine.coordinator.get(txn);
    if (record === undefined) return;
    const acked = this.acks.get(txn);
    for (const group of record.participants) {
      if (!acked?.has(group))
        this.sendToGroup(group, {
          type: "Decide",
          txn,
          coordinator: this.group,
          commit,
          ops: record.ops.filter((_, index) => record.owners[index] === group),
        });
    }
  }

  /** A participant's answer from its replicated record: a vote, or an acknowledgement. */
  private reportToCoordinator(txn: string): void {
    const record = this.machine.participant.get(txn);
    if (record === undefined) return;
    if (record.state === "committed" || record.state === "aborted") {
      this.sendToGroup(record.coordinator, { type: "Ack", txn, group: this.group });
    } else {
      this.sendToGroup(record.coordinator, {
        type: "Vote",
        txn,
        group: this.group,
        yes: record.state === "prepared",
        reads: record.reads,
        ...(record.table === undefined ? {} : { table: record.table }),
      });
    }
  }

  private onCommitMessage(message: CommitMessage): void {
    if (!this.isLeader) return;
    switch (message.type) {
      case "Prepare":
        if (this.machine.participant.has(message.txn)) this.reportToCoordinator(message.txn);
        else {
          if (this.bugs.has("commit-unprepared")) {
            // BUG(commit-unprepared): vote now, before the prepare record is in the group's log.
            const preview = this.machine.votePreview(message.txn, message.ops);
            this.sendToGroup(message.coordinator, {
              type: "Vote",
              txn: message.txn,
              group: this.group,
              ...preview,
            });
          }
          this.propose(`prepare ${message.txn}`, {
            kind: "prepare",
            txn: message.txn,
            coordinator: message.coordinator,
            ops: message.ops,
          });
        }
        return;
      case "Decide": {
        const record = this.machine.participant.get(message.txn);
        if (record !== undefined && (record.state === "committed" || record.state === "aborted")) {
          this.reportToCoordinator(message.txn);
          return;
        }
        this.propose(`finish ${message.txn}`, {
          kind: "finish",
          txn: message.txn,
          coordinator: message.coordinator,
          commit: message.commit,
          ops: message.ops,
        });
        return;
      }
      case "Vote":
        if (message.table !== undefined && this.redirect(message.txn, message.group, message.table)) return;
        this.onVote(message.txn, message.group, message.yes, message.reads);
        return;
      case "Ack": {
        const record = this.machine.coordinator.get(message.txn);
        if (record === undefined || record.ended) return;
        let acked = this.acks.get(message.txn);
        if (acked === undefined) this.acks.set(message.txn, (acked = new Set()));
        acked.add(message.group);
        if (record.participants.every((group) => acked.has(group))) {
          this.propose(`ended ${message.txn}`, { kind: "ended", txn: message.txn });
        }
        return;
      }
    }
  }

  /**
   * A participant refused because, by its newer table, other groups serve all its keys: this
   * coordinator routed by a stale table. If those groups are not participants yet, the coordinator
   * records in its log that the operations go to them, and adopts the newer table (TiKV's clients
   * do the same with a region error carrying the new region). The refusing group keeps its refusal
   * and never prepares the transaction. Returns whether the refusal was turned into a redirect.
   */
  private redirect(txn: string, group: string, table: RangeTable): boolean {
    const record = this.machine.coordinator.get(txn);
    if (record === undefined || record.decision !== undefined || this.remembered.has(txn)) return false;
    if (table.version <= this.machine.table.version || !record.participants.includes(group)) return false;
    const owners = record.ops.map((op, index) =>
      record.owners[index] === group ? groupOfKey(table, op.key) : record.owners[index]!,
    );
    const added = owners.filter((owner, index) => record.owners[index] === group && owner !== group);
    if (added.length === 0 || added.some((owner) => record.participants.includes(owner))) return false;
    this.propose(`table ${table.version}`, { kind: "table", table });
    this.propose(`reroute ${txn} ${group}`, { kind: "reroute", txn, group, owners });
    return true;
  }

  private onVote(txn: string, group: string, yes: boolean, reads: readonly ReadResult[]): void {
    const record = this.machine.coordinator.get(txn);
    if (record === undefined || record.decision !== undefined || this.remembered.has(txn)) return;
    let votes = this.votes.get(txn);
    if (votes === undefined) this.votes.set(txn, (votes = new Map()));
    votes.set(group, { yes, reads });
    if (!record.participants.every((participant) => votes.has(participant))) return;
    const commit = [...votes.values()].every((vote) => vote.yes);
    const merged = commit ? [...votes.values()].flatMap((vote) => vote.reads) : [];
    const decision = { commit, reads: merged };
    if (this.bugs.has("forget-decision")) {
      // BUG(forget-decision): the decision lives in this leader's memory only.
      this.remembered.set(txn, decision);
      this.actOnDecision(txn, decision);
      return;
    }
    this.propose(`decide ${txn}`, { kind: "decide", txn, ...decision });
    // BUG(release-before-commit-replicated): act before the decision is replicated.
    if (this.bugs.has("release-before-commit-replicated")) this.actOnDecision(txn, decision);
  }

  /** Answers the client and tells the participants (what applying the decision does when correct). */
  private actOnDecision(txn: string, decision: { commit: boolean; reads: readonly ReadResult[] }): void {
    const waiter = this.waiters.get(txn);
    if (waiter !== undefined) {
      this.waiters.delete(txn);
      this.answer(waiter, decision);
    }
    this.sendDecides(txn, decision.commit);
  }

  // ---- leadership and description ------------------------------------------------------------

  private settle(): void {
    const leader = this.isLeader;
    if (leader !== this.wasLeader) {
      this.waiters.clear();
      this.votes.clear();
      this.acks.clear();
      this.proposed.clear();
      this.remembered.clear();
      this.load.reset();
      this.windowTicks = 0;
      this.wasLeader = leader;
      if (leader) this.becameLeader();
    }
  }

  /**
   * The replica's Raft state at the top level (role, term, log: reports draw it as Raft's), its
   * group, and its part of the database: the range table it follows, each key's list length and
   * the locks held (data groups), or the table it replicates (placement group).
   */
  describe(): StateDescription {
    const raft = this.replica.raft.describe();
    const table = (this.placement?.table ?? this.machine.table).ranges.map(
      (range) =>
        `${range.start === "" ? "…" : range.start}→${range.group}${range.moving === undefined ? "" : `⇢${range.moving}`}`,
    );
    const state: Record<string, unknown> = {
      ...raftFields(raft),
      group: this.group,
      ranges: table,
    };
    if (this.placement === undefined) {
      state.keys = Object.fromEntries([...this.machine.data].map(([key, list]) => [key, list.length]));
      state.locks = Object.fromEntries(this.machine.locks);
    }
    return state;
  }
}
