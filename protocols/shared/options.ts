/**
 * Option-parsing helpers shared by the protocols' `options.ts` files: durations with a unit,
 * booleans, integers, fractions, lists of names, node groups, the list of deliberate bugs, and the
 * heartbeat and election
 * timing of leader-based protocols.
 *
 * Used by raft, multi-paxos, primary-backup and paxos, and (through shared/commit/options.ts) by
 * two-phase-commit and three-phase-commit. Each protocol still lists its own options, defaults
 * and cross-checks in its own options.ts; only the parsing of single values lives here.
 *
 * Every helper throws an Error that names the option, prefixed by the protocol when one is given
 * (`raft option 'preVote' must be true or false`); an empty protocol gives `option 'keys' …`.
 */

import { parseDurationUs as parseDurationText } from "../../sim/node.js";

/** `raft option 'name'`, or `option 'name'` when `protocol` is empty. */
export function optionLabel(protocol: string, name: string): string {
  return protocol === "" ? `option '${name}'` : `${protocol} option '${name}'`;
}

/**
 * A duration in microseconds, written as a scenario's durations are: a number with its unit
 * (`50ms`, `1.5s`, `200us`, `0.02m`), rounded to a whole microsecond, or `0`. A bare number is
 * read as microseconds only when `microsecondNumbers` is set, for the options whose name says so
 * (`heartbeatIntervalUs: 50000`, the form a parsed option takes); anywhere else a bare number
 * other than 0 is refused, since `50` meant milliseconds as often as microseconds. Zero is
 * accepted only when `allowZero`. Returns undefined for anything else.
 */
export function parseDurationUs(
  value: unknown,
  allowZero: boolean,
  microsecondNumbers = false,
): number | undefined {
  let parsed: number | undefined;
  if (typeof value === "number") {
    if (Number.isFinite(value) && value >= 0 && (microsecondNumbers || value === 0))
      parsed = Math.round(value);
  } else if (typeof value === "string") {
    parsed = parseDurationText(value);
  }
  if (parsed === undefined || (parsed === 0 && !allowZero)) return undefined;
  return parsed;
}

export interface DurationRule {
  /** An example shown in the error message, such as `50ms`. */
  readonly example: string;
  /** Whether zero is a valid duration. Default false: the duration must be positive. */
  readonly allowZero?: boolean;
}

/**
 * A duration option (see `parseDurationUs`); throws when `value` is not one. A bare number is
 * microseconds under a name ending in `Us` (`retryTimeoutUs: 50000`) and refused under any other.
 */
export function durationOption(protocol: string, name: string, value: unknown, rule: DurationRule): number {
  const allowZero = rule.allowZero ?? false;
  const microsecondNumbers = name.endsWith("Us");
  const parsed = parseDurationUs(value, allowZero, microsecondNumbers);
  if (parsed !== undefined) return parsed;
  if (typeof value === "number" && value !== 0 && !microsecondNumbers) {
    throw new Error(
      `${optionLabel(protocol, name)} must be a duration with its unit, such as ${rule.example}, got ${value}`,
    );
  }
  throw new Error(
    `${optionLabel(protocol, name)} must be a ${allowZero ? "" : "positive "}duration like ${rule.example}, ` +
      `got ${JSON.stringify(value)}`,
  );
}

/**
 * Refuses a duration given in both of its forms, with its unit under its name and in
 * microseconds under the name ending in `Us` (`tick: 20ms` and `tickUs: 20000`), which would
 * otherwise leave one of them silently unused. `prefix` places a nested record (`placement.`).
 */
export function refuseBothDurationForms(
  protocol: string,
  record: Readonly<Record<string, unknown>>,
  prefix = "",
): void {
  for (const key of Object.keys(record).sort()) {
    if (!key.endsWith("Us") || record[key] === undefined) continue;
    const name = key.slice(0, -"Us".length);
    if (record[name] === undefined) continue;
    throw new Error(
      `${optionLabel(protocol, `${prefix}${name}`)} and '${prefix}${key}' are one duration in two forms; give only one`,
    );
  }
}

