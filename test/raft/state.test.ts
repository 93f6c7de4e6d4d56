/**
 * A Raft node's state description shows its log by where its terms change. The log keeps its term
 * starts as entries are appended, truncated and compacted (and keeps the same array while entries
 * continue the last term); whatever happened, the starts must spell out exactly the log's terms.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RaftLog, type TermStart } from "../../protocols/raft/log.js";
import type { Entry } from "../../protocols/raft/messages.js";
import { describeRaftNode, type RaftStateView } from "../../protocols/raft/state.js";
import { PeerNumbers } from "../../protocols/shared/peer-numbers.js";

function view(log: RaftLog): RaftStateView {
  return {
    role: "follower",
    currentTerm: log.lastTerm,
    votedFor: null,
    leaderId: null,
    commitIndex: 0,
    lastApplied: 0,
    log,
    matchIndex: new PeerNumbers(),
    peers: [],
  };
}

/** The terms of entries logFrom..lastIndex, as the description shows them. */
function expand(state: Readonly<Record<string, unknown>>): number[] {
  const starts = state.logTerms as TermStart[];
  const terms: number[] = [];
  for (let index = state.logFrom as number; index <= (state.lastIndex as number); index++) {
    let term: number | undefined;
    for (const [start, startTerm] of starts) if (start <= index) term = startTerm;
    terms.push(term as number);
  }
  return terms;
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
  it("shows terms 1 1 1 3 3 as starts [[1, 1], [4, 3]] from logFrom 1 to lastIndex 5", () => {
    const log = new RaftLog();
    log.append([entry(1), entry(1), entry(1), entry(3), entry(3)]);
    const state = describeRaftNode(view(log));
    expect(state.logTerms).toEqual([
      [1, 1],
      [4, 3],
    ]);
    expect(state.logFrom).toBe(1);
    expect(state.lastIndex).toBe(5);
  });

  it("keeps the same term starts while the log grows within its last term", () => {
    const log = new RaftLog();
    log.append([entry(1), entry(2)]);
    const before = describeRaftNode(view(log));
    log.append([entry(2), entry(2)]);
    const after = describeRaftNode(view(log));
    expect(after.logTerms).toBe(before.logTerms);
    expect(after.lastIndex).toBe(4);
    log.append([entry(3)]);
    const newTerm = describeRaftNode(view(log));
    expect(newTerm.logTerms).not.toBe(before.logTerms);
    expect(before.logTerms).toEqual([
      [1, 1],
      [2, 2],
    ]);
    expect(newTerm.logTerms).toEqual([
      [1, 1],
      [2, 2],
      [5, 3],
    ]);
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
          const state = describeRaftNode(view(log));
          expect(state.logFrom).toBe(log.snapshotIndex + 1);
          expect(state.lastIndex).toBe(log.lastIndex);
          expect(expand(state)).toEqual(termsOf(log));
        }
      }),
    );
  });

  it("hands the last description back while nothing it shows changed, a fresh one otherwise", () => {
    const log = new RaftLog();
    const matchIndex = new PeerNumbers();
    const node = { ...view(log), role: "leader", matchIndex, peers: ["n2", "n3"] };
    type Change = (target: typeof node) => void;
    const changes: Change[] = [
      (target) => (target.role = target.role === "leader" ? "follower" : "leader"),
      (target) => target.currentTerm++,
      (target) => (target.votedFor = target.votedFor === null ? "n2" : null),
      (target) => (target.leaderId = target.leaderId === null ? "n1" : null),
      (target) => target.commitIndex++,
      (target) => target.lastApplied++,
      (target) => target.log.append([entry(target.currentTerm)]),
      (target) => target.log.compactTo(target.log.lastIndex),
      (target) => target.matchIndex.set("n3", (target.matchIndex.get("n3") ?? 0) + 1),
    ];
    fc.assert(
      fc.property(fc.array(fc.nat({ max: changes.length }), { maxLength: 30 }), (picks) => {
        let last = describeRaftNode(node);
        for (const pick of picks) {
          changes[pick]?.(node);
          const next = describeRaftNode(node, last);
          const fresh = describeRaftNode(node);
          expect(next).toEqual(fresh);
          expect(JSON.stringify(next)).toBe(JSON.stringify(fresh));
          if (pick === changes.length) expect(next).toBe(last);
          last = next;
        }
      }),
    );
  });
});
