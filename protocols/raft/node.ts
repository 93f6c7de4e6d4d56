/**
 * A Raft server (Ongaro and Ousterhout, "In Search of an Understandable Consensus Algorithm",
 * USENIX ATC 2014; Ongaro's thesis, Stanford 2014), replicating a key-value state machine.
 *
 * Roles (§5.1): a follower answers RPCs; when it hears nothing from a leader for a randomized
 * election timeout it becomes a candidate (after a PreVote round, if enabled: thesis §9.6),
 * increments its term, votes for itself and asks for votes (§5.2). A candidate that gets votes
 * from a majority for its term becomes leader. A leader appends client commands to its log and
 * replicates them with AppendEntries, which also serve as heartbeats (§5.3). A follower accepts
 * entries only if its log holds the entry just before them (the consistency check); otherwise it
 * answers with the conflicting term and its first index, so the leader can back up a whole term
 * at a time (§5.3, last paragraphs). The leader commits an index once a majority stores it *and*
 * its entry is from the current term; earlier entries then commit indirectly (§5.4.2, Figure 8).
 * Votes go only to candidates whose log is at least as up-to-date (§5.4.1), which gives Leader
 * Completeness.
 *
 * Durability (Figure 2): currentTerm, votedFor and the log are on stable storage before any
 * message that depends on them is sent. A write survives a power loss only once synced, so a
 * handler writes, calls `storage.sync()`, then sends. A restarted node rebuilds everything from storage;
 * commitIndex and the state machine are rebuilt from the snapshot and re-learned from the leader.
 *
 * Reads (§8, thesis §6.4) are linearizable: by default through ReadIndex (the leader records its
 * commit index, confirms it is still leader by a round of heartbeats acknowledged by a majority,
 * waits until it has applied that index, then reads locally); or through the log; or with
 * leader leases bounded by the clock drift (needs CheckQuorum, thesis §6.4.1).
 *
 * Deliberate bugs (bugs.ts) are small branches marked `BUG(<name>)`.
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
import { dropFirst, itemsFrom } from "../shared/lists.js";
import { MajorityValue } from "../shared/majority-value.js";
import { MessageReuse } from "../shared/message-reuse.js";
import { PeerNumbers } from "../shared/peer-numbers.js";
import type { RaftBugName } from "./bugs.js";
import { isKvFunction, isReadFunction, type KvResult, type KvSnapshot } from "./kv.js";
import { RaftLog } from "./log.js";
import {
  type AppendEntries,
  type AppendEntriesReply,
  type Command,
  type Entry,
  type InstallSnapshot,
  type InstallSnapshotReply,
  type PreVote,
  type PreVoteReply,
  type RaftMessage,
  type RequestVote,
  type RequestVoteReply,
  sameAppendEntries,
} from "./messages.js";
import type { RaftOptions } from "./options.js";
import { describeRaftNode } from "./state.js";
import { kvStateMachine, type ReplicatedStateMachine, type StateMachineFactory } from "./state-machine.js";

/** A server's role (§5.1); a precandidate runs the PreVote round first (thesis §9.6). */
export type Role = "follower" | "precandidate" | "candidate" | "leader";

/** Durable storage keys. Writes to them happen before the replies that depend on them. */
const hardStateKey = "hardState";
const logKey = "log";
const snapshotKey = "snapshot";

interface HardState {
  readonly term: number;
  readonly votedFor: NodeId | null;
}

interface StoredSnapshot {
  readonly index: number;
  readonly term: number;
  readonly data: KvSnapshot;
}

/** A read waiting for ReadIndex: its index (-1 until the leader commits in its term) and round. */
interface PendingRead {
  readonly request: ClientRequest;
  readIndex: number;
  round: number;
}

export class RaftNode implements ProtocolNode<RaftMessage> {
  // ---- persistent state (Figure 2), mirrored in durable storage -------------------------------
  currentTerm = 0;
  votedFor: NodeId | null = null;
  readonly log = new RaftLog();

  // ---- volatile state of every server ---------------------------------------------------------
  role: Role = "follower";
  leaderId: NodeId | null = null;
  commitIndex = 0;
  lastApplied = 0;
  kv: ReplicatedStateMachine;
  /** The state machine as of the log's snapshot index (what InstallSnapshot sends). */
  private snapshotData: KvSnapshot;
  /** Lazy: hearing from the leader moves its deadline without queuing a timer per message. */
  private readonly electionTimer: LazyElectionTimer;
  /** Local time this node last heard from a leader of its term (CheckQuorum's vote lease). */
  private lastLeaderContactUs = Number.NEGATIVE_INFINITY;

