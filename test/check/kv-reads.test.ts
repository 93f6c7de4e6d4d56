/**
 * Goal: what the kv model's reads tell the search (sim/check/models/kv-reads.ts: stale reads
 * found before the search, read chains that prune placements) never changes a verdict, and does
 * fire on the histories it is meant for.
 * Method: fast-check draws small histories of gets, puts and appends from a sequential execution
 * with random intervals around each operation's instant, then often changes one read's value to
 * another value the key held or could hold. Appended texts overlap (`b`, `ab`, `a`), so that a
 * value can end in several of them; some repeat. A brute-force search with no pruning and no
 * cache decides each history, trying every order that respects real time with every subset of
 * the indeterminate operations; the checker (guard included) must agree, with keys starting
 * absent and starting at "". The general search is also run alone, since the quick witness
 * decides many of these histories before any search would consult the guard.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AnyModel, checkOperations, kvModelOf } from "../../sim/check/index.js";
import { budgetOf } from "../../sim/check/linearizability.js";
import { kvReadGuard } from "../../sim/check/models/kv-reads.js";
import { startSearch } from "../../sim/check/search.js";
import type { Operation } from "../../sim/history.js";
import { bruteForce } from "../support/brute-force.js";

const texts = ["a", "b", "ab", "c", "bc", "d"] as const;
const putValues = ["p", "pa", "q", null] as const;

const drawnArbitrary = fc.record({
  f: fc.constantFrom("get", "get", "put", "append", "append"),
  text: fc.constantFrom(...texts),
  putValue: fc.constantFrom(...putValues),
  before: fc.constantFrom(0, 0, 1, 2, 5),
  after: fc.constantFrom(0, 0, 1, 2, 5),
  crashed: fc.integer({ min: 0, max: 5 }).map((draw) => draw === 0),
  takesEffect: fc.boolean(),
});

type Drawn = ReturnType<typeof drawnArbitrary.generate>["value"];

/**
 * Runs the drawn operations in order, each at instant 3 × position, from `initial`; reads
 * return what they see. Then, when `altered` is set, one read returns another value.
 */
function historyOf(
  drawn: readonly Drawn[],
  initial: string | null,
  alteration: { readonly read: number; readonly value: number } | undefined,
): Operation[] {
  let state: string | null = initial;
  const seen = new Set<string | null>([initial]);
  const operations: Operation[] = drawn.map((draw, id) => {
    const instant = 3 * id;
    const callUs = instant - draw.before;
    const returnUs = draw.crashed ? Infinity : instant + draw.after;
    const status = draw.crashed ? "info" : "ok";
    const base = { id, process: id, key: "k", callUs, returnUs, status } as const;
    if (draw.f === "get") return { ...base, f: "get", input: null, output: draw.crashed ? undefined : state };
    const effect = !draw.crashed || draw.takesEffect;
    if (draw.f === "put") {
      if (effect) state = draw.putValue;
      seen.add(state);
      return { ...base, f: "put", input: draw.putValue, output: draw.crashed ? undefined : draw.putValue };
    }
    if (effect) state = `${state ?? ""}${draw.text}`;
    seen.add(state);
    return { ...base, f: "append", input: draw.text, output: draw.crashed ? undefined : draw.text };
  });
  if (alteration === undefined) return operations;
  const reads = operations.filter((operation) => operation.f === "get" && operation.status === "ok");
  if (reads.length === 0) return operations;
  const read = reads[alteration.read % reads.length]!;
  // Another value the key held, or one it could hold (a held value with one more text).
  const held = [...seen];
  const candidates = [
    ...held,
    ...held.map((value) => `${value ?? ""}${texts[alteration.value % texts.length]}`),
  ];
  const value = candidates[alteration.value % candidates.length]!;
  return operations.map((operation) => (operation === read ? { ...operation, output: value } : operation));
}

const historyArbitrary = fc.record({
  drawn: fc.array(drawnArbitrary, { minLength: 1, maxLength: 8 }),
  alteration: fc.option(fc.record({ read: fc.nat(7), value: fc.nat(40) }), { freq: 2 }),
});

