/**
 * Raft's messages, named as in the paper (Figure 2, §7 for InstallSnapshot) and the thesis (§9.6
 * for PreVote). Messages are immutable once sent: the simulator hands the same object to the
 * receiver, so entries may be shared between logs and must never be mutated.
 */
import type { NodeId } from "../../sim/node.js";
import { sameItems } from "../shared/message-reuse.js";
import type { KvCommand, KvSnapshot } from "./kv.js";

/** The entry a new leader appends to commit something of its own term (§8). */
export interface NoopCommand {
  readonly kind: "noop";
}

export type Command = KvCommand | NoopCommand;

export interface Entry {
  readonly term: number;
  readonly command: Command;
}

/** Invoked by candidates to gather votes (§5.2). */
export interface RequestVote {
  readonly type: "RequestVote";
  readonly term: number;
  readonly candidateId: NodeId;
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
}

export interface RequestVoteReply {
  readonly type: "RequestVoteReply";
  readonly term: number;
  readonly voteGranted: boolean;
}

/**
 * Asks whether a vote would be granted in `term` (the sender's term + 1) without anyone changing
 * state (thesis §9.6).
 */
export interface PreVote {
  readonly type: "PreVote";
  readonly term: number;
  readonly candidateId: NodeId;
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
}

export interface PreVoteReply {
  readonly type: "PreVoteReply";
  /** The term asked about, so that late replies to an earlier round are ignored. */
  readonly requestTerm: number;
  /** The voter's current term. */
  readonly term: number;
  readonly voteGranted: boolean;
}

/** Invoked by the leader to replicate entries; also the heartbeat (§5.3). */
export interface AppendEntries {
  readonly type: "AppendEntries";
  readonly term: number;
  readonly leaderId: NodeId;
  readonly prevLogIndex: number;
  readonly prevLogTerm: number;
  readonly entries: readonly Entry[];
  readonly leaderCommit: number;
  /** The leader's heartbeat round, echoed back: confirms leadership for ReadIndex and leases. */
  readonly round: number;
}

export interface AppendEntriesReply {
  readonly type: "AppendEntriesReply";
  readonly term: number;
  readonly success: boolean;
  /** On success: the index of the last entry known to match the leader's log. */
  readonly matchIndex: number;
  /** On failure: the term of the conflicting entry (0 if the follower's log is too short)... */
  readonly conflictTerm: number;
  /** ...and the first index the follower holds with that term (or its last index + 1). */
  readonly conflictIndex: number;
  readonly round: number;
}

/** Sends a snapshot to a follower too far behind for the leader's compacted log (§7). */
export interface InstallSnapshot {
  readonly type: "InstallSnapshot";
  readonly term: number;
  readonly leaderId: NodeId;
  readonly lastIncludedIndex: number;
  readonly lastIncludedTerm: number;
  readonly data: KvSnapshot;
  readonly round: number;
}

export interface InstallSnapshotReply {
  readonly type: "InstallSnapshotReply";
  readonly term: number;
  readonly matchIndex: number;
  readonly round: number;
}

/**
 * Whether two AppendEntries say the same: every field equal, the entries item by item (a field
 * added to AppendEntries belongs here too: test/shared/message-reuse.test.ts changes each one).
 */
export function sameAppendEntries(left: AppendEntries, right: AppendEntries): boolean {
  return (
    left.term === right.term &&
    left.leaderId === right.leaderId &&
    left.prevLogIndex === right.prevLogIndex &&
    left.prevLogTerm === right.prevLogTerm &&
    left.leaderCommit === right.leaderCommit &&
    left.round === right.round &&
    sameItems(left.entries, right.entries)
  );
}

export type RaftMessage =
  | RequestVote
  | RequestVoteReply
  | PreVote
  | PreVoteReply
  | AppendEntries
  | AppendEntriesReply
  | InstallSnapshot
  | InstallSnapshotReply;

/** A stable identity of an entry's command, used by invariants to compare entries across nodes. */
export function commandKey(command: Command): string {
  return command.kind === "noop" ? "noop" : `${command.id}/${command.f}`;
}

/**
 * Whether two commands are the same command (what `commandKey` compares). Followers hold the very
 * objects the leader sent, so the identity test settles almost every call without building keys.
 */
export function sameCommand(left: Command, right: Command): boolean {
  return left === right || commandKey(left) === commandKey(right);
}