export function booleanOption(protocol: string, name: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw new Error(`${optionLabel(protocol, name)} must be true or false`);
  return value;
}

/** An integer of at least `min`. */
export function integerOption(protocol: string, name: string, value: unknown, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new Error(
      `${optionLabel(protocol, name)} must be an integer ≥ ${min}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** A number in [0, 1), such as a bound on relative clock drift. */
export function fractionOption(protocol: string, name: string, value: unknown): number {
  if (typeof value !== "number" || !(value >= 0 && value < 1)) {
    throw new Error(`${optionLabel(protocol, name)} must be a number in [0, 1)`);
  }
  return value;
}

/** A list of non-empty names (nodes, keys, groups), copied. */
export function namesOption(protocol: string, name: string, value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string" && item !== "")) {
    throw new Error(`${optionLabel(protocol, name)} must be a list of names`);
  }
  return [...(value as string[])];
}

/** Group name → its nodes (`groups: {g1: [n1, n2, n3]}`), read in group-name order. */
export function groupsOption(protocol: string, value: unknown): Record<string, readonly string[]> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`${optionLabel(protocol, "groups")} must map group names to nodes`);
  }
  const groups: Record<string, readonly string[]> = {};
  for (const name of Object.keys(value).sort()) {
    groups[name] = namesOption(protocol, `groups.${name}`, (value as Record<string, unknown>)[name]);
  }
  return groups;
}

/** The `bugs` option: a list of names from the protocol's bugs.ts, copied. */
export function bugListOption<Bug extends string>(
  protocol: string,
  value: unknown,
  known: readonly Bug[],
): Bug[] {
  if (!Array.isArray(value)) throw new Error(`${optionLabel(protocol, "bugs")} must be a list of bug names`);
  for (const bug of value) {
    if (!known.includes(bug as Bug)) {
      throw new Error(`unknown ${protocol} bug '${String(bug)}'; known: ${known.join(", ")}`);
    }
  }
  return [...(value as Bug[])];
}

/** Heartbeat and election timing of a leader-based protocol (raft, multi-paxos). */
export interface ElectionTiming {
  readonly heartbeatIntervalUs: number;
  readonly electionTimeoutMinUs: number;
  readonly electionTimeoutMaxUs: number;
}

/** Option names as written in scenarios, mapped to the `ElectionTiming` field they set. */
export const electionTimingFields = {
  heartbeatInterval: "heartbeatIntervalUs",
  heartbeatIntervalUs: "heartbeatIntervalUs",
  electionTimeoutMin: "electionTimeoutMinUs",
  electionTimeoutMinUs: "electionTimeoutMinUs",
  electionTimeoutMax: "electionTimeoutMaxUs",
  electionTimeoutMaxUs: "electionTimeoutMaxUs",
} as const;

/** The minimum election timeout must not exceed the maximum, and heartbeats must come sooner. */
export function checkElectionTiming(protocol: string, timing: ElectionTiming): void {
  if (timing.electionTimeoutMinUs > timing.electionTimeoutMaxUs) {
    throw new Error(`${optionLabel(protocol, "electionTimeoutMin")} must not exceed 'electionTimeoutMax'`);
  }
  if (timing.heartbeatIntervalUs >= timing.electionTimeoutMinUs) {
    throw new Error(
      `${optionLabel(protocol, "heartbeatInterval")} must be shorter than 'electionTimeoutMin'`,
    );
  }
}

/** `n1..n5`, or the nodes listed when there are one or two. */
export function describeNodes(nodes: readonly string[]): string {
  return nodes.length <= 2 ? nodes.join(", ") || "none" : `${nodes[0]}..${nodes[nodes.length - 1]}`;
}

/**
 * Throws unless `node` is one of the cluster's `nodes`, naming the option it is in:
 * `paxos option 'acceptors[2]' names n9, which is not a node of this scenario (nodes n1..n5)`.
 */
export function checkNodeName(protocol: string, name: string, node: string, nodes: readonly string[]): void {
  if (!nodes.includes(node)) {
    throw new Error(
      `${optionLabel(protocol, name)} names ${node}, which is not a node of this scenario (nodes ${describeNodes(nodes)})`,
    );
  }
}
