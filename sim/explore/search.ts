/**
 * Search strategies over the states of a `World`:
 * - `bfs`: breadth first, level by level; the first violation found is at the least depth, so
 *   its schedule is a shortest counterexample.
 * - `dfs`: depth first under a depth bound, deepened one level at a time (iterative deepening),
 *   so it also returns a shortest counterexample, with memory for one path at a time.
 * - `random`: random walks from the initial state until the time budget ends; never `complete`.
 * - `novelty`: random walks from an archive of the states reached so far (novelty.ts); never
 *   `complete`. It reaches bugs too deep for breadth-first search.
 * - `cells`: breadth first over cells (novelty.ts): the first state found in a cell stands for
 *   every state of that cell, so each cell is expanded once. Much smaller than the state space,
 *   it reaches deeper; its schedule is short (the fewest choices among the states it kept), not
 *   proven shortest, and its verdict is never `complete`.
 *
 * A counterexample found at random is shortened (shorten.ts) and marked `shortest: false`.
 *
 * A state waiting to be expanded is kept as a snapshot (snapshot.ts) and restored in place into
 * one live world. When a node object or an invariant monitor keeps its state out of sight
 * (closures), states are rebuilt instead by replaying their paths from the initial state: the
 * kernel is deterministic, so that is always correct, only slower. States are known by their
 * fingerprints (world.ts), kept in a `FingerprintSet`; each state keeps its parent and the number
 * of the choice that led to it, for the counterexample's path.
 *
 * Wall-clock time comes from the caller (`now`): nothing in sim/ reads the real clock.
 */
import { inDeterministicSection } from "../determinism.js";
import { randomStream } from "../random.js";
import type { ScheduleStep } from "../scenario/schema.js";
import type { Fingerprint } from "./fingerprint.js";
import { cellHasher, type NoveltyOutcome, noveltySearch } from "./novelty.js";
import { shortenSchedule } from "./shorten.js";
import { FingerprintSet } from "./visited.js";
import {
  type Finding,
  ReplayDiverged,
  World,
  type WorldSetup,
  WorldShared,
  type WorldState,
} from "./world.js";

export type Strategy = "bfs" | "dfs" | "random" | "novelty" | "cells";

export interface SearchSettings {
  readonly strategy: Strategy;
  /** Deepest path explored (steps from the initial state). */
  readonly depthMax: number;
  /** Wall-clock budget in milliseconds. */
  readonly timeMs: number;
  /** Stop once this many unique states are known (a memory bound). */
  readonly statesMax: number;
  /** Wall clock in milliseconds, from the caller. */
  readonly now: () => number;
  /** Seed of the random walks. */
  readonly seed?: bigint;
  /**
   * How states are restored: `snapshot` (default) when the world shows all its state, else
   * `replay`; forcing `replay` is for tests that compare the two.
   */
  readonly restore?: "snapshot" | "replay";
  /**
   * Asked where the time bound is checked (`bfs` in levels: after each run of states merged;
   * `dfs` and `cells`: after each new state; `random` and `novelty`: after each walk): once it
   * returns true, the search ends as `bounded` by `interrupted`. The caller decides what
   * interrupts (the command line: Ctrl-C or SIGTERM). Also asked while a schedule found at random
   * is shortened, before each replay: a true answer ends the shortening with the shortest
   * schedule found so far (`Counterexample.cutShort`).
   */
  readonly interrupted?: () => boolean;
  /** Called about every `progressMs` with the figures so far. */
  readonly onProgress?: (progress: SearchProgress) => void;
  readonly progressMs?: number;
  /**
   * `bfs`: called with the world in each state a step reached, and the fingerprint it was known
   * by, before the world moves on (tests check the world there, such as its fingerprint).
   */
  readonly onState?: (world: World, fingerprint: Fingerprint) => void;
  /**
   * `bfs`: take only one order of two deliveries to different nodes (default `one`); `both`
   * takes both, for tests that compare. The states reached and their depths are the same.
   */
  readonly commutingOrders?: "one" | "both";
}

export interface SearchProgress {
  readonly statesVisited: number;
  readonly uniqueStates: number;
  /** Depth being explored now. */
  readonly depth: number;
  /** States waiting to be expanded (BFS: the rest of this level and the next). */
  readonly frontier: number;
  readonly elapsedMs: number;
}

