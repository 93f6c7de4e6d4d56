/**
 * Swarm testing: each run draws which fault kinds, rates, network shapes, cluster sizes and
 * protocol options are switched on, so that some runs are all crashes, some all partitions, some
 * lossy, some quiet, instead of every run being the same even mix. A bug that needs many
 * partitions and no crash in between is rare in a uniform mix and common in a partition swarm.
 * (Groce et al., "Swarm Testing", ISSTA 2012; TigerBeetle's VOPR draws its options per seed.)
 *
 * The swarm of a run is a pure function of the run's fast-check seed: the plan arbitrary of a
 * run is built from its swarm, and fast-check's shrinker then works on the plan as always (the
 * swarm only narrows what was generated). `--fc-seed N --fc-path P` therefore rebuilds the swarm
 * along with the plan.
 */
import { randomStream } from "../random.js";
import type { FaultStep, FuzzSettings, LatencyPlan } from "./plan.js";

export type FaultKind = FaultStep["type"];

/** Every fault step kind, in the order the plan arbitrary lists them. */
export const faultKinds: readonly FaultKind[] = [
  "crash",
  "partition",
  "bridge",
  "cut",
  "isolate",
  "clog",
  "burst",
  "pause",
  "drift",
  "timeout",
];

/** A swarm's theme: which family of faults it draws from. */
export type SwarmTheme =
  | "uniform"
  | "mixed"
  | "single"
  | "crashes"
  | "partitions"
  | "lossy"
  | "clocks"
  | "leaders"
  | "leases"
  | "voters"
  | "quiet";

const themeKinds: Readonly<
  Record<Exclude<SwarmTheme, "mixed" | "single" | "uniform">, readonly FaultKind[]>
> = {
  crashes: ["crash", "pause", "timeout"],
  leaders: ["isolate", "crash", "drift"],
  leases: ["isolate", "drift"],
  voters: ["isolate", "crash"],
  partitions: ["partition", "bridge", "cut", "isolate"],
  lossy: ["burst", "clog"],
  clocks: ["drift", "timeout", "pause"],
  quiet: [],
};

/**
 * Themes and how often each is drawn. The uniform mix is the most common single theme: a bug
 * that needs two kinds the narrower themes keep apart (two-phase commit's unforced vote needs the
 * coordinator cut off and a participant's power loss) is found by the uniform mix alone, and with
 * it at 4 in 18 guided search needed about four times the runs of uniform search for such a bug.
 */
const themes: ReadonlyArray<readonly [SwarmTheme, number]> = [
  // (Weights are doubled from an earlier list, so that a theme could be carved out of two of
  // them, each at its end, while every other theme keeps the very runs it drew.)
  // Every kind at the uniform search's own rates: what swarm testing narrows, kept as one choice.
  ["uniform", 15],
  // Cut off a leader that may hold a lease while a clock drifts a little: its own slowed, or
  // another node's sped up, within what a lease design claims to tolerate. Drifts drawn from the
  // whole range, at fixed times, meet a leader cut off only by luck, and mostly exceed any such
  // bound. (Carved out of the uniform mix here and of the clocks theme below.)
  ["leases", 1],
  // Each kind on or off by a coin (swarm testing proper): a bug that needs two kinds together,
  // say a power loss and a partition, is in a quarter of these runs.
  ["mixed", 12],
  // One kind alone, many times over: a bridge node between dueling leaders, a node crashed and
  // restarted again and again.
  ["single", 4],
  ["crashes", 2],
  // Crash a voter right after each of a few elections and restart it at once, while a node cut
  // off during the election may still campaign in the same term: a voter that does not keep its
  // vote across the restart votes twice. Crashes at fixed times meet an election's aftermath only
  // by luck. (Carved out of the crashes theme, so every other theme is drawn as before.)
  ["voters", 2],
  ["partitions", 4],
  ["lossy", 2],
  ["clocks", 1],
  ["leases", 1],
  // Chase the leaders: each step waits for the next new leader and isolates or crashes it a few
  // milliseconds after its election, whenever that comes. A bug that needs a quick succession of
  // leaders, each cut off before it replicates (Raft's Figure 8), needs several faults each timed
  // to an election: a fixed time hits such a window only by luck.
  ["leaders", 6],
  ["quiet", 2],
];

/** Most isolations or crashes in a chase of leaders (the `leaders` theme). */
export const chaseStepsMax = 5;

