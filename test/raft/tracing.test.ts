/**
 * Nodes describe themselves only when a trace is recorded: untraced runs (fuzzing) read Raft's
 * role and term through the protocol's role accessors and never call `describe()`. What the nodes
 * do must not depend on it: a run traced and untraced takes the same steps, gives the same history,
 * finds the same violations and sees the same leaders.
 */
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../cli/files.js";
import { protocols } from "../../protocols/index.js";
import type { Protocol } from "../../sim/node.js";
import { runScenario } from "../../sim/run.js";

/** The registry with Raft's nodes counting the calls to their `describe()`. */
function countingDescriptions(): { registry: ReadonlyMap<string, Protocol>; calls: () => number } {
  let calls = 0;
  const raft = protocols.get("raft") as Protocol;
  const counted: Protocol = {
    ...raft,
    create(context, options) {
      const node = raft.create(context, options);
      const describeNode = node.describe?.bind(node);
      node.describe = () => {
        calls++;
        return describeNode?.() ?? {};
      };
      return node;
    },
  };
  return { registry: new Map([...protocols, ["raft", counted]]), calls: () => calls };
}

describe("raft with and without a trace", () => {
  for (const name of ["raft-figure-8", "raft-figure-8-bug", "raft-partial-partition", "raft-leader-crash"]) {
    it(`runs ${name} the same either way`, () => {
      const scenario = loadScenario(name);
      const traced = runScenario(scenario, protocols, { keepTrace: true });
      const counting = countingDescriptions();
      const untraced = runScenario(scenario, counting.registry, { keepTrace: false, hashTrace: false });
      expect(counting.calls()).toBe(0);
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
        expect(untraced.kernel.roleOf(node)).toBe(traced.kernel.roleOf(node));
        expect(untraced.kernel.stateOf(node)).toEqual(traced.kernel.stateOf(node));
      }
    });
  }
});
