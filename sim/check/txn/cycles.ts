/**
 * Cycle search and classification (Elle, VLDB 2020, §5; Adya 1999, §4.4–4.5).
 *
 * The dependency graph is split into strongly connected components (every cycle lies inside
 * one). Within each, a series of passes looks for the shortest cycle through one "seed" edge of a
 * given kind, closing it with a breadth-first path over a restricted set of kinds, weakest first:
 *
 * | pass | seed | path over | finds |
 * |---|---|---|---|
 * | 1 | ww | ww | G0 |
 * | 2 | wr | ww, wr | G1c |
 * | 3 | rw | ww, wr | G-single |
 * | 4 | rw | ww, wr, rw (one rw at least) | G2-item |
 *
 * and, when order edges are in the graph (strict serializability), the same four again with
 * process and real-time edges allowed, giving the `-process` and `-realtime` variants. Each cycle
 * found is classified by its edges, each edge counted as its weakest kind (ww, wr, process,
 * real-time, rw in that order): no rw edge and no wr is G0, no rw with a wr is G1c, one rw is
 * G-single, two or more G2-item; any real-time edge adds `-realtime`, else any process edge
 * `-process`. One cycle per anomaly name and component is kept: the shortest through its seed.
 */
import type { CycleAnomaly, CycleAnomalyName, CycleStep } from "./anomaly.js";
import { type DependencyGraph, EdgeKind, orderKinds, PathFinder } from "./graph.js";

/** Limits of the cycle search; past them the search stops and says it was incomplete. */
export interface CycleSearchOptions {
  /** Include process and real-time edges (strict serializability). */
  readonly order: boolean;
  /** Edge visits allowed over the whole search (default 200 million). */
  readonly workMax?: number;
  /** Seed edges tried per pass and component (default 20,000). */
  readonly seedsMax?: number;
  /** Wall-clock deadline, read through `now` (both or neither). */
  readonly deadline?: number;
  readonly now?: () => number;
  /** Describes an edge for explanations. */
  readonly describe: (from: number, to: number, kind: CycleStep["kind"]) => string;
}

export interface CycleSearchResult {
  readonly anomalies: CycleAnomaly[];
  /** False if a budget ran out: an anomaly may have been missed. */
  readonly complete: boolean;
  /** Number of strongly connected components with two or more transactions. */
  readonly components: number;
}

interface Pass {
  readonly seed: number;
  readonly mask: number;
  readonly need?: number;
}

const { ww, wr, rw, process, realtime } = EdgeKind;

const basePasses: readonly Pass[] = [
  { seed: ww, mask: ww },
  { seed: wr, mask: ww | wr },
  { seed: rw, mask: ww | wr },
  { seed: rw, mask: ww | wr | rw, need: rw },
];

const orderPasses: readonly Pass[] = [
  { seed: orderKinds, mask: ww | orderKinds },
  { seed: orderKinds, mask: ww | wr | orderKinds },
  { seed: rw, mask: ww | wr | orderKinds },
  { seed: rw, mask: ww | wr | rw | orderKinds, need: rw },
];

/** The weakest kind among `kinds`, as the classification counts it. */
export function weakestKind(kinds: number): CycleStep["kind"] {
  if (kinds & ww) return "ww";
  if (kinds & wr) return "wr";
  if (kinds & process) return "process";
  if (kinds & realtime) return "realtime";
  return "rw";
}

/** Names a cycle from the kinds of its edges. */
export function classifyCycle(kinds: readonly CycleStep["kind"][]): CycleAnomalyName {
  const antiDependencies = kinds.filter((kind) => kind === "rw").length;
  const base =
    antiDependencies === 0
      ? kinds.includes("wr")
        ? "G1c"
        : "G0"
      : antiDependencies === 1
        ? "G-single"
        : "G2-item";
  if (kinds.includes("realtime")) return `${base}-realtime`;
  if (kinds.includes("process")) return `${base}-process`;
  return base;
}

