/**
 * The coverage recorder counts messages per link and per role pair and hits their edges when a
 * run's edges are read. Goal: the same edges, with the same hit-count buckets, as hitting every
 * message as it is sent. Method: drive a counting recorder and a hitting one with the same events
 * (random streams from fast-check, and real Raft fuzz runs through the kernel) and compare.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { protocols } from "../../protocols/index.js";
import { generatePlan } from "../../sim/fuzz/campaign.js";
import { CoverageRecorder } from "../../sim/fuzz/coverage.js";
import { planScenario } from "../../sim/fuzz/plan.js";
import { fuzzSettings } from "../../sim/fuzz/settings.js";
import type { KernelObserver } from "../../sim/observer.js";
import { runScenario } from "../../sim/run.js";

type Event =
  | { kind: "message"; from: number; to: number; type: string }
  | { kind: "role"; node: number; role: string; term: number; timeUs: number }
  | { kind: "fault"; fault: string; timeUs: number }
  | { kind: "probe"; node: number; name: string };

const eventArbitrary = (endpoints: number): fc.Arbitrary<Event> =>
  fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record({
        kind: fc.constant("message" as const),
        from: fc.nat(endpoints - 1),
        to: fc.nat(endpoints - 1),
        type: fc.constantFrom("append", "append-reply", "vote", "client-request", "client-reply"),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant("role" as const),
        node: fc.nat(endpoints - 1),
        // More roles than the counts have positions for, so that the fallback is taken too.
        role: fc.constantFrom(...Array.from({ length: 20 }, (_, index) => `role-${index}`)),
        term: fc.nat(6),
        timeUs: fc.nat(1_000_000),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant("fault" as const),
        fault: fc.constantFrom("crash", "partition", "heal"),
        timeUs: fc.nat(1_000_000),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant("probe" as const),
        node: fc.nat(endpoints - 1),
        name: fc.constantFrom("a", "b"),
      }),
    },
  );

function play(recorder: CoverageRecorder, events: readonly Event[]): void {
  for (const event of events) {
    if (event.kind === "message") recorder.message(event.from, event.to, event.type);
    else if (event.kind === "role") recorder.role(event.node, event.role, event.term, event.timeUs);
    else if (event.kind === "fault") recorder.fault(event.fault, event.timeUs);
    else recorder.probe(event.node, event.name);
  }
}

/** An observer that hands every event to both recorders. */
function both(left: KernelObserver, right: KernelObserver): KernelObserver {
  return {
    message: (from, to, type) => {
      left.message(from, to, type);
      right.message(from, to, type);
    },
    role: (node, role, term, timeUs) => {
      left.role(node, role, term, timeUs);
      right.role(node, role, term, timeUs);
    },
    fault: (kind, timeUs) => {
      left.fault(kind, timeUs);
      right.fault(kind, timeUs);
    },
    probe: (node, name) => {
      left.probe(node, name);
      right.probe(node, name);
    },
  };
}

describe("coverage recorder", () => {
  test("counted messages give the same edges as messages hit one by one, run after run", () => {
    const counting = new CoverageRecorder();
    const hitting = new CoverageRecorder({ countMessages: false });
    const streams = fc
      .record({ nodes: fc.integer({ min: 1, max: 18 }), clients: fc.integer({ min: 0, max: 4 }) })
      .chain(({ nodes, clients }) =>
        fc.record({
          nodes: fc.constant(nodes),
          events: fc.array(eventArbitrary(nodes + clients), { maxLength: 300 }),
        }),
      );
    fc.assert(
      fc.property(streams, ({ nodes, events }) => {
        counting.reset(nodes);
        hitting.reset(nodes);
        play(counting, events);
        play(hitting, events);
        expect(counting.edges()).toEqual(hitting.edges());
        expect(counting.probes).toEqual(hitting.probes);
      }),
      { seed: 17, numRuns: 200 },
    );
  });

  test("the same edges on real Raft fuzz runs, and no counts leak from one run into the next", () => {
    const settings = fuzzSettings(protocols.get("raft") as never, { durationMs: 2_000 });
    const counting = new CoverageRecorder();
    const hitting = new CoverageRecorder({ countMessages: false });
    let messageEdges = 0;
    for (let index = 0; index < 6; index++) {
      const plan = generatePlan(settings, 7n, index);
      const scenario = planScenario(plan, settings, { name: "coverage" });
      counting.reset(plan.nodes);
      hitting.reset(plan.nodes);
      runScenario(scenario, protocols, { hashTrace: false, observer: both(counting, hitting) });
      const edges = counting.edges();
      expect(edges).toEqual(hitting.edges());
      messageEdges += edges.length;
    }
    expect(messageEdges).toBeGreaterThan(100);
  });
});
