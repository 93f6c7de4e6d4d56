/**
 * What a Raft node shows of itself in traces and reports: role, term, votedFor, the leader it
 * follows, commit and apply positions, its log by where its terms change, and (as leader) each
 * follower's match index.
 *
 * The log is shown whole, from `logFrom` (1, or the first index after a snapshot) to `lastIndex`,
 * as `logTerms`: `[[index, term], ...]`, each pair the first index of a run of entries of that
 * term, e.g. `[[1, 1], [4, 3]]` with `lastIndex` 5 for terms 1 1 1 3 3. A log has few terms, so a
 * description stays small however long the log grows; and since appending entries of the last
 * term changes only `lastIndex`, consecutive descriptions share one `logTerms` array. A long run
 * keeps every description in its trace, so that sharing is most of what a description costs.
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
  /** Counts the changes to `matchIndex`: equal counts, equal match indexes. */
  readonly matchChanges: number;
  /** The other nodes, in the order the description lists their match indexes. */
  readonly peers: readonly NodeId[];
}

/** The first index of a run of entries of one term, and that term. */
export type TermStart = readonly [index: number, term: number];

/**
 * Describes one node, step after step. Descriptions are never mutated, so each reuses what has
 * not changed in the previous one (the term starts of a log that only grew within its last term,
 * the match indexes), and a log that grew is scanned only over its new entries.
 */
export class RaftStateDescriber {
  private previous: StateDescription | undefined;
  /** `matchChanges` when the previous description's match indexes were taken. */
  private shownMatchChanges = -1;
  private starts: readonly TermStart[] = [];
  /** The log positions `starts` covers: from `startsFrom` to `startsTo`, as of `startsTruncations`. */
  private startsFrom = 1;
  private startsTo = 0;
  private startsTruncations = 0;

  describe(node: RaftStateView): StateDescription {
    const previous = this.previous;
    const log = node.log;
    const logTerms = this.logTerms(log);
    let matchIndex: unknown;
    if (node.role === "leader") {
      matchIndex =
        previous?.matchIndex !== undefined && this.shownMatchChanges === node.matchChanges
          ? previous.matchIndex
          : matchRecord(node);
      this.shownMatchChanges = node.matchChanges;
    }
    // One shape for every description; fields that do not apply are undefined, which JSON (the
    // trace) leaves out.
    const state: StateDescription = {
      role: node.role,
      term: node.currentTerm,
      votedFor: node.votedFor,
      leader: node.leaderId,
      commitIndex: node.commitIndex,
      lastApplied: node.lastApplied,
      logFrom: log.snapshotIndex + 1,
      lastIndex: log.lastIndex,
      logTerms,
      snapshotIndex: log.snapshotIndex > 0 ? log.snapshotIndex : undefined,
      matchIndex,
    };
    this.previous = state;
    return state;
  }

  private logTerms(log: RaftLog): readonly TermStart[] {
    const from = log.snapshotIndex + 1;
    const last = log.lastIndex;
    if (from === this.startsFrom && log.truncations === this.startsTruncations && last >= this.startsTo) {
      // Entries were only appended since: a new array only if one of them starts a new term.
      let starts = this.starts;
      let copied = false;
      let lastTerm = starts.length === 0 ? -1 : (starts[starts.length - 1] as TermStart)[1];
      for (let index = this.startsTo + 1; index <= last; index++) {
        const term = log.termAt(index) as number;
        if (term === lastTerm) continue;
        if (!copied) {
          starts = starts.slice();
          copied = true;
        }
        (starts as TermStart[]).push([index, term]);
        lastTerm = term;
      }
      return this.remember(starts, from, last, log.truncations);
    }
    const starts: TermStart[] = [];
    let lastTerm = -1;
    for (let index = from; index <= last; index++) {
      const term = log.termAt(index) as number;
      if (term !== lastTerm) starts.push([index, term]);
      lastTerm = term;
    }
    return this.remember(starts, from, last, log.truncations);
  }

  private remember(
    starts: readonly TermStart[],
    from: number,
    to: number,
    truncations: number,
  ): readonly TermStart[] {
    this.starts = starts;
    this.startsFrom = from;
    this.startsTo = to;
    this.startsTruncations = truncations;
    return starts;
  }
}

function matchRecord(node: RaftStateView): Record<NodeId, number> {
  const shown: Record<NodeId, number> = {};
  for (const peer of node.peers) shown[peer] = node.matchIndex.get(peer) ?? 0;
  return shown;
}
