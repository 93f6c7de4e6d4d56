/**
 * Goal: the quick witness (sim/check/quick-linearization.ts) never calls a history linearizable
 * that is not, and it decides the histories it is meant for: completed operations taken in
 * return order, with a read that sees a write still running.
 * Method: fast-check draws small cas-register histories from a sequential execution with random
 * intervals around each operation's instant, and sometimes changes one read's value. Whenever a
 * witness comes back, it must hold every completed operation, respect real time, be accepted by
 * the model step by step, and the brute-force oracle must agree that the history is
 * linearizable. Both outcomes must be common, or the test shows little.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AnyModel, casRegisterModelOf, checkHistory, kvModelOf } from "../../sim/check/index.js";
import { linearizableAtOnce, quickLinearization } from "../../sim/check/quick-linearization.js";
import type { HistoryEvent, Operation } from "../../sim/history.js";
import { bruteForce } from "../support/brute-force.js";

const drawnArbitrary = fc.record({
  f: fc.constantFrom("read", "read", "write", "cas"),
  value: fc.integer({ min: 0, max: 3 }),
  expected: fc.integer({ min: 0, max: 3 }),
  before: fc.constantFrom(0, 0, 1, 2, 5),
  after: fc.constantFrom(0, 0, 1, 2, 5),
  crashed: fc.integer({ min: 0, max: 5 }).map((draw) => draw === 0),
  takesEffect: fc.boolean(),
});

type Drawn = ReturnType<typeof drawnArbitrary.generate>["value"];

/** Runs the drawn operations in order, each at instant 3 × position; reads see the register. */
function historyOf(drawn: readonly Drawn[], alteration: number | undefined): Operation[] {
  let state: number | null = null;
  const operations = drawn.map((draw, id): Operation => {
    const instant = 3 * id;
    const base = {
      id,
      process: id,
      key: null,
      callUs: instant - draw.before,
      returnUs: draw.crashed ? Infinity : instant + draw.after,
      status: draw.crashed ? "info" : "ok",
    } as const;
    const effect = !draw.crashed || draw.takesEffect;
    if (draw.f === "read")
      return { ...base, f: "read", input: null, output: draw.crashed ? undefined : state };
    if (draw.f === "write") {
      if (effect) state = draw.value;
      return { ...base, f: "write", input: draw.value, output: draw.crashed ? undefined : draw.value };
    }
    const swapped = state === draw.expected;
    if (effect && swapped) state = draw.value;
    return {
      ...base,
      f: "cas",
      input: [draw.expected, draw.value],
      output: draw.crashed ? undefined : swapped,
    };
  });
  if (alteration === undefined) return operations;
  const reads = operations.filter((operation) => operation.f === "read" && operation.status === "ok");
  const read = reads[alteration % Math.max(1, reads.length)];
  if (read === undefined) return operations;
  return operations.map((operation) =>
    operation === read ? { ...operation, output: (alteration >> 3) % 4 } : operation,
  );
}

/** Whether `order` is a linearization of `operations`: every completed one, real time, legal. */
function isWitness(order: readonly number[], operations: readonly Operation[], model: AnyModel): boolean {
  const completed = operations.filter((operation) => operation.status === "ok").map(({ id }) => id);
  if (!completed.every((id) => order.includes(id)) || new Set(order).size !== order.length) return false;
  let state: unknown = model.init();
  for (let position = 0; position < order.length; position++) {
    const operation = operations[order[position]!]!;
    // No operation placed later may have returned before this one was called.
    if (order.slice(position + 1).some((later) => operations[later]!.returnUs < operation.callUs))
      return false;
    state = model.step(state, operation);
    if (state === undefined) return false;
  }
  return true;
}

