/**
 * Every deliberate bug of Raft is caught. Goal: each bug in protocols/raft/bugs.ts makes a check
 * fail: the invariant it names, the linearizability check, or (M10) liveness; and the correct
 * protocol passes the same runs. Method: the teaching scenarios for M1, M3, M7, M10 and M26, and
 * the fuzzer's own runs (sim/fuzz) for M2, M4, M5, M6 and M26, where the first failing run
 * must break an invariant the bug declares.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { historyChecker } from "../../cli/history-check.js";
import { protocols } from "../../protocols/index.js";
import { raftBugs } from "../../protocols/raft/bugs.js";
import { runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";
import { bugNamed, firstFailure } from "../support/fuzz-runs.js";
import { msUs } from "./cluster.js";

function run(name: string, options?: Readonly<Record<string, unknown>>) {
  const file = `scenarios/${name}.yaml`;
  const scenario = parseScenario(readFileSync(file, "utf8"), file);
  return runScenario(options === undefined ? scenario : { ...scenario, options }, protocols, {
    checkHistory: historyChecker(),
  });
}

function violated(result: ReturnType<typeof run>): string[] {
  return result.violations.map((violation) => violation.invariant);
}

describe("raft deliberate bugs", () => {
  it("documents every bug with an id, a change, the invariants it breaks and a source", () => {
    for (const bug of raftBugs) {
      expect(bug.id).toMatch(/^M\d+$/);
      expect(bug.change.length).toBeGreaterThan(20);
      expect(bug.breaks.length).toBeGreaterThan(0);
      expect(bug.source).toMatch(/Raft paper|thesis/);
    }
  });

  it("M1 vote-before-persist: a restarted voter votes twice in one term (R6)", () => {
    expect(violated(run("raft-vote-persistence-bug"))).toEqual(["raft.one-vote-per-term"]);
    expect(violated(run("raft-vote-persistence", { bugs: [] }))).toEqual([]);
  });

  it("M3 commit-previous-term: Figure 8 step (d) elects a leader without a committed entry (R1)", () => {
    const result = run("raft-figure-8-bug");
    expect(violated(result)).toEqual(["raft.leader-completeness"]);
    expect(result.simulatedUs).toBeLessThan(80 * msUs);
    expect(violated(run("raft-figure-8-bug", { leaderNoop: false }))).toEqual([]);
  });

  it("M7 stale-local-read: a deposed leader's read is not linearizable", () => {
    const result = run("raft-stale-read-bug");
    expect(result.linearizable).toBe(false);
    expect(violated(result)).toEqual(["kv.linearizable"]);
    const correct = run("raft-stale-read-bug", {});
    expect(correct.linearizable).toBe(true);
  });

  it("M26 unsynced-vote: a power loss after an unsynced vote takes the voter's term back", () => {
    expect(violated(run("raft-unsynced-vote-bug"))).toEqual(["raft.term-monotonic"]);
    expect(violated(run("raft-unsynced-vote-bug", {}))).toEqual([]);
    expect(violated(run("raft-unsynced-vote"))).toEqual([]);
  });

  it("M10 fixed-election-timeout: the split vote repeats and no leader is elected (R3)", () => {
    expect(run("raft-split-vote-fixed-timeout").figures.leaderChanges).toBe(0);
    expect(run("raft-split-vote-fixed-timeout", {}).figures.leaderChanges).toBeGreaterThan(0);
  });

  it("the correct protocol survives 60 runs of the fuzzer's faults", () => {
    expect(firstFailure("raft", { runs: 60 })).toBeUndefined();
  });

  for (const bug of [
    "no-up-to-date-check",
    "truncate-without-conflict",
    "commit-index-from-leader",
    "count-stale-votes",
    "unsynced-vote",
  ]) {
    it(`${bug} is caught within 400 fuzz runs, by an invariant it declares`, () => {
      const found = firstFailure("raft", { bugs: [bug], runs: 400 });
      expect(found, `no run up to 400 exposed ${bug}`).toBeDefined();
      expect(bugNamed("raft", bug).breaks).toContain(found?.failure.invariant);
    });
  }
});
