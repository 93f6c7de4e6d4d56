/**
 * Options of the `consistent-hashing` protocol: the experiment its ring members run.
 *
 * A scenario names the ring members (`labels`, one per node, so the H1 figures keep the names
 * A–E), who is in the ring at the start, the keys, the placements to measure and the membership
 * changes with their times:
 *
 * ```yaml
 * options:
 *   labels: [A, B, C, D, E]        # n1 is A, n2 is B, ...; default: the node ids
 *   initial: [A, B, C, D]          # default: every label
 *   keys: 100000                   # keys k0 … k99999
 *   placements: [{kind: consistent, vnodes: 128}, {kind: bounded, vnodes: 128, loadFactor: 1.25}, {kind: mod-n}]
 *   changes: [{at: 1s, join: E}, {at: 2s, leave: B}]
 *   bugs: [mod-n-placement]        # M24/M25, see ring.ts
 * ```
 *
 * `parseRingExperimentOptions` is idempotent: its output parses back to itself.
 */
import { describeNodes, durationOption, refuseBothDurationForms } from "../shared/options.js";
import type { PlacementSpec } from "./figures.js";
import { RING_BUGS, type RingBug } from "./ring.js";

/** One membership change: `label` joins or leaves the ring at `atUs`. */
export interface MembershipChange {
  readonly atUs: number;
  readonly kind: "join" | "leave";
  readonly label: string;
}

export interface RingExperimentOptions {
  /** Ring name of each node, in node order; empty means "use the node ids". */
  readonly labels: readonly string[];
  /** Labels in the ring at the start; empty means every label. */
  readonly initial: readonly string[];
  /** Number of keys, named `${keyPrefix}0` … Default 100,000 (H1). */
  readonly keyCount: number;
  readonly keyPrefix: string;
  readonly placements: readonly PlacementSpec[];
  /** Sorted by time; each change is carried out by the node that joins or leaves. */
  readonly changes: readonly MembershipChange[];
  readonly bugs: readonly RingBug[];
}

export const defaultPlacements: readonly PlacementSpec[] = [
  { kind: "consistent", vnodesPerNode: 1 },
  { kind: "consistent", vnodesPerNode: 128 },
  { kind: "bounded", vnodesPerNode: 128, loadFactor: 1.25 },
  { kind: "mod-n" },
];

const KEY_COUNT_MAX = 1_000_000;
function fail(message: string): never {
  throw new Error(`consistent-hashing option ${message}`);
}

function parseLabels(name: string, value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string" && item !== "")) {
    fail(`'${name}' must be a list of non-empty names`);
  }
  const labels = value as string[];
  if (new Set(labels).size !== labels.length) fail(`'${name}' has a repeated name`);
  return [...labels];
}

function parsePositiveInteger(name: string, value: unknown, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > max) {
    fail(`'${name}' must be an integer in [1, ${max}], got ${JSON.stringify(value)}`);
  }
  return value;
}

function parsePlacement(value: unknown, index: number): PlacementSpec {
  if (typeof value !== "object" || value === null) fail(`'placements[${index}]' must be an object`);
  const spec = value as Record<string, unknown>;
  const vnodes = spec.vnodes ?? spec.vnodesPerNode;
  switch (spec.kind) {
    case "consistent":
      return { kind: "consistent", vnodesPerNode: parsePositiveInteger("vnodes", vnodes, 4096) };
    case "bounded": {
      const loadFactor = spec.loadFactor ?? spec.c;
      if (typeof loadFactor !== "number" || !(loadFactor >= 1)) fail("'loadFactor' must be a number ≥ 1");
      return { kind: "bounded", vnodesPerNode: parsePositiveInteger("vnodes", vnodes, 4096), loadFactor };
    }
    case "mod-n":
      return { kind: "mod-n" };
    default:
      return fail(`'placements[${index}].kind' must be consistent, bounded or mod-n`);
  }
}

