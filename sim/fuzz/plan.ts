/**
 * Fuzz plans: the structured data the fuzzer generates and shrinks, and the one function that
 * turns a plan into an ordinary `Scenario`.
 *
 * A plan says how many nodes, which simulation seed, which protocol options, the network, an
 * optional background workload and a list of fault steps, each at a time in milliseconds. Nodes
 * are referred to by index and resolved modulo the cluster size, so that shrinking the cluster
 * never makes a step invalid. A step may carry its own undo (a crash its restart, a partition its
 * heal), because "crash, then restart 300 ms later" shrinks better as one unit than as two
 * independent actions.
 *
 * After the fault phase comes an optional quiet phase: heal every link, restart every crashed
 * node and resume every paused one, then let the cluster settle. Liveness checks (opt-in) need it:
 * they demand a leader before the run ends. Safety-only campaigns may shrink it away.
 */
import type { WorkloadSpec } from "../clients.js";
import type { LatencySpec } from "../network.js";
import type { FaultAction, Scenario } from "../scenario/schema.js";

/** A node by index (0-based, taken modulo the cluster size), or a symbolic target. */
export type TargetRef = "leader" | "follower" | number;

export type FaultStep = {
  readonly atMs: number;
  /**
   * The step waits, from `atMs`, for the next new leader and happens this long after it (its
   * undo too keeps its delay after that moment): a fault aimed at the moment a leader is elected,
   * whenever that is.
   */
  readonly afterNewLeaderMs?: number;
  /** With `afterNewLeaderMs`: the step waits for this many new leaders (default 1). */
  readonly nthNewLeader?: number;
} & (
  | {
      readonly type: "crash";
      readonly target: TargetRef;
      readonly restartAfterMs: number | null;
      /** The crash also loses the writes the node has not synced (a power loss). */
      readonly loseUnsynced: boolean;
    }
  | {
      readonly type: "partition";
      /** Size of the first group (a minority); the rest form the second group. */
      readonly minority: number;
      readonly offset: number;
      readonly healAfterMs: number | null;
    }
  | {
      readonly type: "bridge";
      /** The node that still reaches both halves. */
      readonly bridge: number;
      readonly offset: number;
      readonly healAfterMs: number | null;
    }
  | {
      readonly type: "cut";
      readonly from: number;
      readonly to: number;
      readonly oneWay: boolean;
      readonly healAfterMs: number | null;
    }
  | {
      readonly type: "isolate";
      readonly target: TargetRef;
      readonly healAfterMs: number | null;
      /** Heal every partition and cut first: the isolation moves to this node. */
      readonly healFirst?: boolean;
    }
  | {
      readonly type: "clog";
      readonly from: number;
      readonly to: number;
      readonly oneWay: boolean;
      readonly delayMs: number;
      readonly forMs: number;
    }
  | {
      readonly type: "burst";
      readonly lossPermille: number;
      readonly duplicatePermille: number;
      readonly forMs: number;
    }
  | { readonly type: "pause"; readonly node: number; readonly resumeAfterMs: number | null }
  | {
      readonly type: "drift";
      readonly node: number;
      readonly ratePercent: number;
      /** The clock of the leader at that moment instead of `node`'s (skipped when there is none). */
      readonly leader?: boolean;
    }
  | { readonly type: "timeout"; readonly target: TargetRef }
);

export type LatencyPlan =
  | { readonly kind: "constant"; readonly ms: number }
  | { readonly kind: "uniform"; readonly minMs: number; readonly spreadMs: number }
  | { readonly kind: "exponential"; readonly meanMs: number; readonly maxMs: number };

export interface NetworkPlan {
  readonly latency: LatencyPlan;
  readonly lossPermille: number;
  readonly duplicatePermille: number;
  readonly fifo: boolean;
}

export interface WorkloadPlan {
  readonly clients: number;
  readonly ratePerSecond: number;
  readonly keys: number;
}

