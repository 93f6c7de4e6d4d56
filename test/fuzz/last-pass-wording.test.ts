/**
 * How the last pass of shrinking is described, in the text output (cli/fuzz/output.ts) and in
 * the counterexample file's description (sim/fuzz/counterexample.ts). Goal: a cut workload names
 * only the counts that changed, so an unchanged client count is not said to have been cut.
 * Method: constructed sizes before and after the pass.
 */
import { describe, expect, it } from "vitest";
import { lastPassSummary } from "../../cli/fuzz/output.js";
import { lastPassChanges } from "../../sim/fuzz/counterexample.js";
import type { LastPassResult, ScenarioSize } from "../../sim/fuzz/minimize.js";

const before: ScenarioSize = { faultActions: 3, clients: 1, operations: 11, durationUs: 3_000_000 };

function summary(after: Omit<ScenarioSize, "faultActions">): string {
  return lastPassSummary({
    beforeLastPass: before,
    faultActionsRemoved: 0,
    faultActionsSimplified: 0,
    ...after,
    lastPassComplete: true,
  });
}

function changes(after: Omit<ScenarioSize, "faultActions">): string[] {
  const pass = {
    before,
    after: { faultActions: before.faultActions, ...after },
    removed: 0,
    simplified: 0,
    runs: 20,
    rounds: 2,
    budgetExhausted: false,
  } as unknown as LastPassResult;
  return lastPassChanges(pass);
}

describe("the last pass's workload cut", () => {
  it("names only the operations when the clients stayed", () => {
    const after = { clients: 1, operations: 4, durationUs: before.durationUs };
    expect(summary(after)).toBe(" and a last pass that cut the workload to 4 operations (from 11)");
    expect(changes(after)).toEqual(["cut the workload from 11 operations to 4 operations"]);
  });

  it("names only the clients when the operations stayed", () => {
    const wide = { ...before, clients: 3 };
    const after = { clients: 1, operations: 11, durationUs: before.durationUs };
    expect(
      lastPassSummary({
        beforeLastPass: wide,
        faultActionsRemoved: 0,
        faultActionsSimplified: 0,
        ...after,
        lastPassComplete: true,
      }),
    ).toBe(" and a last pass that cut the workload to 1 client (from 3)");
  });

  it("names both when both changed", () => {
    const wide = { ...before, clients: 3, operations: 41 };
    const after = { clients: 1, operations: 4, durationUs: 612_000 };
    expect(
      lastPassSummary({
        beforeLastPass: wide,
        faultActionsRemoved: 7,
        faultActionsSimplified: 2,
        ...after,
        lastPassComplete: true,
      }),
    ).toBe(
      " and a last pass that removed 7 more, simplified 2, cut the workload to 1 client and 4 operations (from 3 and 41) and shortened the run to 612ms (from 3s)",
    );
  });

  it("says nothing of the workload when it stayed", () => {
    expect(summary({ clients: 1, operations: 11, durationUs: before.durationUs })).toBe("");
    expect(changes({ clients: 1, operations: 11, durationUs: before.durationUs })).toEqual([]);
  });
});
