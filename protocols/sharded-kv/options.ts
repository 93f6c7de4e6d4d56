/**
 * Options of the sharded store, validated with readable errors and completed with defaults.
 *
 * ```yaml
 * options:
 *   groups: {config: [n1, n2, n3], g1: [n4, n5, n6], g2: [n7, n8, n9], g3: [n10, n11, n12]}
 *   initialGroups: [g1, g2]
 *   changes: [{at: 1s, join: g3}, {at: 3s, leave: g1}]
 *   shards: 12          # fixed number of shards (key hash ranges)
 *   vnodes: 32          # ring tokens per group when placing shards
 *   tick: 50ms          # how often a group leader polls for configurations and retries pulls
 *   raft: {heartbeatInterval: 50ms, snapshotThreshold: 50}   # options of every Raft group
 *   bugs: [serve-before-data]
 * ```
 *
 * Without `groups`, the nodes are cut into groups of three in order: n1–n3 form the configuration
 * group, n4–n6 group g1, n7–n9 g2, and so on (`groups: {}` says the same). Without
 * `initialGroups`, every group but the last starts in configuration 1 when there are two or more
 * (the last joins at `changes`), and without `changes` the last group joins at 1 s.
 * `parseShardedOptions` is idempotent: the options it returns, written back as a scenario's
 * options, parse to themselves. Each of `shards`, `vnodes`, `tick` and `changes[i].at` has a
 * second name, the one the parsed options use (`shardCount`, `vnodesPerGroup`, `tickUs`,
 * `atUs`); giving both names of one option is refused.
 */

import type { NodeCounts } from "../../sim/node.js";
import { parseRaftOptions, type RaftOptions } from "../raft/options.js";
import {
  checkNodeName,
  durationOption,
  groupsOption,
  namesOption,
  refuseBothDurationForms,
} from "../shared/options.js";
import { type ShardBugName, shardBugNames } from "./bugs.js";
import type { GroupId } from "./config.js";

export const configGroupId = "config";

export interface GroupChange {
  readonly atUs: number;
  readonly kind: "join" | "leave";
  readonly group: GroupId;
}

export interface ShardedOptions {
  /** Group → members; `config` is the configuration group. Empty: derived from the node list. */
  readonly groups: Readonly<Record<string, readonly string[]>>;
  /** Empty: derived (see the module comment). */
  readonly initialGroups: readonly GroupId[];
  /** Null: derived (the last group joins at 1 s when it is not initial). */
  readonly changes: readonly GroupChange[] | null;
  readonly shardCount: number;
  readonly vnodesPerGroup: number;
  readonly tickUs: number;
  readonly raft: RaftOptions;
  readonly bugs: readonly ShardBugName[];
}

/** The cluster layout every node derives identically from the options and the node list. */
export interface Layout {
  readonly configMembers: readonly string[];
  readonly groups: Readonly<Record<GroupId, readonly string[]>>;
  readonly initialGroups: readonly GroupId[];
  readonly changes: readonly GroupChange[];
  /** Node → its group (`config` for the configuration group). */
  readonly groupOf: ReadonlyMap<string, string>;
}

function fail(message: string): never {
  throw new Error(`sharded-kv option ${message}`);
}

/**
 * The duration field `name` of `record`, written with its unit (`50ms`), or `nameUs` in
 * microseconds; undefined when neither is there. `label` names the field in errors.
 */
function durationField(
  record: Readonly<Record<string, unknown>>,
  name: string,
  allowZero: boolean,
  label = name,
): number | undefined {
  const microseconds = record[`${name}Us`] !== undefined;
  const value = microseconds ? record[`${name}Us`] : record[name];
  if (value === undefined) return undefined;
  return durationOption("sharded-kv", microseconds ? `${label}Us` : label, value, {
    example: "50ms",
    allowZero,
  });
}

function parseInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    fail(`'${name}' must be an integer in [${min}, ${max}], got ${JSON.stringify(value)}`);
  }
  return value;
}

function parseChange(value: unknown, index: number): GroupChange {
  if (typeof value !== "object" || value === null) fail(`'changes[${index}]' must be an object`);
  const change = value as Record<string, unknown>;
  refuseBothDurationForms("sharded-kv", change, `changes[${index}].`);
  const atUs =
    durationField(change, "at", true, `changes[${index}].at`) ??
    fail(`'changes[${index}]' needs 'at', the time of the change`);
  if (typeof change.join === "string") return { atUs, kind: "join", group: change.join };
  if (typeof change.leave === "string") return { atUs, kind: "leave", group: change.leave };
  if ((change.kind === "join" || change.kind === "leave") && typeof change.group === "string") {
    return { atUs, kind: change.kind, group: change.group };
  }
  return fail(`'changes[${index}]' needs 'join: <group>' or 'leave: <group>'`);
}

const knownOptions = [
  "groups",
  "initialGroups",
  "changes",
  "shards",
  "shardCount",
  "vnodes",
  "vnodesPerGroup",
  "tick",
  "tickUs",
  "raft",
  "bugs",
];