/** Finds and classifies cycles in `graph` (see the module comment). */
export function findCycles(graph: DependencyGraph, options: CycleSearchOptions): CycleSearchResult {
  return new CycleSearch(graph, options).run();
}

/** One pass over one component: its seed and path kinds, and the names found there so far. */
interface ComponentPass {
  readonly pass: Pass;
  readonly group: readonly number[];
  /** Whether a transaction is in the component. */
  readonly inside: (node: number) => boolean;
  readonly found: Set<CycleAnomalyName>;
}

/** The passes over every component, within the work, seed and time budgets. */
class CycleSearch {
  private readonly finder: PathFinder;
  private readonly workMax: number;
  private readonly seedsMax: number;
  private readonly anomalies: CycleAnomaly[] = [];
  private complete = true;

  constructor(
    private readonly graph: DependencyGraph,
    private readonly options: CycleSearchOptions,
  ) {
    this.finder = new PathFinder(graph);
    this.workMax = options.workMax ?? 200_000_000;
    this.seedsMax = options.seedsMax ?? 20_000;
  }

  run(): CycleSearchResult {
    const { order } = this.options;
    const allKinds = order ? ww | wr | rw | orderKinds : ww | wr | rw;
    const { component, groups } = this.graph.components(allKinds);
    const passes = order ? [...basePasses, ...orderPasses] : basePasses;
    search: for (const group of groups) {
      const within = component[group[0]!]!;
      const inside = (node: number): boolean => component[node] === within;
      const found = new Set<CycleAnomalyName>();
      for (const pass of passes) if (!this.runPass({ pass, group, inside, found })) break search;
    }
    return { anomalies: this.anomalies, complete: this.complete, components: groups.length };
  }

  private outOfBudget(): boolean {
    const { deadline, now } = this.options;
    return (
      this.finder.work > this.workMax || (deadline !== undefined && now !== undefined && now() > deadline)
    );
  }

  /**
   * Tries the pass's seed edges in the component until a path closes a cycle through one (or
   * the seeds run out); false when the work or time budget ran out, which ends the search.
   */
  private runPass({ pass, group, inside, found }: ComponentPass): boolean {
    const graph = this.graph;
    let seeds = 0;
    for (const source of group) {
      for (let slot = graph.start[source]!; slot < graph.start[source + 1]!; slot++) {
        if ((graph.kinds[slot]! & pass.seed) === 0) continue;
        const target = graph.targets[slot]!;
        if (!inside(target)) continue;
        if (this.outOfBudget()) {
          this.complete = false;
          return false;
        }
        if (++seeds > this.seedsMax) {
          this.complete = false;
          return true;
        }
        const path = this.finder.path({
          source: target,
          target: source,
          mask: pass.mask,
          inside,
          ...(pass.need === undefined ? {} : { needKind: pass.need }),
        });
        // A search that must use some kind may revisit a node on its way: keep simple cycles only.
        if (path === undefined || new Set(path).size !== path.length) continue;
        this.record({ cycle: [source, ...path], seedKinds: graph.kinds[slot]! & pass.seed, pass, found });
        return true;
      }
    }
    return true;
  }

  /** Classifies a cycle closed in a pass and keeps it, unless its name was found in the component. */
  private record({
    cycle,
    seedKinds,
    pass,
    found,
  }: {
    cycle: readonly number[];
    seedKinds: number;
    pass: Pass;
    found: Set<CycleAnomalyName>;
  }): void {
    const kinds: CycleStep["kind"][] = [weakestKind(seedKinds)];
    for (let at = 1; at < cycle.length - 1; at++) {
      kinds.push(weakestKind(this.graph.kindsOf(cycle[at]!, cycle[at + 1]!) & pass.mask));
    }
    const name = classifyCycle(kinds);
    if (found.has(name)) return;
    found.add(name);
    this.anomalies.push({
      name,
      cycle: [...cycle],
      steps: kinds.map((kind, at) => ({
        from: cycle[at]!,
        to: cycle[at + 1]!,
        kind,
        why: this.options.describe(cycle[at]!, cycle[at + 1]!, kind),
      })),
    });
  }
}