export interface FuzzPlan {
  readonly nodes: number;
  /** The simulation seed of the run. */
  readonly seed: number;
  /** Protocol options other than `bugs` (those are fixed by the campaign). */
  readonly options: Readonly<Record<string, unknown>>;
  readonly network: NetworkPlan;
  readonly workload: WorkloadPlan | null;
  readonly faults: readonly FaultStep[];
  /** Heal, restart and resume everything when the fault phase ends. */
  readonly quiet: boolean;
}

/**
 * What a campaign fuzzes, as plain data (it crosses into worker threads). `fuzzSettings` in
 * ./settings.ts derives it from a protocol.
 */
export interface FuzzSettings {
  /** The protocol's name in the registry the runs use. */
  readonly protocol: string;
  /** Deliberate bugs switched on in every run. */
  readonly bugs: readonly string[];
  readonly nodesMin: number;
  readonly nodesMax: number;
  /** The workload's operation mix; absent when the protocol has no client side. */
  readonly operations?: Readonly<Record<string, number>>;
  /** Whether the protocol names an election timer (enables `timeout` steps). */
  readonly electionTimer: boolean;
  /** Extra protocol options and their values; the first value of each is where shrinking goes. */
  readonly optionChoices: Readonly<Record<string, readonly unknown[]>>;
  /** Every fault step starts before this time. */
  readonly faultPhaseMs: number;
  /** Length of each run. */
  readonly durationMs: number;
  /** Every run has a workload (otherwise most do). */
  readonly workloadRequired?: boolean;
  /** Most fault steps in a generated plan. */
  readonly faultStepsMax: number;
  /**
   * Check liveness: keep the quiet phase, check the protocol's liveness invariants, and demand a
   * leader `livenessDeadlineMs` after it where the protocol has one to demand (`leaders`).
   */
  readonly liveness: boolean;
  /** Whether the protocol declares roles that lead and an election timer that makes a leader. */
  readonly leaders: boolean;
  readonly livenessDeadlineMs: number;
  /**
   * Swarm testing (./swarm.ts): each run draws which fault kinds, rates, network shapes, sizes
   * and options it uses. Off: every run draws from the same uniform mix.
   */
  readonly swarm?: boolean;
  /**
   * Runs record their coverage (./coverage.ts). Guided search steers by it; uniform search only
   * measures it when asked (`--no-swarm --coverage`): recording it cost about 5% of a uniform
   * Raft campaign's throughput, for a figure that search does not use.
   */
  readonly coverage?: boolean;
  /** The deliberate bugs' own fuzz hints were left out (`--no-hints`). */
  readonly noHints?: boolean;
}

/** Notes on generated actions say where they came from. */
export const quietNote = "quiet phase";

function nodeName(index: number, nodes: number): string {
  return `n${(((index % nodes) + nodes) % nodes) + 1}`;
}

function targetName(target: TargetRef, nodes: number): string {
  return typeof target === "number" ? nodeName(target, nodes) : target;
}

function latencySpec(plan: LatencyPlan): LatencySpec {
  switch (plan.kind) {
    case "constant":
      return { distribution: "constant", valueUs: plan.ms * 1_000 };
    case "uniform":
      return {
        distribution: "uniform",
        minUs: plan.minMs * 1_000,
        maxUs: (plan.minMs + plan.spreadMs) * 1_000,
      };
    case "exponential":
      return {
        distribution: "exponential",
        meanUs: plan.meanMs * 1_000,
        minUs: 0,
        maxUs: Math.max(plan.meanMs, plan.maxMs) * 1_000,
      };
  }
}

/** The two groups of a partition whose first group has `size` nodes starting at `offset`. */
function split(nodes: readonly string[], size: number, offset: number): string[][] {
  const count = nodes.length;
  const first: string[] = [];
  const taken = new Set<number>();
  for (let step = 0; step < size; step++) {
    const index = (((offset + step) % count) + count) % count;
    taken.add(index);
    first.push(nodes[index] as string);
  }
  const second = nodes.filter((_, index) => !taken.has(index));
  first.sort(byNodeNumber);
  return [first, second];
}