describe("kv read guard against brute force", () => {
  for (const initial of [null, ""] as const) {
    it(`agrees on random get/put/append histories (keys start at ${JSON.stringify(initial)})`, () => {
      const base = kvModelOf({ initial });
      let runs = 0;
      let linearizable = 0;
      let staleFound = 0;
      let pruned = 0;
      // The kv model, counting the placements its guard prunes.
      const model: AnyModel = {
        ...base,
        guard(operations) {
          const guard = base.guard?.(operations);
          if (guard === undefined) return undefined;
          return {
            unplaceable: guard.unplaceable,
            allows(operation, before, after, linearized) {
              const allowed = guard.allows(operation, before, after, linearized);
              if (!allowed) pruned++;
              return allowed;
            },
          };
        },
      };
      fc.assert(
        fc.property(historyArbitrary, ({ drawn, alteration }) => {
          const operations = historyOf(drawn, initial, alteration ?? undefined);
          const expected = bruteForce(operations, model);
          const verdict = checkOperations(operations, model, { explain: false });
          // The quick witness decides many histories before any search runs; the general search
          // is run on its own too, so that the guard's pruning is measured on every history.
          const searched = startSearch(operations, model, false).run(budgetOf({}), Infinity);
          runs++;
          if (expected) linearizable++;
          if (kvReadGuard(operations, initial)?.unplaceable?.() !== undefined) staleFound++;
          expect(verdict.result).toBe(expected ? "linearizable" : "not-linearizable");
          expect(searched?.kind).toBe(expected ? "linearizable" : "not-linearizable");
        }),
        { numRuns: 2000 },
      );
      // Both verdicts must be common, and both parts of the guard must fire, or this shows little.
      expect(linearizable).toBeGreaterThan(runs / 5);
      expect(linearizable).toBeLessThan((runs * 4) / 5);
      expect(staleFound).toBeGreaterThan(runs / 20);
      expect(pruned).toBeGreaterThan(runs / 20);
    });
  }
});

describe("kv read guard on the histories it is meant for", () => {
  const operation = (
    fields: Partial<Operation> & Pick<Operation, "id" | "f" | "callUs" | "returnUs">,
  ): Operation => ({
    process: fields.id,
    key: "k",
    input: null,
    output: null,
    status: "ok",
    ...fields,
  });

  it("orders concurrent appends by a later read instead of trying their orders", () => {
    // Seven appends run at once after a put; a read then shows them in one order. Without the
    // chains, the search tries orders of the seven appends until one matches the read.
    const texts = ["a6", "a3", "a5", "a1", "a0", "a4", "a2"];
    const operations: Operation[] = [
      operation({ id: 0, f: "put", input: "v", output: "v", callUs: 0, returnUs: 1 }),
    ];
    for (const text of [...texts].sort())
      operations.push(
        operation({ id: operations.length, f: "append", input: text, output: text, callUs: 2, returnUs: 20 }),
      );
    operations.push(
      operation({ id: operations.length, f: "get", output: `v${texts.join("")}`, callUs: 21, returnUs: 22 }),
    );
    const withGuard = checkOperations(operations, kvModelOf(), { explain: false });
    const unguarded: AnyModel = { ...kvModelOf(), guard: undefined };
    const without = checkOperations(operations, unguarded, { explain: false });
    expect(withGuard.result).toBe("linearizable");
    expect(without.result).toBe("linearizable");
    expect(withGuard.steps! * 10).toBeLessThan(without.steps!);
  });

  it("treats values holding a text no read shows as one state, until a put replaces them", () => {
    // `z` and `y` are never read: after either, only a put makes the key readable again.
    const operations = [
      operation({ id: 0, f: "append", input: "z", output: "z", callUs: 0, returnUs: 1 }),
      operation({ id: 1, f: "append", input: "y", output: "y", callUs: 0, returnUs: 1 }),
      operation({ id: 2, f: "put", input: "p", output: "p", callUs: 2, returnUs: 3 }),
      operation({ id: 3, f: "append", input: "q", output: "q", callUs: 4, returnUs: 5 }),
      operation({ id: 4, f: "get", output: "pq", callUs: 6, returnUs: 7 }),
    ];
    expect(checkOperations(operations, kvModelOf()).result).toBe("linearizable");
    const stale = [
      ...operations.slice(0, 4),
      operation({ id: 4, f: "get", output: "zy", callUs: 6, returnUs: 7 }),
    ];
    expect(checkOperations(stale, kvModelOf(), { explain: false }).result).toBe("not-linearizable");
  });

  it("refutes a stale read before the search, naming why", () => {
    // put v0, then put v1 (after v0 returned), then a read of v0 after v1 returned.
    const operations = [
      operation({ id: 0, f: "put", input: "v0", output: "v0", callUs: 0, returnUs: 2 }),
      operation({ id: 1, f: "append", input: "a1", output: "a1", callUs: 1, returnUs: 3 }),
      operation({ id: 2, f: "put", input: "v1", output: "v1", callUs: 4, returnUs: 6 }),
      operation({ id: 3, f: "get", output: "v0", callUs: 8, returnUs: 9 }),
    ];
    const verdict = checkOperations(operations, kvModelOf());
    expect(verdict.result).toBe("not-linearizable");
    expect(verdict.steps).toBe(0);
    const explanation = verdict.explanation!;
    expect(explanation.failingOperation).toBe(3);
    expect(explanation.minimalSet).toEqual([0, 2, 3]);
    expect(explanation.summary).toContain('is put[k]("v0") → "v0" by process 0');
    expect(explanation.summary).toContain('returned before put[k]("v1") → "v1" by process 2 was called');
  });
});
