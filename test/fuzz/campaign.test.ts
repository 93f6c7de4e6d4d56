/**
 * Campaigns: generated scenarios are valid, runs are a pure function of (seed, index), so the
 * runs performed and the first counterexample do not depend on how runs are split into batches,
 * workers or shards; a deliberately buggy protocol is found, shrunk to a handful of fault actions,
 * and its counterexample file replays to the same trace hash; a shrink whose budget runs out in
 * its last pass writes the file its rebuild command writes.
 */
import { describe, expect, test } from "vitest";
import { protocols } from "../../protocols/index.js";
import { InputError } from "../../sim/errors.js";
import {
  evaluateJob,
  fuzzScenario,
  generatePlan,
  globalIndex,
  type RunJob,
  type RunReport,
  runCampaign,
  shrinkRun,
} from "../../sim/fuzz/campaign.js";
import {
  counterexampleScenario,
  counterexampleText,
  faultActionCount,
} from "../../sim/fuzz/counterexample.js";
import { quietNote } from "../../sim/fuzz/plan.js";
import { scenarioRunner } from "../../sim/fuzz/property.js";
import { fuzzSettings } from "../../sim/fuzz/settings.js";
import type { Protocol } from "../../sim/node.js";
import { runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";
import { writeScenario } from "../../sim/scenario/write.js";
import { forgetful, forgetfulRegistry } from "./support/forgetful.js";

const buggy = fuzzSettings(forgetful, { bugs: ["forget-boots"], durationMs: 1_500 });
const correct = fuzzSettings(forgetful, { durationMs: 1_500 });
const runner = scenarioRunner(forgetfulRegistry, { liveness: false });
let clock = 0;
const now = () => clock++;

/** Evaluates a batch the way `--workers n` does: split into n chunks, answered in any order. */
function evaluator(settings: typeof buggy, seed: bigint, workers: number) {
  return async (jobs: readonly RunJob[]): Promise<RunReport[]> => {
    const size = Math.ceil(jobs.length / workers);
    const parts: RunReport[][] = [];
    for (let start = 0; start < jobs.length; start += size) {
      parts.push(jobs.slice(start, start + size).map((job) => evaluateJob(settings, seed, job, runner)));
    }
    return parts.reverse().flat();
  };
}

describe("generated scenarios", () => {
  test("are valid scenario files: they parse back, with every action inside the run", () => {
    for (let index = 0; index < 60; index++) {
      const scenario = fuzzScenario(generatePlan(buggy, 7n, index), buggy);
      const parsed = parseScenario(writeScenario(scenario), "generated.yaml");
      expect(parsed.faults.length).toBe(scenario.faults.length);
      for (const action of parsed.faults) expect(action.atUs).toBeLessThanOrEqual(buggy.faultPhaseMs * 1_000);
      expect(parsed.nodes).toBeGreaterThanOrEqual(buggy.nodesMin);
      expect(parsed.nodes).toBeLessThanOrEqual(buggy.nodesMax);
    }
  });

  test("run i of a campaign is the same plan every time, and different runs differ", () => {
    expect(generatePlan(buggy, 3n, 5)).toEqual(generatePlan(buggy, 3n, 5));
    const plans = new Set(
      Array.from({ length: 20 }, (_, index) => JSON.stringify(generatePlan(buggy, 3n, index))),
    );
    expect(plans.size).toBe(20);
  });
});

const fakeFailure = { invariant: "test.fails", kind: "safety", message: "run 13 fails" } as const;

describe("campaign settings", () => {
  test("option choices the protocol's checkOptions refuses at a drawn cluster size are refused before any run", () => {
    const ring = protocols.get("consistent-hashing") as Protocol;
    const bugs = ["sequential-vnode-tokens"];
    expect(() => fuzzSettings(ring, { bugs, nodesMin: 3, nodesMax: 5 })).toThrow(
      new InputError(
        "--nodes 3..5: consistent-hashing's fuzz hints with --bug sequential-vnode-tokens draw options for 5 or more nodes, not 3 (consistent-hashing option 'initial[3]' names n4, which is not in this scenario (nodes n1..n3))",
      ),
    );
    expect(fuzzSettings(ring, { bugs }).nodesMin).toBe(5);
    // The protocol's own hints name n3: they say which cluster sizes they are for.
    expect(() => fuzzSettings(ring, { nodesMin: 2, nodesMax: 2 })).toThrow(
      "--nodes 2: consistent-hashing's fuzz hints draw options for 3 or more nodes, not 2",
    );
  });

  test("without --nodes, a protocol that does not run on 3 nodes is fuzzed at its default size", () => {
    // Paxos without its check of proposers against the cluster, which names n2.
    const paxos: Protocol = { ...(protocols.get("paxos") as Protocol), checkOptions: undefined };
    const one: Protocol = { ...paxos, defaultNodes: 1, nodeCounts: { min: 1, max: 1 } };
    expect(fuzzSettings(one)).toMatchObject({ nodesMin: 1, nodesMax: 1 });
    const five: Protocol = { ...paxos, defaultNodes: 5, nodeCounts: { min: 5 } };
    expect(fuzzSettings(five)).toMatchObject({ nodesMin: 5, nodesMax: 5 });
    expect(() => fuzzSettings(one, { nodesMin: 3, nodesMax: 3 })).toThrow(
      new InputError("--nodes 3..3: paxos supports exactly 1 node, got 3"),
    );
    // Sizes the hints chose are blamed on the hints, not on a flag the user did not give.
    expect(() => fuzzSettings({ ...one, fuzz: { nodes: [3, 5] } })).toThrow(
      new InputError(
        "fuzz.nodes [3, 5] (from the fuzz hints): paxos supports exactly 1 node, got 3; give --nodes",
      ),
    );
  });

  test("a misspelt --bug gets the name it misses; a bug given twice is refused", () => {
    const raft = protocols.get("raft") as Protocol;
    expect(() => fuzzSettings(raft, { bugs: ["commit-prev-term"] })).toThrow(
      "--bug: raft has no deliberate bug 'commit-prev-term' (did you mean 'commit-previous-term'?); known: ",
    );
    expect(() => fuzzSettings(raft, { bugs: ["vote-before-persist,unsynced-vote"] })).toThrow(
      new InputError(
        "--bug: takes one bug; give it once per bug: --bug vote-before-persist --bug unsynced-vote",
      ),
    );
    expect(() => fuzzSettings(raft, { bugs: ["commit-previous-term", "commit-previous-term"] })).toThrow(
      new InputError("--bug: 'commit-previous-term' is given twice; give each bug once"),
    );
  });

  test("a --duration too short for the fault phase drawn from it is blamed on --duration", () => {
    const raft = protocols.get("raft") as Protocol;
    expect(() => fuzzSettings(raft, { durationMs: 0.001 })).toThrow(
      new InputError(
        "--duration: expected at least 1 ms (the fault phase, 2/3 of the run and at least 1 ms), got 0.001 ms",
      ),
    );
  });
});

describe("campaigns", () => {
  test("the runs performed and the first failure are the same for any batch size and worker count", async () => {
    const outcomes = [];
    for (const [batchSize, workers, pipeline] of [
      [1, 1, false],
      [7, 2, true],
      [32, 3, false],
      [5, 3, true],
    ] as const) {
      const result = await runCampaign({
        settings: buggy,
        seed: 11n,
        runs: 200,
        now,
        batchSize,
        evaluate: evaluator(buggy, 11n, workers),
        pipeline,
      });
      outcomes.push({ runs: result.runs, failure: result.failure });
    }
    expect(outcomes[0]?.failure).toBeDefined();
    expect(outcomes[1]).toEqual(outcomes[0]);
    expect(outcomes[2]).toEqual(outcomes[0]);
    expect(outcomes[3]).toEqual(outcomes[0]);
  });

  test("a pipelined campaign keeps one batch ahead, takes results in order and stops at the first failure", async () => {
    let outstanding = 0;
    let mostOutstanding = 0;
    const handedOut: number[][] = [];
    const resolvers: Array<() => void> = [];
    const result = runCampaign({
      settings: correct,
      seed: 1n,
      runs: 40,
      now,
      batchSize: 4,
      pipeline: true,
      evaluate: (jobs) => {
        const indices = jobs.map((job) => job.index);
        handedOut.push(indices);
        outstanding++;
        mostOutstanding = Math.max(mostOutstanding, outstanding);
        return new Promise((done) => {
          resolvers.push(() => {
            outstanding--;
            done(
              indices.map((index) =>
                index === 13 ? { index, events: 1, failure: fakeFailure } : { index, events: 1 },
              ),
            );
          });
        });
      },
    });
    // Answer the batches in order as they come: the campaign must have asked for the next one first.
    while (resolvers.length > 0 || handedOut.length < 2) {
      await new Promise((done) => setImmediate(done));
      resolvers.shift()?.();
    }
    const outcome = await result;
    expect(mostOutstanding).toBe(2);
    expect(outcome.failure?.index).toBe(13);
    expect(outcome.runs).toBe(14);
    // The batch after the failing one was handed out ahead, and dropped.
    expect(handedOut.map((batch) => batch[0])).toEqual([0, 4, 8, 12, 16]);
  });

  test("shards split the global runs without overlap, and together cover one campaign", async () => {
    const seen: number[] = [];
    for (let shard = 0; shard < 3; shard++) {
      await runCampaign({
        settings: correct,
        seed: 5n,
        runs: 4,
        now,
        shard: { index: shard, count: 3 },
        evaluate: async (jobs) => {
          seen.push(...jobs.map((job) => job.index));
          return jobs.map(({ index }) => ({ index, events: 0 }));
        },
      });
    }
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, index) => index));
    expect(globalIndex(2, { index: 1, count: 3 })).toBe(7);
  });

  test("a campaign over the correct protocol finds nothing", async () => {
    const result = await runCampaign({
      settings: correct,
      seed: 2n,
      runs: 40,
      now,
      evaluate: evaluator(correct, 2n, 1),
    });
    expect(result.failure).toBeUndefined();
    expect(result.runs).toBe(40);
  });
});

