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
 * ```
 *
 * Without `groups`, the nodes are cut into groups of three in order (g1 = n1–n3, …). Without
 * `splits`, keys k0…k9 are cut into as many ranges as there are groups, in key order.
 */
import { parseRaftOptions, type RaftOptions } from "../raft/options.js";
import { type TxnBugName, txnBugNames } from "./bugs.js";

export interface TxnKvOptions {
  /** Group → members; empty: derived from the node list. */
  readonly groups: Readonly<Record<string, readonly string[]>>;
  /** Range boundaries in key order; empty: derived. */
  readonly splits: readonly string[];
  readonly tickUs: number;
  readonly raft: RaftOptions;
  readonly bugs: readonly TxnBugName[];
}

/** Group names in order, each group's members, and the range each group holds. */
export interface TxnLayout {
  readonly groupNames: readonly string[];
  readonly groups: Readonly<Record<string, readonly string[]>>;
  readonly groupOf: ReadonlyMap<string, string>;
  /** `splits[i]` is the first key of group i+1's range; keys compare as strings. */
  readonly splits: readonly string[];
}

function fail(message: string): never {
  throw new Error(`txn-kv option ${message}`);
}

const knownOptions = ["groups", "splits", "tick", "tickUs", "raft", "bugs"];

function parseTickUs(value: unknown): number {
  if (typeof value === "number" && Number.isInteger(value) && value > 0) return value;
  const match = typeof value === "string" ? /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s)\s*$/.exec(value) : null;
  if (match === null) return fail(`'tick' must be a duration like 20ms, got ${JSON.stringify(value)}`);
  const unit = match[2] === "us" ? 1 : match[2] === "ms" ? 1_000 : 1_000_000;
  return Math.round(Number(match[1]) * unit);
}

function parseNames(name: string, value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string" && item !== "")) {
    return fail(`'${name}' must be a list of names`);
  }
  return [...(value as string[])];
}

export function parseTxnKvOptions(input: Readonly<Record<string, unknown>>): TxnKvOptions {
  for (const key of Object.keys(input).sort()) {
    if (!knownOptions.includes(key)) fail(`'${key}' is unknown; known: ${knownOptions.join(", ")}`);
  }
  const groups: Record<string, readonly string[]> = {};
  if (input.groups !== undefined) {
    if (typeof input.groups !== "object" || input.groups === null)
      fail("'groups' must map group names to nodes");
    for (const name of Object.keys(input.groups).sort()) {
      groups[name] = parseNames(`groups.${name}`, (input.groups as Record<string, unknown>)[name]);
    }
  }
  const splits = input.splits === undefined ? [] : parseNames("splits", input.splits);
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
  return {
    groups,
    splits,
    tickUs: parseTickUs(input.tick ?? input.tickUs ?? 20_000),
    raft: parseRaftOptions(raftInput as Record<string, unknown>),
    bugs: txnBugNames.filter((bug) => (bugs as unknown[]).includes(bug)),
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
    for (let index = 0; index < nodes.length / groupSize; index++) {
      groups[`g${index + 1}`] = nodes.slice(index * groupSize, (index + 1) * groupSize);
    }
  }
  groups = Object.fromEntries(Object.entries(groups).sort(([left], [right]) => (left < right ? -1 : 1)));
  const groupNames = Object.keys(groups);
  const groupOf = new Map<string, string>();
  for (const name of groupNames) {
    for (const node of groups[name] as readonly string[]) {
      if (!nodes.includes(node)) fail(`'groups.${name}' names ${node}, which is not a node of this cluster`);
      if (groupOf.has(node)) fail(`${node} is in two groups`);
      groupOf.set(node, name);
    }
  }
  const splits =
    options.splits.length > 0
      ? options.splits
      : groupNames.slice(1).map((_, index) => `k${Math.round(((index + 1) * 10) / groupNames.length)}`);
  if (splits.length !== groupNames.length - 1) {
    fail(`'splits' needs ${groupNames.length - 1} boundaries for ${groupNames.length} groups`);
  }
  return { groupNames, groups, groupOf, splits };
}

/** The group whose range holds `key`. */
export function groupOfKey(layout: TxnLayout, key: string): string {
  let index = 0;
  while (index < layout.splits.length && key >= (layout.splits[index] as string)) index++;
  return layout.groupNames[index] as string;
}
