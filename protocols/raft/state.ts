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
  /** The leader's matchIndex per follower (shown only while leader). */
  readonly matchIndex: ReadonlyMap<NodeId, number>;
  /** The other nodes, in the order the description lists their match indexes. */
  readonly peers: readonly NodeId[];
}

/**
 * The state description of `node`. When `previous` (the node's last description) shows the same
 * log window or match indexes, its arrays and objects are reused rather than rebuilt: most
 * annotations only move the commit index, and a long run keeps every description in its trace.
 * Descriptions are never mutated, so sharing is safe and the trace reads the same.
 */
export function describeRaftState(node: RaftStateView, previous?: StateDescription): StateDescription {
  const log = node.log;
  const logFrom = Math.max(log.snapshotIndex + 1, log.lastIndex - logShownMax + 1);
  const terms = sameWindow(previous, log, logFrom) ? (previous?.log as number[]) : termsOf(log, logFrom);
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
  if (node.role === "leader") {
    state.matchIndex = sameMatches(previous?.matchIndex, node) ? previous?.matchIndex : matchRecord(node);
  }
  return state as StateDescription;
}

function termsOf(log: RaftLog, logFrom: number): number[] {
  const terms: number[] = [];
  for (let index = logFrom; index <= log.lastIndex; index++) terms.push(log.termAt(index) as number);
  return terms;
}

/** Whether the previous description shows exactly the log window from `logFrom` to the end. */
function sameWindow(previous: StateDescription | undefined, log: RaftLog, logFrom: number): boolean {
  if (previous === undefined || previous.logFrom !== logFrom) return false;
  const terms = previous.log;
  if (!Array.isArray(terms) || terms.length !== log.lastIndex - logFrom + 1) return false;
  for (let offset = 0; offset < terms.length; offset++) {
    if (terms[offset] !== log.termAt(logFrom + offset)) return false;
  }
  return true;
}

function matchRecord(node: RaftStateView): Record<NodeId, number> {
  const shown: Record<NodeId, number> = {};
  for (const peer of node.peers) shown[peer] = node.matchIndex.get(peer) ?? 0;
  return shown;
}

/** Whether `previous` (a description's match indexes) shows exactly the node's match indexes. */
function sameMatches(previous: unknown, node: RaftStateView): boolean {
  if (previous === null || typeof previous !== "object") return false;
  const old = previous as Record<string, unknown>;
  let count = 0;
  for (const key in old) {
    if (!Object.hasOwn(old, key)) continue;
    count++;
    if (old[key] !== (node.matchIndex.get(key) ?? 0)) return false;
  }
  return count === node.peers.length && node.peers.every((peer) => Object.hasOwn(old, peer));
}
