/**
 * What a Raft node shows of itself in traces and reports: role, term, votedFor, the leader it
 * follows, commit and apply positions, its log by where its terms change, and (as leader) each
 * follower's match index.
 *
 * The log is shown whole, from `logFrom` (1, or the first index after a snapshot) to `lastIndex`,
 * as `logTerms`: `[[index, term], ...]`, each pair the first index of a run of entries of that
 * term, e.g. `[[1, 1], [4, 3]]` with `lastIndex` 5 for terms 1 1 1 3 3. A log has few terms, so a
 * description stays small however long the log grows (log.ts keeps the runs as entries come and go).
 */
import type { NodeId, StateDescription } from "../../sim/node.js";
import type { PeerNumbers } from "../shared/peer-numbers.js";
import type { RaftLog } from "./log.js";

/** The fields of a node that its description reads. */
export interface RaftStateView {
  readonly role: string;
  readonly currentTerm: number;
  readonly votedFor: NodeId | null;
  readonly leaderId: NodeId | null;
  readonly commitIndex: number;
  readonly lastApplied: number;
  readonly log: RaftLog;
  /** The leader's matchIndex per follower (shown only while leader). */
  readonly matchIndex: PeerNumbers;
  /** The other nodes, in the order the description lists their match indexes. */
  readonly peers: readonly NodeId[];
}

export function describeRaftNode(node: RaftStateView): StateDescription {
  const log = node.log;
  // One shape for every description; fields that do not apply are undefined, which JSON (the
  // trace) leaves out.
  return {
    role: node.role,
    term: node.currentTerm,
    votedFor: node.votedFor,
    leader: node.leaderId,
    commitIndex: node.commitIndex,
    lastApplied: node.lastApplied,
    logFrom: log.snapshotIndex + 1,
    lastIndex: log.lastIndex,
    logTerms: log.termStarts,
    snapshotIndex: log.snapshotIndex > 0 ? log.snapshotIndex : undefined,
    matchIndex: node.role === "leader" ? node.matchIndex.shown(node.peers) : undefined,
  };
}