/** What one run may generate: a narrowing of the campaign's settings. Plain data. */
export interface Swarm {
  readonly theme: SwarmTheme;
  /** Fault step kinds this run draws from (empty: no faults). */
  readonly faultKinds: readonly FaultKind[];
  /** Most fault steps. */
  readonly faultStepsMax: number;
  /** Fault times fall into this many slots of the fault phase: fewer slots, more coincidences. */
  readonly timeSlots: number;
  /** One undo step (restart, heal, resume) is left out in this many. */
  readonly undoLeftOutOneIn: number;
  /** Longest delay before an undo step. */
  readonly undoMsMax: number;
  readonly nodesMin: number;
  readonly nodesMax: number;
  /** Per protocol option, the values this run draws from (a non-empty subset of the campaign's). */
  readonly optionChoices: Readonly<Record<string, readonly unknown[]>>;
  readonly latencyKinds: readonly LatencyPlan["kind"][];
  readonly lossy: boolean;
  readonly duplicating: boolean;
  /** FIFO links: always, never, or either. */
  readonly fifo: "always" | "never" | "either";
}

function weighted<T>(random: { next(): number }, items: ReadonlyArray<readonly [T, number]>): T {
  const total = items.reduce((sum, [, weight]) => sum + weight, 0);
  let draw = random.next() * total;
  for (const [item, weight] of items) {
    draw -= weight;
    if (draw < 0) return item;
  }
  return (items[items.length - 1] as readonly [T, number])[0];
}

/**
 * The swarm of the run whose fast-check seed is `fcSeed`, or undefined when the run draws from
 * the uniform mix (the `uniform` theme).
 */
export function drawSwarm(settings: FuzzSettings, fcSeed: number): Swarm | undefined {
  const random = randomStream(BigInt(fcSeed), "fuzz/swarm");
  const available = faultKinds.filter((kind) => kind !== "timeout" || settings.electionTimer);
  // Steps that wait for a new leader may run after the fault phase: not under liveness checks.
  const drawn = weighted(random, settings.liveness ? themes.filter(([name]) => name !== "leaders") : themes);
  // Under liveness checks the voters' share goes back to the crashes theme it was carved from,
  // and the leases' to the clocks theme (their steps too wait for a new leader).
  const theme =
    settings.liveness && drawn === "voters"
      ? "crashes"
      : settings.liveness && drawn === "leases"
        ? "clocks"
        : drawn;
  if (theme === "uniform") return undefined;
  let kinds: FaultKind[];
  if (theme === "mixed") {
    kinds = available.filter(() => random.chance(0.5));
    if (kinds.length === 0) kinds = [random.pick(available)];
  } else if (theme === "single") {
    kinds = [random.pick(available)];
  } else {
    kinds = themeKinds[theme].filter((kind) => available.includes(kind));
  }
  const drawnStepsMax =
    kinds.length === 0 ? 0 : random.pick([2, 4, settings.faultStepsMax, 2 * settings.faultStepsMax]);
  // A chase of leaders is two to five steps (arbitraries.ts), whatever was drawn, and may open
  // with a clock skew; a chase of voters is one to five pairs of steps after a first isolation;
  // a chase of a lease holder is a skew and an isolation.
  const faultStepsMax =
    theme === "leaders"
      ? chaseStepsMax + 1
      : theme === "voters"
        ? 2 * chaseStepsMax + 1
        : theme === "leases"
          ? 2
          : drawnStepsMax;
  const timeSlots = random.pick([2, 4, 8, 16]);
  const undoLeftOutOneIn = random.pick([2, 4, 4, 16]);
  const undoMsMax = random.pick([20, 200, settings.faultPhaseMs, settings.faultPhaseMs]);
  const sizes = random.next();
  const [nodesMin, nodesMax] =
    sizes < 0.4
      ? [settings.nodesMin, settings.nodesMin]
      : sizes < 0.6
        ? [settings.nodesMax, settings.nodesMax]
        : [settings.nodesMin, settings.nodesMax];
  const optionChoices: Record<string, readonly unknown[]> = {};
  for (const key of Object.keys(settings.optionChoices).sort()) {
    const values = settings.optionChoices[key] ?? [];
    optionChoices[key] = values.length > 1 && random.chance(0.5) ? [random.pick(values)] : values;
  }
  const latency: LatencyPlan["kind"][] = ["constant", "uniform", "exponential"];
  const latencyKinds = random.chance(0.5) ? [random.pick(latency)] : latency;
  const lossy = theme === "lossy" || random.chance(0.2);
  const duplicating = random.chance(theme === "lossy" ? 0.5 : 0.2);
  const fifo = random.pick(["always", "never", "either"] as const);
  return {
    theme,
    faultKinds: kinds,
    faultStepsMax,
    timeSlots,
    undoLeftOutOneIn,
    undoMsMax,
    nodesMin,
    nodesMax,
    optionChoices,
    latencyKinds,
    lossy,
    duplicating,
    fifo,
  };
}
