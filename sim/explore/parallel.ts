/**
 * Breadth-first search with the expansion of each level shared out, and the same result as
 * `explore` with `bfs` (search.ts) whatever the number of expanders: the same verdict, the same
 * counts, the same depth and the same shortest counterexample.
 *
 * How: this side holds the visited set and each level's frontier, as the choice paths from the
 * initial state (every path of a level has the level's length). A level is cut into contiguous
 * runs of states; an expander (`FrontierExpander`, run in another thread by the caller) rebuilds
 * each state of a run from its path and takes every step enabled there, and answers, per state
 * and choice, the successor's fingerprint and finding (`Expansion`). This side then goes through
 * the answers in frontier order, then choice order: exactly the order the one-thread search
 * takes transitions in, so the same transition is the first into each state, and the same
 * violation is the first found.
 *
 * Nothing here knows threads: the caller's `expand` returns a promise.
 */
import { inDeterministicSection } from "../determinism.js";
import type { ScheduleStep } from "../scenario/schema.js";
import {
  deadlock,
  ReplaySamples,
  type SearchProgress,
  type SearchResult,
  type SearchSettings,
  skipsOrder,
  stepsOf,
  takesOneOrder,
  type Verdict,
} from "./search.js";
import { FingerprintSet } from "./visited.js";
import { type Finding, World, type WorldSetup, WorldShared, type WorldState } from "./world.js";

/** The answer for a run of frontier states: per state, one record per choice enabled there. */
export interface Expansion {
  /** Per state of the run, how many records (choices) it has. */
  readonly counts: Uint32Array<ArrayBuffer>;
  /** Per record: the successor's fingerprint, two 32-bit halves. */
  readonly high: Uint32Array<ArrayBuffer>;
  readonly low: Uint32Array<ArrayBuffer>;
  /** Per record: `skippedFlag`, `hiddenFlag`. */
  readonly flags: Uint8Array<ArrayBuffer>;
  /** Records whose successor broke an invariant, with what it broke. */
  readonly findings: ReadonlyArray<{ readonly record: number; readonly finding: Finding }>;
  /** States of the run (index in the run) with no step enabled while a client waits. */
  readonly deadlocks: ReadonlyArray<{ readonly state: number; readonly finding: Finding }>;
  /** A node object kept its state out of sight in some state of the run. */
  readonly hiddenState: boolean;
}

/** The step was not taken: the other order of two deliveries reaches the same state (search.ts). */
export const skippedFlag = 1;
/**
 * The successor's fingerprint holds a number unique to the expander that made it (a node hid its
 * state): it equals no other state's, as in the one-thread search, where such fingerprints are
 * all different.
 */
export const hiddenFlag = 2;

/** What an expander needs besides the world setup. */
export interface ExpanderOptions {
  /** Take one order of two deliveries to different nodes (search.ts, `skipsOrder`). */
  readonly oneOrder: boolean;
  /** `replay`: rebuild every state from its path, never from a snapshot. */
  readonly restore?: "snapshot" | "replay";
}

/**
 * Expands runs of states given by their paths. Paths of a breadth-first level come in
 * lexicographic order, so consecutive states share most of their paths: the expander keeps a
 * snapshot of the states on the last path that a later path of the run starts from, restores the
 * deepest one on the shared prefix and replays only the rest (when the world cannot be restored
 * from snapshots, it replays whole paths).
 */
export class FrontierExpander {
  private readonly shared = new WorldShared();
  private readonly live: World;
  private readonly restorable: boolean;
  /** The path the live world last followed, and the state after each of its steps. */
  private readonly path: number[] = [];
  private readonly steps: ScheduleStep[] = [];
  /** Kept states, by depth on `path` (the initial state always; see `depthsKept`). */
  private readonly saved: Array<WorldState | undefined> = [];

  constructor(
    private readonly setup: WorldSetup,
    private readonly options: ExpanderOptions,
  ) {
    this.live = new World(setup, this.shared);
    this.restorable = options.restore !== "replay" && this.live.restorable;
    if (this.restorable) this.saved.push(this.live.save());
  }

  /** Expands the `paths.length / depth` states whose paths `paths` holds end to end. */
  expand(paths: Uint16Array, depth: number, states: number): Expansion {
    return inDeterministicSection(() => this.expandRun(paths, depth, states));
  }

