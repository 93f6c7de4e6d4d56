/**
 * State descriptions are pulled: the kernel asks a node for its description after each of its
 * steps while a trace is recorded, and the trace keeps a description only when it differs from
 * the node's previous one (a node's first description after a crash is always kept).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LastDescription } from "../../sim/trace/last-description.js";
import { sameDescription, sameJson, type TraceLine, TraceRecorder } from "../../sim/trace.js";

function stateRecords(records: readonly TraceLine[]): unknown[] {
  return records
    .filter((record) => record.kind === "state")
    .map((record) => (record as { state: unknown }).state);
}

/** A copy of an object with its fields in reverse order (anything else as it is). */
function reversed(value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).reverse());
}

describe("pulled state descriptions", () => {
  it("compares descriptions as JSON data: undefined fields do not count, nor does field order", () => {
    expect(sameDescription({ a: 1, b: [1, { c: "x" }] }, { b: [1, { c: "x" }], a: 1 })).toBe(true);
    expect(sameDescription({ a: undefined, b: 2 }, { b: 2, c: undefined })).toBe(true);
    expect(sameDescription({ a: 1 }, { a: 1, b: null })).toBe(false);
    expect(sameDescription({ a: [1, 2] }, { a: [1, 2, 3] })).toBe(false);
  });

  it("answers as sameDescription does, through the generated code of a shape or without", () => {
    // Small alphabets, so that equal, reordered and nearly equal pairs all come up.
    const leaf = fc.oneof(fc.constantFrom(1, 2, "a", null, true), fc.constant(undefined));
    const value = fc.oneof(leaf, fc.array(fc.constantFrom(1, 2), { maxLength: 2 }));
    const description = fc.oneof(
      fc.dictionary(fc.constantFrom("role", "term", "log", "1", "x"), value, { maxKeys: 5 }),
      fc.constant(undefined),
      fc.array(value, { maxLength: 2 }),
    );
    fc.assert(
      fc.property(description, description, fc.boolean(), fc.boolean(), (kept, next, reorder, copies) => {
        const candidate = reorder ? reversed(next) : next;
        const last = new LastDescription(copies);
        last.changed(kept);
        expect(last.changed(candidate)).toBe(!sameDescription(kept, candidate));
        expect(last.changed(structuredClone(kept))).toBe(!sameDescription(candidate, kept));
        expect(last.changed(reversed(kept))).toBe(false);
        expect(last.changed(kept)).toBe(false);
      }),
      { seed: 17, numRuns: 2_000 },
    );
  });

  it("answers as sameDescription does along any sequence until the node hands an object back", () => {
    // A node that hands its last object over again is taken at its word from then on: each other
    // object it hands over is a change, kept as it is. Before that, every answer is the reference's.
    const leaf = fc.oneof(fc.constantFrom(1, 2), fc.constant(undefined));
    const description = fc.oneof(
      { weight: 5, arbitrary: fc.dictionary(fc.constantFrom("role", "term", "x"), leaf, { maxKeys: 3 }) },
      fc.constant(null),
      fc.array(leaf, { maxLength: 2 }),
    );
    const step = fc.oneof(description, fc.constant("again" as const), fc.constant("reversed" as const));
    fc.assert(
      fc.property(fc.array(step, { maxLength: 16 }), fc.boolean(), (steps, copies) => {
        const last = new LastDescription(copies);
        let handed: unknown;
        let shown: unknown;
        let trusted = false;
        for (const next of steps) {
          const candidate = next === "again" ? handed : next === "reversed" ? reversed(handed) : next;
          const again = candidate === handed;
          const expected = !again && (trusted || !sameDescription(shown, candidate));
          expect(last.changed(candidate)).toBe(expected);
          if (expected) {
            expect(sameDescription(last.current, candidate)).toBe(true);
            shown = candidate;
          }
          if (again && typeof candidate === "object" && candidate !== null) trusted = true;
          handed = candidate;
        }
      }),
      { seed: 23, numRuns: 3_000 },
    );
  });

  it("takes a node that handed its description back at its word, until it crashes", () => {
    const last = new LastDescription(true);
    const first = { role: "leader", term: 1 };
    expect(last.changed(first)).toBe(true);
    expect(last.changed({ role: "leader", term: 1 })).toBe(false);
    expect(last.changed(null)).toBe(true);
    expect(last.changed(null)).toBe(false);
    // null handed again is no promise: equal objects are still dropped.
    expect(last.changed({ role: "leader", term: 1 })).toBe(true);
    const repeated = { role: "leader", term: 2 };
    expect(last.changed(repeated)).toBe(true);
    expect(last.changed(repeated)).toBe(false);
    // Handed back once: a new object is a change, even one equal to the last.
    expect(last.changed({ role: "leader", term: 2 })).toBe(true);
    expect(last.current).toEqual({ role: "leader", term: 2 });
    last.forget();
    expect(last.changed({ role: "leader", term: 2 })).toBe(true);
    expect(last.changed({ term: 2, role: "leader" })).toBe(false);
  });

  it("finds a field dropped after a change that also added it, copied or not", () => {
    for (const copies of [false, true]) {
      const last = new LastDescription(copies);
      expect(last.changed({ role: 1, term: 1 })).toBe(true);
      expect(last.changed({ role: 1, term: 1 })).toBe(false);
      expect(last.changed({ role: 2, term: 1, x: 1 })).toBe(true);
      expect(last.changed({ role: 2, term: 1 })).toBe(true);
      expect(last.changed({ term: 1, role: 2 })).toBe(false);
    }
  });

  it("compares messages as JSON text: field order counts, at every depth", () => {
    expect(sameJson({ a: 1, b: [1, { c: "x", d: 2 }] }, { a: 1, b: [1, { c: "x", d: 2 }] })).toBe(true);
    expect(sameJson({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(false);
    expect(sameJson({ a: [{ c: 1, d: 2 }] }, { a: [{ d: 2, c: 1 }] })).toBe(false);
    expect(sameJson({ a: undefined, b: 2 }, { b: 2, c: undefined })).toBe(true);
    expect(sameJson({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameJson({ a: 1 }, { a: 1, b: null })).toBe(false);
    expect(sameJson({ a: [1, 2] }, { a: [1, 2, 3] })).toBe(false);
    expect(sameJson({ a: [1] }, { a: { 0: 1 } })).toBe(false);
    expect(sameJson(undefined, { a: 1 })).toBe(false);
  });

  it("keeps a plain description as a copy with the same JSON text, any other as it is", () => {
    class Described {
      constructor(readonly term: number) {}
      toJSON(): unknown {
        return { shownTerm: this.term };
      }
    }
    const plain = { 2: "two", role: "leader", term: 3, leader: undefined, log: [[1, 1]] };
    const instance = new Described(3);
    const trace = new TraceRecorder({ hash: false, keep: true });
    const n1 = trace.symbol("n1");
    const n2 = trace.symbol("n2");
    trace.state({ t: 0, e: 0, node: n1 }, plain);
    trace.state({ t: 0, e: 0, node: n2 }, instance);
    const [keptPlain, keptInstance] = stateRecords(trace.records);
    expect(keptPlain).not.toBe(plain);
    expect(JSON.stringify(keptPlain)).toBe(JSON.stringify(plain));
    expect((keptPlain as { log: unknown }).log).toBe(plain.log);
    expect(keptInstance).toBe(instance);
  });

  it("drops a node's description equal to its previous one, per node, until the node crashes", () => {
    const trace = new TraceRecorder({ hash: true, keep: true });
    const n1 = trace.symbol("n1");
    const n2 = trace.symbol("n2");
    trace.state({ t: 0, e: 0, node: n1 }, { role: "follower", term: 1 });
    trace.state({ t: 0, e: 1, node: n2 }, { role: "follower", term: 1 });
    trace.state({ t: 0, e: 2, node: n1 }, { role: "follower", term: 1, leader: undefined });
    trace.state({ t: 0, e: 3, node: n1 }, { role: "leader", term: 1 });
    trace.state({ t: 0, e: 4, node: n1 }, { role: "leader", term: 1, matchIndex: undefined });
    trace.record({ kind: "crash", t: 0, e: 5, node: "n1" });
    trace.state({ t: 0, e: 6, node: n1 }, { role: "leader", term: 1 });
    const states = trace.records.filter((record) => record.kind === "state");
    expect(states.map((record) => [record.e, (record as { node: string }).node])).toEqual([
      [0, "n1"],
      [1, "n2"],
      [3, "n1"],
      [6, "n1"],
    ]);
    expect(stateRecords(trace.records)[2]).toEqual({ role: "leader", term: 1 });
  });
});
