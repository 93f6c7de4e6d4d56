/**
 * Scenario files written by the fuzzer must read back to the very scenario that was run, or a
 * counterexample would not replay. These tests generate scenarios (fuzz plans plus free-form
 * labels), write them as YAML and parse them back.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { planArbitrary } from "../../sim/fuzz/arbitraries.js";
import { type FaultStep, type FuzzPlan, planScenario } from "../../sim/fuzz/plan.js";
import { fuzzSettings } from "../../sim/fuzz/settings.js";
import { parseScenario } from "../../sim/scenario/load.js";
import type { Scenario } from "../../sim/scenario/schema.js";
import { exactDuration, writeScenario } from "../../sim/scenario/write.js";
import { heartbeatProtocol } from "../support/heartbeat.js";
import { forgetful } from "./support/forgetful.js";

function comparable(scenario: Scenario): unknown {
  const { file: _file, ...rest } = scenario;
  return JSON.parse(JSON.stringify(rest, (_key, value) => (typeof value === "bigint" ? `${value}n` : value)));
}

describe("writeScenario", () => {
  test("durations are written exactly in the largest unit that divides them", () => {
    expect(exactDuration(0)).toBe(0);
    expect(exactDuration(2_000_000)).toBe("2s");
    expect(exactDuration(1_500_000)).toBe("1500ms");
    expect(exactDuration(1_500_001)).toBe("1500001us");
  });

  test("generated scenarios with any labels read back equal", () => {
    const settings = fuzzSettings(forgetful, { bugs: ["forget-boots"], liveness: false });
    const withWorkload = { ...settings, protocol: "heartbeat", bugs: [], operations: { read: 1, write: 2 } };
    fc.assert(
      fc.property(
        fc
          .oneof(fc.constant(settings), fc.constant(withWorkload))
          .chain((chosen) => fc.tuple(fc.constant(chosen), planArbitrary(chosen))),
        fc.context(),
        fc.string(),
        fc.string(),
        fc.option(fc.array(fc.string({ minLength: 1 }), { maxLength: 2 }), { nil: undefined }),
        ([chosen, plan], context, summary, description, violates) => {
          const scenario = planScenario(plan, chosen, {
            name: "round-trip",
            summary,
            description,
            ...(violates === undefined ? {} : { expectViolates: violates }),
          });
          const text = writeScenario(scenario, { comment: "a comment\nover two lines" });
          context.log(text);
          expect(comparable(parseScenario(text, "round-trip.yaml"))).toEqual(comparable(scenario));
        },
      ),
      { numRuns: 150 },
    );
  });

  test("the fuzzer draws no clog or burst of no length, even with a fault phase as long as the run", () => {
    const settings = { ...fuzzSettings(forgetful, { durationMs: 300, faultPhaseMs: 300 }), bugs: [] };
    fc.assert(
      fc.property(planArbitrary(settings), (plan) => {
        for (const fault of planScenario(plan, settings, { name: "phase-to-the-end" }).faults) {
          if (fault.kind === "clog") expect(fault.clog.for).toBeGreaterThan(0);
          if (fault.kind === "burst") expect(fault.burst.for).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  test("a plan's clog or burst of no length, or clog of no delay (a corpus file's), is left out, so that the scenario loads", () => {
    const settings = { ...fuzzSettings(forgetful, {}), bugs: [] };
    const [plan] = fc.sample(planArbitrary(settings), { seed: 1, numRuns: 1 });
    const faults: FaultStep[] = [
      { atMs: 100, type: "clog", from: 0, to: 1, oneWay: false, delayMs: 50, forMs: 0 },
      { atMs: 150, type: "clog", from: 0, to: 1, oneWay: false, delayMs: 0, forMs: 10 },
      { atMs: 100, type: "burst", lossPermille: 500, duplicatePermille: 0, forMs: 0 },
      { atMs: 200, type: "burst", lossPermille: 500, duplicatePermille: 0, forMs: 10 },
    ];
    const scenario = planScenario({ ...(plan as FuzzPlan), faults }, settings, { name: "no-length" });
    expect(scenario.faults.filter((fault) => fault.kind === "clog" || fault.kind === "burst")).toEqual([
      { atUs: 200_000, kind: "burst", burst: { loss: 0.5, duplicate: 0, for: 10_000 } },
    ]);
    const again = parseScenario(writeScenario(scenario), "no-length.yaml");
    expect(comparable(again)).toEqual(comparable(scenario));
  });

  test("hand-written networks, links, scripted operations and expectations survive the round trip", () => {
    const text = `name: every-field
protocol: heartbeat
nodes: 3
seed: "0xffffffffffffffff"
duration: 2s
network:
  latency: {exponential: 2ms, max: 50ms}
  loss: 0.1
  links: [{from: n1, to: n3, latency: {uniform: [1ms, 5ms]}, loss: 0.5, both: true}]
faults:
  - {at: 10ms, op: {f: write, key: x, value: [1, "a"], node: n1, timeout: 1500us, follow: false}}
  - {at: 20ms, cut: {from: n1, to: n2, oneWay: true}, note: one way}
  - {at: 30ms, clog: {link: [n2, n3], delay: 7ms, for: 1s}}
  - {at: 40ms, burst: {duplicate: 0.5, for: 10ms}}
  - {at: 50ms, drift: {node: leader, rate: -0.25}}
expect: {safe: false, linearizable: true, leader: {by: 1s}, figures: {operations.ok: {min: 1}, leaderChanges: {max: 2}}, blocked: false}
`;
    const scenario = parseScenario(text, "every-field.yaml");
    const again = parseScenario(writeScenario(scenario), "every-field.yaml");
    expect(comparable(again)).toEqual(comparable(scenario));
    expect(heartbeatProtocol().name).toBe(scenario.protocol);
  });
});
