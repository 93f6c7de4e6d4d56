/**
 * The last pass of shrinking (sim/fuzz/minimize.ts). Goal: it removes the fault actions a
 * violation does not need (never ran, skipped, or simply not needed) and keeps the ones it does,
 * the result is 1-minimal; it makes the actions kept, the workload and the run simpler (earlier,
 * shorter, smaller, fewer) only while the run still fails the same way, and goes round again
 * while a round changes something; the reduced scenario
 * replays to its own trace hash; and a pass cut short by its deadline ends where a pass allowed
 * as many runs ends, so a rebuild can stop it there. Method: constructed runners whose verdict
 * depends only on the actions, then Raft's Figure 8 chase (test/kernel/new-leader-faults.test.ts)
 * with three idle actions added, run by the fuzzer's own runner.
 */
import { describe, expect, it } from "vitest";
import { protocols } from "../../protocols/index.js";
import { keepActions, lastPass, reducedScenario, removeIdleActions } from "../../sim/fuzz/minimize.js";
import {
  type RunFailure,
  type ScenarioRunner,
  sameFailure,
  scenarioRunner,
} from "../../sim/fuzz/property.js";
import { runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";
import type { FaultAction, Scenario } from "../../sim/scenario/schema.js";
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

/**
 * A run that breaks `test.broken` while a partition keeps n1 apart from n3, n3 is crashed, and
 * it is restarted at least 100 ms after the crash: every action acts.
 */
const simplerRunner: ScenarioRunner = (scenario) => {
  const crash = scenario.faults.find((action) => action.kind === "crash" && action.crash === "n3");
  const restart = scenario.faults.find((action) => action.kind === "restart" && action.restart === "n3");
  const apart = scenario.faults.some(
    (action) =>
      action.kind === "partition" &&
      action.partition.findIndex((group) => group.includes("n1")) !==
        action.partition.findIndex((group) => group.includes("n3")),
  );
  const fails = apart && crash !== undefined && restart !== undefined && restart.atUs >= crash.atUs + 100_000;
  const stepsRun = scenario.faults.map((action, step) => ({ step, timeUs: action.atUs, event: step }));
  return { failure: fails ? broken : undefined, events: 1, stepsRun, operations: 0 };
};

const longAndLarge = parseScenario(
  `
name: long-and-large
protocol: raft
nodes: 5
duration: 3s
faults:
  - {at: 400ms, crash: {node: n3, loseUnsynced: true}}
  - {at: 500ms, partition: [[n1, n2], [n3, n4, n5]]}
  - {at: 900ms, restart: n3}
`,
  "long-and-large.yaml",
);

describe("the last pass of shrinking: simpler actions, workload and run", () => {
  it("makes each action kept earlier and smaller, and the run shorter, as far as the failure allows", () => {
    const pass = lastPass(longAndLarge, broken, simplerRunner);
    const faults: FaultAction[] = [
      { atUs: 0, kind: "crash", crash: "n3" },
      // n2 joins the majority; n1 cannot, it must stay apart from n3.
      { atUs: 0, kind: "partition", partition: [["n1"], ["n3", "n4", "n5", "n2"]] },
      // The shortest down time that still fails.
      { atUs: 100_000, kind: "restart", restart: "n3" },
    ];
    expect(pass.reduced.faults).toEqual(faults);
    expect(pass.reduced.durationUs).toBe(100_000);
    expect(pass).toMatchObject({ removed: 0, simplified: 3, budgetExhausted: false });
    expect(pass.before).toEqual({ faultActions: 3, clients: 0, operations: 0, durationUs: 3_000_000 });
    expect(pass.after).toEqual({ faultActions: 3, clients: 0, operations: 0, durationUs: 100_000 });
    // Every number went down by bisection: a few dozen runs, not one per millisecond.
    expect(pass.runs).toBeLessThan(80);
    // The file it gives reads back to the same actions.
    const text = writeScenario(reducedScenario(longAndLarge, pass.reduced));
    expect(parseScenario(text, "reduced.yaml").faults).toEqual(faults);
  });

  it("leaves Raft's Figure 8 with fewer clients and operations, a shorter run and earlier actions, failing the same way", () => {
    const runner = scenarioRunner(protocols, { liveness: false });
    const target = runner(figure8).failure as RunFailure;
    const pass = lastPass(figure8, target, runner);
    expect(pass.before).toMatchObject({ faultActions: 8, clients: 3, durationUs: 3_000_000 });
    expect(pass.after.faultActions).toBeLessThan(pass.before.faultActions);
    expect(pass.after.clients).toBe(1);
    expect(pass.after.operations).toBeGreaterThan(0);
    expect(pass.after.operations).toBeLessThan(pass.before.operations);
    expect(pass.after.durationUs).toBeLessThan(pass.before.durationUs);
    expect(pass.simplified).toBeGreaterThan(0);
    // The chase starts earlier than the original's 300 ms, and the workload stops early.
    expect(Math.max(...pass.reduced.faults.map((action) => action.atUs))).toBeLessThan(300_000);
    expect(pass.reduced.workload?.stopUs).toBeLessThan(pass.reduced.durationUs);
    expect(sameFailure(pass.failure, target)).toBe(true);
    // Written and read back, it fails the same way, with as many operations, to one trace hash.
    const text = writeScenario(reducedScenario(figure8, pass.reduced));
    const read = parseScenario(text, "reduced.yaml");
    const verdict = runner(read, { operations: true });
    expect(sameFailure(verdict.failure as RunFailure, target)).toBe(true);
    expect(verdict.operations).toBe(pass.after.operations);
    const again = runScenario(read, protocols, { hashTrace: true });
    const twice = runScenario(parseScenario(text, "reduced.yaml"), protocols, { hashTrace: true });
    expect(again.violations.map((violation) => violation.invariant)).toContain(target.invariant);
    expect(twice.traceHash).toBe(again.traceHash);
  });

  it("cut short by its deadline, ends where a pass allowed as many runs ends", () => {
    const runner = scenarioRunner(protocols, { liveness: false });
    const target = runner(figure8).failure as RunFailure;
    let runs = 0;
    const counting: ScenarioRunner = (scenario, ask) => {
      runs++;
      return runner(scenario, ask);
    };
    // A clock that moves only with the runs: the deadline falls within the simplifications.
    const cut = lastPass(figure8, target, counting, { now: () => runs, deadline: 30 });
    expect(cut.budgetExhausted).toBe(true);
    const rebuilt = lastPass(figure8, target, runner, { maxRuns: cut.runs });
    expect(rebuilt.budgetExhausted).toBe(true);
    expect(rebuilt.runs).toBe(cut.runs);
    expect(rebuilt.reduced).toEqual(cut.reduced);
    expect(rebuilt.after).toEqual(cut.after);
    // Not the whole pass, which goes further.
    const full = lastPass(figure8, target, runner);
    expect(full.runs).toBeGreaterThan(cut.runs);
    expect(full.reduced).not.toEqual(cut.reduced);
  });
});

/**
 * A run that breaks `test.broken` when n1 crashes within its first 50 ms, or later while n2 is
 * isolated: the isolation is needed only until the crash is made earlier.
 */
const earlierCrashRunner: ScenarioRunner = (scenario) => {
  const crash = scenario.faults.find((action) => action.kind === "crash" && action.crash === "n1");
  const isolated = scenario.faults.some((action) => action.kind === "isolate" && action.isolate === "n2");
  const fails = crash !== undefined && (crash.atUs <= 50_000 || isolated);
  const stepsRun = scenario.faults.map((action, step) => ({ step, timeUs: action.atUs, event: step }));
  return { failure: fails ? broken : undefined, events: 1, stepsRun, operations: 0 };
};

const lateCrash = parseScenario(
  `
name: late-crash
protocol: raft
nodes: 3
duration: 1s
faults:
  - {at: 400ms, crash: n1}
  - {at: 500ms, isolate: n2}
`,
  "late-crash.yaml",
);

/**
 * A workload whose operation k (from 1) starts at k / rate seconds, before its stop: the run
 * breaks `test.broken` when one starts at 900 ms or later.
 */
const lateOperationRunner: ScenarioRunner = (scenario) => {
  const workload = scenario.workload;
  let operations = 0;
  let late = false;
  if (workload !== undefined) {
    for (let k = 1; workload.startUs + (k * 1_000_000) / workload.ratePerSecond < workload.stopUs; k++) {
      operations++;
      if (workload.startUs + (k * 1_000_000) / workload.ratePerSecond >= 900_000) late = true;
    }
  }
  return { failure: late ? broken : undefined, events: 1, stepsRun: [], operations };
};

const busyWorkload = parseScenario(
  `
name: busy-workload
protocol: raft
nodes: 3
duration: 1s
workload:
  clients: 1
  rate: 50
  mix: {read: 1, write: 1}
  keys: [k0]
  start: 0
  stop: 1s
`,
  "busy-workload.yaml",
);

describe("the last pass of shrinking: rounds, and fewer operations", () => {
  it("goes round again, and removes an action that only an earlier action kept made redundant", () => {
    const pass = lastPass(lateCrash, broken, earlierCrashRunner);
    // The first round cannot remove the isolation (the crash at 400 ms needs it) but makes the
    // crash earlier; the second removes the isolation; the third changes nothing.
    expect(pass.reduced.faults).toEqual([{ atUs: 0, kind: "crash", crash: "n1" }]);
    expect(pass).toMatchObject({ removed: 1, simplified: 1, rounds: 3, budgetExhausted: false });
    expect(pass.after).toMatchObject({ faultActions: 1 });
  });

  it("lowers the workload's rate, to fewer operations where an earlier stop cannot go", () => {
    const pass = lastPass(busyWorkload, broken, lateOperationRunner);
    expect(pass.before).toMatchObject({ clients: 1, operations: 49 });
    // The lowest whole rate that still starts an operation at 900 ms: 10 per second, and the
    // stop just after that operation.
    expect(pass.reduced.workload).toMatchObject({ ratePerSecond: 10, stopUs: 901_000 });
    expect(pass.after).toMatchObject({ clients: 1, operations: 9 });
    expect(lateOperationRunner(reducedScenario(busyWorkload, pass.reduced)).operations).toBe(9);
  });

  it("keeps a lower rate only when the run then invokes fewer operations", () => {
    // Three operations whatever the rate: a lower one would fail the same way, with as many.
    const threeOperations: ScenarioRunner = (scenario) => ({
      failure: scenario.workload === undefined ? undefined : broken,
      events: 1,
      stepsRun: [],
      operations: scenario.workload === undefined ? 0 : 3,
    });
    const pass = lastPass(busyWorkload, broken, threeOperations);
    expect(pass.reduced.workload).toMatchObject({ ratePerSecond: 50, stopUs: 1_000 });
    expect(pass.after.operations).toBe(3);
  });
});