function byNodeNumber(a: string, b: string): number {
  return Number(a.slice(1)) - Number(b.slice(1));
}

/** What `planFaults` has gathered so far while it walks a plan's steps. */
interface Timeline {
  readonly plan: FuzzPlan;
  readonly settings: FuzzSettings;
  readonly nodes: readonly string[];
  readonly phaseEndUs: number;
  readonly actions: FaultAction[];
  crashes: number;
  restarts: number;
  /** Some step touched the network, so the quiet phase heals it. */
  network: boolean;
  /** Paused nodes no step resumes. */
  readonly pausedForever: string[];
}

/** The timeline of a plan: each step's actions, then the quiet phase. Sorted by time, stably. */
export function planFaults(plan: FuzzPlan, settings: FuzzSettings): FaultAction[] {
  const timeline: Timeline = {
    plan,
    settings,
    nodes: Array.from({ length: plan.nodes }, (_, index) => `n${index + 1}`),
    phaseEndUs: settings.faultPhaseMs * 1_000,
    actions: [],
    crashes: 0,
    restarts: 0,
    network: false,
    pausedForever: [],
  };
  for (const step of plan.faults) {
    const first = timeline.actions.length;
    addStepActions(timeline, step);
    if (step.afterNewLeaderMs !== undefined) waitForNewLeader(timeline.actions, first, step);
  }
  if (plan.quiet || settings.liveness) addQuietPhase(timeline);
  return sortedByTime(timeline.actions);
}

/**
 * Makes the actions of `step` (from index `first` on) wait for the next new leader from the
 * step's time: the step's own action `afterNewLeaderMs` after it, its undo as much later again as
 * it would have come after the step.
 */
function waitForNewLeader(actions: FaultAction[], first: number, step: FaultStep): void {
  const atUs = step.atMs * 1_000;
  const delayUs = (step.afterNewLeaderMs ?? 0) * 1_000;
  for (let index = first; index < actions.length; index++) {
    const action = actions[index] as FaultAction;
    actions[index] = {
      ...action,
      atUs,
      afterNewLeaderUs: delayUs + Math.max(0, action.atUs - atUs),
      ...(step.nthNewLeader === undefined || step.nthNewLeader === 1
        ? {}
        : { nthNewLeader: step.nthNewLeader }),
    };
  }
}

/** The time `afterMs` after `atMs`, kept inside the fault phase. */
function undoTimeUs(timeline: Timeline, atMs: number, afterMs: number): number {
  return Math.min(timeline.phaseEndUs, (atMs + afterMs) * 1_000);
}

function addStepActions(timeline: Timeline, step: FaultStep): void {
  switch (step.type) {
    case "crash":
      addCrash(timeline, step);
      break;
    case "partition":
    case "bridge":
    case "cut":
    case "isolate":
      addNetworkFault(timeline, step);
      break;
    case "clog":
    case "burst":
      addMessageFault(timeline, step);
      break;
    case "pause":
    case "drift":
    case "timeout":
      addNodeFault(timeline, step);
      break;
  }
}

function addCrash(timeline: Timeline, step: FaultStep & { type: "crash" }): void {
  const { plan, actions } = timeline;
  const atUs = Math.min(timeline.phaseEndUs, step.atMs * 1_000);
  const target = targetName(step.target, plan.nodes);
  timeline.crashes++;
  actions.push({
    atUs,
    kind: "crash",
    crash: target,
    ...(step.loseUnsynced ? { loseUnsynced: true } : {}),
  });
  if (step.restartAfterMs !== null) {
    const restart = typeof step.target === "number" ? target : "crashed";
    timeline.restarts++;
    actions.push({ atUs: undoTimeUs(timeline, step.atMs, step.restartAfterMs), kind: "restart", restart });
  }
}