export type Verdict = "complete" | "violation" | "bounded";

export interface SearchResult {
  readonly verdict: Verdict;
  readonly strategy: Strategy;
  /** Transitions taken, states counted each time they are reached. */
  readonly statesVisited: number;
  /**
   * `bfs`: transitions not taken because the other order of two deliveries to different nodes
   * reaches the same state (`skipsOrder`).
   */
  readonly transitionsSkipped?: number;
  readonly uniqueStates: number;
  /** Every state at most this many steps from the initial state was explored. */
  readonly depth: number;
  /**
   * What stopped a `bounded` search. `cells`: every cell reachable within the bounds was reached
   * (not every state); `interrupted`: `settings.interrupted` said so.
   */
  readonly boundedBy?: "depth" | "time" | "states" | "cells" | "interrupted";
  /**
   * A node object kept its state out of sight (closures, no `fingerprint()`): no two states were
   * merged, so the search was a tree search.
   */
  readonly hiddenState?: boolean;
  /**
   * How states were restored: from snapshots, or by replaying paths (a node or an invariant
   * monitor hid its state; docs/node-api.md, "Saving and restoring a state").
   */
  readonly restore: "snapshot" | "replay";
  readonly wallMs: number;
  readonly counterexample?: Counterexample;
}

export interface Counterexample {
  /** The schedule, as saved: on ordered links and with quiet timeouts, the implied drops included. */
  readonly steps: readonly ScheduleStep[];
  readonly finding: Finding;
  /**
   * No shorter schedule breaks an invariant within the bounds (breadth-first search and iterative
   * deepening); false for a schedule found at random and then shortened.
   */
  readonly shortest: boolean;
  /** For a shortened schedule: its steps as found, before shortening. */
  readonly foundSteps?: number;
  /**
   * `settings.interrupted` ended the shortening early: `steps` is the shortest schedule found
   * until then.
   */
  readonly cutShort?: true;
}

/** Explores the states of `setup` with the chosen strategy. */
export function explore(setup: WorldSetup, settings: SearchSettings): SearchResult {
  switch (settings.strategy) {
    case "bfs":
      return new BreadthFirst(setup, settings).run();
    case "cells":
      return new BreadthFirst(setup, settings, "cells").run();
    case "dfs":
      return iterativeDeepening(setup, settings);
    case "random":
      return randomWalks(setup, settings);
    case "novelty":
      return novelty(setup, settings);
  }
}

/** The `novelty` strategy (novelty.ts), its schedule shortened. */
function novelty(setup: WorldSetup, settings: SearchSettings): SearchResult {
  const started = settings.now();
  const outcome = noveltySearch(setup, {
    depthMax: settings.depthMax,
    timeMs: settings.timeMs,
    statesMax: settings.statesMax,
    now: settings.now,
    seed: settings.seed ?? 1n,
    ...(settings.restore === undefined ? {} : { restore: settings.restore }),
    ...(settings.onProgress === undefined
      ? {}
      : {
          onProgress: (progress) =>
            settings.onProgress?.({
              statesVisited: progress.statesVisited,
              uniqueStates: progress.uniqueStates,
              depth: progress.depth,
              frontier: progress.cells,
              elapsedMs: progress.elapsedMs,
            }),
        }),
    ...(settings.progressMs === undefined ? {} : { progressMs: settings.progressMs }),
    ...(settings.interrupted === undefined ? {} : { interrupted: settings.interrupted }),
  });
  const found = outcome.found;
  return {
    verdict: found === undefined ? "bounded" : "violation",
    strategy: "novelty",
    statesVisited: outcome.statesVisited,
    uniqueStates: outcome.uniqueStates,
    depth: 0,
    ...(found === undefined ? { boundedBy: noveltyBound(outcome.boundedBy) } : {}),
    ...(outcome.hiddenState ? { hiddenState: true } : {}),
    restore: outcome.restore,
    ...(found === undefined
      ? {}
      : { counterexample: shortened(setup, found.choices, found.finding, settings) }),
    wallMs: settings.now() - started,
  };
}

