/**
 * Runs whose history check was inconclusive (the checker's budget ran out: `unknown`). Goal: they
 * still count as passed, but the campaign counts them, only among the runs `runs` counts (not past
 * the first failure, not the rest of its batch), the same for any batch size; the text and
 * `--json` say how many, and a campaign that found nothing but had some exits 3 (inconclusive).
 * Method: constructed reports for the accounting, then a history checker that never decides on
 * Raft's generated runs, so that no assertion depends on time.
 */
import { describe, expect, test } from "vitest";
import { campaignExitCode, fuzzJson, inconclusiveLine } from "../../cli/fuzz/output.js";
import type { FuzzOutcome } from "../../cli/shared/fuzz-campaign.js";
import { protocols } from "../../protocols/index.js";
import { ExitCode } from "../../sim/errors.js";
import { evaluateJob, type RunJob, type RunReport, runCampaign } from "../../sim/fuzz/campaign.js";
import { scenarioRunner } from "../../sim/fuzz/property.js";
import { fuzzSettings } from "../../sim/fuzz/settings.js";
import type { HistoryChecker } from "../../sim/run.js";

const raft = protocols.get("raft");
if (raft === undefined) throw new Error("no raft protocol");
const settings = fuzzSettings(raft, { durationMs: 1_000, swarm: false });
let clock = 0;
const now = () => clock++;

/** Reports for constructed runs: inconclusive at `unknown`, failing at `failing`. */
function constructed(unknown: readonly number[], failing?: number) {
  return async (jobs: readonly RunJob[]): Promise<RunReport[]> =>
    jobs.map(({ index }) => ({
      index,
      events: 1,
      ...(unknown.includes(index) ? { inconclusive: true } : {}),
      ...(index === failing
        ? { failure: { invariant: "test.broken", kind: "safety" as const, message: "broken" } }
        : {}),
    }));
}

describe("a campaign's inconclusive runs", () => {
  test("are counted among the runs performed, the same for any batch size", async () => {
    for (const [batchSize, pipeline] of [
      [1, false],
      [5, true],
      [32, false],
    ] as const) {
      const result = await runCampaign({
        settings,
        seed: 1n,
        runs: 12,
        now,
        batchSize,
        pipeline,
        evaluate: constructed([2, 5, 9]),
      });
      expect(result.failure).toBeUndefined();
      expect(result.inconclusive).toBe(3);
    }
  });

  test("stop at the first failure: neither the failing run nor the rest of its batch counts", async () => {
    for (const batchSize of [1, 4, 32]) {
      const result = await runCampaign({
        settings,
        seed: 1n,
        runs: 12,
        now,
        batchSize,
        evaluate: constructed([2, 5, 7, 9], 7),
      });
      expect(result.runs).toBe(8);
      expect(result.inconclusive).toBe(2);
    }
  });

  test("are the runs whose history check answered unknown", async () => {
    let checked = 0;
    const undecided: HistoryChecker = () => {
      checked++;
      return { result: "unknown" };
    };
    const runner = scenarioRunner(protocols, { liveness: false, checkHistory: undecided });
    const results = [];
    for (const batchSize of [1, 8]) {
      checked = 0;
      results.push(
        await runCampaign({
          settings,
          seed: 3n,
          runs: 8,
          now,
          batchSize,
          evaluate: async (jobs) => jobs.map((job) => evaluateJob(settings, 3n, job, runner)),
        }),
      );
      // Every run with a client history was checked, and each check was undecided.
      expect(results.at(-1)?.inconclusive).toBe(checked);
    }
    expect(results[0]?.failure).toBeUndefined();
    expect(results[0]?.inconclusive).toBeGreaterThan(0);
    expect(results[1]?.inconclusive).toBe(results[0]?.inconclusive);

    const decided = scenarioRunner(protocols, {
      liveness: false,
      checkHistory: () => ({ result: "linearizable" }),
    });
    const plain = await runCampaign({
      settings,
      seed: 3n,
      runs: 8,
      now,
      evaluate: async (jobs) => jobs.map((job) => evaluateJob(settings, 3n, job, decided)),
    });
    expect(plain.inconclusive).toBe(0);
  });
});

describe("fuzz output for inconclusive runs", () => {
  const outcome = (inconclusiveRuns: number, more: Partial<FuzzOutcome> = {}): FuzzOutcome => ({
    protocol: "raft",
    bugs: [],
    seed: 1n,
    settings,
    runs: 40,
    evaluated: 40,
    events: 4_000,
    inconclusiveRuns,
    searchMs: 100,
    wallMs: 100,
    runsPerSec: 400,
    eventsPerSec: 40_000,
    ...more,
  });

  test("the text names how many, and --json gives inconclusiveRuns", () => {
    expect(inconclusiveLine(outcome(0))).toBeUndefined();
    expect(inconclusiveLine(outcome(1))).toBe("1 run's history check was inconclusive (checker budget)");
    expect(inconclusiveLine(outcome(3))).toBe("3 runs' history checks were inconclusive (checker budget)");
    expect(fuzzJson(outcome(3))).toMatchObject({ violations: 0, inconclusiveRuns: 3 });
    expect(fuzzJson(outcome(0))).toMatchObject({ inconclusiveRuns: 0 });
  });

  test("no violation with inconclusive runs exits 3; a violation, nondeterminism or a signal wins", () => {
    const signal = () => 130;
    expect(campaignExitCode(outcome(0), signal)).toBe(ExitCode.ok);
    expect(campaignExitCode(outcome(2), signal)).toBe(ExitCode.inconclusive);
    expect(campaignExitCode(outcome(2, { interrupted: true }), signal)).toBe(130);
    const counterexample = {} as NonNullable<FuzzOutcome["counterexample"]>;
    expect(campaignExitCode(outcome(2, { counterexample }), signal)).toBe(ExitCode.violation);
    const nondeterminism = {} as NonNullable<FuzzOutcome["nondeterminism"]>;
    expect(campaignExitCode(outcome(2, { nondeterminism }), signal)).toBe(ExitCode.usage);
  });
});
