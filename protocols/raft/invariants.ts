/**
 * Raft's safety properties (paper Figure 3, §5.2–5.4; thesis §3.6), checked online after every
 * step. Each monitor is incremental: it looks at the node that just acted (`view.actor`) and
 * compares it with what it recorded before, so a check costs O(1) per step plus O(new entries).
 *
 * They rely on two facts of node.ts: entries are compacted only at the start of a later step than
 * the one that applied them, and a restarted node starts from its durable state.
 */
import type { Invariant, InvariantFailure, InvariantMonitor, NodeId, StepView } from "../../sim/node.js";
import type { RaftLog } from "./log.js";
import { type Command, commandKey, type Entry, sameCommand } from "./messages.js";
import type { RaftNode } from "./node.js";

type Monitor = InvariantMonitor<RaftNode>;

/** A per-node record, grown on first use, found by the actor's index. */
class PerNode<T> {
  readonly records: Array<T | undefined> = [];

  constructor(private readonly initial: () => T) {}

  of(view: StepView<RaftNode>): T {
    let record = this.records[view.actorIndex];
    if (record === undefined) {
      record = this.initial();
      this.records[view.actorIndex] = record;
    }
    return record;
  }
}

function perNode<T>(initial: () => T): PerNode<T> {
  return new PerNode(initial);
}

function describeEntry(entry: Entry | undefined): string {
  return entry === undefined ? "nothing" : `term ${entry.term} (${commandKey(entry.command)})`;
}

/** Election Safety: at most one leader can be elected in a given term (§5.2). */
export const electionSafety: Invariant<RaftNode> = {
  name: "raft.election-safety",
  statement: "At most one leader is elected in a given term.",
  source: "Raft paper §5.2, Figure 3",
  kind: "safety",
  create(): Monitor {
    const leaders = new Map<number, NodeId>();
    return {
      state: leaders,
      afterStep(view) {
        const node = view.node(view.actor);
        if (node === undefined || node.role !== "leader") return undefined;
        const known = leaders.get(node.currentTerm);
        if (known === undefined) {
          leaders.set(node.currentTerm, view.actor);
          return undefined;
        }
        if (known === view.actor) return undefined;
        return {
          message: `two leaders in term ${node.currentTerm}: ${known} and ${view.actor}`,
          witnesses: { term: node.currentTerm, leaders: [known, view.actor] },
        };
      },
    };
  },
};

/** Leader Append-Only: a leader never overwrites or deletes entries in its log (§5.3). */
export const leaderAppendOnly: Invariant<RaftNode> = {
  name: "raft.leader-append-only",
  statement: "A leader never overwrites or deletes entries in its log; it only appends.",
  source: "Raft paper §5.3, Figure 3",
  kind: "safety",
  create(): Monitor {
    const seen = perNode(() => ({ term: -1, lastIndex: 0, truncations: 0 }));
    return {
      state: seen,
      afterStep(view) {
        const node = view.node(view.actor);
        const record = seen.of(view);
        if (node === undefined || node.role !== "leader") {
          record.term = -1;
          return undefined;
        }
        const log = node.log;
        if (record.term === node.currentTerm && log.truncations !== record.truncations) {
          return {
            message: `leader ${view.actor} of term ${node.currentTerm} removed entries from index ${log.lastTruncatedFrom} of its own log`,
            witnesses: {
              node: view.actor,
              term: node.currentTerm,
              truncatedFrom: log.lastTruncatedFrom,
              lastIndexBefore: record.lastIndex,
              lastIndexNow: log.lastIndex,
            },
          };
        }
        record.term = node.currentTerm;
        record.lastIndex = log.lastIndex;
        record.truncations = log.truncations;
        return undefined;
      },
    };
  },
};

/** An (index, term) pair's command, the term before it, and the node it was first seen on. */
interface Pair {
  readonly command: Command;
  readonly previousTerm: number;
  readonly by: NodeId;
}

/**
 * Every (index, term) pair seen so far. The first term seen at each index is kept in arrays by
 * index, like `CommitRecord` below; any other term seen at an index (a conflict that a later
 * leader overwrites) goes to `others`, keyed `index/term`.
 */
class PairsSeen {
  readonly firstTerm: number[] = [];
  readonly firstCommand: Command[] = [];
  readonly firstPrevious: number[] = [];
  readonly firstBy: NodeId[] = [];
  readonly others = new Map<string, Pair>();

