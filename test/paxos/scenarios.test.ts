/**
 * The Paxos teaching scenarios X1–X3 behave as their teaching text says, with the correct
 * protocol and with the deliberate bug each one illustrates.
 */
import { describe, expect, it } from "vitest";
import { runScenarioFile, violated } from "./support.js";

describe("paxos-dueling-proposers (X1)", () => {
  it("never chooses a value without backoff, stays safe, and flags the duel", () => {
    const result = runScenarioFile("paxos-dueling-proposers");
    expect(result.ok).toBe(true);
    expect(result.figures.decisions).toBe(0);
    expect(result.figures.dueling).toBe(true);
    expect(result.figures.ballots as number).toBeGreaterThan(100);
    expect(result.expectationsMet).toBe(true);
  });

  it("chooses a value once proposers back off randomly", () => {
    const result = runScenarioFile("paxos-dueling-proposers", { options: { backoff: true } });
    expect(result.ok).toBe(true);
    expect(result.figures.decisions).toBe(1);
    expect(result.figures.dueling).toBe(false);
  });
});

describe("paxos-acceptor-recovery (X2)", () => {
  it("steers ballot 2 to the chosen X through the restarted acceptor's durable state", () => {
    const result = runScenarioFile("paxos-acceptor-recovery");
    expect(result.ok).toBe(true);
    expect(result.expectationsMet).toBe(true);
    const chosen = result.records.filter((r) => r.kind === "note" && r.label === "chosen");
    expect(chosen.map((r) => (r.kind === "note" ? r.data : undefined))).toEqual([
      { ballot: 1, value: "X" },
      { ballot: 2, value: "X" },
    ]);
  });

  it("with a volatile acceptor (M14) chooses Y as well", () => {
    const result = runScenarioFile("paxos-acceptor-recovery", {
      options: { bugs: ["volatile-acceptor"] },
      continueAfterViolation: true,
    });
    expect(violated(result)).toEqual(
      expect.arrayContaining(["paxos.promise-monotone", "paxos.p2c-justified", "paxos.agreement"]),
    );
  });

  it("with promises that omit the accepted proposal (M11) chooses Y as well", () => {
    const result = runScenarioFile("paxos-acceptor-recovery", {
      options: { bugs: ["promise-omits-accepted"] },
      continueAfterViolation: true,
    });
    expect(violated(result)).toEqual(expect.arrayContaining(["paxos.p2c-justified", "paxos.agreement"]));
  });
});

describe("paxos-unsynced-acceptor (M29)", () => {
  it("with the bug, a power loss takes the acceptor's promise back, and Y is chosen after X", () => {
    const result = runScenarioFile("paxos-unsynced-acceptor-bug", { continueAfterViolation: true });
    expect(violated(result)).toEqual(["paxos.promise-monotone", "paxos.p2c-justified", "paxos.agreement"]);
  });

  it("without the bug, the same power loss takes nothing away and X is chosen twice", () => {
    for (const result of [
      runScenarioFile("paxos-unsynced-acceptor-bug", { options: { bugs: [] } }),
      runScenarioFile("paxos-unsynced-acceptor"),
    ]) {
      expect(result.violations).toEqual([]);
      const chosen = result.records.filter((r) => r.kind === "note" && r.label === "chosen");
      expect(chosen.map((r) => (r.kind === "note" ? r.data : undefined))).toEqual([
        { ballot: 1, value: "X" },
        { ballot: 2, value: "X" },
      ]);
    }
  });
});

describe("paxos-highest-ballot (X3)", () => {
  it("makes ballot 3 propose Y, the value of the highest ballot reported", () => {
    const result = runScenarioFile("paxos-highest-ballot");
    expect(result.ok).toBe(true);
    const accepts = result.records.filter((r) => r.kind === "send" && r.type === "accept" && r.from === "n3");
    expect(accepts.length).toBeGreaterThan(0);
    for (const send of accepts)
      expect(send.kind === "send" && send.msg).toEqual({ type: "accept", ballot: 3, value: "Y" });
  });

  it("with adopt-first-value (M12) proposes X and breaks agreement", () => {
    const result = runScenarioFile("paxos-highest-ballot", {
      options: { bugs: ["adopt-first-value"] },
      continueAfterViolation: true,
    });
    expect(violated(result)).toEqual(expect.arrayContaining(["paxos.p2c-justified", "paxos.agreement"]));
  });
});
