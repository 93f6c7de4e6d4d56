/**
 * Guided fuzzing: swarm draws narrow what a run generates; the coverage signal tells runs apart
 * and records probes; corpus files are named by their plan and read back equal; mutants and the
 * plan shrinker stay valid scenarios; a guided campaign performs the same runs and keeps the same
 * corpus for any worker count and pipelining; a run that gives two traces is reported with the
 * first line where they part.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { InputError } from "../../sim/errors.js";
import { planArbitrary } from "../../sim/fuzz/arbitraries.js";
import {
  evaluateJob,
  fuzzScenario,
  generatePlan,
  type RunJob,
  type RunReport,
  runCampaign,
  runSeed,
  shrinkJob,
} from "../../sim/fuzz/campaign.js";
import { corpusFileName, corpusFileText, parseCorpusFile } from "../../sim/fuzz/corpus.js";
import { CoverageMap } from "../../sim/fuzz/coverage.js";
import { compareRuns } from "../../sim/fuzz/determinism.js";
import { CampaignGuide } from "../../sim/fuzz/guide.js";
import { mutatePlan } from "../../sim/fuzz/mutate.js";
import type { FuzzPlan, FuzzSettings } from "../../sim/fuzz/plan.js";
import { scenarioRunner } from "../../sim/fuzz/property.js";
import { fuzzSettings } from "../../sim/fuzz/settings.js";
import { drawSwarm, faultKinds } from "../../sim/fuzz/swarm.js";
import type { Protocol } from "../../sim/node.js";
import { randomStream } from "../../sim/random.js";
import { parseScenario } from "../../sim/scenario/load.js";
import { writeScenario } from "../../sim/scenario/write.js";
import { type HeartbeatNode, heartbeatProtocol } from "../support/heartbeat.js";
import { forgetful, forgetfulRegistry } from "./support/forgetful.js";

const buggy = fuzzSettings(forgetful, { bugs: ["forget-boots"], durationMs: 1_000, swarm: true });
const correct = fuzzSettings(forgetful, { durationMs: 1_000, swarm: true });
const runner = scenarioRunner(forgetfulRegistry, { liveness: false, coverage: true });
let clock = 0;
const now = () => clock++;

/** Evaluates jobs the way `--workers n` does: split into n chunks, answered in any order. */
function evaluator(settings: FuzzSettings, seed: bigint, workers: number) {
  return async (jobs: readonly RunJob[]): Promise<RunReport[]> => {
    const size = Math.ceil(jobs.length / workers);
    const parts: RunReport[][] = [];
    for (let start = 0; start < jobs.length; start += size) {
      parts.push(jobs.slice(start, start + size).map((job) => evaluateJob(settings, seed, job, runner)));
    }
    return parts.reverse().flat();
  };
}

function validScenario(plan: FuzzPlan, settings: FuzzSettings): void {
  const scenario = fuzzScenario(plan, settings);
  const parsed = parseScenario(writeScenario(scenario), "plan.yaml");
  for (const action of parsed.faults) expect(action.atUs).toBeLessThanOrEqual(settings.faultPhaseMs * 1_000);
  expect(parsed.nodes).toBeGreaterThanOrEqual(settings.nodesMin);
  expect(parsed.nodes).toBeLessThanOrEqual(settings.nodesMax);
}

describe("swarm testing", () => {
  test("each run draws its own mix: every theme occurs, and a run only has its swarm's fault kinds", () => {
    const themes = new Set<string>();
    for (let fcSeed = 0; fcSeed < 400; fcSeed++) {
      const swarm = drawSwarm(correct, fcSeed);
      themes.add(swarm?.theme ?? "uniform");
      expect(drawSwarm(correct, fcSeed)).toEqual(swarm);
    }
    expect([...themes].sort()).toEqual([
      "clocks",
      "crashes",
      "leaders",
      "leases",
      "lossy",
      "mixed",
      "partitions",
      "quiet",
      "single",
      "uniform",
      "voters",
    ]);
    for (let index = 0; index < 60; index++) {
      const plan = generatePlan(correct, 3n, index);
      expect(generatePlan(correct, 3n, index)).toEqual(plan);
      const swarm = drawSwarm(correct, runSeed(3n, index));
      for (const step of plan.faults) expect(swarm?.faultKinds ?? faultKinds).toContain(step.type);
      expect(plan.faults.length).toBeLessThanOrEqual(swarm?.faultStepsMax ?? correct.faultStepsMax);
      validScenario(plan, correct);
    }
  });
});