  /**
   * Records `entry` at `index` (after `previousTerm`) as seen on `by`; returns the earlier record
   * of the same (index, term) pair if it carries another command or follows another term.
   */
  disagreement(index: number, entry: Entry, previousTerm: number, by: NodeId): Pair | undefined {
    const term = this.firstTerm[index];
    if (term === undefined || term === -1) {
      this.recordFirst(index, entry, previousTerm, by);
      return undefined;
    }
    if (term === entry.term) {
      const command = this.firstCommand[index] as Command;
      const firstPrevious = this.firstPrevious[index] as number;
      if (sameCommand(command, entry.command) && firstPrevious === previousTerm) return undefined;
      return { command, previousTerm: firstPrevious, by: this.firstBy[index] as NodeId };
    }
    const key = `${index}/${entry.term}`;
    const known = this.others.get(key);
    if (known === undefined) {
      this.others.set(key, { command: entry.command, previousTerm, by });
      return undefined;
    }
    if (sameCommand(known.command, entry.command) && known.previousTerm === previousTerm) return undefined;
    return known;
  }

  /** Fills the arrays up to `index` (a snapshot may skip indices) and records the first pair there. */
  private recordFirst(index: number, entry: Entry, previousTerm: number, by: NodeId): void {
    while (this.firstTerm.length < index) {
      this.firstTerm.push(-1);
      this.firstCommand.push(entry.command);
      this.firstPrevious.push(-1);
      this.firstBy.push("");
    }
    this.firstTerm[index] = entry.term;
    this.firstCommand[index] = entry.command;
    this.firstPrevious[index] = previousTerm;
    this.firstBy[index] = by;
  }
}

/**
 * The first index of `node`'s log that may have changed since the monitor last looked at it: all
 * of it after a restart, else from the last index looked at or the last truncation, if earlier.
 */
function firstChangedIndex(
  view: StepView<RaftNode>,
  log: RaftLog,
  record: { readonly lastIndex: number; readonly truncations: number },
): number {
  let from = record.lastIndex + 1;
  if (view.cause === "restart") from = 1;
  else if (log.truncations !== record.truncations) from = Math.min(from, log.lastTruncatedFrom);
  return Math.max(from, log.snapshotIndex + 1);
}

/**
 * Log Matching: if two logs contain an entry with the same index and term, the logs are identical
 * in all entries up through that index (§5.3). Checked inductively: every (index, term) pair ever
 * seen must always carry the same command and follow the same term at index − 1.
 */
export const logMatching: Invariant<RaftNode> = {
  name: "raft.log-matching",
  statement: "Two logs holding an entry with the same index and term are identical up to that index.",
  source: "Raft paper §5.3, Figure 3",
  kind: "safety",
  create(): Monitor {
    const pairs = new PairsSeen();
    const checked = perNode(() => ({ lastIndex: 0, truncations: 0 }));
    return {
      state: { pairs, checked },
      afterStep(view) {
        const node = view.node(view.actor);
        if (node === undefined) return undefined;
        const log = node.log;
        const record = checked.of(view);
        for (let index = firstChangedIndex(view, log, record); index <= log.lastIndex; index++) {
          const entry = log.entryAt(index) as Entry;
          const previousTerm = log.termAt(index - 1) as number;
          const known = pairs.disagreement(index, entry, previousTerm, view.actor);
          if (known === undefined) continue;
          return {
            message: `index ${index} term ${entry.term} differs between ${known.by} and ${view.actor}`,
            witnesses: {
              index,
              term: entry.term,
              [known.by]: { command: commandKey(known.command), previousTerm: known.previousTerm },
              [view.actor]: { command: commandKey(entry.command), previousTerm },
            },
          };
        }
        record.lastIndex = log.lastIndex;
        record.truncations = log.truncations;
        return undefined;
      },
    };
  },
};

/**
 * Committed entries, recorded as nodes learn them, shared by Leader Completeness and State
 * Machine Safety. Returns a failure if two nodes consider different entries committed at one index.
 */
class CommitRecord {
  readonly terms: number[] = [0];
  readonly commands: Command[] = [{ kind: "noop" }];
  readonly by: NodeId[] = [""];
  /**
   * The term in which each index was committed: the current term of the first node seen to
   * commit it (the leader that counted the replicas, since monitors run after its step).
   */
  readonly commitTerms: number[] = [0];
  private readonly learned = perNode(() => ({ commitIndex: 0 }));

