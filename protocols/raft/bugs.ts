/**
 * Deliberate bugs Raft can be switched into (`options.bugs`), for teaching and for testing the
 * checkers. Each is one small branch in the node code, marked `BUG(<name>)`, and each names the
 * invariant that catches it. Ids follow the mutation catalogue (section 4 of the reference).
 */
import { type DeliberateBug, leaderLiveness } from "../../sim/node.js";

export const raftBugs = [
  {
    name: "vote-before-persist",
    id: "M1",
    change: "A granted vote is sent without persisting votedFor, so a restarted voter forgets it.",
    breaks: ["raft.election-safety", "raft.one-vote-per-term"],
    source: "Raft paper §5.2 and Figure 2 (persistent state, updated before responding to RPCs)",
    kind: "safety",
    // A voter must crash between granting a vote and a second candidate's request in the same
    // term: three nodes without PreVote hold the most such concurrent elections.
    fuzz: { options: { preVote: [false], checkQuorum: [false] }, nodes: [3, 3] },
    // A voter must restart between two candidates' requests in one term: one crash, no client.
    explore: { clients: 0, faults: { crash: 1, timeouts: 2 } },
  },
  {
    name: "no-up-to-date-check",
    id: "M2",
    change: "RequestVote is granted without checking that the candidate's log is at least as up-to-date.",
    breaks: ["raft.leader-completeness", "raft.state-machine-safety"],
    source: "Raft paper §5.4.1 (election restriction)",
    kind: "safety",
    // The leader's no-op, committed on a majority, is entry enough: a node without it wins the next
    // election with a vote it should not get. No client, no crash; 8 steps breadth first.
    explore: { clients: 0, faults: { timeouts: 2 } },
  },
  {
    name: "commit-previous-term",
    id: "M3",
    change: "The leader commits an index once a majority stores it, even if its term is not the current one.",
    breaks: ["raft.state-machine-safety", "raft.leader-completeness"],
    source: "Raft paper §5.4.2 and Figure 8",
    kind: "safety",
    // Figure 8 needs a leader that replicates an earlier-term entry before any entry of its own
    // term: the leader's no-op closes that window almost always, and three nodes need the fewest
    // crashes to reach it. It also needs a quick succession of leaders, which PreVote and
    // CheckQuorum hold back.
    fuzz: { options: { leaderNoop: [false], preVote: [false], checkQuorum: [false] }, nodes: [3, 3] },
    // Exploration needs four elections and an entry at each of the first two leaders: two
    // clients, each writing first to its own node, give those without a retry. Heartbeats, lost
    // messages in flight, reordering on a link and a vote or a reply arriving late add nothing to
    // Figure 8 but states, so the bounds leave them out; what is left takes 8 choices, searched
    // breadth first over cells (docs/exploring.md, "Bounds" and "Strategies").
    explore: {
      clients: 2,
      firstNodes: "spread",
      faults: { timeouts: 4 },
      timers: ["election"],
      network: "fifo",
      quietTimeouts: true,
      promptTimeouts: true,
      promptReplies: true,
      strategy: "cells",
    },
  },
  {
    name: "truncate-without-conflict",
    id: "M4",
    change: "A follower cuts its log after prevLogIndex on every AppendEntries, even when nothing conflicts.",
    breaks: ["raft.state-machine-safety", "raft.leader-completeness"],
    source: "Raft paper Figure 2 (AppendEntries receiver step 3: truncate only on conflict)",
    kind: "safety",
    // n1 leads and its no-op reaches n2; a heartbeat sent before n2's reply arrives starts from
    // index 0 and is empty, so n2, by the bug, cuts the no-op n1 has just committed; n2 then wins
    // term 2 with n3's vote. No client and three firings; FIFO links keep the space small and
    // lose nothing: over every order the shortest schedule is as long (10 steps, found breadth
    // first; docs/exploring.md, "Bounds").
    explore: {
      clients: 0,
      faults: { timeouts: 3 },
      network: "fifo",
    },
  },
  {
    name: "commit-index-from-leader",
    id: "M5",
    change:
      "A follower sets commitIndex = min(leaderCommit, its last index), not min(leaderCommit, last new entry).",
    breaks: ["raft.state-machine-safety", "raft.leader-completeness"],
    source: "Raft paper Figure 2 (AppendEntries receiver step 5)",
    kind: "safety",
    // n1 leads in term 1 and its no-op reaches nobody; n2 leads in term 2 with n3 and commits its
    // own no-op at index 1; its next heartbeat to n1 is empty (n2 still probes n1: the entries it
    // sent were lost) and carries commit index 1, and n1 commits its own stale entry there. No client is needed; a firing's messages and every reply arriving at once
    // make it 4 choices (20 steps), found breadth first (docs/exploring.md, "Bounds").
    explore: {
      clients: 0,
      faults: { timeouts: 3 },
      network: "fifo",
      quietTimeouts: true,
      promptTimeouts: true,
      promptReplies: true,
    },
  },
  {
    name: "count-stale-votes",
    id: "M6",
    change: "A candidate counts every granted vote reply, including duplicates and replies from older terms.",
    breaks: ["raft.election-safety", "raft.leader-completeness"],
    source: "Raft paper §5.2 (a candidate wins with votes from a majority for the same term)",
    kind: "safety",
  },
  {
    name: "stale-local-read",
    id: "M7",
    change: "The leader answers reads from its local state machine without ReadIndex or a lease.",
    breaks: ["kv.linearizable"],
    source: "Raft paper §8 (read-only operations must not return stale data); thesis §6.4",
    kind: "safety",
    // A local read goes stale two ways: at a new leader that has not yet learned that the last
    // write was committed, and at a deposed leader that has not heard of its successor, which
    // needs it cut off from the others while the successor is elected (a prompt RequestVote would
    // depose it). Two clients that ask n1 and n2 first (each a write, then a read), two elections
    // and one isolation hold both; the history is checked as soon as no operation is pending, so
    // c2's read is never needed. Breadth first finds the first way in 8 choices (25 steps); the
    // second takes 13 (docs/exploring.md, "Bounds").
    explore: {
      clients: 2,
      operations: 2,
      firstNodes: "spread",
      faults: { timeouts: 2, isolate: 1 },
      timers: ["election"],
      network: "fifo",
      quietTimeouts: true,
      promptTimeouts: true,
      promptReplies: true,
    },
  },
  {
    name: "unsynced-vote",
    id: "M26",
    change:
      "A vote is answered before currentTerm and votedFor are synced, so a power loss forgets the term and the vote.",
    breaks: ["raft.term-monotonic", "raft.one-vote-per-term", "raft.election-safety"],
    source: "Raft paper Figure 2 (persistent state, updated on stable storage before responding to RPCs)",
    kind: "safety",
    // It shows only when a power loss takes an answered vote back: one crash, no client.
    explore: { clients: 0, faults: { crash: 1, timeouts: 2 } },
  },
  {
    name: "fixed-election-timeout",
    id: "M10",
    change: "Every node uses the same fixed election timeout instead of a random one.",
    breaks: [leaderLiveness],
    source: "Raft paper §5.2 (randomized election timeouts)",
    kind: "liveness",
  },
] as const satisfies readonly DeliberateBug[];

export type RaftBugName = (typeof raftBugs)[number]["name"];

export const raftBugNames: readonly RaftBugName[] = raftBugs.map((bug) => bug.name);
