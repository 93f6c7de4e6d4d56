/**
 * A small seeded fault generator for the Paxos-family tests: it drives a `Kernel` with random
 * crashes, restarts, partitions, heals, clogs and timer firings, so a test can check that the
 * correct protocols stay safe under many schedules and that the deliberate bugs get caught.
 * (The project's fuzzer does this in general; this keeps the protocol tests self-contained.)
 */
import type { Kernel } from "../../sim/kernel.js";
import type { NodeId } from "../../sim/node.js";
import type { Rng } from "../../sim/random.js";

export interface RandomFaultOptions {
  readonly endUs: number;
  /** Mean time between faults. */
  readonly meanGapUs: number;
  /** Nodes that may crash (default all). */
  readonly crashable?: readonly NodeId[];
  /** The protocol's timer to fire early, if any. */
  readonly timer?: string;
}

/** Schedules random faults on `kernel` from `random`; call before `runUntil`. */
export function scheduleRandomFaults(kernel: Kernel, random: Rng, options: RandomFaultOptions): void {
  const nodes = kernel.nodeIds;
  const crashable = options.crashable ?? nodes;
  let timeUs = 0;
  for (let step = 0; step < 10_000; step++) {
    timeUs += Math.max(1, Math.round(random.exponential(options.meanGapUs)));
    if (timeUs >= options.endUs) break;
    const roll = random.next();
    const node = random.pick(nodes);
    if (roll < 0.2) {
      const victim = random.pick(crashable);
      kernel.schedule(timeUs, () => kernel.crash(victim));
      const downUs = random.int(1_000, 100_000);
      kernel.schedule(timeUs + downUs, () => kernel.restart(victim));
    } else if (roll < 0.35) {
      const shuffled = [...nodes];
      for (let index = shuffled.length - 1; index > 0; index--) {
        const other = random.int(0, index);
        [shuffled[index], shuffled[other]] = [shuffled[other] as NodeId, shuffled[index] as NodeId];
      }
      const cut = random.int(1, nodes.length - 1);
      const groups = [shuffled.slice(0, cut), shuffled.slice(cut)];
      kernel.schedule(timeUs, () => kernel.network.partition(groups));
    } else if (roll < 0.5) {
      kernel.schedule(timeUs, () => kernel.network.heal());
    } else if (roll < 0.65) {
      const other = random.pick(nodes.filter((n) => n !== node));
      const untilUs = timeUs + random.int(1_000, 50_000);
      const extraUs = random.int(1_000, 30_000);
      kernel.schedule(timeUs, () => kernel.network.clog(node, other, extraUs, untilUs, true));
    } else if (roll < 0.8 && options.timer !== undefined) {
      const timer = options.timer;
      kernel.schedule(timeUs, () => kernel.fireTimerNow(node, timer));
    }
  }
  kernel.schedule(options.endUs, () => {
    kernel.network.heal();
    for (const node of nodes) if (!kernel.isUp(node)) kernel.restart(node);
  });
}
