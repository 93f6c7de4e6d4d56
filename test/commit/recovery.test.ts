/**
 * Recovery and the local vote rule, driven through the kernel directly: what a crashed
 * coordinator or participant rebuilds from its log (Bernstein, Hadzilacos, Goodman ch. 7 §7.4),
 * and how locks held by an uncertain participant turn later transactions into No votes.
 */
import { describe, expect, test } from "vitest";
import { quorumThreePhaseCommit } from "../../protocols/three-phase-commit/index.js";
import { twoPhaseCommit } from "../../protocols/two-phase-commit/index.js";
import type { Kernel } from "../../sim/kernel.js";
import { runCommit, violated } from "./harness.js";

const oneTransaction = { transactions: { count: 1 }, voteNoProbability: 0 };

describe("two-phase commit recovery", () => {
  test("a coordinator that logged COMMIT resends it after a restart", () => {
    const run = runCommit({
      protocol: twoPhaseCommit,
      options: oneTransaction,
      durationUs: 1_000_000,
      faults: [
        // COMMIT (sent at 2 ms) reaches nobody; the votes (sent at 1 ms) still arrive.
        ...["n2", "n3", "n4"].map(
          (to) => [1_500, (kernel: Kernel) => kernel.network.cutLink("n1", to, true)] as const,
        ),
        [2_500, (kernel) => kernel.crash("n1")],
        [20_000, (kernel) => kernel.network.heal()],
        [20_000, (kernel) => kernel.restart("n1")],
      ],
    });
    expect(violated(run)).toEqual([]);
    expect(Object.fromEntries(run.decisions.get(1) ?? [])).toEqual({
      n1: "commit",
      n2: "commit",
      n3: "commit",
      n4: "commit",
    });
    // Learned from the resent COMMIT at about 21 ms, before any decision timeout (100 ms).
    expect(run.figures.maxUncertainUs).toBeLessThan(50_000);
    expect(run.kernel.storageOf("n1").list("log")).toContain("end 1");
  });

  test("a participant that crashed after voting Yes is uncertain again on restart and asks", () => {
    const run = runCommit({
      protocol: twoPhaseCommit,
      options: oneTransaction,
      durationUs: 1_000_000,
      faults: [
        [1_500, (kernel) => kernel.crash("n2")], // voted Yes at 1 ms, misses COMMIT at 3 ms
        [300_000, (kernel) => kernel.restart("n2")],
      ],
    });
    expect(violated(run)).toEqual([]);
    expect(run.decisions.get(1)?.get("n2")).toBe("commit");
    expect(run.kernel.storageOf("n2").list("log")).toEqual(["prepared 1 n2,n3,n4 -1", "commit 1"]);
  });

  test("a key locked by an uncertain participant makes it vote No on the next transaction", () => {
    const run = runCommit({
      protocol: twoPhaseCommit,
      options: { transactions: { count: 2, rate: 100 }, voteNoProbability: 0, lockConflicts: true, keys: 1 },
      durationUs: 1_000_000,
      faults: [
        [1_500, (kernel) => kernel.network.cutLink("n1", "n2", true)], // n2 misses COMMIT of tx 1
        [5_000, (kernel) => kernel.network.heal()],
      ],
    });
    expect(violated(run)).toEqual([]);
    expect(run.decisions.get(1)?.get("n2")).toBe("commit");
    expect(run.decisions.get(2)?.get("n1")).toBe("abort");
    const votes = run.records.filter(
      (line) => line.kind === "send" && line.from === "n2" && line.type === "vote-no",
    );
    expect(votes.length).toBe(1);
  });
});

describe("quorum three-phase commit recovery", () => {
  test("a minority participant that restarts keeps its PRECOMMIT and learns the majority's abort after healing", () => {
    const slow = { distribution: "constant", valueUs: 3_000 } as const;
    const run = runCommit({
      protocol: quorumThreePhaseCommit,
      options: oneTransaction,
      durationUs: 4_000_000,
      network: { links: ["n3", "n4", "n5"].map((to) => ({ from: "n1", to, latency: slow })) },
      faults: [
        [
          6_000,
          (kernel) =>
            kernel.network.partition([
              ["n1", "n2"],
              ["n3", "n4", "n5"],
            ]),
        ],
        [500_000, (kernel) => kernel.crash("n2")],
        [600_000, (kernel) => kernel.restart("n2")],
        [1_500_000, (kernel) => kernel.network.heal()],
      ],
      checkLiveness: true,
    });
    expect(violated(run)).toEqual([]);
    expect(Object.fromEntries(run.decisions.get(1) ?? [])).toEqual({
      n1: "abort",
      n2: "abort",
      n3: "abort",
      n4: "abort",
      n5: "abort",
    });
    expect(run.kernel.storageOf("n2").list("log")).toContain("precommit 1 0");
  });
});