  private expandRun(paths: Uint16Array, depth: number, states: number): Expansion {
    const counts = new Uint32Array(states);
    let capacity = Math.max(16, states * 8);
    let high = new Uint32Array(capacity);
    let low = new Uint32Array(capacity);
    let flags = new Uint8Array(capacity);
    const findings: Array<{ record: number; finding: Finding }> = [];
    const deadlocks: Array<{ state: number; finding: Finding }> = [];
    let records = 0;
    const kept = this.restorable ? depthsKept(paths, depth, states) : [];
    for (let state = 0; state < states; state++) {
      const path = paths.subarray(state * depth, (state + 1) * depth);
      const { world, last } = this.load(path, kept[state] ?? []);
      const after =
        last !== undefined && last.kind === "deliver" && world.nodeIds.includes(last.to)
          ? { id: last.id, to: last.to }
          : undefined;
      const choices = world.choices();
      if (choices.length === 0) {
        const finding = deadlock(world);
        if (finding !== undefined) deadlocks.push({ state, finding });
      }
      if (records + choices.length > capacity) {
        capacity = Math.max(capacity * 2, records + choices.length);
        high = grown(high, capacity);
        low = grown(low, capacity);
        flags = grown(flags, capacity);
      }
      if (this.restorable && takenCount(choices, after, world.nodeIds, this.options.oneOrder) > 1)
        this.saved[depth] = world.save();
      let current = world;
      let loaded = true;
      for (let choice = 0; choice < choices.length; choice++) {
        const step = choices[choice] as ScheduleStep;
        const record = records++;
        if (this.options.oneOrder && skipsOrder(step, after, world.nodeIds)) {
          flags[record] = skippedFlag;
          continue;
        }
        if (!loaded) current = this.reload(path);
        loaded = false;
        const uniqueBefore = this.shared.unique;
        current.take(step);
        const print = current.fingerprint();
        high[record] = print.high;
        low[record] = print.low;
        if (this.shared.unique !== uniqueBefore) flags[record] = hiddenFlag;
        if (current.finding !== undefined) findings.push({ record, finding: current.finding });
      }
      counts[state] = choices.length;
    }
    return {
      counts,
      high: high.slice(0, records),
      low: low.slice(0, records),
      flags: flags.slice(0, records),
      findings,
      deadlocks,
      hiddenState: this.shared.hiddenState,
    };
  }

  /**
   * The world at the end of `path`, and the last step taken to get there: the deepest state kept
   * on the shared prefix with the last path followed is restored, and the rest replayed, keeping
   * the states at the depths in `keep` (later paths of the run start from them).
   */
  private load(path: Uint16Array, keep: readonly number[]): { world: World; last: ScheduleStep | undefined } {
    if (!this.restorable) {
      const world = new World(this.setup, this.shared);
      let last: ScheduleStep | undefined;
      for (let at = 0; at < path.length; at++) {
        last = world.choiceAt(path[at] as number, at + 1);
        world.take(last);
      }
      return { world, last };
    }
    let shared = 0;
    while (shared < path.length && shared < this.path.length && this.path[shared] === path[shared]) shared++;
    while (this.saved[shared] === undefined) shared--;
    const world = this.live;
    world.restore(this.saved[shared] as WorldState);
    this.path.length = shared;
    this.steps.length = shared;
    this.saved.length = shared + 1;
    for (let at = shared; at < path.length; at++) {
      const index = path[at] as number;
      const step = world.choiceAt(index, at + 1);
      world.take(step);
      this.path.push(index);
      this.steps.push(step);
      this.saved.push(keep.includes(at + 1) ? world.save() : undefined);
    }
    const last = this.steps[path.length - 1];
    return { world, last };
  }

  /** The world put back at the end of `path`, the path `load` last followed. */
  private reload(path: Uint16Array): World {
    if (!this.restorable) return this.load(path, []).world;
    this.live.restore(this.saved[path.length] as WorldState);
    return this.live;
  }
}