  // ---- candidate and precandidate -------------------------------------------------------------
  private readonly votes = new Set<NodeId>();
  /** BUG(count-stale-votes) counts here instead of in `votes`. */
  private voteCount = 0;

  // ---- leader (reinitialized after each election) ---------------------------------------------
  readonly nextIndex = new Map<NodeId, number>();
  readonly matchIndex = new PeerNumbers();
  /**
   * Followers whose log position is unknown (after an election or a rejection): entries are sent
   * without advancing nextIndex until one is accepted. Otherwise nextIndex advances as entries are
   * sent (pipelining), and a lost message shows up as a rejected consistency check later.
   */
  private readonly probing = new Set<NodeId>();
  /** Heartbeat round: every broadcast of AppendEntries starts a new one, echoed by replies. */
  private round = 0;
  private roundStartedAtUs = -1;
  /** When each round started (local time), by round number. */
  private readonly roundSentAtUs: number[] = [];
  private readonly ackedRound = new Map<NodeId, number>();
  private readonly ackedRoundSentAtUs = new Map<NodeId, number>();
  private readonly heardSinceCheck = new Set<NodeId>();
  /** Followers at the same position get the same AppendEntries object (see message-reuse.ts). */
  private readonly appendEntriesSent = new MessageReuse(sameAppendEntries);
  /** Client requests in the log, awaiting their apply, by request id. */
  private readonly waiters = new Map<string, ClientRequest>();
  private reads: PendingRead[] = [];

  private readonly quorum: number;
  /** What a majority (this node included) has reached: an index, a round, a time. */
  private readonly majority: MajorityValue;
  private readonly bugs: ReadonlySet<RaftBugName>;

  constructor(
    private readonly ctx: NodeContext<RaftMessage>,
    private readonly options: RaftOptions,
    /** The replicated state machine; Raft's key-value store unless an embedding protocol says. */
    private readonly machines: StateMachineFactory = kvStateMachine,
  ) {
    this.electionTimer = new LazyElectionTimer(ctx, "election");
    this.kv = machines.create();
    this.snapshotData = this.kv.snapshot();
    const size = ctx.nodes.length;
    this.quorum = Math.floor(size / 2) + 1;
    this.majority = new MajorityValue(ctx.peers, this.quorum);
    this.bugs = new Set(options.bugs);
  }

  /** The other nodes (the state description lists match indexes in this order). */
  get peers(): readonly NodeId[] {
    return this.ctx.peers;
  }

  // ---- handlers ---------------------------------------------------------------------------------

  onStart(_info: StartInfo): void {
    this.restore();
    this.resetElectionTimer();
  }

  onTimer(name: string): void {
    this.maybeCompact();
    switch (name) {
      case "election": {
        if (this.role === "leader") break;
        if (!this.electionTimer.expired()) break;
        if (this.options.preVote) this.startPreVote();
        else this.startElection();
        break;
      }
      case "heartbeat": {
        if (this.role !== "leader") break;
        // Heartbeats fill idle periods (Figure 2): a broadcast less than an interval ago (for a
        // client operation) already told every follower, so wait out the rest of the interval.
        const interval = this.options.heartbeatIntervalUs;
        const sinceUs = this.ctx.now() - this.roundStartedAtUs;
        if (sinceUs >= interval) this.broadcastAppend(false);
        this.ctx.setTimer("heartbeat", sinceUs >= interval ? interval : interval - sinceUs);
        break;
      }
      case "check-quorum":
        if (this.role !== "leader") break;
        this.checkQuorum();
        break;
    }
  }

  onMessage(from: NodeId, message: RaftMessage): void {
    this.maybeCompact();
    switch (message.type) {
      case "RequestVote":
        this.onRequestVote(from, message);
        break;
      case "RequestVoteReply":
        this.onRequestVoteReply(from, message);
        break;
      case "PreVote":
        this.onPreVote(from, message);
        break;
      case "PreVoteReply":
        this.onPreVoteReply(from, message);
        break;
      case "AppendEntries":
        this.onAppendEntries(from, message);
        break;
      case "AppendEntriesReply":
        this.onAppendEntriesReply(from, message);
        break;
      case "InstallSnapshot":
        this.onInstallSnapshot(from, message);
        break;
      case "InstallSnapshotReply":
        this.onInstallSnapshotReply(from, message);
        break;
    }
  }

  onClientRequest(request: ClientRequest): void {
    this.maybeCompact();
    this.handleClientRequest(request);
  }

  // ---- elections (§5.2, §5.4.1; PreVote: thesis §9.6) --------------------------------------------

