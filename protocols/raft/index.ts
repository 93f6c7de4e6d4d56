/**
 * Raft as a quorumlab protocol: leader election, log replication, a key-value state machine with
 * client sessions and linearizable reads, PreVote and CheckQuorum, snapshots, named invariants
 * and deliberate bugs. See README.md for the paper map and node.ts for the algorithm.
 */
import type { LogDeclaration, Protocol, RoleDeclaration } from "../../sim/node.js";
import { raftBugs } from "./bugs.js";
import { raftInvariants } from "./invariants.js";
import type { RaftMessage } from "./messages.js";
import { RaftNode } from "./node.js";
import { parseRaftOptions, type RaftOptions } from "./options.js";

export type { RaftBugName } from "./bugs.js";
export type { RaftMessage } from "./messages.js";
export { RaftNode } from "./node.js";
export type { RaftOptions, ReadMode } from "./options.js";

/** Raft's roles (§5.1, PreVote's precandidate from thesis §9.6): the leader leads, by term. */
export const raftRoles: RoleDeclaration<RaftNode> = {
  names: ["leader", "candidate", "precandidate", "follower"],
  leading: ["leader"],
  colours: { leader: "#ffb74d", candidate: "#ce93d8", precandidate: "#e1bee7", follower: "#90caf9" },
  roleOf: (node) => node.role,
  termOf: (node) => node.currentTerm,
};

/**
 * How reports draw a Raft log: `logTerms` (state.ts), or `logRuns` (`[[term, count], ...]`),
 * the form traces of earlier versions hold.
 */
export const raftLog: LogDeclaration = {
  forms: [
    { field: "logTerms", form: "term-starts" },
    { field: "logRuns", form: "term-runs" },
  ],
  firstIndexField: "logFrom",
  lastIndexField: "lastIndex",
  commitField: "commitIndex",
};

export const raft: Protocol<RaftMessage, RaftNode> = {
  name: "raft",
  summary:
    "Raft consensus (Ongaro & Ousterhout 2014) replicating a key-value store with sessions and ReadIndex reads.",
  defaultNodes: 5,
  // Any size: one node commits alone; a hundred and more elect and commit too.
  nodeCounts: { min: 1 },
  parseOptions: (options) => parseRaftOptions(options) as unknown as Readonly<Record<string, unknown>>,
  create: (context, options) => new RaftNode(context, options as unknown as RaftOptions),
  invariants: raftInvariants,
  bugs: raftBugs,
  // Rare branches marked with ctx.probe in node.ts (a fuzz campaign reports the ones it never reached).
  probes: [
    "leader-stepped-down-with-uncommitted-entries",
    "follower-truncated-its-log",
    "follower-installed-snapshot",
    "majority-holds-earlier-term-entry",
  ],
  // The fuzzer varies the options that change which interleavings are possible.
  fuzz: { options: { preVote: [false, true], checkQuorum: [false, true], leaderNoop: [true, false] } },
  client: { operations: { read: 2, write: 1, cas: 1 }, model: "kv" },
  roles: raftRoles,
  log: raftLog,
  electionTimer: "election",
  timers: ["election", "heartbeat", "check-quorum"],
};
