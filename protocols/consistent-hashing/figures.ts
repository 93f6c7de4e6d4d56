/**
 * Placement figures: keys moved on a membership change and per-node load, and the runners for the
 * teaching scenarios H1 (`hash-ring-join-leave`) and H2 (`hash-ring-vnodes-bounded`).
 *
 * Everything returns plain JSON-ready data; rendering is the caller's business. The runners are
 * pure: the same options give the same figures on every run and platform.
 */

import type { Assignment, RingBug } from "./ring.js";
import { assignBounded, assignModN, assignOwners, buildRing, canonicalNodes } from "./ring.js";

/** What one membership change did to the keys. */
export interface Movement {
  readonly keyCount: number;
  /** Keys whose owner differs between the two assignments. */
  readonly moved: number;
  /** moved / keyCount. */
  readonly fraction: number;
  /**
   * What an ideal scheme moves: |joined| / |after| + |left| / |before| (K/(N+1) for one join,
   * K/N for one leave).
   */
  readonly idealFraction: number;
  readonly idealMoved: number;
  /** fraction / idealFraction; 1 is minimal movement. */
  readonly fractionOverIdeal: number;
  readonly joined: readonly string[];
  readonly left: readonly string[];
  /** Every moved key went to a joined node; null when no node joined. */
  readonly onlyToNewcomer: boolean | null;
  /** Every moved key came from a node that left; null when no node left. */
  readonly onlyFromLeaver: boolean | null;
}

/** Per-node key counts and their spread. */
export interface LoadStats {
  /** Keys per node, in sorted node order (every member appears, with 0 if empty). */
  readonly loads: Readonly<Record<string, number>>;
  readonly min: number;
  readonly max: number;
  /** K / N. */
  readonly mean: number;
  readonly maxOverMean: number;
  /** Population standard deviation of the loads. */
  readonly stddev: number;
  readonly stddevOverMean: number;
}

/** Compares two assignments of the same key list. */
export function movement(before: Assignment, after: Assignment, keys: readonly string[]): Movement {
  if (before.owners.length !== keys.length || after.owners.length !== keys.length) {
    throw new RangeError("both assignments must cover the same key list");
  }
  const beforeSet = new Set(before.nodes);
  const afterSet = new Set(after.nodes);
  const joined = canonicalNodes(after.nodes.filter((node) => !beforeSet.has(node)));
  const left = canonicalNodes(before.nodes.filter((node) => !afterSet.has(node)));
  const joinedSet = new Set(joined);
  const leftSet = new Set(left);
  let moved = 0;
  let allToNewcomer = true;
  let allFromLeaver = true;
  for (let index = 0; index < keys.length; index++) {
    const ownerBefore = before.owners[index]!;
    const ownerAfter = after.owners[index]!;
    if (ownerBefore === ownerAfter) continue;
    moved += 1;
    if (!joinedSet.has(ownerAfter)) allToNewcomer = false;
    if (!leftSet.has(ownerBefore)) allFromLeaver = false;
  }
  const idealFraction = joined.length / after.nodes.length + left.length / before.nodes.length;
  const fraction = keys.length === 0 ? 0 : moved / keys.length;
  return {
    keyCount: keys.length,
    moved,
    fraction,
    idealFraction,
    idealMoved: Math.round(idealFraction * keys.length),
    fractionOverIdeal: idealFraction === 0 ? 0 : fraction / idealFraction,
    joined,
    left,
    onlyToNewcomer: joined.length === 0 ? null : allToNewcomer,
    onlyFromLeaver: left.length === 0 ? null : allFromLeaver,
  };
}

/** Load per node of an assignment, with max/mean and standard deviation. */
export function loadStats(assignment: Assignment): LoadStats {
  const nodes = canonicalNodes(assignment.nodes);
  const counts = new Map<string, number>(nodes.map((node) => [node, 0]));
  for (const ownerNode of assignment.owners) {
    const count = counts.get(ownerNode);
    if (count === undefined) throw new RangeError(`owner ${JSON.stringify(ownerNode)} is not a member`);
    counts.set(ownerNode, count + 1);
  }
  const loads: Record<string, number> = {};
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  for (const node of nodes) {
    const count = counts.get(node)!;
    loads[node] = count;
    min = Math.min(min, count);
    max = Math.max(max, count);
  }
  const mean = assignment.owners.length / nodes.length;
  let squareSum = 0;
  for (const node of nodes) squareSum += (counts.get(node)! - mean) ** 2;
  const stddev = Math.sqrt(squareSum / nodes.length);
  return {
    loads,
    min,
    max,
    mean,
    maxOverMean: mean === 0 ? 0 : max / mean,
    stddev,
    stddevOverMean: mean === 0 ? 0 : stddev / mean,
  };
}

/** Keys `${prefix}0` … `${prefix}${count - 1}`, the scenarios' key list. */
export function keyRange(count: number, prefix = "k"): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}${index}`);
}

/** A placement scheme measured by the runners. */
export type PlacementSpec =
  | { readonly kind: "consistent"; readonly vnodesPerNode: number }
  | { readonly kind: "bounded"; readonly vnodesPerNode: number; readonly loadFactor: number }
  | { readonly kind: "mod-n" };

/** One membership of a scenario's timeline. */
export interface MembershipStep {
  readonly label: string;
  readonly nodes: readonly string[];
}

/** The figures of one placement over a scenario's timeline. */
export interface PlacementFigures {
  readonly name: string;
  readonly placement: PlacementSpec;
  /** Load statistics at each step, in timeline order. */
  readonly loadsByStep: readonly (LoadStats & { readonly step: string })[];
  /** Movement between consecutive steps. */
  readonly changes: readonly (Movement & { readonly step: string })[];
  /** Bounded placements only: the per-node capacity at each step. */
  readonly capacityByStep?: readonly number[];
}

/** A scenario's figures, JSON-ready. */
export interface ScenarioFigures {
  readonly scenario: string;
  readonly hash: string;
  readonly keyCount: number;
  readonly steps: readonly MembershipStep[];
  readonly bugs: readonly RingBug[];
  readonly placements: readonly PlacementFigures[];
}

/** Options shared by the runners; the defaults are the scenario's own numbers. */
export interface RunnerOptions {
  /** Deliberate bugs to build every ring with (M24/M25); none by default. */
  readonly bugs?: readonly RingBug[];
  /** Overrides the scenario's key count (keeps tests fast); the scenario's value by default. */
  readonly keyCount?: number;
}

const HASH_DESCRIPTION = "murmur3_x86_32, seed 0, over UTF-8; token i of node n = hash(`n#i`)";