describe("leader chases", () => {
  test("a leaders swarm isolates or crashes the leader of its time, then each next new leader in turn", () => {
    let chases = 0;
    let skews = 0;
    for (let fcSeed = 0; chases < 20 && fcSeed < 2_000; fcSeed++) {
      const swarm = drawSwarm(correct, fcSeed);
      if (swarm?.theme !== "leaders") continue;
      chases++;
      const [plan] = fc.sample(planArbitrary(correct, swarm), { seed: fcSeed, numRuns: 1 });
      const faults = (plan as FuzzPlan).faults;
      expect(faults.length).toBeGreaterThanOrEqual(2);
      // Half the chases open with a small clock skew of one node, at the chase's time.
      const skew = faults[0]?.type === "drift" ? faults[0] : undefined;
      if (skew !== undefined) {
        skews++;
        expect(Math.abs((skew as { ratePercent: number }).ratePercent)).toBeLessThanOrEqual(5);
      }
      const chase = skew === undefined ? faults : faults.slice(1);
      expect(chase.length).toBeGreaterThanOrEqual(2);
      chase.forEach((step, index) => {
        expect(step.atMs).toBe(faults[0]?.atMs);
        expect(["isolate", "crash"]).toContain(step.type);
        expect((step as { target: unknown }).target).toBe("leader");
        expect(step.afterNewLeaderMs === undefined).toBe(index === 0);
        expect(step.nthNewLeader).toBe(index >= 2 ? index : undefined);
      });
      validScenario(plan as FuzzPlan, correct);
      const entry = { plan: plan as FuzzPlan, edges: [1], probes: [], run: 0, batch: 0 };
      expect(parseCorpusFile(corpusFileText(correct, entry), correct)?.plan).toEqual(plan);
      // Loaded into a campaign that checks liveness, no step waits (it could come after the quiet phase).
      const live = parseCorpusFile(corpusFileText(correct, entry), { ...correct, liveness: true });
      for (const step of live?.plan.faults ?? []) expect(step.afterNewLeaderMs).toBeUndefined();
      expect(live?.plan.faults.length).toBe(faults.length);
    }
    expect(chases).toBe(20);
    expect(skews).toBeGreaterThan(0);
    expect(skews).toBeLessThan(20);
    // Under liveness checks no run chases leaders: a step that waits may come after the quiet phase.
    for (let fcSeed = 0; fcSeed < 200; fcSeed++) {
      expect(drawSwarm({ ...correct, liveness: true }, fcSeed)?.theme).not.toBe("leaders");
    }
  });
});