  private resetElectionTimer(): void {
    const { electionTimeoutMinUs, electionTimeoutMaxUs } = this.options;
    // BUG(fixed-election-timeout): every node waits exactly the minimum, so split votes repeat.
    const timeoutUs = this.bugs.has("fixed-election-timeout")
      ? electionTimeoutMinUs
      : this.ctx.random.int(electionTimeoutMinUs, electionTimeoutMaxUs);
    this.electionTimer.reset(timeoutUs);
  }

  private startPreVote(): void {
    this.role = "precandidate";
    this.leaderId = null;
    this.votes.clear();
    this.votes.add(this.ctx.id);
    this.resetElectionTimer();
    this.ctx.note("pre-vote", { term: this.currentTerm + 1 });
    this.ctx.broadcast({
      type: "PreVote",
      term: this.currentTerm + 1,
      candidateId: this.ctx.id,
      lastLogIndex: this.log.lastIndex,
      lastLogTerm: this.log.lastTerm,
    });
    // Its own vote may already be a majority (a one-node cluster).
    if (this.votes.size >= this.quorum) this.startElection();
  }

  private startElection(): void {
    this.currentTerm++;
    this.votedFor = this.ctx.id;
    this.role = "candidate";
    this.leaderId = null;
    this.votes.clear();
    this.votes.add(this.ctx.id);
    this.voteCount = 1;
    this.persistHardState();
    this.ctx.storage.sync();
    this.resetElectionTimer();
    this.ctx.note("election", { term: this.currentTerm });
    this.ctx.broadcast({
      type: "RequestVote",
      term: this.currentTerm,
      candidateId: this.ctx.id,
      lastLogIndex: this.log.lastIndex,
      lastLogTerm: this.log.lastTerm,
    });
    // Its own vote may already be a majority (a one-node cluster).
    if (this.votes.size >= this.quorum) this.becomeLeader();
  }

  /**
   * With CheckQuorum, a node that heard from a live leader within the minimum election timeout
   * (or is that leader) ignores vote requests: a disconnected server cannot depose it (thesis §4.2.3).
   */
  private inLeaderLease(): boolean {
    if (!this.options.checkQuorum) return false;
    if (this.role === "leader") return true;
    return (
      this.leaderId !== null && this.ctx.now() - this.lastLeaderContactUs < this.options.electionTimeoutMinUs
    );
  }

  /** The RequestVote receiver (Figure 2). */
  private onRequestVote(from: NodeId, request: RequestVote): void {
    if (request.term > this.currentTerm && this.inLeaderLease()) return;
    if (request.term > this.currentTerm) this.becomeFollower(request.term);
    // 1. A request of an older term is refused (§5.1). 2. Otherwise the vote goes to the candidate
    // if this server has not voted for another in the term (§5.2) and the candidate's log is at
    // least as up-to-date as its own (§5.4.1).
    let granted = false;
    const free = this.votedFor === null || this.votedFor === request.candidateId;
    // BUG(no-up-to-date-check): the election restriction of §5.4.1 is skipped.
    const upToDate =
      this.bugs.has("no-up-to-date-check") || this.log.isUpToDate(request.lastLogIndex, request.lastLogTerm);
    if (request.term === this.currentTerm && free && upToDate) {
      granted = true;
      if (this.votedFor !== request.candidateId) {
        this.votedFor = request.candidateId;
        // BUG(vote-before-persist): the vote leaves before votedFor is on disk, so a crash forgets it.
        if (!this.bugs.has("vote-before-persist")) this.persistHardState();
      }
      this.resetElectionTimer();
    }
    // Figure 2: currentTerm and votedFor are on stable storage before the reply leaves.
    // BUG(unsynced-vote): the term and the vote are written, but the reply leaves before they are synced.
    if (!this.bugs.has("unsynced-vote")) this.ctx.storage.sync();
    this.ctx.send(from, { type: "RequestVoteReply", term: this.currentTerm, voteGranted: granted });
  }

  private onRequestVoteReply(from: NodeId, reply: RequestVoteReply): void {
    if (reply.term > this.currentTerm) {
      this.becomeFollower(reply.term);
      return;
    }
    if (this.role !== "candidate" || !reply.voteGranted) return;
    if (this.bugs.has("count-stale-votes")) {
      // BUG(count-stale-votes): any granted reply counts, whatever its term and however often.
      this.voteCount++;
      if (this.voteCount >= this.quorum) this.becomeLeader();
      return;
    }
    if (reply.term !== this.currentTerm) return;
    this.votes.add(from);
    if (this.votes.size >= this.quorum) this.becomeLeader();
  }

