/**
 * Under the fuzzer's faults (crashes, power losses, restarts, partitions, clogs, loss and
 * duplication, from sim/fuzz), correct Paxos never breaks an invariant, and each deliberate bug is
 * caught, within a few hundred runs, by an invariant it declares.
 */
import { describe, expect, it } from "vitest";
import { paxosBugNames } from "../../protocols/paxos/bugs.js";
import { bugNamed, firstFailure } from "../support/fuzz-runs.js";

describe("paxos under the fuzzer's faults", () => {
  it("the correct protocol stays safe on 200 runs", () => {
    expect(firstFailure("paxos", { runs: 200 })).toBeUndefined();
  });

  for (const bug of paxosBugNames) {
    it(`${bug} is caught within 600 runs, by an invariant it declares`, () => {
      const found = firstFailure("paxos", { bugs: [bug], runs: 600 });
      expect(found, `no run up to 600 exposed ${bug}`).toBeDefined();
      expect(bugNamed("paxos", bug).breaks).toContain(found?.failure.invariant);
    });
  }
});