/**
 * Per path of a run (`depth` choices each, in order), the depths at which the state reached is
 * to be kept, because a later path of the run shares the prefix up to there and starts from it.
 * Keeping every state of every replayed path made 2.4 saves per unique state on Paxos (3 nodes),
 * most of them of a state no path came back to; a save walks every object of the state.
 */
function depthsKept(paths: Uint16Array, depth: number, states: number): number[][] {
  const kept: number[][] = new Array(states);
  let later: number[] = [];
  for (let state = states - 1; state >= 0; state--) {
    if (state === states - 1) {
      kept[state] = later;
      continue;
    }
    let shared = 0;
    const at = state * depth;
    while (shared < depth && paths[at + shared] === paths[at + depth + shared]) shared++;
    later = [...later.filter((deeper) => deeper < shared), shared];
    kept[state] = later;
  }
  return kept;
}

/** How many of `choices` a state's expansion takes (the rest are skipped: `skipsOrder`). */
function takenCount(
  choices: readonly ScheduleStep[],
  after: { id: number; to: string } | undefined,
  nodes: readonly string[],
  oneOrder: boolean,
): number {
  if (!oneOrder) return choices.length;
  let taken = 0;
  for (const step of choices) if (!skipsOrder(step, after, nodes)) taken++;
  return taken;
}

function grown<T extends Uint32Array | Uint8Array>(array: T, capacity: number): T {
  const out = new (array.constructor as new (length: number) => T)(capacity);
  out.set(array);
  return out;
}

/** Expands runs of frontier states, somewhere (another thread), in any order. */
export interface ExpansionPool {
  /** How many runs may be expanded at once. */
  readonly parallelism: number;
  /** Most states in one run (default `runMax`). */
  readonly runMax?: number;
  /** Told the number of states of each level before its runs are sent. */
  level?(states: number): void;
  expand(paths: Uint16Array<ArrayBuffer>, depth: number, states: number): Promise<Expansion>;
}

/**
 * Most states in one run handed to an expander: the answers waiting to be taken stay small, and
 * the time bound is checked after each run.
 */
export const runMax = 2048;

/** One level's paths end to end, growing as states are added. */
class PathList {
  paths: Uint16Array<ArrayBuffer>;
  size = 0;

  constructor(readonly depth: number) {
    this.paths = new Uint16Array(Math.max(1, depth) * 64);
  }

  /** The level of the initial state alone: one path of no choice. */
  static root(): PathList {
    const level = new PathList(0);
    level.size = 1;
    return level;
  }

  /** Adds the path `parent`'s path, then `choice`. */
  add(parent: PathList, parentIndex: number, choice: number): void {
    const depth = this.depth;
    const end = (this.size + 1) * depth;
    if (end > this.paths.length) {
      const paths = new Uint16Array(Math.max(end, this.paths.length * 2));
      paths.set(this.paths);
      this.paths = paths;
    }
    const at = this.size * depth;
    this.paths.set(parent.paths.subarray(parentIndex * parent.depth, (parentIndex + 1) * parent.depth), at);
    this.paths[at + depth - 1] = choice;
    this.size++;
  }

  path(index: number): number[] {
    return Array.from(this.paths.subarray(index * this.depth, (index + 1) * this.depth));
  }
}

/**
 * `explore(setup, { strategy: "bfs", ... })` with each level's expansion handed to `pool`; the
 * same result. `settings.onState` is not called.
 */
export async function exploreInParallel(
  setup: WorldSetup,
  settings: SearchSettings,
  pool: ExpansionPool,
): Promise<SearchResult> {
  const search = new LevelSearch(setup, settings);
  const atRoot = search.visitRoot();
  if (atRoot !== undefined) return atRoot;
  let frontier = PathList.root();
  while (frontier.size > 0) {
    if (search.depth >= settings.depthMax) return search.result("bounded", "depth");
    const next = new PathList(search.depth + 1);
    const ended = await expandLevel(search, pool, frontier, next);
    if (ended !== undefined) return ended;
    if (next.size === 0) break;
    frontier = next;
    search.depth++;
  }
  return search.result("complete");
}

/**
 * Hands the runs of `level` to `pool` and merges the answers, in run order, into `search` and the
 * next level (`next`). Returns the search's result when it ends during this level (a violation,
 * or a bound on states or time), undefined when the level is done.
 */
