/**
 * The `novelty` strategy: random walks that start from an archive of states, one per "cell".
 *
 * Breadth-first search covers every schedule up to a depth, and the number of states grows about
 * threefold with each step on Raft: a bug whose shortest schedule has 15 to 25 steps is out of its
 * reach. Random walks from the initial state reach that deep but rarely take the few choices a
 * deep bug needs in a row. This strategy keeps, for every cell it has seen, the shortest path
 * that reached it and the state there, and starts each walk from a cell drawn at random: a walk
 * that reaches a new cell extends the archive, so the search moves outward from what it has
 * already reached instead of starting over (the "Go-Explore" scheme: Ecoffet et al., "First
 * return, then explore", Nature 590, 2021).
 *
 * A cell is what the protocol shows of each node (its `describe()`, or its object when it
 * describes nothing), the fault budget left, each client's state and the length of the history:
 * coarse enough that there are thousands, not millions, and fine enough that a change of role,
 * term, log or vote is a new one. Messages in flight and the clock are left out. A cell with more
 * budget left is drawn more often (it has more future), a cell drawn often less often.
 *
 * The schedule found is short (the archive keeps the shortest path to each cell), not the
 * shortest: the caller shortens it further (shorten.ts) and says so.
 */
import type { NodeId } from "../node.js";
import { randomStream } from "../random.js";
import type { ScheduleStep } from "../scenario/schema.js";
import { type Fingerprint, Hasher } from "./fingerprint.js";
import { FingerprintSet } from "./visited.js";
import { type Finding, World, type WorldSetup, WorldShared, type WorldState } from "./world.js";

export interface NoveltySettings {
  /** Longest path kept in the archive (steps from the initial state). */
  readonly depthMax: number;
  readonly timeMs: number;
  /** Stop once this many distinct states were seen. */
  readonly statesMax: number;
  readonly now: () => number;
  readonly seed: bigint;
  readonly restore?: "snapshot" | "replay";
  readonly onProgress?: (progress: NoveltyProgress) => void;
  readonly progressMs?: number;
  /** Asked before each walk, where the time bound is: true ends the search (`interrupted`). */
  readonly interrupted?: () => boolean;
}

export interface NoveltyProgress {
  readonly statesVisited: number;
  readonly uniqueStates: number;
  /** Cells in the archive. */
  readonly cells: number;
  /** Steps of the longest path in the archive. */
  readonly depth: number;
  readonly elapsedMs: number;
}

export interface NoveltyOutcome {
  readonly statesVisited: number;
  readonly uniqueStates: number;
  readonly cells: number;
  readonly walks: number;
  readonly boundedBy: "time" | "states" | "exhausted" | "interrupted";
  readonly restore: "snapshot" | "replay";
  readonly hiddenState: boolean;
  /** The choices (as `World.choices()` lists them) from the initial state to the finding. */
  readonly found?: { readonly choices: readonly ScheduleStep[]; readonly finding: Finding };
}

/** Steps of one walk from a cell: long enough to cross from one cell to the next. */
const walkSteps = 8;

/** One archived cell: the shortest path known to it and the state at its end. */
interface Cell {
  path: readonly ScheduleStep[];
  state: WorldState | undefined;
  /** How many walks started here. */
  chosen: number;
  /** The fault budget left there (drops, duplicates, crashes and timeouts together). */
  readonly budgetLeft: number;
}

/** Walks from archived cells until a finding, the time or the state bound. */
export function noveltySearch(setup: WorldSetup, settings: NoveltySettings): NoveltyOutcome {
  return new NoveltySearch(setup, settings).run();
}

/** What one walk ended with: a finding, or nothing (the walk's steps ran out, or no step could). */
type WalkEnd = NoveltyOutcome["found"];

/** One novelty search: the archive of cells, the states seen, and the walks from the cells. */
class NoveltySearch {
  private readonly shared = new WorldShared();
  private readonly started: number;
  private readonly random: ReturnType<typeof randomStream>;
  private readonly visited = new FingerprintSet();
  private readonly live: World;
  private readonly restorable: boolean;
  private readonly cellPrint: (world: World) => Fingerprint;
  private readonly archive = new Map<string, Cell>();
  private readonly cells: Cell[] = [];
  private statesVisited = 1;
  private walks = 0;
  private depth = 0;
  private lastProgress: number;

  constructor(
    private readonly setup: WorldSetup,
    private readonly settings: NoveltySettings,
  ) {
    this.started = settings.now();
    this.lastProgress = this.started;
    this.random = randomStream(settings.seed, "explore/novelty");
    this.live = new World(setup, this.shared);
    this.restorable = settings.restore !== "replay" && this.live.restorable;
    this.cellPrint = cellHasher(this.live);
  }

  run(): NoveltyOutcome {
    const { live, settings } = this;
    const first = live.fingerprint();
    this.visited.visit(first.high, first.low);
    if (live.finding !== undefined) return this.outcome("time", { choices: [], finding: live.finding });
    this.remember(live, []);
    while (true) {
      const now = settings.now();
      if (now - this.started >= settings.timeMs) return this.outcome("time");
      if (this.visited.size >= settings.statesMax) return this.outcome("states");
      if (settings.interrupted?.() === true) return this.outcome("interrupted");
      this.progress(now);
      const cell = drawCell(this.cells, this.random.next());
      if (cell === undefined) return this.outcome("exhausted");
      const found = this.walk(cell);
      if (found !== undefined) return this.outcome("time", found);
    }
  }

