/**
 * Options of the transactional store, validated with readable errors and completed with defaults.
 *
 * ```yaml
 * options:
 *   groups: {g1: [n1, n2, n3], g2: [n4, n5, n6], g3: [n7, n8, n9]}
 *   splits: [k3, k6]     # range boundaries: g1 holds keys < k3, g2 [k3, k6), g3 keys >= k6
 *   tick: 20ms           # how often a leader resends prepares and decisions still unanswered
 *   raft: {heartbeatInterval: 50ms}
 *   bugs: [read-without-lock]
 *   placement: {splitSize: 40}   # a placement group splits and moves ranges (see placement.ts)
 *   # also by load, and merging small cold neighbours:
 *   # placement: {splitSize: 40, splitLoad: 30, mergeSize: 10, loadWindow: 500ms}
 * ```
 *
 * Without `groups`, the nodes are cut into groups of three in order (g1 = n1–n3, …; with
 * `placement`, n1–n3 are the placement group `pd` and the data groups follow). Without `splits`,
 * keys k0…k9 are cut into as many ranges as there are groups, in key order; with `placement`, all
 * keys start in one range on g1 and ranges split once they hold more than `splitSize` elements.
 *
 * Durations also take their parsed form, a number of microseconds under the name ending in `Us`
 * (`tickUs: 20000`, `placement: {loadWindowUs: 300000}`): `parseTxnKvOptions` is idempotent. One
 * duration given in both forms is refused.
 */
import { parseRaftOptions, type RaftOptions } from "../raft/options.js";
import {
  checkNodeName,
  durationOption,
  groupsOption,
  namesOption,
  refuseBothDurationForms,
} from "../shared/options.js";
import { type TxnBugName, txnBugNames } from "./bugs.js";
import { type RangeTable, rangeOf } from "./placement.js";

/** The placement group's name. */
export const placementGroupId = "pd";

export interface TxnKvOptions {
  /** Group → members; empty: derived from the node list. */
  readonly groups: Readonly<Record<string, readonly string[]>>;
  /** Range boundaries in key order; empty: derived. */
  readonly splits: readonly string[];
  readonly tickUs: number;
  readonly raft: RaftOptions;
  readonly bugs: readonly TxnBugName[];
  /** Null: static ranges. Otherwise ranges split and move (and merge) as `PlacementOptions` say. */
  readonly placement: PlacementOptions | null;
}

/** When ranges split and merge (see placement.ts and load.ts). */
export interface PlacementOptions {
  /** A range holding more list elements than this splits at its median key. */
  readonly splitSize: number;
  /** A range that more transactions than this touched in one load window splits where its load halves; absent: off. */
  readonly splitLoad?: number;
  /**
   * Two neighbouring ranges of one group merge when together they hold at most this many list
   * elements and (with `splitLoad`) carried at most half of `splitLoad` in the last window; absent: off.
   */
  readonly mergeSize?: number;
  /** How long a load window lasts, in microseconds; absent: 500 ms. (Absent options stay out of the trace header.) */
  readonly loadWindowUs?: number;
}

/** The load window when `placement.loadWindow` is not given. */
export const loadWindowUsDefault = 500_000;

/** Group names in order, each group's members, and the range each group holds. */
export interface TxnLayout {
  /** The data groups (the placement group excluded). */
  readonly groupNames: readonly string[];
  /** The placement group's members; empty without placement. */
  readonly placementMembers: readonly string[];
  /** The range table every node starts with (version 1). */
  readonly initialTable: RangeTable;
  readonly groups: Readonly<Record<string, readonly string[]>>;
  readonly groupOf: ReadonlyMap<string, string>;
  /** `splits[i]` is the first key of group i+1's range; keys compare as strings. */
  readonly splits: readonly string[];
}

function fail(message: string): never {
  throw new Error(`txn-kv option ${message}`);
}

const knownOptions = ["groups", "splits", "tick", "tickUs", "raft", "bugs", "placement"];

/** A duration written with its unit (`20ms`), or in microseconds under a name ending in `Us`. */
function parseTimeUs(field: string, value: unknown): number {
  return durationOption("txn-kv", field, value, { example: "20ms" });
}

export function parseTxnKvOptions(input: Readonly<Record<string, unknown>>): TxnKvOptions {
  for (const key of Object.keys(input).sort()) {
    if (!knownOptions.includes(key)) fail(`'${key}' is unknown; known: ${knownOptions.join(", ")}`);
  }
  refuseBothDurationForms("txn-kv", input);
  const groups = input.groups === undefined ? {} : groupsOption("txn-kv", input.groups);
  const splits = input.splits === undefined ? [] : namesOption("txn-kv", "splits", input.splits);
  for (let at = 1; at < splits.length; at++) {
    if (!((splits[at - 1] as string) < (splits[at] as string)))
      fail("'splits' must be in increasing key order");
  }
  const raftInput = input.raft ?? {};
  if (typeof raftInput !== "object" || raftInput === null) fail("'raft' must be an object of Raft options");
  const bugs = input.bugs ?? [];
  if (!Array.isArray(bugs) || !bugs.every((bug) => txnBugNames.includes(bug as TxnBugName))) {
    fail(`'bugs' must list names among ${txnBugNames.join(", ")}`);
  }
  let placement: TxnKvOptions["placement"] = null;
  if (input.placement !== undefined && input.placement !== null && input.placement !== false) {
    const given = input.placement === true ? {} : input.placement;
    if (typeof given !== "object") fail("'placement' must be an object such as {splitSize: 40}");
    placement = parsePlacement(given as Record<string, unknown>);
  }
  return {
    groups,
    splits,
    placement,
    tickUs:
      input.tickUs !== undefined
        ? parseTimeUs("tickUs", input.tickUs)
        : input.tick !== undefined
          ? parseTimeUs("tick", input.tick)
          : 20_000,
    raft: parseRaftOptions(raftInput as Record<string, unknown>),
    bugs: txnBugNames.filter((bug) => (bugs as unknown[]).includes(bug)),
  };
}

