/**
 * Multi-Paxos as a replicated, linearizable key-value service. See node.ts for the algorithm,
 * invariants.ts for what is checked, bugs.ts for the deliberate bugs and README.md for the map to
 * the paper. Its trace notes (`prepare`, `chosen` with `slot`) are the ones single-decree Paxos
 * writes, so `paxosFigures` from protocols/paxos/figures.ts computes its liveness figures.
 */
import type { Protocol } from "../../sim/node.js";
import { multiPaxosBugs } from "./bugs.js";
import { multiPaxosInvariants } from "./invariants.js";
import type { MultiPaxosMessage } from "./messages.js";
import { electionTimer, MultiPaxosNode } from "./node.js";
import { type MultiPaxosOptions, parseMultiPaxosOptions } from "./options.js";

export { MultiPaxosNode } from "./node.js";
export { type MultiPaxosOptions, parseMultiPaxosOptions } from "./options.js";

export const multiPaxos: Protocol<MultiPaxosMessage, MultiPaxosNode> = {
  name: "multi-paxos",
  summary:
    "Multi-Paxos key-value store: a distinguished leader, phase 1 once for all slots, no-ops for holes (Paxos Made Simple §3).",
  defaultNodes: 3,
  nodeCounts: { min: 1 },
  parseOptions: (options) => parseMultiPaxosOptions(options) as unknown as Readonly<Record<string, unknown>>,
  create: (context, options) => new MultiPaxosNode(context, options as unknown as MultiPaxosOptions),
  invariants: multiPaxosInvariants,
  bugs: multiPaxosBugs,
  // Rare branches marked with ctx.probe in node.ts (a fuzz campaign reports the ones it never reached).
  probes: ["leader-stepped-down-with-proposals-in-flight", "new-leader-carried-accepted-values-forward"],
  client: { operations: { read: 1, write: 1, cas: 1 }, model: "kv" },
  // A candidate runs phase 1; the leader is the distinguished proposer, by ballot (a follower's
  // term is the ballot it promised).
  roles: {
    names: ["leader", "candidate", "follower"],
    leading: ["leader"],
    colours: { leader: "#ffb74d", candidate: "#ce93d8", follower: "#90caf9" },
    roleOf: (node) => node.role,
    termOf: (node) => (node.role === "follower" ? node.promised : node.ballot),
  },
  electionTimer,
  timers: [electionTimer, "heartbeat"],
};
