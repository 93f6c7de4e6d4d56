/**
 * A sharded key-value store as a quorumlab protocol: replica groups replicated with Raft
 * (../raft), shards placed on groups by the consistent-hashing ring (../consistent-hashing), a
 * configuration group agreeing on the sequence of configurations, and shard migration with
 * client sessions when groups join or leave. See README.md and node.ts.
 */
import type { Protocol } from "../../sim/node.js";
import { shardBugs } from "./bugs.js";
import { shardedInvariants } from "./invariants.js";
import type { ShardedMessage } from "./messages.js";
import { ShardedNode } from "./node.js";
import { parseShardedOptions, type ShardedOptions } from "./options.js";

export { shardedFigures } from "./figures.js";
export { ShardedNode } from "./node.js";
export { parseShardedOptions, type ShardedOptions } from "./options.js";

export const shardedKv: Protocol<ShardedMessage, ShardedNode> = {
  name: "sharded-kv",
  summary:
    "Sharded key-value store: Raft replica groups, shards placed by consistent hashing, a configuration group, and shard migration with client sessions.",
  defaultNodes: 12,
  parseOptions: (options) => parseShardedOptions(options) as unknown as Readonly<Record<string, unknown>>,
  create: (context, options) => new ShardedNode(context, options as unknown as ShardedOptions),
  invariants: shardedInvariants,
  bugs: shardBugs,
  // A configuration group and one replica group of three nodes each.
  fuzz: { nodes: [6, 6] },
  client: { operations: { read: 2, write: 1, append: 1, cas: 1 }, model: "kv" },
  electionTimer: "election",
};