/** Partitions, bridges, cut links and isolated nodes: each may heal, and the quiet phase heals them. */
function addNetworkFault(
  timeline: Timeline,
  step: FaultStep & { type: "partition" | "bridge" | "cut" | "isolate" },
): void {
  const { plan, actions } = timeline;
  const atUs = Math.min(timeline.phaseEndUs, step.atMs * 1_000);
  if (step.type === "partition" || step.type === "bridge") {
    const groups = partitionGroups(timeline, step);
    if (groups.length < 2 || groups.some((group) => group.length === 0)) return;
    actions.push({ atUs, kind: "partition", partition: groups });
  } else if (step.type === "cut") {
    const from = nodeName(step.from, plan.nodes);
    const to = otherNodeName(step.from, step.to, plan.nodes);
    if (to === from) return;
    actions.push({ atUs, kind: "cut", cut: { from, to, oneWay: step.oneWay } });
  } else {
    if (step.healFirst === true) actions.push({ atUs, kind: "heal", heal: true });
    actions.push({ atUs, kind: "isolate", isolate: targetName(step.target, plan.nodes) });
  }
  timeline.network = true;
  if (step.healAfterMs !== null) {
    actions.push({ atUs: undoTimeUs(timeline, step.atMs, step.healAfterMs), kind: "heal", heal: true });
  }
}

/** The groups of a partition or a bridge; fewer than two when the cluster is too small. */
function partitionGroups(timeline: Timeline, step: FaultStep & { type: "partition" | "bridge" }): string[][] {
  const { plan, nodes } = timeline;
  if (step.type === "partition") {
    const size = Math.max(1, Math.min(step.minority, Math.floor(plan.nodes / 2)));
    return split(nodes, size, step.offset);
  }
  const bridge = nodeName(step.bridge, plan.nodes);
  const others = nodes.filter((node) => node !== bridge);
  return others.length < 2 ? [] : split(others, Math.ceil(others.length / 2), step.offset);
}

/** The far end of a link from `from`: `to`, or the next node when both name the same one. */
function otherNodeName(from: number, to: number, nodes: number): string {
  const fromName = nodeName(from, nodes);
  const toName = nodeName(to, nodes);
  return toName === fromName ? nodeName(from + 1, nodes) : toName;
}

/**
 * Clogged links and loss bursts: they end by themselves, the quiet phase leaves them alone. Their
 * length is drawn from the whole fault phase and cut to end with the run, as a scenario file
 * must have it. One of no length, or a clog of no delay (a corpus file's `forMs: 0` or
 * `delayMs: 0`; the fuzzer draws neither), would do nothing, and a scenario file refuses it: it is
 * left out.
 */
function addMessageFault(timeline: Timeline, step: FaultStep & { type: "clog" | "burst" }): void {
  const { plan, actions } = timeline;
  const atUs = Math.min(timeline.phaseEndUs, step.atMs * 1_000);
  const forUs = Math.min(step.forMs * 1_000, timeline.settings.durationMs * 1_000 - atUs);
  if (forUs <= 0) return;
  if (step.type === "clog") {
    const from = nodeName(step.from, plan.nodes);
    const to = otherNodeName(step.from, step.to, plan.nodes);
    if (to === from || step.delayMs <= 0) return;
    actions.push({
      atUs,
      kind: "clog",
      clog: {
        link: { from, to, oneWay: step.oneWay },
        delay: step.delayMs * 1_000,
        for: forUs,
      },
    });
    return;
  }
  actions.push({
    atUs,
    kind: "burst",
    burst: {
      loss: step.lossPermille / 1_000,
      duplicate: step.duplicatePermille / 1_000,
      for: forUs,
    },
  });
}

