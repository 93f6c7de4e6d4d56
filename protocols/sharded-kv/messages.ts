/**
 * Messages of the sharded store besides Raft's own (which flow only inside a group).
 *
 * - A group's leader asks the configuration group for the next configuration (`ConfigQuery`);
 *   any configuration replica that has applied it answers (`ConfigReply`): applied means
 *   committed, so the answer is final.
 * - The leader of a group that gains a shard pulls it from the previous owner (`ShardPull`); any
 *   replica of that group that has frozen the shard for that configuration answers with its data
 *   and client sessions (`ShardData`). Once installed, the new owner asks the old one to drop its
 *   copy (`ShardDelete`) until it hears that it did (`ShardDeleted`).
 *
 * Every request is retried on the group leader's tick, so any of them may be lost or duplicated.
 */
import type { RaftMessage } from "../raft/index.js";
import type { Configuration } from "./config.js";
import type { ShardContents } from "./group-machine.js";

export interface ConfigQuery {
  readonly type: "ConfigQuery";
  readonly num: number;
}

export interface ConfigReply {
  readonly type: "ConfigReply";
  readonly config: Configuration;
}

export interface ShardPull {
  readonly type: "ShardPull";
  /** The configuration in which the puller gained the shard. */
  readonly config: number;
  readonly shard: number;
}

export interface ShardData extends ShardContents {
  readonly type: "ShardData";
  readonly config: number;
  readonly shard: number;
}

export interface ShardDelete {
  readonly type: "ShardDelete";
  readonly config: number;
  readonly shard: number;
}

export interface ShardDeleted {
  readonly type: "ShardDeleted";
  readonly config: number;
  readonly shard: number;
}

export type ShardMessage = ConfigQuery | ConfigReply | ShardPull | ShardData | ShardDelete | ShardDeleted;

export type ShardedMessage = ShardMessage | RaftMessage;

const shardMessageTypes = new Set([
  "ConfigQuery",
  "ConfigReply",
  "ShardPull",
  "ShardData",
  "ShardDelete",
  "ShardDeleted",
]);

export function isShardMessage(message: ShardedMessage): message is ShardMessage {
  return shardMessageTypes.has(message.type);
}
