/**
 * Goal: the deepest point a failed search reports, which the explanation shows, is a point the
 * search really reached. The search mirrors its stack into that point lazily (only positions
 * popped since the last record are copied again) and derives the pending operations from the
 * prefix once the verdict is known, so a stale position or a wrong pending set would show here.
 * Method: fast-check draws small compare-and-set register histories with many indeterminate
 * operations, reads among them (which the search never lists as candidates), and runs the general
 * search on each (not the read-write sweep, which has its own deepest point); for every one that
 * is not linearizable, the prefix must replay through the model with the states it records,
 * respect real time, and the pending operations must be exactly those called before the failing
 * operation returned and not in the prefix, in the entry list's order.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { models } from "../../sim/check/index.js";
import { budgetOf } from "../../sim/check/linearizability.js";
import { startSearch } from "../../sim/check/search.js";
import type { Operation } from "../../sim/history.js";

const model = models["cas-register"];

const drawnOperation = fc.record({
  f: fc.constantFrom("read", "write", "cas"),
  value: fc.constantFrom(1, 2, 3),
  other: fc.constantFrom(1, 2, 3),
  readValue: fc.constantFrom(null, 1, 2, 3),
  swapped: fc.boolean(),
  callUs: fc.integer({ min: 0, max: 20 }),
  lengthUs: fc.integer({ min: 0, max: 6 }),
  crashed: fc.boolean(),
});

type Drawn = typeof drawnOperation extends fc.Arbitrary<infer T> ? T : never;

function operationsOf(drawn: readonly Drawn[]): Operation[] {
  return drawn.map((draw, id) => {
    const input = draw.f === "read" ? null : draw.f === "write" ? draw.value : [draw.value, draw.other];
    const output = draw.f === "read" ? draw.readValue : draw.f === "write" ? draw.value : draw.swapped;
    return {
      id,
      process: id,
      f: draw.f,
      key: null,
      input,
      output: draw.crashed ? undefined : output,
      status: draw.crashed ? "info" : "ok",
      callUs: draw.callUs,
      returnUs: draw.crashed ? Infinity : draw.callUs + draw.lengthUs,
    } satisfies Operation;
  });
}

describe("the deepest point of a failed search", () => {
  it("replays, respects real time and lists exactly the operations pending there", () => {
    let failures = 0;
    let deepPrefixes = 0;
    let pendingIndeterminateReads = 0;
    fc.assert(
      fc.property(fc.array(drawnOperation, { minLength: 2, maxLength: 9 }), (drawn) => {
        const operations = operationsOf(drawn);
        const outcome = startSearch(operations, model, true).run(budgetOf({}), Infinity);
        if (outcome?.kind !== "not-linearizable") return;
        failures++;
        const { deepest, states } = outcome;
        // Partition-local numbers are positions in `operations`.
        const placed = new Set<number>();
        let state: unknown = model.init();
        deepest.prefix.forEach((local, position) => {
          const operation = operations[local]!;
          for (const other of operations) {
            if (other.returnUs < operation.callUs) expect(placed.has(other.id)).toBe(true);
          }
          state = model.step(state, operation);
          expect(state).not.toBeUndefined();
          expect(states.values[deepest.states[position]!]).toBe(state);
          placed.add(local);
        });
        if (deepest.prefix.length >= 3) deepPrefixes++;
        const failing = operations[deepest.failing]!;
        const expected = operations
          .filter((operation) => !placed.has(operation.id) && operation.callUs <= failing.returnUs)
          .map((operation) => operation.id);
        // In list order: by call time, then number.
        expected.sort((left, right) => operations[left]!.callUs - operations[right]!.callUs || left - right);
        expect(deepest.pending).toEqual(expected);
        if (
          deepest.pending.some(
            (local) => operations[local]!.f === "read" && operations[local]!.status === "info",
          )
        )
          pendingIndeterminateReads++;
      }),
      { numRuns: 3000, seed: 20 },
    );
    // The property must have met the cases it is about.
    expect(failures).toBeGreaterThan(300);
    expect(deepPrefixes).toBeGreaterThan(30);
    expect(pendingIndeterminateReads).toBeGreaterThan(30);
  });
});