/** What stopped a novelty search without a finding, as `SearchResult.boundedBy` says it. */
function noveltyBound(bound: NoveltyOutcome["boundedBy"]): SearchResult["boundedBy"] {
  return bound === "states" || bound === "interrupted" ? bound : "time";
}

/**
 * Shortening's own time: a quarter of the search's, at least 2 s and at most 20 s. It replays
 * whole schedules, a few hundred times for a schedule of 30 steps.
 */
function shorteningMs(settings: SearchSettings): number {
  return Math.min(20_000, Math.max(2_000, settings.timeMs / 4));
}

/** A schedule found at random, shortened, as the counterexample the search returns. */
function shortened(
  setup: WorldSetup,
  choices: readonly ScheduleStep[],
  finding: Finding,
  settings: SearchSettings,
): Counterexample {
  const short = shortenSchedule(setup, choices, finding, {
    now: settings.now,
    deadlineMs: settings.now() + shorteningMs(settings),
    ...(settings.interrupted === undefined ? {} : { interrupted: settings.interrupted }),
  });
  const shared = new WorldShared();
  const world = new World(setup, shared);
  const steps: ScheduleStep[] = [];
  for (const step of short.choices) {
    world.take(step);
    steps.push(...world.lastTaken);
  }
  return {
    steps,
    finding: short.finding,
    shortest: false,
    foundSteps: choices.length,
    ...(short.interrupted === true ? { cutShort: true } : {}),
  };
}

/** The choices (as steps) of `path` (choice numbers). */
function choicesOf(setup: WorldSetup, shared: WorldShared, path: readonly number[]): ScheduleStep[] {
  const world = new World(setup, shared);
  return path.map((index, at) => {
    const step = world.choiceAt(index, at + 1);
    world.take(step);
    return step;
  });
}

/** A state the search reached, by its path (choice numbers), with its fingerprint then. */
interface ReplaySample {
  readonly path: readonly number[];
  readonly high: number;
  readonly low: number;
}

/**
 * States a search keeps to replay when it ends (`check`): its 1st, 2nd, 4th, 8th... new state,
 * about twenty of a search of a million, the later ones deep in it.
 *
 * Why: a protocol that keeps state no state holds (a module-level variable) behaves otherwise
 * each time a schedule is taken again, so what was explored is not what the protocol does, and
 * a verdict of `complete` would be false. Searches that restore snapshots never take a schedule
 * again from the start; these replays do, as `fuzz` runs a sample of its runs twice.
 */
export class ReplaySamples {
  private reached = 0;
  private readonly kept: ReplaySample[] = [];

  /** Counts a new state; `path` (called only for the states kept) gives its choice numbers. */
  add(path: () => readonly number[], high: number, low: number): void {
    this.reached++;
    if ((this.reached & (this.reached - 1)) === 0) this.kept.push({ path: path(), high, low });
  }

  /**
   * Replays each kept state's path from the initial state, in a world of its own, and throws
   * `ReplayDiverged` when one reaches another state than the search did. Not when a node hides
   * its state: each of its fingerprints is unique by construction then.
   */
  check(setup: WorldSetup, hiddenState: boolean): void {
    if (hiddenState) return;
    inDeterministicSection(() => {
      for (const { path, high, low } of this.kept) {
        const world = new World(setup, new WorldShared());
        for (let at = 0; at < path.length; at++) world.take(world.choiceAt(path[at] as number, at + 1));
        const print = world.fingerprint();
        if (print.high !== high || print.low !== low) {
          const steps = path.length === 1 ? "1 step" : `${path.length} steps`;
          throw new ReplayDiverged(`of ${steps} from the start reached another state than exploring it had`);
        }
      }
    });
  }
}

/** Growable parallel arrays: per state, its parent and the choice number that reached it. */
class StateTree {
  parent = new Int32Array(1 << 16);
  choice = new Uint16Array(1 << 16);
  size = 0;

  add(parent: number, choice: number): number {
    if (this.size === this.parent.length) {
      const parents = new Int32Array(this.size * 2);
      parents.set(this.parent);
      this.parent = parents;
      const choices = new Uint16Array(this.size * 2);
      choices.set(this.choice);
      this.choice = choices;
    }
    this.parent[this.size] = parent;
    this.choice[this.size] = choice;
    return this.size++;
  }