export function parseShardedOptions(input: Readonly<Record<string, unknown>>): ShardedOptions {
  for (const key of Object.keys(input).sort()) {
    if (!knownOptions.includes(key)) fail(`'${key}' is unknown; known: ${knownOptions.join(", ")}`);
  }
  refuseBothDurationForms("sharded-kv", input);
  for (const [name, parsedName] of [
    ["shards", "shardCount"],
    ["vnodes", "vnodesPerGroup"],
  ] as const) {
    if (input[name] !== undefined && input[parsedName] !== undefined) {
      fail(`'${name}' and '${parsedName}' are one option under two names; give only one`);
    }
  }
  const groups = input.groups === undefined ? {} : groupsOption("sharded-kv", input.groups);
  // Empty groups are derived from the node list, as they are when `groups` is not given.
  if (Object.keys(groups).length > 0 && groups[configGroupId] === undefined) {
    fail(`'groups' needs a '${configGroupId}' group`);
  }
  const initialGroups =
    input.initialGroups === undefined ? [] : namesOption("sharded-kv", "initialGroups", input.initialGroups);
  let changes: GroupChange[] | null = null;
  if (input.changes !== undefined && input.changes !== null) {
    if (!Array.isArray(input.changes)) fail("'changes' must be a list");
    changes = input.changes.map(parseChange).sort((left, right) => left.atUs - right.atUs);
  }
  const raftInput = input.raft ?? {};
  if (typeof raftInput !== "object" || raftInput === null) fail("'raft' must be an object of Raft options");
  const raft = parseRaftOptions(raftInput as Record<string, unknown>);
  const bugs = input.bugs ?? [];
  if (!Array.isArray(bugs) || !bugs.every((bug) => shardBugNames.includes(bug as ShardBugName))) {
    fail(`'bugs' must list names among ${shardBugNames.join(", ")}`);
  }
  return {
    groups,
    initialGroups,
    changes,
    shardCount: parseInteger("shards", input.shards ?? input.shardCount ?? 12, 1, 1024),
    vnodesPerGroup: parseInteger("vnodes", input.vnodes ?? input.vnodesPerGroup ?? 32, 1, 1024),
    tickUs: durationField(input, "tick", false) ?? 50_000,
    raft,
    bugs: shardBugNames.filter((bug) => (bugs as unknown[]).includes(bug)),
  };
}

const groupSize = 3;

/**
 * The cluster sizes these options run on. The default layout (`deriveLayout`) cuts the nodes into
 * groups of three, the configuration group and at least one replica group, and must reach the
 * highest group `initialGroups` and `changes` name (g3: 12 nodes). Groups listed by name may have
 * any size.
 */
export function shardedNodeCounts(options: ShardedOptions): NodeCounts {
  if (Object.keys(options.groups).length > 0) return { min: 2 };
  const named = [...options.initialGroups, ...(options.changes ?? []).map((change) => change.group)];
  let highest: string | undefined;
  let groups = 1;
  for (const group of named) {
    const number = /^g(\d+)$/.exec(group);
    if (number !== null && Number(number[1]) > groups) {
      groups = Number(number[1]);
      highest = group;
    }
  }
  const counts = { min: groupSize * (groups + 1), multipleOf: groupSize };
  return highest === undefined ? counts : { ...counts, reason: `the options name group ${highest}` };
}

/** Derives the layout from the options and the cluster's node list; throws on a bad layout. */
export function deriveLayout(options: ShardedOptions, nodes: readonly string[]): Layout {
  let groups: Record<string, readonly string[]> = { ...options.groups };
  if (Object.keys(groups).length === 0) {
    if (nodes.length < 2 * groupSize || nodes.length % groupSize !== 0) {
      fail(`defaults need a multiple of ${groupSize} nodes, at least ${2 * groupSize}; got ${nodes.length}`);
    }
    groups = {};
    for (let index = 0; index < nodes.length / groupSize; index++) {
      const name = index === 0 ? configGroupId : `g${index}`;
      groups[name] = nodes.slice(index * groupSize, (index + 1) * groupSize);
    }
  }
  const groupOf = new Map<string, string>();
  for (const name of Object.keys(groups).sort()) {
    for (const [index, node] of (groups[name] as readonly string[]).entries()) {
      checkNodeName("sharded-kv", `groups.${name}[${index}]`, node, nodes);
      if (groupOf.has(node)) fail(`${node} is in two groups`);
      groupOf.set(node, name);
    }
  }
  const idle = nodes.find((node) => !groupOf.has(node));
  if (idle !== undefined) fail(`'groups' puts ${idle} in no group; every node of the scenario needs one`);
  const configMembers = groups[configGroupId] as readonly string[];
  const replicaGroups: Record<GroupId, readonly string[]> = {};
  for (const name of Object.keys(groups).sort(compareGroups)) {
    if (name !== configGroupId) replicaGroups[name] = groups[name] as readonly string[];
  }
  const names = Object.keys(replicaGroups);
  const initialGroups =
    options.initialGroups.length > 0 ? options.initialGroups : names.length >= 2 ? names.slice(0, -1) : names;
  const last = names[names.length - 1];
  const changes =
    options.changes ??
    (last !== undefined && !initialGroups.includes(last)
      ? [{ atUs: 1_000_000, kind: "join" as const, group: last }]
      : []);
  for (const group of [...initialGroups, ...changes.map((change) => change.group)]) {
    if (replicaGroups[group] === undefined) fail(`names group '${group}', which is not in 'groups'`);
  }
  return { configMembers, groups: replicaGroups, initialGroups, changes, groupOf };
}

/** g2 before g10. */
function compareGroups(left: string, right: string): number {
  const leftNumber = /^g(\d+)$/.exec(left);
  const rightNumber = /^g(\d+)$/.exec(right);
  if (leftNumber !== null && rightNumber !== null) return Number(leftNumber[1]) - Number(rightNumber[1]);
  return left < right ? -1 : left > right ? 1 : 0;
}
