/**
 * The measurements a ring member makes when the membership changes: for every placement, the
 * keys moved (against the ideal K/(N+1) for a join, K/N for a leave) and the load spread after
 * the change. Pure functions of (options, membership): every node computes the same numbers, and
 * `ringFigures` can recompute them from a scenario when a run kept no trace.
 */
import { type LoadStats, loadStats, type Movement, movement, type PlacementSpec } from "./figures.js";
import type { RingExperimentOptions } from "./options.js";
import {
  type Assignment,
  assignBounded,
  assignModN,
  assignOwners,
  buildRing,
  type Ring,
  type RingBug,
} from "./ring.js";

/** A placement's name in figures: no dots or spaces, so figure paths can address it. */
export function placementKey(spec: PlacementSpec): string {
  if (spec.kind === "consistent") return `consistent-v${spec.vnodesPerNode}`;
  if (spec.kind === "bounded") return `bounded-v${spec.vnodesPerNode}`;
  return "mod-n";
}

/** The load figures of one placement at one membership (the per-node loads included). */
export interface PlacementLoad {
  readonly maxOverMean: number;
  readonly stddevOverMean: number;
  readonly max: number;
  readonly min: number;
  readonly mean: number;
  /** Bounded placements: ceil(c·K/N), and whether the max stays within it. */
  readonly capacity?: number;
  readonly withinCapacity?: boolean;
  readonly loads: Readonly<Record<string, number>>;
}

/** What one change did under one placement: movement plus the load after it. */
export interface PlacementChange extends PlacementLoad {
  readonly moved: number;
  readonly fraction: number;
  readonly idealFraction: number;
  readonly idealMoved: number;
  readonly fractionOverIdeal: number;
  readonly onlyToNewcomer: boolean | null;
  readonly onlyFromLeaver: boolean | null;
}

/** Assignments of the key list for each placement at one membership. */
export interface Measured {
  readonly members: readonly string[];
  readonly byPlacement: ReadonlyMap<string, { assignment: Assignment; capacity?: number }>;
}

/** The ring a placement builds over `members` (undefined for mod-N). */
export function placementRing(
  spec: PlacementSpec,
  members: readonly string[],
  bugs: readonly RingBug[],
): Ring | undefined {
  if (spec.kind === "mod-n") return undefined;
  return buildRing({ nodes: members, vnodesPerNode: spec.vnodesPerNode }, { bugs });
}

/** Assigns every key under every placement. */
export function measure(
  options: RingExperimentOptions,
  members: readonly string[],
  keys: readonly string[],
): Measured {
  const byPlacement = new Map<string, { assignment: Assignment; capacity?: number }>();
  for (const spec of options.placements) {
    const ring = placementRing(spec, members, options.bugs);
    if (ring === undefined) byPlacement.set(placementKey(spec), { assignment: assignModN(members, keys) });
    else if (spec.kind === "bounded") {
      const assignment = assignBounded(keys, ring, spec.loadFactor);
      byPlacement.set(placementKey(spec), { assignment, capacity: assignment.capacity });
    } else byPlacement.set(placementKey(spec), { assignment: assignOwners(ring, keys) });
  }
  return { members: [...members], byPlacement };
}

function loadOf(entry: { assignment: Assignment; capacity?: number }): PlacementLoad {
  const stats: LoadStats = loadStats(entry.assignment);
  const base = {
    maxOverMean: stats.maxOverMean,
    stddevOverMean: stats.stddevOverMean,
    max: stats.max,
    min: stats.min,
    mean: stats.mean,
    loads: stats.loads,
  };
  if (entry.capacity === undefined) return base;
  return { ...base, capacity: entry.capacity, withinCapacity: stats.max <= entry.capacity };
}

/** Load figures per placement key. */
export function loadFigures(measured: Measured): Record<string, PlacementLoad> {
  const figures: Record<string, PlacementLoad> = {};
  for (const [key, entry] of measured.byPlacement) figures[key] = loadOf(entry);
  return figures;
}

/** Movement and load figures per placement key, between two memberships. */
export function changeFigures(
  before: Measured,
  after: Measured,
  keys: readonly string[],
): Record<string, PlacementChange> {
  const figures: Record<string, PlacementChange> = {};
  for (const [key, entry] of after.byPlacement) {
    const previous = before.byPlacement.get(key);
    if (previous === undefined) continue;
    const moved: Movement = movement(previous.assignment, entry.assignment, keys);
    figures[key] = {
      moved: moved.moved,
      fraction: moved.fraction,
      idealFraction: moved.idealFraction,
      idealMoved: moved.idealMoved,
      fractionOverIdeal: moved.fractionOverIdeal,
      onlyToNewcomer: moved.onlyToNewcomer,
      onlyFromLeaver: moved.onlyFromLeaver,
      ...loadOf(entry),
    };
  }
  return figures;
}

/** The step name of a change in figures: `join-E`, `leave-B`; repeated names get `-2`, `-3`. */
export function stepKeys(changes: RingExperimentOptions["changes"]): string[] {
  const seen = new Map<string, number>();
  return changes.map((change) => {
    const base = `${change.kind}-${change.label}`;
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return count === 1 ? base : `${base}-${count}`;
  });
}