describe("counterexamples", () => {
  test("the buggy protocol is found, shrunk to at most 8 fault actions, and its file replays exactly", async () => {
    const campaign = await runCampaign({
      settings: buggy,
      seed: 1n,
      runs: 300,
      now,
      evaluate: evaluator(buggy, 1n, 1),
    });
    const failing = campaign.failure;
    expect(failing?.failure?.invariant).toBe("heartbeat.boots-monotone");
    const shrink = shrinkRun(buggy, 1n, failing?.index ?? -1, runner);
    expect(shrink).toBeDefined();
    if (shrink === undefined || failing === undefined) return;
    expect(shrink.failure.invariant).toBe("heartbeat.boots-monotone");
    const scenario = counterexampleScenario(buggy, { shrink, campaignSeed: 1n, runIndex: failing.index });
    // The smallest witness is one crash and one restart.
    expect(faultActionCount(scenario)).toBeLessThanOrEqual(8);
    expect(scenario.faults.filter((action) => action.note !== quietNote).length).toBeLessThanOrEqual(2);
    expect(scenario.description).toContain("heartbeat.boots-monotone");
    expect(scenario.description).toContain(`fast-check seed ${shrink.fcSeed}`);

    const text = counterexampleText(scenario);
    const first = runScenario(parseScenario(text, "cx.yaml"), forgetfulRegistry);
    const again = runScenario(parseScenario(text, "cx.yaml"), forgetfulRegistry);
    expect(first.violations[0]?.invariant).toBe("heartbeat.boots-monotone");
    expect(first.traceHash).toMatch(/^[0-9a-f]{64}$/);
    expect(again.traceHash).toBe(first.traceHash);
  });

  test("the fast-check seed and path rebuild the same shrunk plan", async () => {
    const campaign = await runCampaign({
      settings: buggy,
      seed: 1n,
      runs: 300,
      now,
      evaluate: evaluator(buggy, 1n, 1),
    });
    const index = campaign.failure?.index ?? -1;
    const shrink = shrinkRun(buggy, 1n, index, runner);
    const replayed = shrinkRun(buggy, 1n, index, runner, { path: shrink?.fcPath ?? "0" });
    expect(replayed?.plan).toEqual(shrink?.plan);
  });

  test("a shrink whose budget runs out in the last pass writes the same file as its rebuild command", async () => {
    const campaign = await runCampaign({
      settings: buggy,
      seed: 1n,
      runs: 300,
      now,
      evaluate: evaluator(buggy, 1n, 1),
    });
    const index = campaign.failure?.index ?? -1;
    const full = shrinkRun(buggy, 1n, index, runner);
    if (full === undefined) throw new Error("the failing run passed when run again");
    // A clock that moves only with the runs: the budget ends a few runs into the last pass.
    let calls = 0;
    const counting: typeof runner = (scenario, ask) => {
      calls++;
      return runner(scenario, ask);
    };
    const fastCheckRuns = full.shrinkRuns - full.lastPass.runs + 1;
    const cut = shrinkRun(buggy, 1n, index, counting, { now: () => calls, budgetMs: fastCheckRuns + 3 });
    if (cut === undefined) throw new Error("the failing run passed when run again");
    expect(cut.fcPath).toBe(full.fcPath);
    expect(cut.lastPass.budgetExhausted).toBe(true);
    expect(cut.lastPass.runs).toBeGreaterThan(0);
    expect(cut.lastPass.runs).toBeLessThan(full.lastPass.runs);
    const text = (shrink: typeof cut) =>
      counterexampleText(counterexampleScenario(buggy, { shrink, campaignSeed: 1n, runIndex: index }));
    const written = text(cut);
    expect(written).toContain(`--fc-path ${cut.fcPath} --last-pass-runs ${cut.lastPass.runs}\n`);
    // The rebuild the description gives: the path, and the last pass stopped after as many runs.
    const rebuilt = shrinkRun(buggy, 1n, index, runner, {
      path: cut.fcPath ?? "0",
      lastPassRuns: cut.lastPass.runs,
    });
    if (rebuilt === undefined) throw new Error("the rebuilt run passed");
    expect(text(rebuilt)).toBe(written);
    // Without the count, the rebuild takes the whole pass: another file.
    expect(text(full)).not.toBe(written);
  });
});