  observe(view: StepView<RaftNode>, node: RaftNode): InvariantFailure | undefined {
    const record = this.learned.of(view);
    if (view.cause === "restart") record.commitIndex = node.commitIndex;
    const log = node.log;
    const upTo = Math.min(node.commitIndex, log.lastIndex);
    for (let index = Math.max(record.commitIndex + 1, log.snapshotIndex + 1); index <= upTo; index++) {
      const entry = log.entryAt(index) as Entry;
      if (index >= this.terms.length) {
        this.terms.push(entry.term);
        this.commands.push(entry.command);
        this.by.push(view.actor);
        this.commitTerms.push(node.currentTerm);
      } else if (
        this.terms[index] !== entry.term ||
        !sameCommand(this.commands[index] as Command, entry.command)
      ) {
        return {
          message: `index ${index} committed as term ${this.terms[index]} by ${this.by[index]} but as term ${entry.term} by ${view.actor}`,
          witnesses: {
            index,
            [this.by[index] as string]: {
              term: this.terms[index],
              command: commandKey(this.commands[index] as Command),
            },
            [view.actor]: { term: entry.term, command: commandKey(entry.command) },
          },
        };
      }
    }
    record.commitIndex = Math.max(record.commitIndex, upTo);
    return undefined;
  }
}

/** Leader Completeness: an entry committed in a term is present in the logs of all later leaders (§5.4). */
export const leaderCompleteness: Invariant<RaftNode> = {
  name: "raft.leader-completeness",
  statement: "If an entry is committed in a term, it is in the log of every leader of a higher term.",
  source: "Raft paper §5.4.1, Figure 3",
  kind: "safety",
  create(): Monitor {
    const committed = new CommitRecord();
    const leaderTerm = perNode(() => ({ term: -1 }));
    return {
      state: { committed, leaderTerm },
      afterStep(view) {
        const node = view.node(view.actor);
        if (node === undefined) return undefined;
        const record = leaderTerm.of(view);
        if (node.role === "leader" && record.term !== node.currentTerm) {
          record.term = node.currentTerm;
          const log = node.log;
          for (let index = log.snapshotIndex + 1; index < committed.terms.length; index++) {
            // Only leaders of higher terms than the commit's must hold it: a stale leader of an
            // older term (one that has not yet heard of the newer term) need not.
            if ((committed.commitTerms[index] as number) >= node.currentTerm) continue;
            const entry = log.entryAt(index);
            if (
              entry === undefined ||
              entry.term !== committed.terms[index] ||
              !sameCommand(entry.command, committed.commands[index] as Command)
            ) {
              return {
                message: `leader ${view.actor} of term ${node.currentTerm} lacks committed index ${index} (term ${committed.terms[index]}, committed by ${committed.by[index]}); it holds ${describeEntry(entry)}`,
                witnesses: {
                  leader: view.actor,
                  term: node.currentTerm,
                  index,
                  committed: {
                    term: committed.terms[index],
                    command: commandKey(committed.commands[index] as Command),
                    by: committed.by[index],
                  },
                  leaderEntry:
                    entry === undefined ? null : { term: entry.term, command: commandKey(entry.command) },
                },
              };
            }
          }
        }
        return committed.observe(view, node);
      },
    };
  },
};

/**
 * The entry applied at each index, by the first node seen to apply it, in arrays by index.
 * Indices a snapshot skipped hold term -1 until some node applies them one by one.
 */
class AppliedRecord {
  readonly terms: number[] = [0];
  readonly commands: Command[] = [{ kind: "noop" }];
  readonly by: NodeId[] = [""];

  /** Records `entry` as applied at `index` by `node`; a failure if another entry was applied there. */
  observe(index: number, entry: Entry, node: NodeId): InvariantFailure | undefined {
    const { terms, commands, by } = this;
    if (index >= terms.length) {
      // Indices are applied in order on every node, so the first applier extends the record.
      while (terms.length < index) {
        terms.push(-1);
        commands.push(entry.command);
        by.push("");
      }
      terms.push(entry.term);
      commands.push(entry.command);
      by.push(node);
    } else if (terms[index] === -1) {
      terms[index] = entry.term;
      commands[index] = entry.command;
      by[index] = node;
    } else if (terms[index] !== entry.term || !sameCommand(commands[index] as Command, entry.command)) {
      const applied = commandKey(commands[index] as Command);
      return {
        message: `${node} applied ${describeEntry(entry)} at index ${index}, but ${by[index]} applied term ${terms[index]} (${applied}) there`,
        witnesses: {
          index,
          [by[index] as string]: { term: terms[index], command: applied },
          [node]: { term: entry.term, command: commandKey(entry.command) },
        },
      };
    }
    return undefined;
  }