function parseChange(value: unknown, index: number): MembershipChange {
  if (typeof value !== "object" || value === null) fail(`'changes[${index}]' must be an object`);
  const change = value as Record<string, unknown>;
  // `at` is written with its unit (`1s`); `atUs`, the parsed form, in microseconds; not both.
  refuseBothDurationForms("consistent-hashing", change, `changes[${index}].`);
  const microseconds = change.atUs !== undefined;
  const atUs = durationOption(
    "consistent-hashing",
    `changes[${index}].${microseconds ? "atUs" : "at"}`,
    microseconds ? change.atUs : change.at,
    { example: "1s", allowZero: true },
  );
  if (typeof change.join === "string") return { atUs, kind: "join", label: change.join };
  if (typeof change.leave === "string") return { atUs, kind: "leave", label: change.leave };
  if ((change.kind === "join" || change.kind === "leave") && typeof change.label === "string") {
    return { atUs, kind: change.kind, label: change.label };
  }
  return fail(`'changes[${index}]' needs 'join: <name>' or 'leave: <name>'`);
}

export function parseRingExperimentOptions(input: Readonly<Record<string, unknown>>): RingExperimentOptions {
  const known = new Set([
    "labels",
    "initial",
    "keys",
    "keyCount",
    "keyPrefix",
    "placements",
    "changes",
    "bugs",
  ]);
  for (const key of Object.keys(input).sort()) {
    if (!known.has(key)) fail(`'${key}' is unknown; known: ${[...known].join(", ")}`);
  }
  const labels = input.labels === undefined ? [] : parseLabels("labels", input.labels);
  const initial = input.initial === undefined ? [] : parseLabels("initial", input.initial);
  const keyCount = parsePositiveInteger("keys", input.keys ?? input.keyCount ?? 100_000, KEY_COUNT_MAX);
  const keyPrefix = input.keyPrefix ?? "k";
  if (typeof keyPrefix !== "string") fail("'keyPrefix' must be a string");
  const placements =
    input.placements === undefined
      ? defaultPlacements
      : Array.isArray(input.placements) && input.placements.length > 0
        ? input.placements.map(parsePlacement)
        : fail("'placements' must be a non-empty list");
  const changes = input.changes === undefined ? [] : Array.isArray(input.changes) ? input.changes : [];
  if (input.changes !== undefined && !Array.isArray(input.changes)) fail("'changes' must be a list");
  const parsedChanges = changes.map(parseChange).sort((left, right) => left.atUs - right.atUs);
  const bugs = input.bugs === undefined ? [] : input.bugs;
  if (!Array.isArray(bugs) || !bugs.every((bug) => (RING_BUGS as readonly unknown[]).includes(bug))) {
    fail(`'bugs' must list names among ${RING_BUGS.join(", ")}`);
  }
  const universe = new Set(labels);
  for (const label of [...initial, ...parsedChanges.map((change) => change.label)]) {
    if (labels.length > 0 && !universe.has(label)) fail(`names '${label}', which is not in 'labels'`);
  }
  return {
    labels,
    initial,
    keyCount,
    keyPrefix,
    placements,
    changes: parsedChanges,
    bugs: RING_BUGS.filter((bug) => (bugs as unknown[]).includes(bug)),
  };
}

/**
 * Each label belongs to a node of the scenario's cluster, and `initial` and `changes` name only
 * those labels: a change is carried out by the node that joins or leaves, so one naming no node
 * would never happen.
 */
export function checkRingExperimentOptions(options: RingExperimentOptions, nodes: readonly string[]): void {
  if (options.labels.length > nodes.length) {
    fail(
      `'labels' names ${options.labels.length} ring members for ${nodes.length} nodes: one label per node`,
    );
  }
  const names = nodes.map((node, index) => options.labels[index] ?? node);
  const describe =
    options.labels.length === 0 ? `nodes ${describeNodes(nodes)}` : `labels ${names.join(", ")}`;
  options.initial.forEach((name, index) => {
    if (!names.includes(name))
      fail(`'initial[${index}]' names ${name}, which is not in this scenario (${describe})`);
  });
  for (const change of options.changes) {
    if (!names.includes(change.label)) {
      fail(`'changes' names ${change.label}, which is not in this scenario (${describe})`);
    }
  }
}