  /** The choice numbers from the initial state to `state`. */
  path(state: number): number[] {
    const out: number[] = [];
    for (let at = state; at > 0; at = this.parent[at] as number) out.push(this.choice[at] as number);
    return out.reverse();
  }
}

/** Rebuilds the world at the end of `path` (choice numbers) from the initial state. */
function replay(setup: WorldSetup, shared: WorldShared, path: readonly number[]): World {
  const world = new World(setup, shared);
  for (let at = 0; at < path.length; at++) world.take(world.choiceAt(path[at] as number, at + 1));
  return world;
}

/**
 * How states waiting to be expanded are kept: snapshots restored into one live world, or, when
 * the world hides state from snapshots, paths replayed from the initial state.
 */
class StateStore {
  private readonly live: World;
  readonly restorable: boolean;

  constructor(
    private readonly setup: WorldSetup,
    private readonly shared: WorldShared,
    restore: SearchSettings["restore"],
  ) {
    this.live = new World(setup, shared);
    this.restorable = restore !== "replay" && this.live.restorable;
  }

  /** The initial world (fresh). */
  initial(): World {
    return this.restorable ? this.live : new World(this.setup, this.shared);
  }

  /** Keeps the state `world` is in now, reached by `path`. */
  keep(world: World, path: readonly number[]): Kept {
    return this.restorable ? { base: world.save(), tail: [] } : path;
  }

  /**
   * Keeps the state `world` is in now, reached from the state `parent` kept by one more step:
   * a snapshot every `checkpointSteps` steps, and in between the parent's snapshot and the steps
   * since (restoring then replays at most `checkpointSteps - 1` steps).
   */
  keepChild(world: World, parent: Kept, step: ScheduleStep, path: () => readonly number[]): Kept {
    if (!this.restorable || Array.isArray(parent)) return this.keep(world, path());
    const { base, tail } = parent as Checkpoint;
    if (tail.length + 1 < checkpointSteps) return { base, tail: [...tail, step] };
    return this.keep(world, []);
  }

  /** A world in a kept state. */
  load(kept: Kept): World {
    if (Array.isArray(kept)) return replay(this.setup, this.shared, kept as readonly number[]);
    const { base, tail } = kept as Checkpoint;
    this.live.restore(base);
    for (const step of tail) this.live.take(step);
    return this.live;
  }
}

/**
 * Steps between two snapshots on a path. Every kept state is expanded once, and each of its
 * children restores it again: steps kept after a snapshot are replayed once per child. Since a
 * save shares the records of the objects a step left alone (and knows the last restore's records
 * as its own), a snapshot per state measured faster than one every 3 steps: 3,600 to 4,100
 * against 3,300 to 3,600 states per CPU-second (Paxos, 3 nodes, load 11, alternated), and 5,354
 * to 5,592 against 2,892 to 3,702 (Raft to depth 6, load 9 to 11).
 */
const checkpointSteps = 1;

/** A snapshot and the steps taken since. */
interface Checkpoint {
  readonly base: WorldState;
  readonly tail: readonly ScheduleStep[];
}

/** A kept state: a path to replay from the initial state, or a checkpoint. */
type Kept = readonly number[] | Checkpoint;

/** The steps of `path` (choice numbers), with one more choice at the end. */
export function stepsOf(setup: WorldSetup, shared: WorldShared, path: readonly number[]): ScheduleStep[] {
  const world = new World(setup, shared);
  const steps: ScheduleStep[] = [];
  for (let at = 0; at < path.length; at++) {
    world.take(world.choiceAt(path[at] as number, at + 1));
    steps.push(...world.lastTaken);
  }
  return steps;
}

export const deadlock = (world: World): Finding | undefined =>
  world.deadlocked()
    ? { invariant: "explore.deadlock", message: "no step can run while a client waits for an answer" }
    : undefined;

/**
 * Whether breadth-first search takes one order of two deliveries to different nodes
 * (`skipsOrder`): unless prompt replies make a delivery change its sender's node too.
 */
export function takesOneOrder(setup: WorldSetup, settings: SearchSettings): boolean {
  return setup.promptReplies !== true && settings.commutingOrders !== "both";
}

/** Most states of one breadth-first level kept as snapshots; the rest keep their paths. */
const snapshotsMax = 1_000_000;