  private onPreVote(from: NodeId, request: PreVote): void {
    const granted =
      request.term > this.currentTerm &&
      !this.inLeaderLease() &&
      this.log.isUpToDate(request.lastLogIndex, request.lastLogTerm);
    this.ctx.send(from, {
      type: "PreVoteReply",
      requestTerm: request.term,
      term: this.currentTerm,
      voteGranted: granted,
    });
  }

  private onPreVoteReply(from: NodeId, reply: PreVoteReply): void {
    if (this.role !== "precandidate" || reply.requestTerm !== this.currentTerm + 1) return;
    if (!reply.voteGranted) {
      if (reply.term > this.currentTerm) this.becomeFollower(reply.term);
      return;
    }
    this.votes.add(from);
    if (this.votes.size >= this.quorum) this.startElection();
  }

  /** Steps down to follower, adopting `term` if it is newer (and forgetting the vote then). */
  private becomeFollower(term: number): void {
    if (term > this.currentTerm) {
      this.currentTerm = term;
      this.votedFor = null;
      // Figure 2: currentTerm only grows, even across a power loss.
      this.persistHardState();
      // BUG(unsynced-vote): the new term is not synced either.
      if (!this.bugs.has("unsynced-vote")) this.ctx.storage.sync();
    }
    if (this.role === "leader") {
      this.ctx.cancelTimer("heartbeat");
      this.ctx.cancelTimer("check-quorum");
      if (this.log.lastIndex > this.commitIndex)
        this.ctx.probe("leader-stepped-down-with-uncommitted-entries");
      // Pending requests may still commit; their clients learn it by retrying (sessions dedupe).
      this.waiters.clear();
      this.reads = [];
      this.ctx.note("stepped-down", { term: this.currentTerm });
    }
    if (this.role !== "follower") this.leaderId = null;
    this.role = "follower";
    if (!this.ctx.hasTimer("election")) this.resetElectionTimer();
  }

  private becomeLeader(): void {
    this.role = "leader";
    this.leaderId = this.ctx.id;
    this.ctx.cancelTimer("election");
    for (const peer of this.ctx.peers) {
      this.nextIndex.set(peer, this.log.lastIndex + 1);
      this.matchIndex.set(peer, 0);
      this.probing.add(peer);
      this.ackedRound.set(peer, 0);
      this.ackedRoundSentAtUs.set(peer, Number.NEGATIVE_INFINITY);
    }
    this.heardSinceCheck.clear();
    this.ctx.note("became-leader", { term: this.currentTerm });
    if (this.options.leaderNoop) this.appendLocal({ kind: "noop" });
    this.broadcastAppend(true);
    this.ctx.setTimer("heartbeat", this.options.heartbeatIntervalUs);
    if (this.options.checkQuorum) this.ctx.setTimer("check-quorum", this.options.electionTimeoutMinUs);
  }

  /** CheckQuorum: a leader that heard from no majority in an election timeout steps down. */
  private checkQuorum(): void {
    if (this.heardSinceCheck.size + 1 < this.quorum) {
      this.ctx.note("check-quorum-failed", { term: this.currentTerm, heard: this.heardSinceCheck.size });
      this.becomeFollower(this.currentTerm);
      return;
    }
    this.heardSinceCheck.clear();
    this.ctx.setTimer("check-quorum", this.options.electionTimeoutMinUs);
  }

  // ---- log replication (§5.3, §5.4.2) ------------------------------------------------------------

  private appendLocal(command: Command): void {
    // Frozen once here: followers receive and store this very object, without copies.
    const entry: Entry = freezeDeep({ term: this.currentTerm, command });
    this.log.append([entry]);
    this.ctx.storage.append(logKey, entry);
    // The leader counts its own log toward a majority, so its entries are synced first.
    this.ctx.storage.sync();
    // Alone, the leader is the majority: storing the entry commits it (§5.3).
    if (this.quorum === 1) this.advanceCommit();
  }

  /**
   * Starts a new round: AppendEntries (or InstallSnapshot) to every follower. Heartbeats
   * (`withEntries: false`) are empty, as in Figure 2; a follower they find behind gets its entries
   * in answer to its reply.
   */
  private broadcastAppend(withEntries: boolean): number {
    this.round++;
    this.roundStartedAtUs = this.ctx.now();
    this.roundSentAtUs[this.round] = this.roundStartedAtUs;
    for (const peer of this.ctx.peers) this.sendAppend(peer, withEntries);
    return this.round;
  }

