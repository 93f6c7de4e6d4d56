/**
 * Every commit-protocol scenario in scenarios/ (2pc-*, 3pc-*) meets its `expect` block when run
 * as the CLI runs it (trace kept, commit figures merged in), and each shows the behaviour its
 * teaching text describes: who decided what, and who was blocked.
 */
import { readdirSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { decisionsOf, runCommitScenario, scenariosFolder, violatedBy } from "./support.js";

const names = readdirSync(scenariosFolder)
  .filter((file) => /^[23]pc-.*\.yaml$/.test(file))
  .map((file) => file.replace(/\.yaml$/, ""))
  .sort();

describe("scenario expectations", () => {
  test.each(names)("%s meets its expect block", (name) => {
    const result = runCommitScenario(name);
    const unmet = result.expectations.filter((expectation) => !expectation.met);
    expect(unmet).toEqual([]);
    expect(result.expectations.length).toBeGreaterThan(0);
  });
});

describe("what the scenarios show", () => {
  test("T1: one No vote aborts everywhere", () => {
    expect(decisionsOf(runCommitScenario("2pc-no-vote"), 1)).toEqual({
      n1: "abort",
      n2: "abort",
      n3: "abort",
      n4: "abort",
    });
  });

  test("T2: every participant waits for the coordinator to restart, then aborts", () => {
    const result = runCommitScenario("2pc-coordinator-crash");
    expect(decisionsOf(result, 1)).toEqual({ n1: "abort", n2: "abort", n3: "abort", n4: "abort" });
    const decidedAtUs = result.records.flatMap((line) =>
      line.kind === "note" && line.label === "decided" ? [line.t] : [],
    );
    expect(Math.min(...decidedAtUs)).toBeGreaterThanOrEqual(5_000_000);
  });

  test("T2 variant: P2 and P3 learn COMMIT from P1, the coordinator stays down", () => {
    const result = runCommitScenario("2pc-coordinator-crash-peer-knows");
    expect(decisionsOf(result, 1)).toEqual({ n1: "commit", n2: "commit", n3: "commit", n4: "commit" });
    expect(result.kernel.isUp("n1")).toBe(false);
  });

  test("T3: the survivors commit without the coordinator, or abort when nobody precommitted", () => {
    expect(decisionsOf(runCommitScenario("3pc-coordinator-crash"), 1)).toEqual({
      n2: "commit",
      n3: "commit",
      n4: "commit",
      n5: "commit",
    });
    expect(decisionsOf(runCommitScenario("3pc-coordinator-crash-wait"), 1)).toEqual({
      n2: "abort",
      n3: "abort",
      n4: "abort",
      n5: "abort",
    });
  });

  test("T3: the participant the survivors elect becomes coordinator, and leads until it decides", () => {
    const result = runCommitScenario("3pc-coordinator-crash");
    const roles = result.records.flatMap((line) =>
      line.kind === "state" ? [[line.node, (line.state as { role: string }).role] as const] : [],
    );
    const elected = roles.filter(([, role]) => role === "coordinator").map(([node]) => node);
    expect(new Set(elected)).toEqual(new Set(["n1", "n2"]));
    // n2 leads the termination, then goes back to taking part once it has decided.
    const n2 = roles.filter(([node]) => node === "n2").map(([, role]) => role);
    expect(n2.indexOf("coordinator")).toBeGreaterThan(0);
    expect(n2.at(-1)).toBe("participant");
    expect(result.kernel.leaderships.map((leadership) => leadership.node)).toEqual(["n1", "n2"]);
  });

  test("T3 under the quorum variant also commits", () => {
    const result = runCommitScenario("3pc-coordinator-crash", {
      edit: (text) => text.replace("protocol: three-phase-commit", "protocol: quorum-three-phase-commit"),
    });
    expect(result.protocol).toBe("quorum-three-phase-commit");
    expect(result.ok).toBe(true);
    expect(decisionsOf(result, 1)).toEqual({ n2: "commit", n3: "commit", n4: "commit", n5: "commit" });
  });

  test("T4: Skeen's 3PC decides both ways; the witnesses show both decisions", () => {
    const result = runCommitScenario("3pc-partition", { continueAfterViolation: true });
    expect(violatedBy(result)).toEqual(["commit.ac1-agreement"]);
    expect(decisionsOf(result, 1)).toMatchObject({
      n1: "commit",
      n2: "commit",
      n3: "abort",
      n4: "abort",
      n5: "abort",
    });
    const witnesses = result.violations[0]?.witnesses as { decisions: Record<string, string> };
    expect(new Set(Object.values(witnesses.decisions))).toEqual(new Set(["commit", "abort"]));
  });

  test("T4 under quorum 3PC: the majority aborts, P1 and the coordinator block", () => {
    const result = runCommitScenario("3pc-quorum-partition");
    expect(decisionsOf(result, 1)).toEqual({ n3: "abort", n4: "abort", n5: "abort" });
    const blocked = (result.figures.perTransaction as Array<{ participant: string; blockedAtEnd: boolean }>)
      .filter((interval) => interval.blockedAtEnd)
      .map((interval) => interval.participant);
    expect(blocked).toEqual(["n2"]);
  });

  test("quorum 3PC after the partition heals: the minority learns the abort", () => {
    const result = runCommitScenario("3pc-quorum-partition", {
      edit: (text) => text.replace("expect:", "  - {at: 1s, heal: true}\nexpect:"),
    });
    expect(result.ok).toBe(true);
    expect(decisionsOf(result, 1)).toEqual({
      n1: "abort",
      n2: "abort",
      n3: "abort",
      n4: "abort",
      n5: "abort",
    });
    expect(result.figures.blockedAtEnd).toBe(false);
  });

  test("M20 run on past the first violation also breaks AC1 and AC2", () => {
    const result = runCommitScenario("2pc-send-before-log-bug", { continueAfterViolation: true });
    expect(violatedBy(result)).toEqual([
      "commit.ac1-agreement",
      "commit.ac2-irreversible",
      "commit.decision-durable-before-send",
      // P2 aborts on the word of a coordinator that had decided commit.
      "commit.yes-voter-not-alone",
    ]);
  });

  test("the correct protocols pass the bug scenarios", () => {
    for (const name of [
      "2pc-commit-on-vote-timeout-bug",
      "2pc-ready-aborts-bug",
      "2pc-send-before-log-bug",
      "3pc-wait-commits-bug",
    ]) {
      expect(runCommitScenario(name, { options: { bugs: [] } }).ok, name).toBe(true);
    }
  });

  test("a scenario replays to the same trace hash", () => {
    expect(runCommitScenario("3pc-partition").traceHash).toBe(runCommitScenario("3pc-partition").traceHash);
  });
});
