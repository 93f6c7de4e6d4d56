/**
 * Goal: the search's pruning never changes a verdict. The search skips indeterminate operations
 * that change nothing, tries only one of interchangeable operations (the first to return, or the
 * first called when indeterminate), and lets a legal read-only operation dominate; each is argued sound in
 * sim/check/search.ts. Here they are checked against a brute-force search with no pruning and no
 * cache, on small random histories of every shape (any overlap, many crashed operations, outputs
 * drawn at random so both verdicts are common), for the register, CAS register, kv and mutex
 * models.
 * Method: fast-check draws operations with random intervals; the brute force tries every order
 * that respects real time, with every subset of the indeterminate operations.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkOperations, models } from "../../sim/check/index.js";
import type { Operation } from "../../sim/history.js";
import { bruteForce } from "../support/brute-force.js";

const values = [null, 0, 1, 2] as const;

/** A random small operation for a model. */
function operationArbitrary(kind: "register" | "cas-register" | "kv" | "mutex") {
  const value = fc.constantFrom(...values.slice(1));
  const f =
    kind === "register"
      ? fc.constantFrom("read", "write")
      : kind === "cas-register"
        ? fc.constantFrom("read", "write", "cas")
        : kind === "kv"
          ? fc.constantFrom("get", "put", "append")
          : fc.constantFrom("acquire", "release");
  return fc.record({
    f,
    value,
    other: value,
    readValue: fc.constantFrom(...values),
    swapped: fc.boolean(),
    callUs: fc.integer({ min: 0, max: 12 }),
    lengthUs: fc.integer({ min: 0, max: 8 }),
    crashed: fc.boolean(),
  });
}

type Drawn = ReturnType<typeof operationArbitrary> extends fc.Arbitrary<infer T> ? T : never;

function operationsOf(
  kind: "register" | "cas-register" | "kv" | "mutex",
  drawn: readonly Drawn[],
): Operation[] {
  const text = (value: unknown): string => (value === null ? "" : `x${String(value)}`);
  return drawn.map((draw, id) => {
    const status = draw.crashed ? "info" : "ok";
    let input: unknown = null;
    let output: unknown;
    switch (draw.f) {
      case "read":
        output = draw.readValue;
        break;
      case "get":
        output =
          draw.readValue === null
            ? null
            : draw.swapped
              ? text(draw.readValue)
              : `${text(draw.value)}${text(draw.readValue)}`;
        break;
      case "write":
        input = draw.value;
        output = draw.value;
        break;
      case "put":
      case "append":
        input = text(draw.value);
        output = input;
        break;
      case "cas":
        input = [draw.value, draw.other];
        output = draw.swapped;
        break;
      default:
        output = null;
    }
    return {
      id,
      process: id,
      f: draw.f,
      key: kind === "kv" ? "k" : null,
      input,
      output: status === "ok" ? output : undefined,
      status,
      callUs: draw.callUs,
      returnUs: draw.crashed ? Infinity : draw.callUs + draw.lengthUs,
    };
  });
}

describe("search pruning", () => {
  it("places two indeterminate operations that commute with each other before the read that needs both", () => {
    // Found by the property below: swapping indeterminate operations must not be a rewrite.
    const append = (id: number): Operation => ({
      id,
      process: id,
      f: "append",
      key: "k",
      input: "x",
      output: undefined,
      status: "info",
      callUs: 0,
      returnUs: Infinity,
    });
    const get: Operation = {
      id: 2,
      process: 2,
      f: "get",
      key: "k",
      input: null,
      output: "xx",
      status: "ok",
      callUs: 0,
      returnUs: 0,
    };
    expect(checkOperations([get, append(0), append(1)], models.kv).result).toBe("linearizable");
  });

  it("rejects at once an operation that no reachable state allows, naming it", () => {
    // 30 concurrent writes make the search itself slow (every subset of them is a configuration
    // before the read); the read of 9 is impossible whatever the order.
    const operations: Operation[] = [];
    for (let id = 0; id < 30; id++)
      operations.push({
        id,
        process: id,
        f: "write",
        key: null,
        input: id % 5,
        output: id % 5,
        status: "ok",
        callUs: id,
        returnUs: 100,
      });
    operations.push({
      id: 30,
      process: 30,
      f: "read",
      key: null,
      input: null,
      output: 9,
      status: "ok",
      callUs: 101,
      returnUs: 102,
    });
    const verdict = checkOperations(operations, models.register, { maxSteps: 1_000_000 });
    expect(verdict.result).toBe("not-linearizable");
    expect(verdict.explanation?.failingOperation).toBe(30);
    expect(verdict.explanation?.minimalSet).toEqual([30]);
    expect(verdict.explanation?.summary).toContain("is possible in none of the 6 states");
  });
});

describe("search pruning against brute force", () => {
  for (const kind of ["register", "cas-register", "kv", "mutex"] as const) {
    it(`agrees on random ${kind} histories with crashed operations`, () => {
      let linearizable = 0;
      let runs = 0;
      fc.assert(
        fc.property(fc.array(operationArbitrary(kind), { minLength: 1, maxLength: 8 }), (drawn) => {
          const operations = operationsOf(kind, drawn);
          const model = models[kind];
          const expected = bruteForce(operations, model);
          const verdict = checkOperations(operations, model, { explain: false });
          runs++;
          if (expected) linearizable++;
          expect(verdict.result).toBe(expected ? "linearizable" : "not-linearizable");
        }),
        { numRuns: 1500 },
      );
      // Both verdicts must be common, or the comparison shows little.
      expect(linearizable).toBeGreaterThan(runs / 10);
      expect(linearizable).toBeLessThan((runs * 9) / 10);
    });
  }
});