  /** Sends `peer` what it lacks: AppendEntries from its nextIndex, or InstallSnapshot. */
  private sendAppend(peer: NodeId, withEntries = true): void {
    const next = this.nextIndex.get(peer) as number;
    const log = this.log;
    if (next <= log.snapshotIndex) {
      this.ctx.send(peer, {
        type: "InstallSnapshot",
        term: this.currentTerm,
        leaderId: this.ctx.id,
        lastIncludedIndex: log.snapshotIndex,
        lastIncludedTerm: log.snapshotTerm,
        data: this.snapshotData,
        round: this.round,
      });
      return;
    }
    const end =
      withEntries && next <= log.lastIndex
        ? Math.min(log.lastIndex + 1, next + this.options.maxEntriesPerAppend)
        : next;
    const count = end - next;
    if (count > 0 && !this.probing.has(peer)) this.nextIndex.set(peer, end);
    const message: AppendEntries = {
      type: "AppendEntries",
      term: this.currentTerm,
      leaderId: this.ctx.id,
      prevLogIndex: next - 1,
      prevLogTerm: log.termAt(next - 1) as number,
      entries: log.slice(next, end),
      leaderCommit: this.commitIndex,
      round: this.round,
    };
    this.ctx.send(peer, this.appendEntriesSent.of(message));
  }

  /** A message from the leader of `term` (≥ ours): follow it and restart the election timer. */
  private acceptLeader(term: number, leaderId: NodeId): void {
    if (term > this.currentTerm || this.role !== "follower") this.becomeFollower(term);
    this.leaderId = leaderId;
    this.lastLeaderContactUs = this.ctx.now();
    this.resetElectionTimer();
  }

  /** The AppendEntries receiver, steps 1–5 of Figure 2. */
  private onAppendEntries(from: NodeId, request: AppendEntries): void {
    // 1. Reply false if the leader's term is older than ours (§5.1).
    if (request.term < this.currentTerm) {
      this.replyAppend(from, request, { success: false });
      return;
    }
    this.acceptLeader(request.term, request.leaderId);
    // 2. The consistency check (§5.3): reply false unless our log holds an entry at prevLogIndex
    // whose term is prevLogTerm. The reply says where our log differs, so the leader can back up
    // a whole term at a time (§5.3, last paragraphs).
    const log = this.log;
    let prevIndex = request.prevLogIndex;
    let entries = request.entries;
    if (prevIndex < log.snapshotIndex) {
      // Our snapshot already covers (committed, hence matching) entries: skip them.
      entries = entries.slice(log.snapshotIndex - prevIndex);
      prevIndex = log.snapshotIndex;
    } else if (prevIndex > log.lastIndex) {
      this.replyAppend(from, request, { success: false, conflictIndex: log.lastIndex + 1 });
      return;
    } else if (log.termAt(prevIndex) !== request.prevLogTerm) {
      const conflictTerm = log.termAt(prevIndex) as number;
      this.replyAppend(from, request, {
        success: false,
        conflictTerm,
        conflictIndex: log.firstIndexOfTerm(prevIndex),
      });
      return;
    }
    this.storeEntries(prevIndex, entries);
    // 5. Commit what the leader has committed, up to the last entry this request stored.
    const lastNewIndex = request.prevLogIndex + request.entries.length;
    if (request.leaderCommit > this.commitIndex) {
      // BUG(commit-index-from-leader): trusts leaderCommit up to our own (possibly stale) last entry.
      const limit = this.bugs.has("commit-index-from-leader") ? log.lastIndex : lastNewIndex;
      this.setCommitIndex(Math.min(request.leaderCommit, limit));
    }
    this.replyAppend(from, request, { success: true, matchIndex: Math.max(lastNewIndex, log.snapshotIndex) });
  }

  /**
   * Steps 3 and 4 of the AppendEntries receiver (Figure 2, §5.3): from the first of our entries
   * whose term conflicts with the leader's entry at the same index, delete ours and all that
   * follow; then append the leader's entries not already in the log. Entries that match stay, so
   * a late or repeated AppendEntries never removes what a newer one added.
   */
  private storeEntries(prevIndex: number, entries: readonly Entry[]): void {
    const log = this.log;
    if (this.bugs.has("truncate-without-conflict")) {
      // BUG(truncate-without-conflict): drop everything after prevLogIndex, matching or not.
      if (log.lastIndex > prevIndex) this.truncateFrom(prevIndex + 1);
      this.appendEntries(entries);
      return;
    }
    let matching = 0;
    while (matching < entries.length && log.termAt(prevIndex + 1 + matching) === entries[matching]?.term)
      matching++;
    if (matching === entries.length) return;
    if (log.lastIndex >= prevIndex + 1 + matching) this.truncateFrom(prevIndex + 1 + matching);
    this.appendEntries(itemsFrom(entries, matching));
  }