/** A state waiting in the breadth-first frontier: its number in the tree and how it is kept. */
interface Waiting {
  readonly state: number;
  readonly kept: Kept;
  /** The delivery to a node that reached this state, when one did (see `skipsOrder`). */
  readonly after?: { readonly id: number; readonly to: string };
}

/**
 * Whether breadth-first search skips `step` in a state reached by the delivery `after`: `step`
 * delivers, to another node, a message sent before `after`'s. Such a message was in flight in the
 * parent state too (a step sends only messages with higher ids), and two deliveries to different
 * nodes reach the same state in either order (each changes only its own node; docs/exploring.md,
 * "Reductions"), at the same depth: the parent's `step`, then `after`, reaches it, and that order
 * is never skipped (its later delivery has the higher id). So every state is still reached at its
 * least depth; only the transition into it by the other order is not taken. This is a sleep set
 * (Godefroid, "Partial-Order Methods for the Verification of Concurrent Systems", 1996) of one
 * step, kept sound under a visited set by the order on message ids.
 */
export function skipsOrder(step: ScheduleStep, after: Waiting["after"], nodes: readonly string[]): boolean {
  return (
    after !== undefined &&
    step.kind === "deliver" &&
    step.id < after.id &&
    step.to !== after.to &&
    nodes.includes(step.to)
  );
}

/** Why an expansion ends the search: a finding on a path (choice numbers), or the state bound. */
type Ending = { readonly path: readonly number[]; readonly finding: Finding } | "states";

class BreadthFirst {
  private readonly shared = new WorldShared();
  private readonly tree = new StateTree();
  private readonly visited = new FingerprintSet();
  private statesVisited = 0;
  private restore: SearchResult["restore"] = "replay";
  private readonly started: number;
  private lastProgress: number;

  /** For `cells`: the key a state is known by (its cell); else its fingerprint. */
  private keyOf: ((world: World) => Fingerprint) | undefined;
  /**
   * Whether to take one order of two deliveries to different nodes (`skipsOrder`): breadth first
   * over states, unless prompt replies make a delivery change its sender's node too.
   */
  private readonly oneOrder: boolean;
  /** Transitions not taken because the other order reaches the same state. */
  private skipped = 0;
  private readonly samples = new ReplaySamples();

  constructor(
    private readonly setup: WorldSetup,
    private readonly settings: SearchSettings,
    private readonly strategy: "bfs" | "cells" = "bfs",
  ) {
    this.oneOrder = strategy === "bfs" && takesOneOrder(setup, settings);
    this.started = settings.now();
    this.lastProgress = this.started;
  }

  run(): SearchResult {
    const store = new StateStore(this.setup, this.shared, this.settings.restore);
    this.restore = store.restorable ? "snapshot" : "replay";
    const root = store.initial();
    if (this.strategy === "cells") this.keyOf = cellHasher(root, { storage: true });
    const rootPrint = this.keyOf === undefined ? root.fingerprint() : this.keyOf(root);
    this.settings.onState?.(root, rootPrint);
    this.visited.visit(rootPrint.high, rootPrint.low);
    this.statesVisited = 1;
    if (root.finding !== undefined) return this.violation([], root.finding, 0);
    let frontier: Array<Waiting | undefined> = [{ state: this.tree.add(-1, 0), kept: store.keep(root, []) }];
    let depth = 0;
    while (frontier.length > 0) {
      if (depth >= this.settings.depthMax) return this.result("bounded", depth, "depth");
      const next: Waiting[] = [];
      for (let at = 0; at < frontier.length; at++) {
        const waiting = frontier[at] as Waiting;
        // Expanded states are let go, so that a level's snapshots can be freed as it is explored.
        frontier[at] = undefined;
        const ended = this.expand(store, waiting, next);
        if (ended === "states") return this.result("bounded", depth, "states");
        if (ended !== undefined) return this.violation(ended.path, ended.finding, depth);
        const now = this.settings.now();
        if (now - this.started >= this.settings.timeMs) return this.result("bounded", depth, "time");
        if (this.settings.interrupted?.() === true) return this.result("bounded", depth, "interrupted");
        this.progress(now, depth, frontier.length - at - 1 + next.length);
      }
      if (next.length === 0) break;
      frontier = next;
      depth++;
    }
    // Every cell was reached, not every state: no proof that no schedule breaks an invariant.
    if (this.strategy === "cells") return this.result("bounded", depth, "cells");
    return this.result("complete", depth);
  }

