/**
 * A Raft node's state description shows its log as runs of equal terms. The describer extends the
 * previous runs when entries were only appended and rescans after a truncation or a compaction;
 * either way the runs must spell out exactly the log's terms.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RaftLog } from "../../protocols/raft/log.js";
import type { Entry } from "../../protocols/raft/messages.js";
import { type LogRun, RaftStateDescriber, type RaftStateView } from "../../protocols/raft/state.js";

function view(log: RaftLog): RaftStateView {
  return {
    role: "follower",
    currentTerm: log.lastTerm,
    votedFor: null,
    leaderId: null,
    commitIndex: 0,
    lastApplied: 0,
    log,
    matchIndex: new Map(),
    peers: [],
  };
}

function expand(runs: readonly LogRun[]): number[] {
  return runs.flatMap(([term, count]) => Array.from({ length: count }, () => term));
}

function termsOf(log: RaftLog): number[] {
  const terms: number[] = [];
  for (let index = log.snapshotIndex + 1; index <= log.lastIndex; index++)
    terms.push(log.termAt(index) as number);
  return terms;
}

const entry = (term: number): Entry => ({ term, command: { kind: "noop" } });

type Step = { append: number[] } | { truncateFrom: number } | { compactTo: number };

describe("raft state description", () => {
  it("shows terms 1 1 1 3 3 as [[1, 3], [3, 2]] from logFrom", () => {
    const log = new RaftLog();
    log.append([entry(1), entry(1), entry(1), entry(3), entry(3)]);
    const state = new RaftStateDescriber().describe(view(log));
    expect(state.logRuns).toEqual([
      [1, 3],
      [3, 2],
    ]);
    expect(state.logFrom).toBe(1);
  });

  it("spells out exactly the log's terms after any appends, truncations and compactions", () => {
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ append: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 5 }) }),
      fc.record({ truncateFrom: fc.integer({ min: 1, max: 30 }) }),
      fc.record({ compactTo: fc.integer({ min: 0, max: 30 }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        const log = new RaftLog();
        const describer = new RaftStateDescriber();
        let term = 1;
        for (const next of steps) {
          if ("append" in next) {
            // Terms never go down along a log: each append adds the given rises to the last term.
            log.append(next.append.map((rise) => entry((term += rise))));
          } else if ("truncateFrom" in next) {
            if (next.truncateFrom > log.snapshotIndex) log.truncateFrom(next.truncateFrom);
          } else if (next.compactTo > log.snapshotIndex && next.compactTo <= log.lastIndex) {
            log.compactTo(next.compactTo);
          }
          const state = describer.describe(view(log));
          expect(state.logFrom).toBe(log.snapshotIndex + 1);
          expect(expand(state.logRuns as LogRun[])).toEqual(termsOf(log));
        }
      }),
    );
  });
});