  /** Answers an AppendEntries; fields left out are 0 (§5.3: the conflict hint only on failure). */
  private replyAppend(
    to: NodeId,
    request: AppendEntries,
    {
      success,
      matchIndex = 0,
      conflictTerm = 0,
      conflictIndex = 0,
    }: { success: boolean; matchIndex?: number; conflictTerm?: number; conflictIndex?: number },
  ): void {
    const reply: AppendEntriesReply = {
      type: "AppendEntriesReply",
      term: this.currentTerm,
      success,
      matchIndex,
      conflictTerm,
      conflictIndex,
      round: request.round,
    };
    // Figure 2: the term and the entries are on stable storage before the reply leaves.
    this.ctx.storage.sync();
    this.ctx.send(to, reply);
  }

  private onAppendEntriesReply(from: NodeId, reply: AppendEntriesReply): void {
    if (reply.term > this.currentTerm) {
      this.becomeFollower(reply.term);
      return;
    }
    if (this.role !== "leader" || reply.term !== this.currentTerm) return;
    this.acknowledge(from, reply.round);
    const match = this.matchIndex.get(from) as number;
    if (reply.success) {
      this.advanceMatch(from, reply.matchIndex);
    } else {
      // The consistency check failed: back up nextIndex and retry (§5.3). By default the leader
      // skips the follower's whole conflicting term at once (§5.3, last paragraphs).
      let next: number;
      if (!this.options.fastBacktrack) {
        next = (this.nextIndex.get(from) as number) - 1;
      } else if (reply.conflictTerm > 0) {
        const last = this.log.lastIndexOfTerm(reply.conflictTerm);
        next = last > 0 ? last + 1 : reply.conflictIndex;
      } else {
        next = reply.conflictIndex;
      }
      this.nextIndex.set(from, Math.max(match + 1, Math.min(next, this.log.lastIndex + 1)));
      this.probing.add(from);
      this.sendAppend(from);
    }
    this.serveReads();
  }

  /** Records that `peer` stores our log up to `index`; continues replication; commits. */
  private advanceMatch(peer: NodeId, index: number): void {
    if (index > (this.matchIndex.get(peer) as number)) {
      this.matchIndex.set(peer, index);
      this.advanceCommit();
    }
    const next = Math.max(this.nextIndex.get(peer) as number, index + 1);
    this.nextIndex.set(peer, next);
    this.probing.delete(peer);
    if (next <= this.log.lastIndex) this.sendAppend(peer);
  }

  /** The commit rule (§5.3, §5.4.2): a majority stores index N, and log[N].term is the current term. */
  private advanceCommit(): void {
    const majorityIndex = this.majority.of(this.log.lastIndex, this.matchIndex);
    if (majorityIndex <= this.commitIndex) return;
    if (this.log.termAt(majorityIndex) !== this.currentTerm) {
      // Figure 8: a majority stores an entry of an earlier term, which is not yet safe to commit.
      this.ctx.probe("majority-holds-earlier-term-entry");
      // BUG(commit-previous-term): counting replicas is taken as enough, whatever the entry's term.
      if (!this.bugs.has("commit-previous-term")) return;
    }
    this.setCommitIndex(majorityIndex);
    for (const read of this.reads) {
      if (read.readIndex < 0) {
        read.readIndex = this.commitIndex;
        read.round = this.startReadRound();
      }
    }
  }

  private setCommitIndex(index: number): void {
    if (index <= this.commitIndex) return;
    this.commitIndex = index;
    this.applyCommitted();
  }

  /** Applies committed entries in order, answering the clients that wait on them. */
  private applyCommitted(): void {
    const last = Math.min(this.commitIndex, this.log.lastIndex);
    while (this.lastApplied < last) {
      this.lastApplied++;
      const command = (this.log.entryAt(this.lastApplied) as Entry).command;
      if (command.kind !== "kv") continue;
      const result = this.kv.apply(command, this.lastApplied);
      const waiter = this.waiters.get(command.id);
      if (waiter !== undefined && result !== undefined) {
        this.waiters.delete(command.id);
        this.replyResult(waiter, result);
      }
    }
    if (this.role === "leader") this.serveReads();
  }

  private truncateFrom(index: number): void {
    this.ctx.probe("follower-truncated-its-log");
    const kept = this.log.truncateFrom(index);
    this.ctx.storage.truncate(logKey, kept);
  }

