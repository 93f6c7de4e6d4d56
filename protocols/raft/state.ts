/**
 * What a Raft node shows of itself in traces and reports: role, term, votedFor, the leader it
 * follows, commit and apply positions, its log as runs of equal terms, and (as leader) each
 * follower's match index.
 *
 * The log is shown whole from `logFrom` (1, or the first index after a snapshot) as `logRuns`:
 * `[[term, count], ...]`, e.g. `[[1, 3], [3, 2]]` for terms 1 1 1 3 3. A log has few runs, so a
 * description stays small however long the log grows, and a long run, which keeps every
 * description in its trace, does not hold a copy of the log per step.
 */
import type { NodeId, StateDescription } from "../../sim/node.js";
import type { RaftLog } from "./log.js";

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

/** A run of `count` consecutive entries of term `term`. */
export type LogRun = readonly [term: number, count: number];

/**
 * Describes one node, step after step. Descriptions are never mutated, so each reuses what has
 * not changed in the previous one (the runs of an unchanged log, the match indexes) and extends
 * the runs by the appended entries instead of rescanning the log.
 */
export class RaftStateDescriber {
  private previous: StateDescription | undefined;
  private runs: readonly LogRun[] = [];
  /** The log positions `runs` covers: from `runsFrom` to `runsTo`, as of `runsTruncations`. */
  private runsFrom = 1;
  private runsTo = 0;
  private runsTruncations = 0;

  describe(node: RaftStateView): StateDescription {
    const previous = this.previous;
    const log = node.log;
    const state: Record<string, unknown> = {
      role: node.role,
      term: node.currentTerm,
      votedFor: node.votedFor,
      leader: node.leaderId,
      commitIndex: node.commitIndex,
      lastApplied: node.lastApplied,
      logFrom: log.snapshotIndex + 1,
      logRuns: this.logRuns(log),
    };
    if (log.snapshotIndex > 0) state.snapshotIndex = log.snapshotIndex;
    if (node.role === "leader") {
      state.matchIndex = sameMatches(previous?.matchIndex, node) ? previous?.matchIndex : matchRecord(node);
    }
    this.previous = state as StateDescription;
    return this.previous;
  }

  private logRuns(log: RaftLog): readonly LogRun[] {
    const from = log.snapshotIndex + 1;
    const last = log.lastIndex;
    if (from === this.runsFrom && log.truncations === this.runsTruncations && last >= this.runsTo) {
      if (last === this.runsTo) return this.runs;
      // Entries were only appended since: extend the runs.
      const runs = this.runs.slice();
      for (let index = this.runsTo + 1; index <= last; index++) addTerm(runs, log.termAt(index) as number);
      return this.remember(runs, from, last, log.truncations);
    }
    const runs: LogRun[] = [];
    for (let index = from; index <= last; index++) addTerm(runs, log.termAt(index) as number);
    return this.remember(runs, from, last, log.truncations);
  }

  private remember(
    runs: readonly LogRun[],
    from: number,
    to: number,
    truncations: number,
  ): readonly LogRun[] {
    this.runs = runs;
    this.runsFrom = from;
    this.runsTo = to;
    this.runsTruncations = truncations;
    return runs;
  }
}

function addTerm(runs: LogRun[], term: number): void {
  const lastRun = runs[runs.length - 1];
  if (lastRun !== undefined && lastRun[0] === term) runs[runs.length - 1] = [term, lastRun[1] + 1];
  else runs.push([term, 1]);
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
  if (count !== node.peers.length) return false;
  for (const peer of node.peers) if (!Object.hasOwn(old, peer)) return false;
  return true;
}
