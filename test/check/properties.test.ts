/**
 * Goal: properties that must hold for any history, not just the corpus.
 * Method: fast-check draws a seed and sizes; generateHistory runs operations against a
 * sequential object with random real-time overlap (so the history is linearizable by
 * construction), optionally crashing some; we then alter one read or reorder concurrent events.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateHistory } from "../../sim/check/generate.js";
import { checkHistory, models } from "../../sim/check/index.js";
import type { HistoryEvent } from "../../sim/history.js";

/** A small deterministic generator (mulberry32) from a fast-check seed. */
function randomFrom(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const kinds = ["register", "cas-register", "kv"] as const;
const modelFor = { register: models.register, "cas-register": models["cas-register"], kv: models.kv };

const historyArbitrary = fc.record({
  seed: fc.integer(),
  kind: fc.constantFrom(...kinds),
  operations: fc.integer({ min: 1, max: 40 }),
  clients: fc.integer({ min: 1, max: 6 }),
  crashProbability: fc.constantFrom(0, 0.1, 0.3),
});

type Parameters = typeof historyArbitrary extends fc.Arbitrary<infer T> ? T : never;

function generate(parameters: Parameters): HistoryEvent[] {
  return generateHistory({ ...parameters, random: randomFrom(parameters.seed) });
}

/** Swaps adjacent events of different processes when both are invocations or both completions. */
function reorderConcurrent(events: readonly HistoryEvent[], random: () => number): HistoryEvent[] {
  const result = [...events];
  for (let round = 0; round < result.length * 2; round++) {
    const index = Math.floor(random() * (result.length - 1));
    const left = result[index]!;
    const right = result[index + 1]!;
    if (left.process === right.process) continue;
    if ((left.type === "invoke") !== (right.type === "invoke")) continue;
    result[index] = right;
    result[index + 1] = left;
  }
  return result.map((event, position) => ({ ...event, timeUs: position }));
}

describe("linearizability properties", () => {
  it("accepts every history of a sequential execution with random overlap", () => {
    fc.assert(
      fc.property(historyArbitrary, (parameters) => {
        const events = generate(parameters);
        expect(checkHistory(events, modelFor[parameters.kind]).result).toBe("linearizable");
      }),
      { numRuns: 300 },
    );
  });

  it("rejects a history once one read returns a value nobody wrote", () => {
    fc.assert(
      fc.property(historyArbitrary, fc.nat(), (parameters, pick) => {
        const events = generate(parameters);
        const reads = events
          .map((event, index) => ({ event, index }))
          .filter(({ event }) => event.type === "ok" && (event.f === "read" || event.f === "get"));
        fc.pre(reads.length > 0);
        const chosen = reads[pick % reads.length]!;
        const altered = [...events];
        altered[chosen.index] = {
          ...chosen.event,
          value: parameters.kind === "kv" ? "never written" : 1_000_000,
        };
        const verdict = checkHistory(altered, modelFor[parameters.kind]);
        expect(verdict.result).toBe("not-linearizable");
        expect(verdict.explanation?.minimalSet.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it("gives the same verdict whatever the order of concurrent events", () => {
    fc.assert(
      fc.property(historyArbitrary, fc.integer(), fc.boolean(), (parameters, shuffleSeed, corrupt) => {
        let events = generate(parameters);
        if (corrupt) {
          const index = events.findIndex(
            (event) => event.type === "ok" && (event.f === "read" || event.f === "get"),
          );
          if (index >= 0)
            events = events.map((event, at) => (at === index ? { ...event, value: 7_777 } : event));
        }
        const model = modelFor[parameters.kind];
        const expected = checkHistory(events, model, { explain: false }).result;
        const reordered = reorderConcurrent(events, randomFrom(shuffleSeed));
        expect(checkHistory(reordered, model, { explain: false }).result).toBe(expected);
        // With timestamps, the order of the array does not matter at all.
        const shuffled = [...events].reverse();
        expect(checkHistory(shuffled, model, { explain: false }).result).toBe(expected);
      }),
      { numRuns: 200 },
    );
  });
});
