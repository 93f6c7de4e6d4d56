/**
 * Single-decree Paxos as a quorumlab protocol. See node.ts for the algorithm, invariants.ts for
 * what is checked, bugs.ts for the deliberate bugs and README.md for the map to the paper.
 */
import type { Protocol } from "../../sim/node.js";
import { paxosBugs } from "./bugs.js";
import { paxosFigures } from "./figures.js";
import { paxosInvariants } from "./invariants.js";
import type { PaxosMessage } from "./messages.js";
import { PaxosNode, proposeTimer } from "./node.js";
import { checkPaxosOptions, type PaxosOptions, parsePaxosOptions } from "./options.js";

export { type PaxosFigures, paxosFigures } from "./figures.js";
export { PaxosNode } from "./node.js";
export { type PaxosOptions, parsePaxosOptions } from "./options.js";

export const paxos: Protocol<PaxosMessage, PaxosNode> = {
  name: "paxos",
  summary:
    "Single-decree Paxos: proposers, acceptors and learners agree on one value (Paxos Made Simple §2).",
  defaultNodes: 3,
  nodeCounts: { min: 1 },
  parseOptions: (options) => parsePaxosOptions(options) as unknown as Readonly<Record<string, unknown>>,
  checkOptions: (options, nodes) => checkPaxosOptions(options as unknown as PaxosOptions, nodes),
  create: (context, options) => new PaxosNode(context, options as unknown as PaxosOptions),
  invariants: paxosInvariants,
  bugs: paxosBugs,
  figures: (records) => paxosFigures(records),
  // No role leads: any proposer may propose (the scenario target `leader` finds none).
  roles: {
    names: ["proposer", "acceptor", "learner", "idle"],
    leading: [],
    colours: { proposer: "#ffb74d", acceptor: "#90caf9", learner: "#a5d6a7" },
  },
  electionTimer: proposeTimer,
  timers: [proposeTimer, "retry"],
  // Both proposers' first ballots (two timer firings), on ordered links with quiet timeouts:
  // 30,455 states, complete in about 13 CPU seconds. Without those two bounds it did not complete
  // in minutes; one ballot alone (timeouts=1) is 3,305 states (docs/exploring.md).
  explore: { faults: { timeouts: 2 }, network: "ordered", quietTimeouts: true },
};