describe("voter chases", () => {
  test("a voters swarm crashes a follower soon after each new leader, restarts it, and cuts that leader off", () => {
    let chases = 0;
    let cutOffs = 0;
    for (let fcSeed = 0; chases < 20 && fcSeed < 4_000; fcSeed++) {
      const swarm = drawSwarm(correct, fcSeed);
      if (swarm?.theme !== "voters") continue;
      chases++;
      const [plan] = fc.sample(planArbitrary(correct, swarm), { seed: fcSeed, numRuns: 1 });
      const faults = (plan as FuzzPlan).faults;
      expect(faults.length).toBeLessThanOrEqual(swarm.faultStepsMax);
      // Most chases first cut one given node off, at the chase's time, for good.
      const first = faults[0];
      const cutOff = first?.type === "isolate" && typeof first.target === "number" ? first : undefined;
      if (cutOff !== undefined) {
        cutOffs++;
        expect(cutOff.afterNewLeaderMs).toBeUndefined();
      }
      const pairs = cutOff === undefined ? faults : faults.slice(1);
      expect(pairs.length % 2).toBe(0);
      expect(pairs.length).toBeGreaterThanOrEqual(2);
      pairs.forEach((step, index) => {
        expect(step.atMs).toBe(first?.atMs);
        const leader = Math.floor(index / 2) + 1;
        expect(step.nthNewLeader).toBe(leader === 1 ? undefined : leader);
        expect(step.afterNewLeaderMs).toBeDefined();
        if (index % 2 === 0) {
          expect(step).toMatchObject({ type: "crash", target: "follower" });
          expect((step as { restartAfterMs: number | null }).restartAfterMs).not.toBeNull();
        } else {
          expect(step).toMatchObject({ type: "isolate", target: "leader", healFirst: true });
        }
      });
      validScenario(plan as FuzzPlan, correct);
    }
    expect(chases).toBe(20);
    expect(cutOffs).toBeGreaterThan(0);
    expect(cutOffs).toBeLessThan(20);
    for (let fcSeed = 0; fcSeed < 400; fcSeed++) {
      expect(drawSwarm({ ...correct, liveness: true }, fcSeed)?.theme).not.toBe("voters");
    }
  });

  test("a leases swarm cuts off the first leader a while after its election, with one clock a few percent off", () => {
    let chases = 0;
    let slowLeaders = 0;
    for (let fcSeed = 0; chases < 20 && fcSeed < 8_000; fcSeed++) {
      const swarm = drawSwarm(correct, fcSeed);
      if (swarm?.theme !== "leases") continue;
      chases++;
      const [plan] = fc.sample(planArbitrary(correct, swarm), { seed: fcSeed, numRuns: 1 });
      const [skew, isolate, ...rest] = (plan as FuzzPlan).faults;
      expect(rest).toEqual([]);
      expect(skew).toMatchObject({ type: "drift", atMs: 0 });
      expect(isolate).toMatchObject({ type: "isolate", target: "leader", atMs: 0 });
      expect(skew?.afterNewLeaderMs).toBe(isolate?.afterNewLeaderMs);
      const { ratePercent, leader } = skew as { ratePercent: number; leader?: boolean };
      // The leader's own clock slowed, or another node's sped up, within 5 %.
      expect(Math.abs(ratePercent)).toBeGreaterThanOrEqual(1);
      expect(Math.abs(ratePercent)).toBeLessThanOrEqual(5);
      expect(ratePercent < 0).toBe(leader === true);
      if (leader === true) slowLeaders++;
      validScenario(plan as FuzzPlan, correct);
    }
    expect(chases).toBe(20);
    expect(slowLeaders).toBeGreaterThan(0);
    expect(slowLeaders).toBeLessThan(20);
    for (let fcSeed = 0; fcSeed < 400; fcSeed++) {
      expect(drawSwarm({ ...correct, liveness: true }, fcSeed)?.theme).not.toBe("leases");
    }
  });
});

describe("fresh runs", () => {
  test("a guided run reports the plan it generated, the plan its index and seed generate", () => {
    for (let index = 0; index < 10; index++) {
      const report = evaluateJob(correct, 5n, { index }, runner);
      expect(report.plan).toEqual(generatePlan(correct, 5n, index));
    }
    // Uniform search keeps no corpus, so its reports carry no plan.
    expect(evaluateJob({ ...correct, swarm: false }, 5n, { index: 0 }, runner).plan).toBeUndefined();
  });
});

