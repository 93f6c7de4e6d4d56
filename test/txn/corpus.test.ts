/**
 * Goal: the Elle example histories in ../shared/corpus/elle give the verdicts its README states,
 * and generated histories that are strictly serializable by construction are found valid at every
 * level, while the same histories with one read made stale are found invalid.
 * Method: read the corpus in place (a missing corpus fails the suite); seeded generated histories.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import {
  checkTransactions,
  consistencyLevels,
  generateListAppend,
  listAppendToJson,
  parseTxnHistory,
  type TxnHistory,
} from "../../sim/check/txn/index.js";
import { elleCorpus } from "./corpus.js";

const corpus = elleCorpus;

/** The README's table, as data: per file and level, the verdict and the anomalies found. */
const expected: Record<
  string,
  Record<string, { result: string; anomalies: string[]; allowed?: string[] }>
> = {
  "paper-example.edn": {
    "snapshot-isolation": { result: "invalid", anomalies: ["G-single"] },
    serializable: { result: "invalid", anomalies: ["G-single"] },
  },
  "si-without-g-single.edn": {
    "snapshot-isolation": { result: "valid", anomalies: [], allowed: ["G2-item"] },
    serializable: { result: "invalid", anomalies: ["G2-item"] },
  },
};

function load(name: string): TxnHistory {
  return parseTxnHistory(readFileSync(`${corpus}/${name}`, "utf8"), name);
}

describe("Elle corpus", () => {
  it("is present, and every history in it has an expectation here", () => {
    expect(existsSync(corpus), `expected the corpus at ${corpus}`).toBe(true);
    const files = readdirSync(corpus).filter((name) => name.endsWith(".edn"));
    expect(files.sort()).toEqual(Object.keys(expected).sort());
  });

  for (const [file, levels] of Object.entries(expected)) {
    for (const [level, want] of Object.entries(levels)) {
      it(`${file} at ${level}: ${want.result} ${want.anomalies.join(" ")}`, () => {
        const verdict = checkTransactions(load(file), { model: "list-append", level: level as never });
        expect(verdict.transactions).toBe(4);
        expect(verdict.result).toBe(want.result);
        expect(verdict.anomalies).toEqual(want.anomalies);
        if (want.allowed) expect(verdict.allowedAnomalies).toEqual(want.allowed);
      });
    }
  }

  it("explains the paper's read skew with its three edges (Elle, Figure 2)", () => {
    const verdict = checkTransactions(load("paper-example.edn"), {
      model: "list-append",
      level: "serializable",
    });
    const cycle = verdict.cycles.find((found) => found.name === "G-single")!;
    expect(cycle.steps.map((step) => `T${step.from}-${step.kind}->T${step.to}`)).toEqual([
      "T3-rw->T1",
      "T1-wr->T2",
      "T2-ww->T3",
    ]);
    expect(cycle.steps[0]!.why).toContain("key 255");
    expect(cycle.steps[2]!.why).toContain("key 256");
  });
});

describe("generated histories", () => {
  for (const seed of ["a", "b", "c"]) {
    it(`seed ${seed}: strictly serializable by construction, valid at every level`, () => {
      const history = generateListAppend({
        transactions: 2000,
        infoProbability: 0.05,
        random: seedrandom(seed),
      });
      for (const level of consistencyLevels) {
        const verdict = checkTransactions(history, { model: "list-append", level });
        expect(verdict.result, `${level}: ${verdict.anomalies.join(", ")}`).toBe("valid");
        expect(verdict.edges).toBeGreaterThan(2000);
      }
    });

    it(`seed ${seed}: a read made stale after its last element's append completed is G-single-realtime`, () => {
      const history = generateListAppend({ transactions: 2000, random: seedrandom(seed) });
      const transactions = [...history.transactions];
      const appender = new Map<unknown, number>();
      for (const txn of transactions)
        for (const op of txn.ops) if (op.f === "append") appender.set(op.value, txn.id);
      const isStaleable = (txn: (typeof transactions)[number], op: (typeof txn.ops)[number]): boolean =>
        op.f === "r" &&
        Array.isArray(op.value) &&
        op.value.length > 1 &&
        transactions[appender.get(op.value[op.value.length - 1])!]!.completeTime < txn.invokeTime;
      const id = transactions.findIndex((txn, at) => at > 1000 && txn.ops.some((op) => isStaleable(txn, op)));
      const stale = transactions[id]!;
      let changed = false;
      transactions[id] = {
        ...stale,
        ops: stale.ops.map((op) => {
          if (changed || !isStaleable(stale, op)) return op;
          changed = true;
          return { ...op, value: (op.value as number[]).slice(0, -1) };
        }),
      };
      const verdict = checkTransactions({ ...history, transactions }, { model: "list-append" });
      expect(verdict.result).toBe("invalid");
      expect(verdict.anomalies).toContain("G-single-realtime");
      expect(verdict.cycles.some((cycle) => cycle.cycle.includes(id))).toBe(true);
    });
  }

  it("round-trips through the JSON form", () => {
    const history = generateListAppend({
      transactions: 300,
      infoProbability: 0.1,
      random: seedrandom("json"),
    });
    const parsed = parseTxnHistory(listAppendToJson(history));
    expect(parsed.format).toBe("json");
    expect(parsed.transactions.map((txn) => [txn.process, txn.status, txn.ops])).toEqual(
      history.transactions.map((txn) => [txn.process, txn.status, txn.ops]),
    );
  });
});
