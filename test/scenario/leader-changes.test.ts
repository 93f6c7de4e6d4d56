/**
 * The `leaderChanges` figure counts each (node, term) that took a leading role once. Goal: a
 * leader cut off in a minority, which keeps acting as leader of its old term while the majority
 * elects another, is one leadership, not one per alternation of the two leaders' steps, and the
 * figure `run` prints agrees with the leader changes the reports list. Method: run
 * raft-minority-leader (a partition leaves n1 leading term 1 while the majority elects a leader
 * of term 2) and sharded-kv-partition (leaders counted per group), and compare with the kernel's
 * notes and the report model.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { historyChecker } from "../../cli/history-check.js";
import { protocols } from "../../protocols/index.js";
import { displayOf } from "../../reports/display.js";
import { buildModel } from "../../reports/model.js";
import type { Protocol } from "../../sim/node.js";
import { runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";

function run(name: string) {
  const text = readFileSync(join(import.meta.dirname, "..", "..", "scenarios", `${name}.yaml`), "utf8");
  return runScenario(parseScenario(text, `${name}.yaml`), protocols, {
    checkHistory: historyChecker(),
    keepTrace: true,
  });
}

describe("the leaderChanges figure", () => {
  it("counts a stale leader once, as the reports do", () => {
    const result = run("raft-minority-leader");
    // n1 keeps leading term 1 between the new leader's steps, and is recorded once.
    expect(result.kernel.leaderships.map(({ node, term }) => `${node}/${term}`)).toEqual(["n1/1", "n4/2"]);
    expect(result.figures.leaderChanges).toBe(2);
    expect(
      buildModel(result.records, {
        display: displayOf(protocols.get("raft") as Protocol),
      }).figures.leaderChanges.map(({ node, term }) => `${node}/${term}`),
    ).toEqual(["n1/1", "n4/2"]);
  });

  it("counts each group's leaders once", () => {
    const result = run("sharded-kv-partition");
    expect(result.figures.leadersByGroup).toEqual({ config: 2, g1: 2, g2: 2, g3: 2 });
    expect(result.figures.leaderChanges).toBe(8);
  });
});