describe("coverage", () => {
  test("runs with different faults cover different edges, and the map counts only what is new", () => {
    const quiet = evaluateJob(
      correct,
      1n,
      { index: 0, plan: { ...generatePlan(correct, 1n, 0), faults: [] } },
      runner,
    );
    const crashing = evaluateJob(
      correct,
      1n,
      {
        index: 1,
        plan: {
          ...generatePlan(correct, 1n, 0),
          faults: [{ atMs: 100, type: "crash", target: 0, restartAfterMs: 200, loseUnsynced: false }],
        },
      },
      runner,
    );
    expect(quiet.edges?.length).toBeGreaterThan(0);
    const map = new CoverageMap();
    expect(map.add(quiet.edges ?? [])).toBe(quiet.edges?.length);
    expect(map.add(quiet.edges ?? [])).toBe(0);
    expect(map.novelty(crashing.edges ?? [])).toBeGreaterThan(0);
  });

  test("probes are recorded by name and count as coverage", () => {
    const base = heartbeatProtocol() as unknown as Protocol;
    const probing: Protocol = {
      ...base,
      name: "probing",
      probes: ["restarted"],
      create(context, options) {
        const node = base.create(context, options) as unknown as HeartbeatNode;
        const onStart = node.onStart.bind(node);
        node.onStart = () => {
          onStart();
          if (node.boots > 1) context.probe("restarted");
        };
        return node as unknown as ReturnType<Protocol["create"]>;
      },
    };
    const settings = fuzzSettings(probing, { durationMs: 800, swarm: true });
    const probeRunner = scenarioRunner(new Map([["probing", probing]]), { liveness: false, coverage: true });
    const plan = generatePlan(settings, 1n, 0);
    const restartJob = {
      index: 0,
      plan: {
        ...plan,
        faults: [{ atMs: 50, type: "crash" as const, target: 1, restartAfterMs: 100, loseUnsynced: false }],
      },
    };
    const restart = evaluateJob(settings, 1n, restartJob, probeRunner);
    const none = evaluateJob(settings, 1n, { index: 1, plan: { ...plan, faults: [] } }, probeRunner);
    expect(restart.probes).toEqual(["restarted"]);
    expect(none.probes).toBeUndefined();
    expect(new Set(restart.edges).size).toBeGreaterThan(0);
    // Without coverage (uniform search), the same probes and no edges.
    const probesOnly = scenarioRunner(new Map([["probing", probing]]), { liveness: false, probes: true });
    const restartAgain = evaluateJob(settings, 1n, restartJob, probesOnly);
    expect(restartAgain.probes).toEqual(["restarted"]);
    expect(restartAgain.edges).toBeUndefined();
    expect(restartAgain.events).toBe(restart.events);
  });

  test("uniform search records coverage only when asked, and its statistics say when it did not", () => {
    expect(fuzzSettings(forgetful, { swarm: true }).coverage).toBe(true);
    expect(fuzzSettings(forgetful, { swarm: false }).coverage).toBeUndefined();
    expect(fuzzSettings(forgetful, { swarm: false, coverage: true }).coverage).toBe(true);
    const unmeasured = fuzzSettings(forgetful, { swarm: false });
    const guide = new CampaignGuide({
      settings: unmeasured,
      seed: 1n,
      mutate: false,
      planOf: (index) => generatePlan(unmeasured, 1n, index),
    });
    expect(guide.stats().coverage).toBeNull();
    const measured = fuzzSettings(forgetful, { swarm: false, coverage: true });
    const measuring = new CampaignGuide({
      settings: measured,
      seed: 1n,
      mutate: false,
      planOf: (index) => generatePlan(measured, 1n, index),
    });
    expect(measuring.stats().coverage).toBe(0);
  });
});

