/**
 * Configurations of the sharded store and the state machine of the configuration group.
 *
 * Keys fall into a fixed number of shards by hash range: shard s holds the keys whose 32-bit ring
 * hash h (MurmurHash3, see ../consistent-hashing/hash.ts) satisfies floor(h · S / 2^32) = s.
 * Shards are placed on replica groups with the consistent-hashing ring of
 * ../consistent-hashing/ring.ts: the groups are the ring members (with `vnodes` tokens each), and
 * shard s belongs to the ring owner of the middle of its hash range, floor((s + ½) · 2^32 / S). A group joining therefore takes shards
 * only from the others (about S/(G+1) of them), and a group leaving hands over only its own
 * (Karger et al. 1997; Chord §4.2).
 *
 * A configuration is numbered; configuration 0 is empty, configuration 1 holds the initial groups
 * and is known to every node from the options. Later ones are made by the configuration group, a
 * Raft group of its own, which applies `join` and `leave` commands in the order of the scenario's
 * timeline: each applied change appends exactly one configuration, so every replica of the
 * configuration group holds the same sequence (the MIT 6.5840 "shard controller" design).
 */
import { hashKey } from "../consistent-hashing/hash.js";
import { buildRing, ownerIndexOfHash } from "../consistent-hashing/ring.js";

export type GroupId = string;

/** One configuration: which groups exist, their members, and the group of every shard. */
export interface Configuration {
  readonly num: number;
  /** Group → its nodes; groups in sorted order. */
  readonly groups: Readonly<Record<GroupId, readonly string[]>>;
  /** `shards[s]` is the group serving shard s, or null when there is no group. */
  readonly shards: readonly (GroupId | null)[];
}

/** Layout shared by every node: the shard count and the ring's vnodes. */
export interface ShardLayout {
  readonly shardCount: number;
  readonly vnodesPerGroup: number;
}

const HASH_SPACE_SIZE = 2 ** 32;

/** The shard of `key`: its hash range index. Null keys live in shard 0. */
export function shardOf(key: string | null, shardCount: number): number {
  if (key === null) return 0;
  return Math.floor((hashKey(key) * shardCount) / HASH_SPACE_SIZE);
}

/** The shard → group map of a group set, placed with the consistent-hashing ring. */
export function assignShards(groups: readonly GroupId[], layout: ShardLayout): (GroupId | null)[] {
  if (groups.length === 0) return new Array<GroupId | null>(layout.shardCount).fill(null);
  const ring = buildRing({ nodes: groups, vnodesPerNode: layout.vnodesPerGroup });
  return Array.from({ length: layout.shardCount }, (_, shard) => {
    const middle = Math.floor(((shard + 0.5) * HASH_SPACE_SIZE) / layout.shardCount);
    return ring.nodes[ownerIndexOfHash(ring, middle)] as GroupId;
  });
}

/** Builds configuration `num` over `groups` (members sorted by group id). */
export function makeConfiguration(
  num: number,
  groups: Readonly<Record<GroupId, readonly string[]>>,
  layout: ShardLayout,
): Configuration {
  const ids = Object.keys(groups).sort();
  const sorted: Record<GroupId, readonly string[]> = {};
  for (const id of ids) sorted[id] = [...(groups[id] as readonly string[])];
  return { num, groups: sorted, shards: assignShards(ids, layout) };
}

/** Configuration 0: no group, no shard served. */
export function emptyConfiguration(layout: ShardLayout): Configuration {
  return makeConfiguration(0, {}, layout);
}

/** A stable text form, for comparing configurations across nodes. */
export function configurationDigest(config: Configuration): string {
  return JSON.stringify([config.num, Object.entries(config.groups), config.shards]);
}

/** Commands the configuration group replicates. `change` is the index in the timeline. */
export type ConfigCommand =
  | {
      readonly kind: "join";
      readonly change: number;
      readonly group: GroupId;
      readonly members: readonly string[];
    }
  | { readonly kind: "leave"; readonly change: number; readonly group: GroupId };

export interface ConfigSnapshot {
  readonly configs: readonly Configuration[];
  readonly changesApplied: number;
}

/**
 * The configuration group's state machine: the sequence of configurations. Changes apply in
 * timeline order; a command for any other change index (a retry, or one proposed early) is
 * ignored, so each change makes exactly one configuration.
 */
export class ConfigMachine {
  readonly configs: Configuration[];
  /** Number of timeline changes applied so far. */
  changesApplied = 0;

  constructor(
    readonly layout: ShardLayout,
    initial: Configuration,
  ) {
    this.configs = [emptyConfiguration(layout), initial];
  }

  get latest(): Configuration {
    return this.configs[this.configs.length - 1] as Configuration;
  }

  /** Configuration `num`, if it exists yet. */
  at(num: number): Configuration | undefined {
    return this.configs[num];
  }

  /** A plain-data copy of the machine (Raft snapshots carry it). */
  snapshot(): ConfigSnapshot {
    return { configs: [...this.configs], changesApplied: this.changesApplied };
  }

  static restore(layout: ShardLayout, snapshot: ConfigSnapshot): ConfigMachine {
    const machine = new ConfigMachine(layout, snapshot.configs[1] as Configuration);
    machine.configs.length = 0;
    machine.configs.push(...snapshot.configs);
    machine.changesApplied = snapshot.changesApplied;
    return machine;
  }

  /** Applies a committed command; returns the new configuration, or undefined if ignored. */
  apply(command: ConfigCommand): Configuration | undefined {
    if (command.change !== this.changesApplied) return undefined;
    this.changesApplied++;
    const groups: Record<GroupId, readonly string[]> = { ...this.latest.groups };
    if (command.kind === "join") groups[command.group] = command.members;
    else delete groups[command.group];
    const next = makeConfiguration(this.latest.num + 1, groups, this.layout);
    this.configs.push(next);
    return next;
  }
}
