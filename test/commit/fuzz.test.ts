/**
 * The commit protocols under the fuzzer (sim/fuzz, default settings: crashes, restarts,
 * partitions, cuts, loss and delay in the first two seconds of three-second runs). The correct
 * protocols pass a short campaign, each deliberate bug (M18–M21, M28, M30) is found within a few runs, and
 * Skeen's three-phase commit is found breaking AC1: its known limit under partitions.
 */
import { describe, expect, test } from "vitest";
import { protocols } from "../../protocols/index.js";
import { threePhaseCommit } from "../../protocols/three-phase-commit/index.js";
import { evaluateRun } from "../../sim/fuzz/campaign.js";
import { scenarioRunner } from "../../sim/fuzz/property.js";
import { fuzzSettings } from "../../sim/fuzz/settings.js";
import type { Protocol } from "../../sim/node.js";

const runner = scenarioRunner(protocols, { liveness: false });

/** The invariant of the first failing run among `runs`, or undefined. */
function firstFailure(name: string, bugs: readonly string[], runs: number): string | undefined {
  const settings = fuzzSettings(protocols.get(name) as Protocol, { bugs });
  for (let index = 0; index < runs; index++) {
    const failure = evaluateRun(settings, 1n, index, runner).failure;
    if (failure !== undefined) return failure.invariant;
  }
  return undefined;
}

describe("correct protocols", () => {
  test.each(["two-phase-commit", "quorum-three-phase-commit"])("%s survives 30 fuzz runs", (name) => {
    expect(firstFailure(name, [], 30)).toBeUndefined();
  });
});

describe("deliberate bugs are found", () => {
  test.each([
    ["two-phase-commit", "commit-on-vote-timeout", 20],
    ["two-phase-commit", "ready-aborts-on-timeout", 20],
    ["two-phase-commit", "send-before-log", 20],
    // A power loss must land between a participant's YES and its next forced write.
    ["two-phase-commit", "unforced-vote", 300],
    ["three-phase-commit", "wait-commits-on-timeout", 20],
    ["quorum-three-phase-commit", "wait-commits-on-timeout", 20],
    // A power loss must land between a participant's YES and its next forced write, in a cluster
    // of two participants (the bug's hint), where a majority is everyone.
    ["quorum-three-phase-commit", "unforced-vote", 200],
  ] as const)("%s with %s", (name, bug, runs) => {
    const bugInfo = (protocols.get(name) as Protocol).bugs.find((known) => known.name === bug);
    const found = firstFailure(name, [bug], runs);
    expect(found).toBeDefined();
    expect(bugInfo?.breaks).toContain(found);
  });
});

test("Skeen's three-phase commit breaks AC1 under partitions, its documented limit", () => {
  const found = firstFailure("three-phase-commit", [], 40);
  expect(found).toBe("commit.ac1-agreement");
  expect(threePhaseCommit.knownLimits?.map((limit) => limit.invariant)).toContain(found);
});