describe("corpus and mutations", () => {
  test("corpus files are named by their plan and read back equal; other protocols' files are skipped", () => {
    const plan = generatePlan(correct, 4n, 2);
    const entry = { plan, edges: [8, 17], probes: ["p"], run: 2, batch: 0 };
    const name = corpusFileName(correct, plan);
    expect(name).toMatch(/^forgetful-[0-9a-f]{16}\.json$/);
    expect(corpusFileName(correct, JSON.parse(JSON.stringify(plan)))).toBe(name);
    const read = parseCorpusFile(corpusFileText(correct, entry), correct);
    expect(read?.plan).toEqual(plan);
    expect(read?.edges).toEqual([8, 17]);
    const other = corpusFileText({ ...correct, protocol: "raft" }, entry);
    expect(parseCorpusFile(other, correct)).toBeUndefined();
    expect(() => parseCorpusFile('{"schemaVersion":1}', correct)).toThrow(/not a corpus file/);
    // Text that is not JSON is placed at its line and column, as every other input file is.
    const broken = (() => {
      try {
        parseCorpusFile('{\n  "schemaVersion": 1,\n  oops\n}\n', correct);
      } catch (error) {
        return error;
      }
    })();
    expect(broken).toBeInstanceOf(InputError);
    expect(broken).toMatchObject({ line: 3, column: 3 });
    expect((broken as Error).message).toMatch(/^not JSON: /);
  });

  test("mutants are valid plans within the settings, and a failing mutant shrinks to its crash and restart", () => {
    let plan = generatePlan(correct, 5n, 0);
    for (let step = 0; step < 200; step++) {
      plan = mutatePlan(correct, plan, randomStream(5n, `test/${step}`)).plan;
      validScenario(plan, correct);
      expect(plan.faults.length).toBeLessThanOrEqual(2 * correct.faultStepsMax);
    }
    const failing: FuzzPlan = {
      ...plan,
      faults: [
        ...plan.faults.slice(0, 4),
        { atMs: 300, type: "crash", target: 1, restartAfterMs: 100, loseUnsynced: false },
        { atMs: 320, type: "drift", node: 0, ratePercent: 10 },
      ],
    };
    const shrunk = shrinkJob(buggy, 5n, { index: 0, plan: failing }, runner);
    expect(shrunk?.failure.invariant).toBe("heartbeat.boots-monotone");
    expect(shrunk?.fcSeed).toBeNull();
    expect(shrunk?.plan.faults.length).toBeLessThanOrEqual(1);
  });
});

describe("guided campaigns", () => {
  async function campaign(workers: number, pipeline: boolean, settings: FuzzSettings, runs: number) {
    const handed: RunJob[] = [];
    const guide = new CampaignGuide({
      settings,
      seed: 9n,
      mutate: true,
      planOf: (index) => generatePlan(settings, 9n, index),
    });
    const evaluate = evaluator(settings, 9n, workers);
    const result = await runCampaign({
      settings,
      seed: 9n,
      runs,
      now,
      // Batches of 2, 4, 8 and then 16 runs: the ramp depends on the batch number only.
      firstBatchSize: 2,
      batchSize: 16,
      pipeline,
      guide,
      evaluate: (jobs) => {
        handed.push(...jobs);
        return evaluate(jobs);
      },
    });
    return { result, handed, stats: guide.stats(), corpus: guide.entries.map((entry) => entry.plan) };
  }

  test("the same runs, corpus and result for any worker count, pipelined or not", async () => {
    const one = await campaign(1, false, correct, 160);
    const three = await campaign(3, true, correct, 160);
    expect(one.stats.mutants).toBeGreaterThan(0);
    expect(one.stats.corpus).toBeGreaterThan(1);
    expect(three.handed).toEqual(one.handed);
    expect(three.corpus).toEqual(one.corpus);
    expect(three.stats.coverage).toBe(one.stats.coverage);
    expect(three.result.runs).toBe(one.result.runs);
  });

  test("a bug is found, and the failing job is known to the guide for shrinking", async () => {
    const found = await campaign(2, true, buggy, 400);
    expect(found.result.failure?.failure?.invariant).toBe("heartbeat.boots-monotone");
  });
});