function placementName(spec: PlacementSpec): string {
  if (spec.kind === "consistent") return `consistent V=${spec.vnodesPerNode}`;
  if (spec.kind === "bounded") return `bounded V=${spec.vnodesPerNode} c=${spec.loadFactor}`;
  return "mod-N";
}

function assignStep(
  spec: PlacementSpec,
  nodes: readonly string[],
  keys: readonly string[],
  bugs: readonly RingBug[],
): { assignment: Assignment; capacity?: number } {
  if (spec.kind === "mod-n") return { assignment: assignModN(nodes, keys) };
  const ring = buildRing({ nodes, vnodesPerNode: spec.vnodesPerNode }, { bugs });
  if (spec.kind === "consistent") return { assignment: assignOwners(ring, keys) };
  const assignment = assignBounded(keys, ring, spec.loadFactor);
  return { assignment, capacity: assignment.capacity };
}

/** Measures each placement over a membership timeline. */
export function runPlacements(options: {
  readonly scenario: string;
  readonly steps: readonly MembershipStep[];
  readonly placements: readonly PlacementSpec[];
  readonly keys: readonly string[];
  readonly bugs?: readonly RingBug[];
}): ScenarioFigures {
  const bugs = options.bugs ?? [];
  const placements = options.placements.map((spec): PlacementFigures => {
    const assigned = options.steps.map((step) => assignStep(spec, step.nodes, options.keys, bugs));
    const loadsByStep = assigned.map((entry, index) => ({
      step: options.steps[index]!.label,
      ...loadStats(entry.assignment),
    }));
    const changes = assigned.slice(1).map((entry, index) => ({
      step: options.steps[index + 1]!.label,
      ...movement(assigned[index]!.assignment, entry.assignment, options.keys),
    }));
    const figures: PlacementFigures = { name: placementName(spec), placement: spec, loadsByStep, changes };
    if (spec.kind !== "bounded") return figures;
    return { ...figures, capacityByStep: assigned.map((entry) => entry.capacity ?? 0) };
  });
  return {
    scenario: options.scenario,
    hash: HASH_DESCRIPTION,
    keyCount: options.keys.length,
    steps: options.steps,
    bugs: [...bugs],
    placements,
  };
}

/**
 * H1 `hash-ring-join-leave`: N=4 (A–D), keys k0…k99999; add E, then remove B. Placements:
 * consistent V=1 and V=128, bounded (V=128, c=1.25), mod-N. Expected: a join moves ≈K/5, all to
 * E; a leave moves only B's keys (≈K/5); mod-N moves ≈80% on each change.
 */
export function runHashRingJoinLeave(options: RunnerOptions = {}): ScenarioFigures {
  return runPlacements({
    scenario: "hash-ring-join-leave",
    steps: [
      { label: "initial", nodes: ["A", "B", "C", "D"] },
      { label: "join E", nodes: ["A", "B", "C", "D", "E"] },
      { label: "leave B", nodes: ["A", "C", "D", "E"] },
    ],
    placements: [
      { kind: "consistent", vnodesPerNode: 1 },
      { kind: "consistent", vnodesPerNode: 128 },
      { kind: "bounded", vnodesPerNode: 128, loadFactor: 1.25 },
      { kind: "mod-n" },
    ],
    keys: keyRange(options.keyCount ?? 100_000),
    bugs: options.bugs ?? [],
  });
}

/** The ten nodes of H2, A–J. */
export const H2_NODES: readonly string[] = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"];

/**
 * H2 `hash-ring-vnodes-bounded`: N=10 (A–J), K=10⁴ keys k0…k9999, V∈{1,100}, c=1.25 (capacity
 * 1,250). Remove C, then re-add it. Placements: consistent and bounded at V=1 and V=100, mod-N.
 * Expected: max/mean ≈2–3 at V=1, ≈1.1–1.3 at V=100; bounded max ≤ 1,250.
 */
export function runHashRingVnodesBounded(options: RunnerOptions = {}): ScenarioFigures {
  const without = H2_NODES.filter((node) => node !== "C");
  return runPlacements({
    scenario: "hash-ring-vnodes-bounded",
    steps: [
      { label: "initial", nodes: H2_NODES },
      { label: "remove C", nodes: without },
      { label: "re-add C", nodes: H2_NODES },
    ],
    placements: [
      { kind: "consistent", vnodesPerNode: 1 },
      { kind: "consistent", vnodesPerNode: 100 },
      { kind: "bounded", vnodesPerNode: 1, loadFactor: 1.25 },
      { kind: "bounded", vnodesPerNode: 100, loadFactor: 1.25 },
      { kind: "mod-n" },
    ],
    keys: keyRange(options.keyCount ?? 10_000),
    bugs: options.bugs ?? [],
  });
}
