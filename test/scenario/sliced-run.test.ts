/**
 * A run taken to its end in slices of virtual time (as `quorumlab run` takes it, to draw progress
 * and hear Ctrl-C between slices) runs the same events as a run taken at once: the same trace
 * hash, events and verdict, for scenarios with crashes, waits for new leaders, bursts, clogs and a
 * workload.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { historyChecker } from "../../cli/history-check.js";
import { protocols } from "../../protocols/index.js";
import { runScenario, startScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";

const folder = join(import.meta.dirname, "..", "..", "scenarios");
const load = (name: string) =>
  parseScenario(readFileSync(join(folder, `${name}.yaml`), "utf8"), `${name}.yaml`);

describe("a run in slices", () => {
  it.each([
    "raft-figure-8",
    "raft-basic",
    "sharded-kv-drop-sessions-bug",
    "2pc-ready-aborts-bug",
    "raft-figure-8-bug",
  ])("%s: the same run as at once", (name) => {
    const options = { checkHistory: historyChecker() };
    const whole = runScenario(load(name), protocols, options);
    const run = startScenario(load(name), protocols, options);
    expect(run.done).toBe(false);
    let slices = 0;
    // Slices of an odd length, so that their ends fall between events and on none in particular.
    while (!run.done) {
      run.advance(run.timeUs + 7_777);
      slices++;
    }
    expect(slices).toBeGreaterThan(1);
    const sliced = run.finish();
    expect(sliced.traceHash).toBe(whole.traceHash);
    expect(sliced.events).toBe(whole.events);
    expect(sliced.simulatedUs).toBe(whole.simulatedUs);
    expect(sliced.expectations).toEqual(whole.expectations);
    expect(sliced.violations.map((violation) => violation.invariant)).toEqual(
      whole.violations.map((violation) => violation.invariant),
    );
  });

  it("cannot be finished before its end", () => {
    const run = startScenario(load("raft-basic"), protocols);
    run.advance(1_000);
    expect(run.timeUs).toBe(1_000);
    expect(() => run.finish()).toThrow(/not reached its end/);
  });
});
