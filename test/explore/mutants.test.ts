/**
 * `mutants --explore` on one bug: a bug whose declared strategy is `cells` is searched that way
 * first, then breadth first in the same bounds with the time left, for its shortest schedule.
 * Method: Raft's commit-index-from-leader, whose bounds breadth-first search exhausts to the bug
 * in well under a second, declared here with `cells`; and Figure 8 (commit-previous-term), which
 * `cells` finds in seconds and breadth-first search, in a few seconds more, cannot.
 */
import { describe, expect, it } from "vitest";
import { exploreBug } from "../../cli/mutants.js";
import { protocols } from "../../protocols/index.js";
import type { DeliberateBug, Protocol } from "../../sim/node.js";

const raft = protocols.get("raft") as Protocol;
const bugNamed = (name: string): DeliberateBug => raft.bugs.find((bug) => bug.name === name) as DeliberateBug;

describe("mutants --explore, a bug that declares cells", () => {
  it("ends with breadth-first search's shortest schedule when it has the time", async () => {
    const bug = bugNamed("commit-index-from-leader");
    const asCells = { ...bug, explore: { ...bug.explore, strategy: "cells" as const } };
    const row = await exploreBug("raft", raft, asCells, 60_000, 3);
    expect(row).toMatchObject({ found: true, strategy: "bfs", shortest: true, steps: 20 });
    expect(row?.invariant).toBe("raft.leader-completeness");
  });

  it("keeps the find of cells, with the depth breadth-first search covered, when it does not", async () => {
    const row = await exploreBug("raft", raft, bugNamed("commit-previous-term"), 5_000, 3);
    expect(row).toMatchObject({ found: true, strategy: "cells", shortest: false, steps: 40 });
    expect(row?.depth).toBeGreaterThan(0);
    expect(row?.wallMs).toBeLessThan(60_000);
  });
});