  private appendEntries(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    this.log.append(entries);
    this.ctx.storage.append(logKey, ...entries);
  }

  // ---- snapshots (§7) -------------------------------------------------------------------------

  /**
   * Compacts applied entries into a snapshot once enough pile up. Runs at the start of a step, so
   * invariant monitors have seen every applied entry (after the step that applied it) first.
   */
  private maybeCompact(): void {
    const threshold = this.options.snapshotThreshold;
    if (threshold === 0 || this.lastApplied - this.log.snapshotIndex < threshold) return;
    const index = this.lastApplied;
    const term = this.log.termAt(index) as number;
    this.snapshotData = this.kv.snapshot();
    this.log.compactTo(index);
    this.persistSnapshot({ index, term, data: this.snapshotData });
  }

  /** Writes the snapshot and, in place of the stored log, the entries that follow it. */
  private persistSnapshot(stored: StoredSnapshot): void {
    this.ctx.storage.set(snapshotKey, stored);
    this.ctx.storage.delete(logKey);
    if (this.log.entries.length > 0) this.ctx.storage.append(logKey, ...this.log.entries);
  }

  /**
   * The InstallSnapshot receiver (§7, Figure 13), with the whole snapshot in one message (no
   * chunks, so steps 2–4 fall away). A snapshot at or below our commit index holds nothing new.
   */
  private onInstallSnapshot(from: NodeId, request: InstallSnapshot): void {
    // 1. Reply at once if the leader's term is older than ours.
    if (request.term < this.currentTerm) {
      this.ctx.send(from, {
        type: "InstallSnapshotReply",
        term: this.currentTerm,
        matchIndex: 0,
        round: request.round,
      });
      return;
    }
    this.acceptLeader(request.term, request.leaderId);
    const index = request.lastIncludedIndex;
    if (index > this.commitIndex) {
      const log = this.log;
      // 6. Keep the entries after the snapshot if our log holds its last entry; 7. else discard
      // the whole log. 8. Reset the state machine from the snapshot.
      if (log.termAt(index) === request.lastIncludedTerm) log.compactTo(index);
      else log.resetTo(index, request.lastIncludedTerm);
      this.snapshotData = request.data;
      this.kv = this.machines.restore(request.data);
      this.ctx.probe("follower-installed-snapshot");
      this.commitIndex = index;
      this.lastApplied = index;
      // 5. Save the snapshot.
      this.persistSnapshot({ index, term: request.lastIncludedTerm, data: request.data });
      this.ctx.note("installed-snapshot", { index, term: request.lastIncludedTerm });
    }
    const reply: InstallSnapshotReply = {
      type: "InstallSnapshotReply",
      term: this.currentTerm,
      matchIndex: index,
      round: request.round,
    };
    // Figure 2: the term, the snapshot and the log are on stable storage before the reply leaves.
    this.ctx.storage.sync();
    this.ctx.send(from, reply);
  }

  private onInstallSnapshotReply(from: NodeId, reply: InstallSnapshotReply): void {
    if (reply.term > this.currentTerm) {
      this.becomeFollower(reply.term);
      return;
    }
    if (this.role !== "leader" || reply.term !== this.currentTerm) return;
    this.acknowledge(from, reply.round);
    this.advanceMatch(from, reply.matchIndex);
    this.serveReads();
  }

  // ---- clients and reads (§8, thesis §6.3–6.4) ----------------------------------------------------

  private handleClientRequest(request: ClientRequest): void {
    if (this.role !== "leader") {
      this.ctx.reply(
        request,
        this.leaderId === null ? { status: "redirect" } : { status: "redirect", leader: this.leaderId },
      );
      return;
    }
    if (!isKvFunction(request.f)) {
      this.ctx.reply(request, { status: "fail", error: `unknown operation '${request.f}'` });
      return;
    }
    if (isReadFunction(request.f) && this.options.readMode !== "log") {
      this.handleRead(request);
      return;
    }
    // §8: a command this client session already saw applied is answered, not appended again; a
    // retry of one still in the log waits for the same entry.
    const done = this.kv.resultOf(request.client, request.seq);
    if (done !== undefined) {
      this.replyResult(request, done);
      return;
    }
    const pending = this.waiters.has(request.id);
    this.waiters.set(request.id, request);
    if (pending) return;
    this.appendLocal({
      kind: "kv",
      id: request.id,
      client: request.client,
      seq: request.seq,
      f: request.f,
      key: request.key,
      value: request.value,
    });
    this.broadcastAppend(true);
  }