async function expandLevel(
  search: LevelSearch,
  pool: ExpansionPool,
  level: PathList,
  next: PathList,
): Promise<SearchResult | undefined> {
  pool.level?.(level.size);
  const runSize = Math.min(
    pool.runMax ?? runMax,
    Math.max(1, Math.ceil(level.size / (pool.parallelism * 4))),
  );
  const runs = Math.ceil(level.size / runSize);
  const send = (run: number): Promise<Expansion> => {
    const first = run * runSize;
    const states = Math.min(runSize, level.size - first);
    const paths = level.paths.slice(first * level.depth, (first + states) * level.depth);
    return pool.expand(paths, level.depth, states);
  };
  // At most two runs per expander wait or run at once; answers are taken in run order. The
  // pending runs are topped up after each answer: the pool's parallelism may grow during a level
  // (a pool that brings in worker threads once the search has run a while).
  const pending: Array<Promise<Expansion>> = [];
  let sent = 0;
  const topUp = () => {
    while (sent < runs && pending.length < pool.parallelism * 2) {
      const answer = send(sent++);
      // Awaited in run order below, or not at all once the search ends: a later run that fails
      // while an earlier one is awaited (a module that breaks a rule fails in every worker) must
      // not count as an unhandled rejection, which ends the process.
      answer.catch(() => {});
      pending.push(answer);
    }
  };
  topUp();
  for (let run = 0; run < runs; run++) {
    // A failed run ends the level; the runs still out are not waited for.
    const expansion = (await pending.shift()) as Expansion;
    topUp();
    const ended = search.merge(expansion, level, run * runSize, next) ?? search.checkTime();
    if (ended !== undefined) return ended;
    search.reportProgress(Math.max(0, level.size - (run + 1) * runSize) + next.size);
  }
  return undefined;
}

/** What a breadth-first search in levels knows between levels: the visited set and the counts. */
class LevelSearch {
  /** The level being expanded (the depth of its states). */
  depth = 0;
  private readonly started: number;
  private lastProgress: number;
  private readonly shared = new WorldShared();
  private readonly root: World;
  private readonly restore: SearchResult["restore"];
  private readonly oneOrder: boolean;
  private readonly visited = new FingerprintSet();
  /** States whose fingerprints are unique by construction (hidden state), not in `visited`. */
  private uniqueOnly = 0;
  private statesVisited = 1;
  private skipped = 0;
  private hiddenState = false;
  private readonly samples = new ReplaySamples();

  constructor(
    private readonly setup: WorldSetup,
    private readonly settings: SearchSettings,
  ) {
    this.started = settings.now();
    this.lastProgress = this.started;
    this.root = new World(setup, this.shared);
    this.restore = settings.restore !== "replay" && this.root.restorable ? "snapshot" : "replay";
    this.oneOrder = takesOneOrder(setup, settings);
  }

  private get uniqueStates(): number {
    return this.visited.size + this.uniqueOnly;
  }

  /** Visits the initial state; the result when it breaks an invariant already. */
  visitRoot(): SearchResult | undefined {
    const print = this.root.fingerprint();
    this.visited.visit(print.high, print.low);
    return this.root.finding === undefined ? undefined : this.violation([], this.root.finding);
  }

  result(verdict: Verdict, boundedBy?: SearchResult["boundedBy"]): SearchResult {
    const hiddenState = this.hiddenState || this.shared.hiddenState;
    if (verdict !== "violation") this.samples.check(this.setup, hiddenState);
    return {
      verdict,
      strategy: "bfs",
      statesVisited: this.statesVisited,
      uniqueStates: this.uniqueStates,
      ...(this.oneOrder ? { transitionsSkipped: this.skipped } : {}),
      depth: this.depth,
      ...(boundedBy === undefined ? {} : { boundedBy }),
      ...(hiddenState ? { hiddenState: true } : {}),
      restore: this.restore,
      wallMs: this.settings.now() - this.started,
    };
  }

  private violation(path: readonly number[], finding: Finding): SearchResult {
    return {
      ...this.result("violation"),
      counterexample: { steps: stepsOf(this.setup, this.shared, path), finding, shortest: true },
    };
  }

