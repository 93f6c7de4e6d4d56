/**
 * Fault steps for the 6.5840-style Cluster, drawn by the fuzzer's own arbitrary (sim/fuzz), so
 * that these tests need no fault generator of their own: crashes (power losses included) with
 * their restarts, isolations and partitions with their heals, and forced election timeouts,
 * applied at their times while the test keeps handing commands to the servers.
 */
import fc from "fast-check";
import { raft } from "../../protocols/raft/index.js";
import { faultStepArbitrary } from "../../sim/fuzz/arbitraries.js";
import type { FaultStep, TargetRef } from "../../sim/fuzz/plan.js";
import { fuzzSettings } from "../../sim/fuzz/settings.js";
import type { Protocol } from "../../sim/node.js";
import { type Cluster, msUs } from "./cluster.js";

/** The fault kinds a Cluster can apply (it has no per-link faults). */
export type ClusterFaultKind = "crash" | "isolate" | "partition" | "timeout";

/** `count` steps of the given kinds for `servers` servers, in time order, from fast-check seed `seed`. */
export function faultSteps(options: {
  readonly servers: number;
  readonly kinds: ReadonlySet<ClusterFaultKind>;
  readonly count: number;
  readonly seed: number;
  readonly faultPhaseMs: number;
}): FaultStep[] {
  const settings = fuzzSettings(raft as unknown as Protocol, {
    nodesMin: options.servers,
    nodesMax: options.servers,
    faultPhaseMs: options.faultPhaseMs,
    durationMs: options.faultPhaseMs + 1_000,
  });
  const step = faultStepArbitrary(settings).filter((drawn) =>
    options.kinds.has(drawn.type as ClusterFaultKind),
  );
  const steps = fc.sample(step, { seed: options.seed, numRuns: options.count });
  return steps.sort((left, right) => left.atMs - right.atMs);
}

/**
 * Runs `cluster` through `steps`: before each step it runs the cluster up to the step's time
 * (applying the restarts and heals due by then) and calls `beforeStep`, then applies the step.
 * As in the lab's Figure 8 tests, a majority stays up and connected: when a step leaves fewer,
 * the servers that failed first come back at once. Undo steps still pending at the end are left
 * undone: the test heals what it needs.
 */
export function runFaultSteps(
  cluster: Cluster,
  steps: readonly FaultStep[],
  beforeStep: (step: FaultStep) => void,
): void {
  const undos: Array<{ atMs: number; undo: () => void }> = [];
  /** Servers down or cut off, in the order they failed. */
  const failedFirst: string[] = [];
  let nowMs = 0;
  const runTo = (atMs: number) => {
    undos.sort((left, right) => left.atMs - right.atMs);
    while (undos.length > 0 && (undos[0] as { atMs: number }).atMs <= atMs) {
      const due = undos.shift() as { atMs: number; undo: () => void };
      cluster.run((due.atMs - nowMs) * msUs);
      nowMs = due.atMs;
      due.undo();
    }
    cluster.run((atMs - nowMs) * msUs);
    nowMs = atMs;
  };
  for (const step of steps) {
    runTo(step.atMs);
    beforeStep(step);
    const undo = applyStep(cluster, step);
    const undoAfterMs = undoDelay(step);
    if (undo !== undefined && undoAfterMs !== null) undos.push({ atMs: step.atMs + undoAfterMs, undo });
    keepMajority(cluster, failedFirst);
  }
}

/** Brings back the servers that failed first until a majority is up and connected. */
function keepMajority(cluster: Cluster, failedFirst: string[]): void {
  const serving = (id: string) => cluster.isUp(id) && cluster.isConnected(id);
  for (const id of cluster.ids) if (!serving(id) && !failedFirst.includes(id)) failedFirst.push(id);
  const majority = Math.floor(cluster.ids.length / 2) + 1;
  while (cluster.ids.filter(serving).length < majority) {
    const id = failedFirst.shift() as string;
    if (!cluster.isUp(id)) cluster.restart(id);
    cluster.connect(id);
  }
  for (let index = failedFirst.length - 1; index >= 0; index--) {
    if (serving(failedFirst[index] as string)) failedFirst.splice(index, 1);
  }
}

function undoDelay(step: FaultStep): number | null {
  if (step.type === "crash") return step.restartAfterMs;
  if (step.type === "isolate" || step.type === "partition") return step.healAfterMs;
  return null;
}

/** Applies one step now; returns its undo, if it has one. */
function applyStep(cluster: Cluster, step: FaultStep): (() => void) | undefined {
  switch (step.type) {
    case "crash": {
      const id = resolve(cluster, step.target);
      if (id === undefined || !cluster.isUp(id)) return undefined;
      cluster.crash(id, { loseUnsynced: step.loseUnsynced });
      return () => {
        if (!cluster.isUp(id)) cluster.restart(id);
      };
    }
    case "isolate": {
      const id = resolve(cluster, step.target);
      if (id === undefined) return undefined;
      cluster.disconnect(id);
      return () => cluster.connect(id);
    }
    case "partition": {
      // The Cluster cuts a server off from everyone: the minority's servers are each cut off.
      const count = cluster.ids.length;
      const minority = Array.from(
        { length: step.minority },
        (_, k) => cluster.ids[(step.offset + k) % count] as string,
      );
      for (const id of minority) cluster.disconnect(id);
      return () => {
        for (const id of minority) cluster.connect(id);
      };
    }
    case "timeout": {
      const id = resolve(cluster, step.target);
      if (id !== undefined && cluster.isUp(id)) cluster.kernel.fireTimerNow(id, "election");
      return undefined;
    }
    default:
      return undefined;
  }
}

/** A server by index, or the live leader (highest term), or the first live follower. */
function resolve(cluster: Cluster, target: TargetRef): string | undefined {
  if (typeof target === "number") return cluster.ids[target % cluster.ids.length];
  const live = cluster.ids.filter((id) => cluster.isUp(id));
  const leaders = live
    .filter((id) => cluster.node(id)?.role === "leader")
    .sort((left, right) => (cluster.node(right)?.currentTerm ?? 0) - (cluster.node(left)?.currentTerm ?? 0));
  if (target === "leader") return leaders[0];
  return live.find((id) => !leaders.includes(id));
}
