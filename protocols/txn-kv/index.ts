/**
 * A small transactional key-value store as a quorumlab protocol: key ranges held by Raft groups
 * (../raft, embedded as in ../sharded-kv), multi-key list-append transactions committed across
 * groups with two-phase commit whose coordinator and participants are Raft groups, and strict
 * two-phase locking. Its client history is checked for strict serializability by sim/check/txn.
 * See README.md and node.ts.
 */
import type { Protocol } from "../../sim/node.js";
import { raftLog } from "../raft/index.js";
import { replicaGroupRoles } from "../sharded-kv/replica.js";
import { txnBugs } from "./bugs.js";
import { txnFigures } from "./figures.js";
import { txnInvariants } from "./invariants.js";
import type { TxnKvMessage } from "./messages.js";
import { TxnKvNode } from "./node.js";
import { deriveTxnLayout, parseTxnKvOptions, type TxnKvOptions } from "./options.js";

export { TxnKvNode } from "./node.js";
export { parseTxnKvOptions, type TxnKvOptions } from "./options.js";

export const txnKv: Protocol<TxnKvMessage, TxnKvNode> = {
  name: "txn-kv",
  summary:
    "Transactional key-value store: key ranges on Raft groups, cross-group list-append transactions with two-phase commit over Raft groups and strict 2PL, checked for strict serializability.",
  defaultNodes: 9,
  parseOptions: (options) => parseTxnKvOptions(options) as unknown as Readonly<Record<string, unknown>>,
  // The layout every node derives at start: groups of the scenario's nodes, splits between them.
  checkOptions: (options, nodes) => void deriveTxnLayout(options as unknown as TxnKvOptions, nodes),
  create: (context, options) => new TxnKvNode(context, options as unknown as TxnKvOptions),
  invariants: txnInvariants,
  bugs: txnBugs,
  // Nine nodes: three static groups, or a placement group and two data groups whose ranges split
  // (every 20 list elements) and move, or split by load too and merge when small and cold.
  fuzz: {
    nodes: [9, 9],
    options: {
      placement: [
        null,
        { splitSize: 20 },
        { splitSize: 40, splitLoad: 10, mergeSize: 30, loadWindow: "300ms" },
      ],
    },
  },
  figures: txnFigures,
  client: { operations: { txn: 1 }, model: "list-append" },
  // Each replica shows its Raft role and log: a group's leader leads (the highest term of all
  // groups wins the scenario target `leader`).
  roles: replicaGroupRoles(),
  log: raftLog,
  electionTimer: "election",
};