  /** A failure if `node` installed a snapshot whose last term differs from what was applied there. */
  observeSnapshot(log: RaftLog, node: NodeId): InvariantFailure | undefined {
    const index = log.snapshotIndex;
    if (index >= this.terms.length || this.terms[index] === log.snapshotTerm) return undefined;
    return {
      message: `${node} installed a snapshot ending at index ${index} term ${log.snapshotTerm}, but ${this.by[index]} applied term ${this.terms[index]} there`,
      witnesses: {
        index,
        snapshotTerm: log.snapshotTerm,
        appliedTerm: this.terms[index],
        appliedBy: this.by[index],
      },
    };
  }
}

/**
 * State Machine Safety: once a server applies an entry at an index, no server ever applies a
 * different entry at that index (§5.4.3); and each server applies indices in order.
 */
export const stateMachineSafety: Invariant<RaftNode> = {
  name: "raft.state-machine-safety",
  statement: "No two servers apply different commands at the same log index; each applies indices in order.",
  source: "Raft paper §5.4.3, Figure 3",
  kind: "safety",
  create(): Monitor {
    const record = new AppliedRecord();
    const applied = perNode(() => ({ lastApplied: 0 }));
    return {
      state: { record, applied },
      afterStep(view) {
        const node = view.node(view.actor);
        if (node === undefined) return undefined;
        const seen = applied.of(view);
        const log = node.log;
        if (view.cause === "restart") seen.lastApplied = node.lastApplied;
        if (node.lastApplied < seen.lastApplied) {
          return {
            message: `${view.actor} went back from applied index ${seen.lastApplied} to ${node.lastApplied} without restarting`,
            witnesses: { node: view.actor, before: seen.lastApplied, now: node.lastApplied },
          };
        }
        // An installed snapshot jumps over entries: its last index must agree with what was applied.
        if (node.lastApplied > seen.lastApplied && log.snapshotIndex >= node.lastApplied) {
          const failure = record.observeSnapshot(log, view.actor);
          if (failure !== undefined) return failure;
          seen.lastApplied = node.lastApplied;
          return undefined;
        }
        for (let index = seen.lastApplied + 1; index <= node.lastApplied; index++) {
          const entry = log.entryAt(index);
          if (entry === undefined) continue;
          const failure = record.observe(index, entry, view.actor);
          if (failure !== undefined) return failure;
        }
        seen.lastApplied = node.lastApplied;
        return undefined;
      },
    };
  },
};

/** currentTerm never decreases, across restarts too (Figure 2: currentTerm is persistent). */
export const termMonotonic: Invariant<RaftNode> = {
  name: "raft.term-monotonic",
  statement: "A server's currentTerm never decreases, not even across a crash and restart.",
  source: "Raft paper Figure 2 (persistent state on all servers)",
  kind: "safety",
  create(): Monitor {
    const terms = perNode(() => ({ term: 0 }));
    return {
      state: terms,
      afterStep(view) {
        const node = view.node(view.actor);
        if (node === undefined) return undefined;
        const record = terms.of(view);
        if (node.currentTerm < record.term) {
          return {
            message: `${view.actor}'s term went back from ${record.term} to ${node.currentTerm} (${view.cause})`,
            witnesses: { node: view.actor, before: record.term, now: node.currentTerm, cause: view.cause },
          };
        }
        record.term = node.currentTerm;
        return undefined;
      },
    };
  },
};

/** At most one vote per term per server, across restarts (Figure 2: votedFor is persistent). */
export const oneVotePerTerm: Invariant<RaftNode> = {
  name: "raft.one-vote-per-term",
  statement: "A server votes for at most one candidate in a given term, even across restarts.",
  source: "Raft paper §5.2 and Figure 2 (votedFor is persistent)",
  kind: "safety",
  create(): Monitor {
    const votes = perNode(() => ({ term: -1, votedFor: "" }));
    return {
      state: votes,
      afterStep(view) {
        const node = view.node(view.actor);
        if (node === undefined || node.votedFor === null) return undefined;
        const record = votes.of(view);
        if (record.term === node.currentTerm && record.votedFor !== node.votedFor) {
          return {
            message: `${view.actor} voted for both ${record.votedFor} and ${node.votedFor} in term ${node.currentTerm}`,
            witnesses: { node: view.actor, term: node.currentTerm, votes: [record.votedFor, node.votedFor] },
          };
        }
        record.term = node.currentTerm;
        record.votedFor = node.votedFor;
        return undefined;
      },
    };
  },
};

export const raftInvariants: readonly Invariant<RaftNode>[] = [
  electionSafety,
  leaderAppendOnly,
  logMatching,
  leaderCompleteness,
  stateMachineSafety,
  termMonotonic,
  oneVotePerTerm,
];