  private handleRead(request: ClientRequest): void {
    // BUG(stale-local-read): answer from local state, trusting that we are still the leader.
    if (this.bugs.has("stale-local-read")) {
      this.ctx.reply(request, { status: "ok", value: this.kv.read(request.key) });
      return;
    }
    const committedInTerm = this.log.termAt(this.commitIndex) === this.currentTerm;
    if (this.options.readMode === "lease" && committedInTerm && this.leaseValid()) {
      this.ctx.reply(request, { status: "ok", value: this.kv.read(request.key) });
      return;
    }
    const read: PendingRead = { request, readIndex: -1, round: 0 };
    if (committedInTerm) {
      read.readIndex = this.commitIndex;
      read.round = this.startReadRound();
    } else if (this.log.lastTerm !== this.currentTerm) {
      // Without the election no-op (leaderNoop: false), append one now: a ReadIndex read needs
      // the leader to have committed an entry of its own term (§8).
      this.appendLocal({ kind: "noop" });
      this.broadcastAppend(true);
    }
    this.reads.push(read);
    // Alone, the leader is the majority: the round that confirms its leadership is already done.
    if (this.quorum === 1) this.serveReads();
  }

  /** A round that began after now confirms leadership for reads registered now. */
  private startReadRound(): number {
    if (this.roundStartedAtUs === this.ctx.now()) return this.round;
    return this.broadcastAppend(false);
  }

  private acknowledge(peer: NodeId, round: number): void {
    this.heardSinceCheck.add(peer);
    if (round > (this.ackedRound.get(peer) as number)) {
      this.ackedRound.set(peer, round);
      this.ackedRoundSentAtUs.set(peer, this.roundSentAtUs[round] as number);
    }
  }

  /** The highest round a majority (this leader included) has acknowledged. */
  private confirmedRound(): number {
    return this.majority.of(this.round, this.ackedRound);
  }

  /**
   * Lease (thesis §6.4.1): a majority acknowledged a round sent at time S, and none of them will
   * vote for another leader before S + electionTimeoutMin on their clocks; with relative drift
   * at most ρ, this leader may serve reads locally until S + electionTimeoutMin·(1−ρ)/(1+ρ).
   */
  private leaseValid(): boolean {
    const startUs = this.majority.of(this.ctx.now(), this.ackedRoundSentAtUs);
    const drift = this.options.leaseDriftBound;
    return this.ctx.now() < startUs + (this.options.electionTimeoutMinUs * (1 - drift)) / (1 + drift);
  }

  /**
   * Whether this node would now answer a read from its lease, without a round (read by lease
   * invariants): it leads, has committed an entry of its term, and its lease has not run out.
   */
  holdsReadLease(): boolean {
    if (this.role !== "leader" || this.options.readMode !== "lease") return false;
    return this.log.termAt(this.commitIndex) === this.currentTerm && this.leaseValid();
  }

  private serveReads(): void {
    if (this.reads.length === 0) return;
    const confirmed = this.confirmedRound();
    let served = 0;
    for (const read of this.reads) {
      if (read.readIndex < 0 || read.round > confirmed || this.lastApplied < read.readIndex) break;
      this.ctx.reply(read.request, { status: "ok", value: this.kv.read(read.request.key) });
      served++;
    }
    dropFirst(this.reads, served);
  }

  private replyResult(request: ClientRequest, result: KvResult): void {
    this.ctx.reply(
      request,
      result.ok ? { status: "ok", value: result.value } : { status: "fail", error: result.error },
    );
  }

  // ---- durable state ----------------------------------------------------------------------------

  private persistHardState(): void {
    const state: HardState = { term: this.currentTerm, votedFor: this.votedFor };
    this.ctx.storage.set(hardStateKey, state);
  }

  private restore(): void {
    const storage = this.ctx.storage;
    const snapshot = storage.get<StoredSnapshot>(snapshotKey);
    if (snapshot !== undefined) {
      this.log.resetTo(snapshot.index, snapshot.term);
      this.snapshotData = snapshot.data;
      this.kv = this.machines.restore(snapshot.data);
      this.commitIndex = snapshot.index;
      this.lastApplied = snapshot.index;
    }
    this.log.append(storage.list<Entry>(logKey));
    const hard = storage.get<HardState>(hardStateKey);
    if (hard !== undefined) {
      this.currentTerm = hard.term;
      this.votedFor = hard.votedFor;
    }
  }

  /**
   * Role, term, vote, leader, commit and apply positions, log terms, match indexes (state.ts);
   * `last`, the description given after the previous step, again when none of them changed.
   */
  describe(last?: StateDescription): StateDescription {
    return describeRaftNode(this, last);
  }
}
