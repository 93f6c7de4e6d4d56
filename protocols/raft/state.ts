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
import { DescriptionReuse } from "../shared/description-reuse.js";
import type { PeerNumbers } from "../shared/peer-numbers.js";
import type { RaftLog, TermStart } from "./log.js";

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

/** What a Raft node's description holds (state.ts's header explains `logTerms`). */
export interface RaftDescription extends StateDescription {
  readonly role: string;
  readonly term: number;
  readonly votedFor: NodeId | null;
  readonly leader: NodeId | null;
  readonly commitIndex: number;
  readonly lastApplied: number;
  readonly logFrom: number;
  readonly lastIndex: number;
  readonly logTerms: readonly TermStart[];
  readonly snapshotIndex: number | undefined;
  readonly matchIndex: Readonly<Record<NodeId, number>> | undefined;
}

const descriptions = new DescriptionReuse<RaftStateView, RaftDescription>({
  describe: (node) => {
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
      matchIndex: describedMatchIndex(node),
    };
  },
  // Every field above, read from the node the same way.
  unchanged: (last, node) =>
    last.role === node.role &&
    last.term === node.currentTerm &&
    last.votedFor === node.votedFor &&
    last.leader === node.leaderId &&
    last.commitIndex === node.commitIndex &&
    last.lastApplied === node.lastApplied &&
    last.logFrom === node.log.snapshotIndex + 1 &&
    last.lastIndex === node.log.lastIndex &&
    last.logTerms === node.log.termStarts &&
    last.matchIndex === describedMatchIndex(node),
});

/** The leader's match indexes (the same record while none changed); undefined for other roles. */
function describedMatchIndex(node: RaftStateView): Readonly<Record<NodeId, number>> | undefined {
  return node.role === "leader" ? node.matchIndex.shown(node.peers) : undefined;
}

/** The node's description; `last` (what it described last) again when none of it changed. */
export function describeRaftNode(node: RaftStateView, last?: StateDescription): RaftDescription {
  return descriptions.describe(node, last);
}