  /**
   * Takes every step enabled in the state `waiting`, each from the same state restored, and adds
   * the new states to `next`. Returns why the search ends here, if it does: a finding (with its
   * path) or the bound on states.
   */
  private expand(store: StateStore, waiting: Waiting, next: Waiting[]): Ending | undefined {
    const { state, kept, after } = waiting;
    const path = store.restorable ? [] : this.tree.path(state);
    let world = store.load(kept);
    const choices = world.choices();
    if (choices.length === 0) {
      const finding = deadlock(world);
      if (finding !== undefined) return { path: this.tree.path(state), finding };
    }
    let loaded = true;
    for (let choice = 0; choice < choices.length; choice++) {
      const step = choices[choice] as ScheduleStep;
      if (this.oneOrder && skipsOrder(step, after, world.nodeIds)) {
        this.skipped++;
        continue;
      }
      if (!loaded) world = store.load(kept);
      loaded = false;
      world.take(step);
      this.statesVisited++;
      // A cell stands for states that may differ in their findings: every state is checked.
      if (this.keyOf !== undefined && world.finding !== undefined) {
        return { path: [...this.tree.path(state), choice], finding: world.finding };
      }
      const print = this.keyOf === undefined ? world.fingerprint() : this.keyOf(world);
      this.settings.onState?.(world, print);
      if (!this.visited.visit(print.high, print.low)) continue;
      if (world.finding !== undefined)
        return { path: [...this.tree.path(state), choice], finding: world.finding };
      const child = this.tree.add(state, choice);
      this.samples.add(() => this.tree.path(child), print.high, print.low);
      // Past `snapshotsMax` waiting states, a level keeps paths instead (memory: a snapshot
      // holds a few kilobytes, a path a few bytes a step).
      const childKept =
        next.length < snapshotsMax
          ? store.keepChild(world, kept, choices[choice] as ScheduleStep, () => [...path, choice])
          : this.tree.path(child);
      const reached =
        step.kind === "deliver" && world.nodeIds.includes(step.to) ? { id: step.id, to: step.to } : undefined;
      next.push({ state: child, kept: childKept, ...(reached === undefined ? {} : { after: reached }) });
      if (this.visited.size >= this.settings.statesMax) return "states";
    }
    return undefined;
  }

  private progress(now: number, depth: number, frontier: number): void {
    const onProgress = this.settings.onProgress;
    if (onProgress === undefined || now - this.lastProgress < (this.settings.progressMs ?? 100)) return;
    this.lastProgress = now;
    onProgress({
      statesVisited: this.statesVisited,
      uniqueStates: this.visited.size,
      depth,
      frontier,
      elapsedMs: now - this.started,
    });
  }

  private violation(path: readonly number[], finding: Finding, depth: number): SearchResult {
    return {
      ...this.result("violation", depth),
      counterexample: {
        steps: stepsOf(this.setup, this.shared, path),
        finding,
        // Breadth first over cells: the fewest choices of the states it kept, not of all states.
        shortest: this.strategy === "bfs",
        ...(this.strategy === "bfs" ? {} : { foundSteps: path.length }),
      },
    };
  }

  private result(verdict: Verdict, depth: number, boundedBy?: SearchResult["boundedBy"]): SearchResult {
    // Cells are keys of their own, not fingerprints: nothing to compare a replay with.
    if (verdict !== "violation" && this.strategy === "bfs")
      this.samples.check(this.setup, this.shared.hiddenState);
    return {
      verdict,
      strategy: this.strategy,
      statesVisited: this.statesVisited,
      uniqueStates: this.visited.size,
      ...(this.oneOrder ? { transitionsSkipped: this.skipped } : {}),
      // A level of cells is not a level of states: `cells` covers no depth completely.
      depth: this.strategy === "bfs" ? depth : 0,
      ...(boundedBy === undefined ? {} : { boundedBy }),
      ...(this.shared.hiddenState ? { hiddenState: true } : {}),
      restore: this.restore,
      wallMs: this.settings.now() - this.started,
    };
  }
}

