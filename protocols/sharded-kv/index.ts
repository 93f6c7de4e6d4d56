/**
 * A sharded key-value store as a quorumlab protocol: replica groups replicated with Raft
 * (../raft), shards placed on groups by the consistent-hashing ring (../consistent-hashing), a
 * configuration group agreeing on the sequence of configurations, and shard migration with
 * client sessions when groups join or leave. See README.md and node.ts.
 */
import type { Protocol } from "../../sim/node.js";
import { raftLog } from "../raft/index.js";
import { shardBugs } from "./bugs.js";
import { shardedFigures } from "./figures.js";
import { shardedInvariants } from "./invariants.js";
import type { ShardedMessage } from "./messages.js";
import { ShardedNode } from "./node.js";
import { deriveLayout, parseShardedOptions, type ShardedOptions, shardedNodeCounts } from "./options.js";
import { replicaGroupRoles } from "./replica.js";

export { shardedFigures } from "./figures.js";
export { ShardedNode } from "./node.js";
export { parseShardedOptions, type ShardedOptions } from "./options.js";

export const shardedKv: Protocol<ShardedMessage, ShardedNode> = {
  name: "sharded-kv",
  summary:
    "Sharded key-value store: Raft replica groups, shards placed by consistent hashing, a configuration group, and shard migration with client sessions.",
  defaultNodes: 12,
  nodeCounts: (options) => shardedNodeCounts(options as unknown as ShardedOptions),
  parseOptions: (options) => parseShardedOptions(options) as unknown as Readonly<Record<string, unknown>>,
  // The layout every node derives at start: groups of the scenario's nodes, changes of known groups.
  checkOptions: (options, nodes) => void deriveLayout(options as unknown as ShardedOptions, nodes),
  create: (context, options) => new ShardedNode(context, options as unknown as ShardedOptions),
  invariants: shardedInvariants,
  bugs: shardBugs,
  // Twelve nodes: the configuration group and three replica groups, so that shards move. The
  // timelines to try: the default (g3 joins at 1 s), a join then a leave, and a leave, a join and
  // a rejoin.
  fuzz: {
    nodes: [12, 12],
    options: {
      changes: [
        null,
        [
          { at: "500ms", join: "g3" },
          { at: "1500ms", leave: "g1" },
        ],
        [
          { at: "300ms", leave: "g2" },
          { at: "1s", join: "g3" },
          { at: "1700ms", join: "g2" },
        ],
      ],
    },
  },
  figures: shardedFigures,
  client: { operations: { read: 2, write: 1, append: 1, cas: 1 }, model: "kv" },
  // Each replica shows its Raft role and log: a group's leader leads (the highest term of all
  // groups wins the scenario target `leader`).
  roles: replicaGroupRoles(),
  log: raftLog,
  electionTimer: "election",
};