  /**
   * Takes the answer for the run of `level` that starts at state `first`: per state, then per
   * choice, each successor is visited, and a new one joins `next`, or ends the search when it
   * breaks an invariant. A state with no step while a client waits ends it too, as does the
   * bound on states. Returns the result when the search ends.
   */
  merge(expansion: Expansion, level: PathList, first: number, next: PathList): SearchResult | undefined {
    this.hiddenState ||= expansion.hiddenState;
    // Deadlocks come in state order, and the first ends the search: only it is looked at.
    const deadlocked = expansion.deadlocks[0];
    let record = 0;
    let nextFinding = 0;
    for (let state = 0; state < expansion.counts.length; state++) {
      if (deadlocked !== undefined && deadlocked.state === state)
        return this.violation(level.path(first + state), deadlocked.finding);
      const end = record + (expansion.counts[state] as number);
      for (let choice = 0; record < end; record++, choice++) {
        const flag = expansion.flags[record] as number;
        while ((expansion.findings[nextFinding]?.record ?? end) < record) nextFinding++;
        if (flag === skippedFlag) {
          this.skipped++;
          continue;
        }
        this.statesVisited++;
        if (!this.isNew(flag, expansion.high[record] as number, expansion.low[record] as number)) continue;
        const found = expansion.findings[nextFinding];
        if (found !== undefined && found.record === record)
          return this.violation([...level.path(first + state), choice], found.finding);
        next.add(level, first + state, choice);
        const index = next.size - 1;
        this.samples.add(
          () => next.path(index),
          expansion.high[record] as number,
          expansion.low[record] as number,
        );
        if (this.uniqueStates >= this.settings.statesMax) return this.result("bounded", "states");
      }
    }
    return undefined;
  }

  /** Whether a successor is a state not visited before (one with hidden state always is). */
  private isNew(flag: number, high: number, low: number): boolean {
    if (flag !== hiddenFlag) return this.visited.visit(high, low);
    this.uniqueOnly++;
    return true;
  }

  /** The result when the time bound has passed, or the search was interrupted. */
  checkTime(): SearchResult | undefined {
    if (this.settings.interrupted?.() === true) return this.result("bounded", "interrupted");
    return this.settings.now() - this.started >= this.settings.timeMs
      ? this.result("bounded", "time")
      : undefined;
  }

  /** Calls `onProgress` when `progressMs` (default 100 ms) has passed since it was last called. */
  reportProgress(frontier: number): void {
    const onProgress = this.settings.onProgress;
    const now = this.settings.now();
    if (onProgress === undefined || now - this.lastProgress < (this.settings.progressMs ?? 100)) return;
    this.lastProgress = now;
    const progress: SearchProgress = {
      statesVisited: this.statesVisited,
      uniqueStates: this.uniqueStates,
      depth: this.depth,
      frontier,
      elapsedMs: now - this.started,
    };
    onProgress(progress);
  }
}

/**
 * Most states in one run expanded in this thread: the time bound is checked after each run, so a
 * run is kept to a few tens of milliseconds.
 */
const inThreadRunMax = 256;

/**
 * `explore(setup, { strategy: "bfs", ... })` in this thread, each level's frontier kept as choice
 * paths and expanded by one `FrontierExpander`; the same result. This is how `quorumlab explore`
 * searches breadth first in one thread: the one-thread search (search.ts) keeps up to a million
 * snapshots a level, and collecting the garbage among them made it about half as fast on long
 * explorations and no faster on short ones (docs/exploring.md, "Worker threads").
 */
export function exploreByLevels(setup: WorldSetup, settings: SearchSettings): Promise<SearchResult> {
  return exploreInParallel(setup, settings, inThreadPool(setup, settings));
}

/** The pool `exploreByLevels` expands with: one `FrontierExpander`, in this thread. */
export function inThreadPool(setup: WorldSetup, settings: SearchSettings): ExpansionPool {
  const expander = new FrontierExpander(setup, {
    oneOrder: takesOneOrder(setup, settings),
    ...(settings.restore === undefined ? {} : { restore: settings.restore }),
  });
  return {
    parallelism: 1,
    runMax: inThreadRunMax,
    expand: (paths, depth, states) => Promise.resolve(expander.expand(paths, depth, states)),
  };
}
