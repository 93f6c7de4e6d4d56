/**
 * What a Raft node shows of itself in traces and reports: role, term, votedFor, the leader it
 * follows, commit and apply positions, and its log as the term of each entry.
 *
 * The log is shown as a window of at most `logShownMax` entries ending at the last index, so a
 * long run does not copy its whole log at every step: `log[i]` is the term of index `logFrom + i`
 * (`logFrom` is 1 for short logs, so `log[i]` is then the term of index i+1).
 */
import type { NodeId, StateDescription } from "../../sim/node.js";
import type { RaftLog } from "./log.js";

export const logShownMax = 32;

export interface RaftStateView {
  readonly role: string;
  readonly currentTerm: number;
  readonly votedFor: NodeId | null;
  readonly leaderId: NodeId | null;
  readonly commitIndex: number;
  readonly lastApplied: number;
  readonly log: RaftLog;
  /** The leader's matchIndex per follower; undefined unless leader. */
  readonly matchIndexShown: Readonly<Record<NodeId, number>> | undefined;
}

export function describeRaftState(node: RaftStateView): StateDescription {
  const log = node.log;
  const logFrom = Math.max(log.snapshotIndex + 1, log.lastIndex - logShownMax + 1);
  const terms: number[] = [];
  for (let index = logFrom; index <= log.lastIndex; index++) terms.push(log.termAt(index) as number);
  const state: Record<string, unknown> = {
    role: node.role,
    term: node.currentTerm,
    votedFor: node.votedFor,
    leader: node.leaderId,
    commitIndex: node.commitIndex,
    lastApplied: node.lastApplied,
    logFrom,
    log: terms,
  };
  if (log.snapshotIndex > 0) state.snapshotIndex = log.snapshotIndex;
  if (node.matchIndexShown !== undefined) state.matchIndex = node.matchIndexShown;
  return state as StateDescription;
}