/** Paused nodes, drifting clocks and forced election timeouts. */
function addNodeFault(timeline: Timeline, step: FaultStep & { type: "pause" | "drift" | "timeout" }): void {
  const { plan, actions } = timeline;
  const atUs = Math.min(timeline.phaseEndUs, step.atMs * 1_000);
  if (step.type === "pause") {
    const node = nodeName(step.node, plan.nodes);
    actions.push({ atUs, kind: "pause", pause: node });
    if (step.resumeAfterMs !== null) {
      actions.push({
        atUs: undoTimeUs(timeline, step.atMs, step.resumeAfterMs),
        kind: "resume",
        resume: node,
      });
    } else if (!timeline.pausedForever.includes(node)) {
      timeline.pausedForever.push(node);
    }
  } else if (step.type === "drift") {
    actions.push({
      atUs,
      kind: "drift",
      drift: {
        node: step.leader === true ? "leader" : nodeName(step.node, plan.nodes),
        rate: step.ratePercent / 100,
      },
    });
  } else if (timeline.settings.electionTimer) {
    actions.push({ atUs, kind: "timeout", timeout: targetName(step.target, plan.nodes) });
  }
}

/** When the fault phase ends: heal the network, restart the crashed nodes, resume the paused ones. */
function addQuietPhase(timeline: Timeline): void {
  const { actions, phaseEndUs } = timeline;
  const note = quietNote;
  if (timeline.network) actions.push({ atUs: phaseEndUs, kind: "heal", heal: true, note });
  for (let crash = 0; crash < timeline.crashes - timeline.restarts; crash++) {
    actions.push({ atUs: phaseEndUs, kind: "restart", restart: "crashed", note });
  }
  for (const node of timeline.pausedForever.sort(byNodeNumber)) {
    actions.push({ atUs: phaseEndUs, kind: "resume", resume: node, note });
  }
}

/** Stable: actions at the same time keep their order, as the scenario loader keeps it. */
function sortedByTime(actions: readonly FaultAction[]): FaultAction[] {
  return actions
    .map((action, index) => ({ action, index }))
    .sort((a, b) => a.action.atUs - b.action.atUs || a.index - b.index)
    .map(({ action }) => action);
}

/** Everything a scenario needs besides what the plan says. */
export interface ScenarioLabels {
  readonly name: string;
  readonly summary?: string;
  readonly description?: string;
  readonly expectViolates?: readonly string[];
}

/** Turns a plan into a scenario. Deterministic: the same plan gives the same scenario. */
export function planScenario(plan: FuzzPlan, settings: FuzzSettings, labels: ScenarioLabels): Scenario {
  const durationUs = settings.durationMs * 1_000;
  const operations = settings.operations;
  const workload: WorkloadSpec | undefined =
    plan.workload === null || operations === undefined
      ? undefined
      : {
          clients: plan.workload.clients,
          ratePerSecond: plan.workload.ratePerSecond,
          mix: { ...operations },
          keys: Array.from({ length: plan.workload.keys }, (_, index) => `k${index}`),
          startUs: 0,
          stopUs: durationUs,
          timeoutUs: 1_000_000,
          attemptTimeoutUs: 200_000,
        };
  const options: Record<string, unknown> = {};
  for (const key of Object.keys(plan.options).sort()) options[key] = plan.options[key];
  if (settings.bugs.length > 0) options.bugs = [...settings.bugs];
  const expect: Scenario["expect"] = {
    ...(labels.expectViolates === undefined ? {} : { violates: labels.expectViolates }),
    ...(settings.liveness && settings.leaders
      ? { leader: { by: (settings.faultPhaseMs + settings.livenessDeadlineMs) * 1_000 } }
      : {}),
  };
  return {
    name: labels.name,
    protocol: settings.protocol,
    summary: labels.summary ?? "",
    description: labels.description ?? "",
    nodes: plan.nodes,
    seed: BigInt(plan.seed),
    durationUs,
    options,
    network: {
      latency: latencySpec(plan.network.latency),
      loss: plan.network.lossPermille / 1_000,
      duplicate: plan.network.duplicatePermille / 1_000,
      fifo: plan.network.fifo,
      links: [],
    },
    workload,
    faults: planFaults(plan, settings),
    expect,
  };
}
