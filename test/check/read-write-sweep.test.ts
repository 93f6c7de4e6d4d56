/**
 * Goal: the sweep for reads and blind writes (sim/check/read-write-sweep.ts) reaches the same
 * verdict as a brute-force search and as the general search, and every linearization it returns
 * is one: the model accepts it in order, it respects real time and it holds every completed
 * operation.
 * Method: fast-check draws small register histories with any overlap, many crashed writes and
 * reads of random values (both verdicts are common), compared with a brute force that tries every
 * order and every subset of the crashed operations; then larger generated histories (many
 * clients, crashes, one read altered at random) are compared with the general search.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateHistory } from "../../sim/check/generate.js";
import { type AnyModel, models, registerModelOf } from "../../sim/check/index.js";
import { budgetOf } from "../../sim/check/linearizability.js";
import { startReadWriteSweep } from "../../sim/check/read-write-sweep.js";
import { type SearchOutcome, startSearch } from "../../sim/check/search.js";
import { type Operation, pairOperations } from "../../sim/history.js";
import { bruteForce } from "../support/brute-force.js";

/** Whether `order` (partition-local numbers) is a linearization of `operations`. */
function isLinearization(
  operations: readonly Operation[],
  order: readonly number[],
  model: AnyModel,
): boolean {
  const placed = new Set<number>();
  let state: unknown = model.init();
  for (const local of order) {
    const operation = operations[local];
    if (operation === undefined || placed.has(local)) return false;
    if (operations.some((other, index) => other.returnUs < operation.callUs && !placed.has(index)))
      return false;
    state = model.step(state, operation);
    if (state === undefined) return false;
    placed.add(local);
  }
  return operations.every((operation, index) => operation.status !== "ok" || placed.has(index));
}

function sweep(operations: readonly Operation[], model: AnyModel): SearchOutcome {
  const search = startReadWriteSweep(operations, model);
  if (search === undefined) throw new Error("the sweep refused a register history");
  return search.run(budgetOf({ maxSteps: 10_000_000 }), Infinity) ?? { kind: "unknown" };
}

const drawnOperation = fc.record({
  write: fc.boolean(),
  value: fc.integer({ min: 0, max: 3 }),
  callUs: fc.integer({ min: 0, max: 14 }),
  lengthUs: fc.integer({ min: 0, max: 9 }),
  crashed: fc.integer({ min: 0, max: 3 }),
});

function registerOperations(
  drawn: ReadonlyArray<typeof drawnOperation extends fc.Arbitrary<infer T> ? T : never>,
): Operation[] {
  return drawn.map((draw, id) => {
    const crashed = draw.crashed === 0;
    // Values 0-2 are written; a read of 3 (or of null before any write) is often impossible.
    const value = draw.write ? draw.value % 3 : draw.value === 3 ? null : draw.value;
    return {
      id,
      process: id,
      f: draw.write ? "write" : "read",
      key: null,
      input: draw.write ? value : null,
      output: crashed ? undefined : value,
      status: crashed ? "info" : "ok",
      callUs: draw.callUs,
      returnUs: crashed ? Infinity : draw.callUs + draw.lengthUs,
    };
  });
}

describe("read-write sweep", () => {
  // With the initial value 0, a write of 0 keeps the initial state: still a write.
  it.each([
    ["absent", models.register],
    ["0", registerModelOf({ initial: 0 })],
  ] as const)(
    "agrees with brute force on small register histories (initially %s), and its linearizations are valid",
    (_, model) => {
      let linearizable = 0;
      let runs = 0;
      fc.assert(
        fc.property(fc.array(drawnOperation, { minLength: 1, maxLength: 9 }), (drawn) => {
          const operations = registerOperations(drawn);
          const expected = bruteForce(operations, model);
          const outcome = sweep(operations, model);
          runs++;
          expect(outcome.kind).toBe(expected ? "linearizable" : "not-linearizable");
          if (outcome.kind === "linearizable") {
            linearizable++;
            expect(isLinearization(operations, outcome.linearization, model)).toBe(true);
          }
        }),
        { numRuns: 3000 },
      );
      // Both verdicts must be common for the comparison to mean something.
      expect(linearizable).toBeGreaterThan(runs / 5);
      expect(linearizable).toBeLessThan((runs * 4) / 5);
    },
  );

  it("agrees with the general search on generated histories with many clients and crashes", () => {
    let notLinearizable = 0;
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: 10, max: 60 }),
        fc.integer({ min: 2, max: 12 }),
        fc.constantFrom(0, 0.1, 0.3),
        fc.boolean(),
        (seed, count, clients, crashProbability, alter) => {
          let state = seed | 0;
          const random = (): number => {
            state = (state + 0x6d2b79f5) | 0;
            let t = Math.imul(state ^ (state >>> 15), 1 | state);
            t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
            return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
          };
          const events = generateHistory({
            operations: count,
            clients,
            kind: "register",
            random,
            crashProbability,
            values: 3,
          });
          const operations = pairOperations(events).filter((operation) => operation.status !== "fail");
          if (alter) {
            // One read returns another value: often not linearizable, sometimes still so.
            const reads = operations.filter(
              (operation) => operation.f === "read" && operation.status === "ok",
            );
            const read = reads[Math.floor(random() * reads.length)];
            if (read !== undefined) (read as { output: unknown }).output = Math.floor(random() * 3);
          }
          const model = models.register;
          const general = startSearch(operations, model, false).run(budgetOf({}), Infinity);
          const outcome = sweep(operations, model);
          expect(outcome.kind).toBe(general?.kind);
          if (outcome.kind === "linearizable")
            expect(isLinearization(operations, outcome.linearization, model)).toBe(true);
          else notLinearizable++;
        },
      ),
      { numRuns: 400 },
    );
    expect(notLinearizable).toBeGreaterThan(10);
  });

  it("leaves other models to the general search", () => {
    const cas: Operation = {
      id: 0,
      process: 0,
      f: "cas",
      key: null,
      input: [null, 1],
      output: true,
      status: "ok",
      callUs: 0,
      returnUs: 1,
    };
    expect(startReadWriteSweep([cas], models["cas-register"])).toBeUndefined();
    const append: Operation = { ...cas, f: "append", key: "k", input: "x", output: "x" };
    expect(startReadWriteSweep([append], models.kv)).toBeUndefined();
    // A CAS register history with reads and writes only is one for the sweep.
    const write: Operation = { ...cas, f: "write", input: 1, output: 1 };
    expect(startReadWriteSweep([write], models["cas-register"])).toBeDefined();
  });
});