// `loadWindowUs` is the parsed form of `loadWindow`, so parsed options parse back to themselves.
const placementKeys = ["splitSize", "splitLoad", "mergeSize", "loadWindow", "loadWindowUs"];

function parsePlacement(given: Readonly<Record<string, unknown>>): PlacementOptions {
  for (const key of Object.keys(given).sort()) {
    if (!placementKeys.includes(key))
      fail(`'placement.${key}' is unknown; known: ${placementKeys.join(", ")}`);
  }
  refuseBothDurationForms("txn-kv", given, "placement.");
  const count = (field: string, fallback: number | null, least: number): number | null => {
    const value = given[field] ?? fallback;
    if (value === null) return null;
    if (typeof value !== "number" || !Number.isInteger(value) || value < least) {
      fail(`'placement.${field}' must be an integer of at least ${least}`);
    }
    return value;
  };
  const splitLoad = count("splitLoad", null, 1);
  const mergeSize = count("mergeSize", null, 0);
  return {
    splitSize: count("splitSize", 40, 2) as number,
    ...(splitLoad === null ? {} : { splitLoad }),
    ...(mergeSize === null ? {} : { mergeSize }),
    ...(given.loadWindowUs !== undefined
      ? { loadWindowUs: parseTimeUs("placement.loadWindowUs", given.loadWindowUs) }
      : given.loadWindow !== undefined
        ? { loadWindowUs: parseTimeUs("placement.loadWindow", given.loadWindow) }
        : {}),
  };
}

const groupSize = 3;

/** Derives the layout from the options and the node list; throws on a bad layout. */
export function deriveTxnLayout(options: TxnKvOptions, nodes: readonly string[]): TxnLayout {
  let groups: Record<string, readonly string[]> = { ...options.groups };
  if (Object.keys(groups).length === 0) {
    if (nodes.length < groupSize || nodes.length % groupSize !== 0) {
      fail(`defaults need a multiple of ${groupSize} nodes; got ${nodes.length}`);
    }
    const offset = options.placement === null ? 0 : 1;
    if (offset === 1) groups[placementGroupId] = nodes.slice(0, groupSize);
    for (let index = offset; index < nodes.length / groupSize; index++) {
      groups[`g${index + 1 - offset}`] = nodes.slice(index * groupSize, (index + 1) * groupSize);
    }
  }
  groups = Object.fromEntries(Object.entries(groups).sort(([left], [right]) => (left < right ? -1 : 1)));
  const groupOf = new Map<string, string>();
  for (const name of Object.keys(groups)) {
    for (const [index, node] of (groups[name] as readonly string[]).entries()) {
      checkNodeName("txn-kv", `groups.${name}[${index}]`, node, nodes);
      if (groupOf.has(node)) fail(`${node} is in two groups`);
      groupOf.set(node, name);
    }
  }
  const idle = nodes.find((node) => !groupOf.has(node));
  if (idle !== undefined) fail(`'groups' puts ${idle} in no group; every node of the scenario needs one`);
  const placementMembers = groups[placementGroupId] ?? [];
  if (options.placement !== null && placementMembers.length === 0) {
    fail(`'placement' needs a '${placementGroupId}' group`);
  }
  if (options.placement === null && placementMembers.length > 0) {
    fail(`'groups' names the placement group '${placementGroupId}', which only 'placement' uses`);
  }
  const groupNames = Object.keys(groups).filter((name) => name !== placementGroupId);
  if (groupNames.length === 0) fail("needs at least one data group");
  const splits =
    options.splits.length > 0
      ? options.splits
      : options.placement !== null
        ? []
        : groupNames.slice(1).map((_, index) => `k${Math.round(((index + 1) * 10) / groupNames.length)}`);
  if (options.placement === null && splits.length !== groupNames.length - 1) {
    fail(`'splits' needs ${groupNames.length - 1} boundaries for ${groupNames.length} groups`);
  }
  if (splits.length > groupNames.length - 1) fail(`'splits' has more boundaries than groups to hold them`);
  const ranges = [
    { start: "", group: groupNames[0]! },
    ...splits.map((start, index) => ({ start, group: groupNames[index + 1]! })),
  ];
  return {
    groupNames,
    placementMembers,
    initialTable: { version: 1, ranges },
    groups,
    groupOf,
    splits,
  };
}

/** The group whose range holds `key` in `table`. */
export function groupOfKey(table: RangeTable, key: string): string {
  return rangeOf(table, key).range.group;
}