/**
 * Depth-first search under a bound that grows one level per round. A state is expanded again
 * when reached by a shorter path than before (the visited set keeps the least depth), so each
 * round explores every state within the bound. A round in which no path was cut by the bound
 * explored everything: the verdict is `complete`.
 */
function iterativeDeepening(setup: WorldSetup, settings: SearchSettings): SearchResult {
  return new IterativeDeepening(setup, settings).run();
}

/** How one round of iterative deepening ended. */
interface Round {
  /** Some path reached the bound with steps still enabled. */
  cut: boolean;
  /** The time or state bound, or an interrupt, stopped the round. */
  stop: "time" | "states" | "interrupted" | undefined;
  found: { readonly path: readonly number[]; readonly finding: Finding } | undefined;
}

class IterativeDeepening {
  private readonly shared = new WorldShared();
  private readonly store: StateStore;
  private readonly started: number;
  private lastProgress: number;
  private statesVisited = 0;
  private uniqueStates = 0;
  /** Every state within this many steps was explored. */
  private covered = 0;
  private readonly samples = new ReplaySamples();

  constructor(
    private readonly setup: WorldSetup,
    private readonly settings: SearchSettings,
  ) {
    this.started = settings.now();
    this.lastProgress = this.started;
    this.store = new StateStore(setup, this.shared, settings.restore);
  }

  run(): SearchResult {
    const root = this.store.initial();
    const rootState = this.store.keep(root, []);
    const rootPrint = root.fingerprint();
    this.statesVisited++;
    this.uniqueStates = 1;
    if (root.finding !== undefined) {
      return this.result("violation", {
        counterexample: { steps: [], finding: root.finding, shortest: true },
      });
    }
    for (let bound = 1; bound <= this.settings.depthMax; bound++) {
      const visited = new FingerprintSet();
      visited.visit(rootPrint.high, rootPrint.low, 0);
      const round: Round = { cut: false, stop: undefined, found: undefined };
      this.expand(this.store.load(rootState), { bound, visited, round, path: [] });
      this.uniqueStates = Math.max(this.uniqueStates, visited.size);
      if (round.found !== undefined) {
        const steps = stepsOf(this.setup, this.shared, round.found.path);
        return this.result("violation", {
          counterexample: { steps, finding: round.found.finding, shortest: true },
        });
      }
      if (round.stop !== undefined) return this.result("bounded", { boundedBy: round.stop });
      this.covered = bound;
      if (!round.cut) return this.result("complete");
    }
    return this.result("bounded", { boundedBy: "depth" });
  }

  /** Explores depth first from `world`, at the end of `path`, within this round's bound. */
  private expand(
    world: World,
    at: { bound: number; visited: FingerprintSet; round: Round; path: number[] },
  ): void {
    const { bound, visited, round, path } = at;
    const here = this.store.restorable ? this.store.keep(world, []) : undefined;
    const choices = world.choices();
    if (choices.length === 0) {
      const finding = deadlock(world);
      if (finding !== undefined) round.found = { path: [...path], finding };
      return;
    }
    if (path.length >= bound) {
      round.cut = true;
      return;
    }
    for (let choice = 0; choice < choices.length; choice++) {
      if (round.found !== undefined || round.stop !== undefined) return;
      const child = choice === 0 ? world : this.store.load(here ?? path);
      child.take(choices[choice] as ScheduleStep);
      this.statesVisited++;
      const print = child.fingerprint();
      if (!visited.visit(print.high, print.low, path.length + 1)) continue;
      path.push(choice);
      if (child.finding !== undefined) {
        round.found = { path: [...path], finding: child.finding };
        return;
      }
      this.samples.add(() => [...path], print.high, print.low);
      round.stop = this.stopNow(visited, bound, path.length);
      if (round.stop === undefined) this.expand(child, at);
      path.pop();
    }
  }

