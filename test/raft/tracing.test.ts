/**
 * Untraced runs (fuzzing) annotate Raft nodes with only role and term. What the nodes do must not
 * depend on it: a run traced and untraced takes the same steps, gives the same history and finds
 * the same violations.
 */
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../cli/files.js";
import { protocols } from "../../protocols/index.js";
import { runScenario } from "../../sim/run.js";

describe("raft with and without a trace", () => {
  for (const name of ["raft-figure-8", "raft-figure-8-bug", "raft-partial-partition", "raft-leader-crash"]) {
    it(`runs ${name} the same either way`, () => {
      const scenario = loadScenario(name);
      const traced = runScenario(scenario, protocols, { keepTrace: true });
      const untraced = runScenario(scenario, protocols, { keepTrace: false, hashTrace: false });
      expect(untraced.traceHash).toBe("");
      expect(untraced.events).toBe(traced.events);
      expect(untraced.history).toEqual(traced.history);
      expect(untraced.violations).toEqual(traced.violations);
      expect(untraced.kernel.leaderships).toEqual(traced.kernel.leaderships);
      const states = traced.records.filter((record) => record.kind === "state");
      expect(states.some((record) => Array.isArray((record.state as { logTerms?: unknown }).logTerms))).toBe(
        true,
      );
      for (const node of untraced.kernel.nodeIds) {
        const state = untraced.kernel.stateOf(node);
        if (state !== undefined) expect(Object.keys(state).sort()).toEqual(["role", "term"]);
      }
    });
  }
});