  /** One walk of up to `walkSteps` random steps from `cell`, archiving each cell it reaches. */
  private walk(cell: Cell): WalkEnd {
    const { settings } = this;
    cell.chosen++;
    this.walks++;
    const world = this.restorable ? this.live : new World(this.setup, this.shared);
    if (cell.state !== undefined) world.restore(cell.state);
    else for (const step of cell.path) world.take(step);
    const path = [...cell.path];
    for (let step = 0; step < walkSteps && path.length < settings.depthMax; step++) {
      const choices = world.choices();
      if (choices.length === 0) {
        if (!world.deadlocked()) return undefined;
        return {
          choices: path,
          finding: {
            invariant: "explore.deadlock",
            message: "no step can run while a client waits for an answer",
          },
        };
      }
      const choice = choices[this.random.int(0, choices.length - 1)] as ScheduleStep;
      world.take(choice);
      path.push(choice);
      this.statesVisited++;
      const print: Fingerprint = world.fingerprint();
      this.visited.visit(print.high, print.low);
      if (world.finding !== undefined) return { choices: path, finding: world.finding };
      this.remember(world, path.slice());
    }
    return undefined;
  }

  /** Archives `world`'s cell with `path`, unless a path to that cell no longer than `path` is known. */
  private remember(world: World, path: readonly ScheduleStep[]): void {
    const { high, low } = this.cellPrint(world);
    const key = `${high}:${low}`;
    const known = this.archive.get(key);
    if (known !== undefined && known.path.length <= path.length) return;
    const state = this.restorable ? world.save() : undefined;
    if (known !== undefined) {
      known.path = path;
      known.state = state;
      return;
    }
    const cell: Cell = { path, state, chosen: 0, budgetLeft: world.budgetLeftTotal() };
    this.archive.set(key, cell);
    this.cells.push(cell);
    this.depth = Math.max(this.depth, path.length);
  }

  private progress(now: number): void {
    const { settings } = this;
    if (settings.onProgress === undefined || now - this.lastProgress < (settings.progressMs ?? 100)) return;
    this.lastProgress = now;
    settings.onProgress({
      statesVisited: this.statesVisited,
      uniqueStates: this.visited.size,
      cells: this.cells.length,
      depth: this.depth,
      elapsedMs: now - this.started,
    });
  }

  private outcome(boundedBy: NoveltyOutcome["boundedBy"], found?: NoveltyOutcome["found"]): NoveltyOutcome {
    return {
      statesVisited: this.statesVisited,
      uniqueStates: this.visited.size,
      cells: this.cells.length,
      walks: this.walks,
      boundedBy,
      restore: this.restorable ? "snapshot" : "replay",
      hiddenState: this.shared.hiddenState,
      ...(found === undefined ? {} : { found }),
    };
  }
}

/**
 * Draws a cell: weight 2^(budget left) / sqrt(1 + walks started there). `point` is in [0, 1).
 * Cells that can still fire a timer or lose a message have more schedules ahead of them.
 */
function drawCell(cells: readonly Cell[], point: number): Cell | undefined {
  let total = 0;
  for (const cell of cells) total += weightOf(cell);
  if (total <= 0) return undefined;
  let left = point * total;
  for (const cell of cells) {
    left -= weightOf(cell);
    if (left < 0) return cell;
  }
  return cells[cells.length - 1];
}

const weightOf = (cell: Cell): number => 2 ** Math.min(cell.budgetLeft, 16) / Math.sqrt(1 + cell.chosen);

/**
 * The cell of a world's current state: per node its description (or its object, when it
 * describes nothing), up or down; the fault budget left (and the node cut off, when isolations
 * are in the budget); per client whether it waits; the length of the history. Messages in
 * flight, timers and the clock are left out. Also the key of the `cells` strategy (search.ts),
 * which adds each node's durable storage (`storage`): a state stands for its whole cell there,
 * and what a node wrote durably (an acceptor's accepted proposals, a crashed node's whole future)
 * is often what a description leaves out.
 */
export function cellHasher(world: World, options: { storage?: boolean } = {}): (world: World) => Fingerprint {
  const storage = options.storage === true;
  const opaque = new Set<object>([world.kernel, world.history, world.options]);
  for (const node of world.nodeIds) {
    const context = world.kernel.contextOf(node);
    opaque.add(context);
    opaque.add(context.random);
    opaque.add(context.storage);
  }
  const hasher = new Hasher(opaque);
  return (current: World): Fingerprint => {
    hasher.reset();
    for (const node of current.nodeIds) hashNode(hasher, current, node, storage);
    const budget = current.budgetLeft();
    hasher.word(budget.drop);
    hasher.word(budget.duplicate);
    hasher.word(budget.crash);
    hasher.word(budget.timeouts);
    if ((budget.drift ?? 0) > 0) hasher.word(budget.drift ?? 0);
    if ((current.setup.budget.isolate ?? 0) > 0) {
      hasher.word(budget.isolate ?? 0);
      hasher.word(current.nodeIds.indexOf(current.isolatedNode ?? ""));
    }
    for (const client of current.clients) hasher.word(client.busy ? 1 : 0);
    hasher.word(current.history.events.length);
    return hasher.digest();
  };
}

function hashNode(hasher: Hasher, world: World, node: NodeId, storage: boolean): void {
  if (storage) hasher.value(world.kernel.storageOf(node).snapshot());
  if (!world.kernel.isUp(node)) {
    hasher.word(0);
    return;
  }
  hasher.word(1);
  const description = world.kernel.stateOf(node);
  hasher.value(description === undefined ? world.kernel.nodeObject(node) : description);
}