  /** Whether the time or state bound is reached now, or the search interrupted; reports progress on the way. */
  private stopNow(visited: FingerprintSet, bound: number, pathLength: number): Round["stop"] {
    const settings = this.settings;
    let stop: Round["stop"];
    if (visited.size >= settings.statesMax) stop = "states";
    const now = settings.now();
    if (now - this.started >= settings.timeMs) stop = "time";
    if (stop === undefined && settings.interrupted?.() === true) stop = "interrupted";
    if (settings.onProgress !== undefined && now - this.lastProgress >= (settings.progressMs ?? 100)) {
      this.lastProgress = now;
      settings.onProgress({
        statesVisited: this.statesVisited,
        uniqueStates: Math.max(this.uniqueStates, visited.size),
        depth: bound,
        frontier: pathLength,
        elapsedMs: now - this.started,
      });
    }
    return stop;
  }

  private result(
    verdict: Verdict,
    extra: Partial<Pick<SearchResult, "boundedBy" | "counterexample">> = {},
  ): SearchResult {
    if (verdict !== "violation") this.samples.check(this.setup, this.shared.hiddenState);
    return {
      verdict,
      strategy: "dfs",
      statesVisited: this.statesVisited,
      uniqueStates: this.uniqueStates,
      depth: this.covered,
      ...extra,
      ...(this.shared.hiddenState ? { hiddenState: true } : {}),
      restore: this.store.restorable ? "snapshot" : "replay",
      wallMs: this.settings.now() - this.started,
    };
  }
}

/** Random walks from the initial state, each at most `depthMax` steps, until the time is up. */
function randomWalks(setup: WorldSetup, settings: SearchSettings): SearchResult {
  const shared = new WorldShared();
  const started = settings.now();
  const random = randomStream(settings.seed ?? 1n, "explore/random");
  const visited = new FingerprintSet();
  const walkMax = Number.isFinite(settings.depthMax) ? settings.depthMax : 200;
  let statesVisited = 0;
  let lastProgress = started;
  /** The ends of walks (`ReplaySamples`). */
  const samples = new ReplaySamples();
  const result = (verdict: Verdict, extra: Partial<SearchResult> = {}): SearchResult => {
    if (verdict !== "violation") samples.check(setup, shared.hiddenState);
    return resultNow(verdict, extra);
  };
  const resultNow = (verdict: Verdict, extra: Partial<SearchResult>): SearchResult => ({
    verdict,
    strategy: "random",
    statesVisited,
    uniqueStates: visited.size,
    depth: 0,
    ...extra,
    ...(shared.hiddenState ? { hiddenState: true } : {}),
    restore: store.restorable ? "snapshot" : "replay",
    wallMs: settings.now() - started,
  });
  const store = new StateStore(setup, shared, settings.restore);
  const rootState = store.keep(store.initial(), []);
  while (true) {
    const world = store.load(rootState);
    const path: number[] = [];
    const rootPrint = world.fingerprint();
    let print = rootPrint;
    visited.visit(rootPrint.high, rootPrint.low);
    if (world.finding !== undefined) {
      return result("violation", { counterexample: { steps: [], finding: world.finding, shortest: true } });
    }
    for (let depth = 0; depth < walkMax; depth++) {
      const choices = world.choices();
      if (choices.length === 0) {
        const finding = deadlock(world);
        if (finding !== undefined) {
          return result("violation", {
            counterexample: shortened(setup, choicesOf(setup, shared, path), finding, settings),
          });
        }
        break;
      }
      const choice = random.int(0, choices.length - 1);
      world.take(choices[choice] as ScheduleStep);
      path.push(choice);
      statesVisited++;
      print = world.fingerprint();
      visited.visit(print.high, print.low);
      if (world.finding !== undefined) {
        return result("violation", {
          counterexample: shortened(setup, choicesOf(setup, shared, path), world.finding, settings),
        });
      }
    }
    samples.add(() => [...path], print.high, print.low);
    const now = settings.now();
    if (visited.size >= settings.statesMax) return result("bounded", { boundedBy: "states" });
    if (now - started >= settings.timeMs) return result("bounded", { boundedBy: "time" });
    if (settings.interrupted?.() === true) return result("bounded", { boundedBy: "interrupted" });
    if (settings.onProgress !== undefined && now - lastProgress >= (settings.progressMs ?? 100)) {
      lastProgress = now;
      settings.onProgress({
        statesVisited,
        uniqueStates: visited.size,
        depth: walkMax,
        frontier: 0,
        elapsedMs: now - started,
      });
    }
  }
}
