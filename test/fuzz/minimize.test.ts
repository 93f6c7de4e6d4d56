/**
 * The last pass of shrinking (sim/fuzz/minimize.ts). Goal: it removes the fault actions a
 * violation does not need (never ran, skipped, or simply not needed) and keeps the ones it does,
 * the result is 1-minimal, and the reduced scenario replays to its own trace hash. Method: a
 * constructed runner whose verdict depends only on which actions are present, then Raft's
 * Figure 8 chase (test/kernel/new-leader-faults.test.ts) with three idle actions added, run by the
 * fuzzer's own runner.
 */
import { describe, expect, it } from "vitest";
import { protocols } from "../../protocols/index.js";
import { keepActions, removeIdleActions } from "../../sim/fuzz/minimize.js";
import { type RunFailure, type ScenarioRunner, scenarioRunner } from "../../sim/fuzz/property.js";
import { runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";
import type { Scenario } from "../../sim/scenario/schema.js";
import { writeScenario } from "../../sim/scenario/write.js";

const broken: RunFailure = { invariant: "test.broken", kind: "safety", message: "broken" };

/**
 * A run that breaks `test.broken` when both actions noted `needed` are present; an action noted
 * `never` does not run and one noted `skipped` finds nothing to act on.
 */
function constructedRunner(): { runner: ScenarioRunner; runs: () => number } {
  let runs = 0;
  const runner: ScenarioRunner = (scenario) => {
    runs++;
    const needed = scenario.faults.filter((action) => action.note?.startsWith("needed") === true);
    const stepsRun = scenario.faults.flatMap((action, step) =>
      action.note === "never"
        ? []
        : [
            {
              step,
              timeUs: action.atUs,
              event: step,
              ...(action.note === "skipped" ? { skipped: true as const } : {}),
            },
          ],
    );
    return { failure: needed.length === 2 ? broken : undefined, events: 1, stepsRun };
  };
  return { runner, runs: () => runs };
}

const constructed = parseScenario(
  `
name: constructed
protocol: raft
nodes: 3
duration: 1s
faults:
  - {at: 0, heal: true, note: "not needed"}
  - {at: 10ms, isolate: n1, note: "needed 1"}
  - {at: 20ms, isolate: leader, note: skipped}
  - {at: 30ms, heal: true, note: "needed 2"}
  - {at: 40ms, crash: n2, note: never}
  - {at: 50ms, restart: n2, note: "quiet phase"}
`,
  "constructed.yaml",
);

/** A Figure 8 chase of leaders (Raft, with the bug), and three actions that do nothing for it. */
const figure8 = parseScenario(
  `
name: figure-8-and-idle-actions
protocol: raft
nodes: 3
seed: 1
duration: 3s
options: {leaderNoop: false, preVote: false, checkQuorum: false, bugs: [commit-previous-term]}
network:
  latency: 1ms
workload:
  clients: 3
  rate: 60
  mix: {read: 2, write: 1, cas: 1}
  keys: [k0, k1]
faults:
  - {at: 0, heal: true, note: "heals nothing: nothing is cut yet"}
  - {at: 0, isolate: leader, note: "skipped: no leader yet"}
  - {at: 300ms, isolate: leader}
  - {at: 300ms, afterNewLeader: 5ms, heal: true}
  - {at: 300ms, afterNewLeader: 5ms, isolate: leader}
  - {at: 300ms, afterNewLeader: 5ms, nthNewLeader: 2, heal: true}
  - {at: 300ms, afterNewLeader: 5ms, nthNewLeader: 2, isolate: leader}
  - {at: 300ms, afterNewLeader: 5ms, nthNewLeader: 9, crash: leader, note: "never runs: the violation comes first"}
`,
  "figure-8.yaml",
);

function notes(scenario: Scenario): Array<string | undefined> {
  return scenario.faults.map((action) => action.note);
}

describe("the last pass of shrinking: fault actions the violation does not need", () => {
  it("removes an action that does not matter, keeps the two that do, and leaves the quiet phase", () => {
    const { runner, runs } = constructedRunner();
    const pass = removeIdleActions(constructed, broken, runner, {
      removable: (action) => action.note !== "quiet phase",
    });
    expect(pass.removed).toEqual([0, 2, 4]);
    expect(notes(keepActions(constructed, [1, 3, 5]))).toEqual(["needed 1", "needed 2", "quiet phase"]);
    expect(pass.failure).toEqual(broken);
    expect(pass.budgetExhausted).toBe(false);
    // The first run; the idle two dropped at once; then one try per action left (three are
    // removable), the first of which succeeds, and a round in which none does.
    expect(pass.runs).toBe(runs());
    expect(pass.runs).toBe(1 + 1 + 3 + 2);
  });

  it("stops, unfinished, when its deadline has passed", () => {
    const { runner } = constructedRunner();
    let clock = 0;
    const pass = removeIdleActions(constructed, broken, runner, { now: () => clock++, deadline: 1 });
    expect(pass.budgetExhausted).toBe(true);
    expect(pass.runs).toBeLessThanOrEqual(2);
  });

  it("reduces Raft's Figure 8 to actions each of which it needs, replaying to its own trace hash", () => {
    const runner = scenarioRunner(protocols, { liveness: false });
    const target = runner(figure8).failure as RunFailure;
    expect(target).toMatchObject({ invariant: "raft.leader-completeness", kind: "safety" });
    // What the pass reads first: the isolation at 0 ran and was skipped, the last crash never ran.
    const stepsRun = runScenario(figure8, protocols).stepsRun;
    expect(stepsRun.find((step) => step.step === 1)?.skipped).toBe(true);
    expect(stepsRun.find((step) => step.step === 0)?.skipped).toBeUndefined();
    expect(stepsRun.some((step) => step.step === 7)).toBe(false);
    const pass = removeIdleActions(figure8, target, runner);
    // The heal of nothing, the skipped isolation and the crash that never runs are gone.
    expect(pass.removed).toEqual(expect.arrayContaining([0, 1, 7]));
    const kept = figure8.faults.map((_, index) => index).filter((index) => !pass.removed.includes(index));
    const reduced = keepActions(figure8, kept);
    expect(reduced.faults.length).toBeGreaterThanOrEqual(3);
    expect(runner(reduced).failure?.invariant).toBe("raft.leader-completeness");
    // 1-minimal: without any one of the actions left, the violation is gone.
    for (const index of kept) {
      const without = keepActions(
        figure8,
        kept.filter((other) => other !== index),
      );
      expect(runner(without).failure?.invariant, `without faults.${index}`).not.toBe(
        "raft.leader-completeness",
      );
    }
    // Written and read back, the reduced scenario runs to the same trace as before writing.
    const text = writeScenario(reduced);
    const again = runScenario(parseScenario(text, "reduced.yaml"), protocols, { hashTrace: true });
    const twice = runScenario(parseScenario(text, "reduced.yaml"), protocols, { hashTrace: true });
    expect(again.violations.map((violation) => violation.invariant)).toContain("raft.leader-completeness");
    expect(twice.traceHash).toBe(again.traceHash);
  });
});
