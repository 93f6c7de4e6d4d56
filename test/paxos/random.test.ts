/**
 * Under random crashes, restarts, partitions, clogs, loss and duplication, correct Paxos never
 * breaks an invariant, and each deliberate bug is caught within a few hundred seeds.
 */
import { describe, expect, it } from "vitest";
import { paxosBugNames } from "../../protocols/paxos/bugs.js";
import { paxos } from "../../protocols/paxos/index.js";
import { Kernel } from "../../sim/kernel.js";
import type { Protocol } from "../../sim/node.js";
import { randomStream } from "../../sim/random.js";
import { TraceRecorder } from "../../sim/trace.js";
import { scheduleRandomFaults } from "./random-faults.js";

function runSeed(seed: number, bugs: readonly string[]): Kernel {
  const random = randomStream(BigInt(seed), "test-faults");
  const nodes = Array.from({ length: random.int(3, 5) }, (_, index) => `n${index + 1}`);
  const options = paxos.parseOptions({
    proposers: nodes.slice(0, random.int(2, 3)),
    backoff: random.chance(0.5),
    retryTimeout: random.int(5, 60) * 1_000,
    bugs,
  });
  const kernel = new Kernel({
    protocol: paxos as unknown as Protocol,
    options,
    nodes,
    clients: [],
    seed: BigInt(seed),
    network: {
      latency: { distribution: "uniform", minUs: 500, maxUs: 5_000 },
      loss: random.next() * 0.1,
      duplicate: random.next() * 0.2,
      fifo: false,
      links: [],
    },
    trace: new TraceRecorder({ hash: false, keep: false }),
  });
  kernel.startAll();
  scheduleRandomFaults(kernel, random, { endUs: 500_000, meanGapUs: 15_000, timer: "propose" });
  kernel.runUntil(1_000_000);
  return kernel;
}

describe("paxos under random faults", () => {
  it("the correct protocol stays safe on 200 seeds", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const kernel = runSeed(seed, []);
      expect(kernel.violations, `seed ${seed}`).toEqual([]);
    }
  });

  for (const bug of paxosBugNames) {
    it(`${bug} is caught within 300 seeds`, () => {
      let caught = false;
      for (let seed = 1; seed <= 300 && !caught; seed++) caught = runSeed(seed, [bug]).violations.length > 0;
      expect(caught).toBe(true);
    });
  }
});