describe("quick linearization", () => {
  it("gives only real witnesses, and finds one for most linearizable histories", () => {
    const model = casRegisterModelOf();
    let witnesses = 0;
    let linearizable = 0;
    let runs = 0;
    fc.assert(
      fc.property(
        fc.array(drawnArbitrary, { minLength: 1, maxLength: 8 }),
        fc.option(fc.nat(31), { freq: 3 }),
        (drawn, alteration) => {
          const operations = historyOf(drawn, alteration ?? undefined);
          const order = quickLinearization(operations, model);
          const expected = bruteForce(operations, model);
          runs++;
          if (expected) linearizable++;
          if (order === undefined) return;
          witnesses++;
          expect(isWitness(order, operations, model)).toBe(true);
          expect(expected).toBe(true);
        },
      ),
      { numRuns: 3000 },
    );
    expect(linearizable).toBeGreaterThan(runs / 4);
    expect(linearizable).toBeLessThan(runs);
    expect(witnesses).toBeGreaterThan(linearizable / 2);
  });

  it("places a write still running before the read that saw it", () => {
    const model = casRegisterModelOf();
    const operations: Operation[] = [
      {
        id: 0,
        process: 1,
        f: "write",
        key: null,
        input: 1,
        output: 1,
        status: "ok",
        callUs: 0,
        returnUs: 10,
      },
      {
        id: 1,
        process: 2,
        f: "read",
        key: null,
        input: null,
        output: 1,
        status: "ok",
        callUs: 2,
        returnUs: 5,
      },
    ];
    expect(quickLinearization(operations, model)).toEqual([0, 1]);
    // The same read before the write was called sees nothing written yet.
    const stale = [operations[0]!, { ...operations[1]!, callUs: -3, returnUs: -1 }];
    expect(quickLinearization(stale, model)).toBeUndefined();
  });

  it("moves a read in front of a write it returned just after and did not see", () => {
    const model = casRegisterModelOf();
    const write: Operation = {
      id: 0,
      process: 1,
      f: "write",
      key: null,
      input: 1,
      output: 1,
      status: "ok",
      callUs: 0,
      returnUs: 10,
    };
    const read: Operation = {
      ...write,
      id: 1,
      process: 2,
      f: "read",
      input: null,
      output: null,
      callUs: 5,
      returnUs: 12,
    };
    expect(quickLinearization([write, read], model)).toEqual([1, 0]);
    // Called after the write returned, the read must see it.
    expect(quickLinearization([write, { ...read, callUs: 11 }], model)).toBeUndefined();
  });

  it("reorders the last placed writes when a later read saw the one that returned first", () => {
    const model = casRegisterModelOf();
    const operation = (
      id: number,
      f: string,
      value: number,
      callUs: number,
      returnUs: number,
    ): Operation => ({
      id,
      process: id,
      f,
      key: null,
      input: f === "read" ? null : value,
      output: value,
      status: "ok",
      callUs,
      returnUs,
    });
    // Write 4 and write 2 run at once; write 2 returns first, so return order places it first,
    // but a read called after both returned sees 2: write 4 took effect before write 2.
    const operations = [
      operation(0, "write", 4, 0, 10),
      operation(1, "write", 2, 2, 8),
      operation(2, "read", 2, 11, 12),
    ];
    expect(quickLinearization(operations, model)).toEqual([0, 1, 2]);
    // Had write 4 been called after write 2 returned, the read could not see 2.
    const ordered = [operation(0, "write", 4, 9, 10), operations[1]!, operations[2]!];
    expect(quickLinearization(ordered, model)).toBeUndefined();
    expect(bruteForce(ordered, model)).toBe(false);
  });

  it("moves a compare-and-set before a write that returned first", () => {
    const model = casRegisterModelOf();
    const base = { key: null, status: "ok", input: null } as const;
    const operations: Operation[] = [
      { ...base, id: 0, process: 0, f: "write", input: 2, output: 2, callUs: 0, returnUs: 1 },
      { ...base, id: 1, process: 1, f: "write", input: 1, output: 1, callUs: 2, returnUs: 6 },
      { ...base, id: 2, process: 2, f: "cas", input: [2, 3], output: true, callUs: 3, returnUs: 8 },
      { ...base, id: 3, process: 3, f: "read", output: 1, callUs: 9, returnUs: 10 },
    ];
    const order = quickLinearization(operations, model);
    expect(order).toEqual([0, 2, 1, 3]);
    expect(isWitness(order!, operations, model)).toBe(true);
  });

  it("agrees with the full check on a kv history, and leaves malformed ones to it", () => {
    const event = (type: HistoryEvent["type"], process: number, f: string, value: unknown, timeUs: number) =>
      ({ type, process, f, key: "k", value, timeUs }) as const;
    const history: HistoryEvent[] = [
      event("invoke", 1, "write", 1, 0),
      event("invoke", 2, "read", null, 1),
      event("ok", 2, "read", 1, 2),
      event("ok", 1, "write", 1, 3),
      event("invoke", 3, "write", 2, 4),
      event("info", 3, "write", undefined, 5),
      event("invoke", 1, "read", null, 6),
      event("ok", 1, "read", 2, 7),
    ];
    expect(linearizableAtOnce(history, kvModelOf())).toBe(true);
    expect(checkHistory(history, kvModelOf()).result).toBe("linearizable");
    const stale = [...history.slice(0, 7), event("ok", 1, "read", 3, 7)];
    expect(linearizableAtOnce(stale, kvModelOf())).toBe(false);
    expect(checkHistory(stale, kvModelOf(), { explain: false }).result).toBe("not-linearizable");
    const unpaired = [event("ok", 4, "read", 1, 0), ...history];
    expect(linearizableAtOnce(unpaired, kvModelOf())).toBe(false);
  });
});