describe("parents of mutants", () => {
  test("an entry that alone covers a pair is mutated far more often than its common siblings", () => {
    // Twenty loaded entries, told apart by their simulation seed; only entry 5 covers pair 800.
    const base = generatePlan(correct, 1n, 0);
    const corpus = Array.from({ length: 20 }, (_, index) => ({
      plan: { ...base, seed: index },
      edges: index === 5 ? [8, 16, 24, 800] : [8, 16, 24],
      probes: [],
      run: null,
      batch: -1,
    }));
    const guide = new CampaignGuide({
      settings: correct,
      seed: 4n,
      mutate: true,
      mutantShare: 1,
      corpus,
      planOf: (index) => generatePlan(correct, 4n, index),
    });
    const jobs = guide.jobs(
      Array.from({ length: 2_000 }, (_, index) => index),
      0,
    );
    const share = (seed: number) => jobs.filter((job) => job.plan?.seed === seed).length / jobs.length;
    // Uniform choice would give each entry about 5 %; rarity gives entry 5 about 17 %.
    expect(share(5)).toBeGreaterThan(0.12);
    expect(share(6)).toBeLessThan(0.06);
  });
});

describe("determinism re-runs", () => {
  test("every shard samples its own first run and one in 512 of its runs after it", () => {
    const sampled = (shard: { index: number; count: number }) => {
      const guide = new CampaignGuide({
        settings: correct,
        seed: 3n,
        mutate: false,
        shard,
        planOf: (index) => generatePlan(correct, 3n, index),
      });
      // 1,050 runs of the shard: its global runs index, index + count, ...
      const indices = Array.from({ length: 1_050 }, (_, local) => local * shard.count + shard.index);
      return guide
        .jobs(indices, 0)
        .filter((job) => job.sample === true)
        .map((job) => job.index);
    };
    expect(sampled({ index: 0, count: 1 })).toEqual([0, 512, 1024]);
    // Global runs 0, 512, 1024 are all shard 1's of 2; shard 2 checks its own runs 0, 512, 1024.
    expect(sampled({ index: 0, count: 2 })).toEqual([0, 1024, 2048]);
    expect(sampled({ index: 1, count: 2 })).toEqual([1, 1025, 2049]);
  });

  test("two different traces are reported with the first line where they part", () => {
    const lines = (value: number) => [
      { kind: "header" as const, version: 1 } as never,
      { kind: "note", t: 5, e: 3, node: "n1", label: `x${value}` } as never,
    ];
    expect(
      compareRuns({ traceHash: "a", records: lines(1) }, { traceHash: "a", records: lines(1) }),
    ).toBeUndefined();
    const found = compareRuns({ traceHash: "a", records: lines(1) }, { traceHash: "b", records: lines(2) });
    expect(found?.line).toBe(1);
    expect(found?.event).toBe(3);
    expect(found?.first).toContain("x1");
    expect(found?.second).toContain("x2");
  });

  test("a sampled run of a protocol that leaks state between runs is reported as nondeterministic", () => {
    let leaked = 0;
    const base = heartbeatProtocol() as unknown as Protocol;
    const leaky: Protocol = {
      ...base,
      name: "leaky",
      create(context, options) {
        // Module-level state that survives from run to run: the heartbeat period drifts.
        const period = 50_000 + (leaked++ % 7) * 1_000;
        const drifting: typeof context = {
          ...context,
          setTimer: (name, delayUs) => context.setTimer(name, name === "heartbeat" ? period : delayUs),
        };
        const node = base.create(drifting, options) as unknown as HeartbeatNode;
        return node as unknown as ReturnType<Protocol["create"]>;
      },
    };
    const settings = fuzzSettings(leaky, { durationMs: 500, swarm: true });
    const leakyRunner = scenarioRunner(new Map([["leaky", leaky]]), { liveness: false, coverage: true });
    const report = evaluateJob(settings, 1n, { index: 0, sample: true }, leakyRunner);
    expect(report.nondeterminism).toBeDefined();
    expect(report.nondeterminism?.line).toBeGreaterThan(0);
  });
});
