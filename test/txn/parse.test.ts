/**
 * Goal: the transactional readers keep every key and value exactly as written, and refuse what
 * they cannot keep exactly, with the line and column.
 * Method: small EDN and JSON histories written inline.
 */
import { describe, expect, it } from "vitest";
import {
  checkTransactions,
  describeScalar,
  describeTransaction,
  parseTxnHistory,
  TxnKeyword,
} from "../../sim/check/txn/index.js";
import { InputError } from "../../sim/errors.js";

function inputError(run: () => unknown): InputError {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error("expected an InputError");
}

describe("integers beyond ±(2^53 − 1)", () => {
  const message = (literal: string) =>
    `integer ${literal} is beyond ±2^53−1 and cannot be compared exactly; write it as a string`;

  it("are refused as keys in EDN rather than merged with a neighbouring key", () => {
    const text = `{:type :invoke, :process 0, :f :txn, :value [[:append 9007199254740993 1]]}
{:type :ok, :process 0, :f :txn, :value [[:append 9007199254740993 1]]}`;
    expect(inputError(() => parseTxnHistory(text, "t.edn")).describe()).toBe(
      `t.edn:1:55: ${message("9007199254740993")}`,
    );
  });

  it("are refused in JSON, at the number's line and column", () => {
    const text = `{"model": "list-append", "events": [
{"type": "invoke", "process": 0, "f": "txn", "value": [["append", "x", 1]]},
{"type": "ok", "process": 0, "f": "txn", "value": [["append", "x", 99999999999999999999]]}]}`;
    expect(inputError(() => parseTxnHistory(text, "t.json")).describe()).toBe(
      `t.json:3:68: ${message("99999999999999999999")}`,
    );
  });
});

describe("keys and values compare by type and value", () => {
  const check = (text: string, model: "list-append" | "rw-register" = "list-append") =>
    checkTransactions(parseTxnHistory(text), { model, level: "serializable" });

  it('keeps the integer key 1 apart from the string key "1", in EDN and in JSON', () => {
    const edn = `{:type :invoke, :process 0, :f :txn, :value [[:append 1 1]]}
{:type :ok, :process 0, :f :txn, :value [[:append 1 1]]}
{:type :invoke, :process 1, :f :txn, :value [[:r "1" nil]]}
{:type :ok, :process 1, :f :txn, :value [[:r "1" [1]]]}`;
    const verdict = check(edn);
    expect(verdict.reads.map((read) => read.why)).toEqual([
      'T1 read element 1 of key "1", which no transaction appended',
    ]);
    const json = `[{"type": "invoke", "process": 0, "value": [["append", 1, 1]]},
{"type": "ok", "process": 0, "value": [["append", 1, 1]]},
{"type": "invoke", "process": 1, "value": [["r", "1", null]]},
{"type": "ok", "process": 1, "value": [["r", "1", []]]}]`;
    const history = parseTxnHistory(json);
    expect(history.transactions.map((txn) => txn.ops[0]!.key)).toEqual(["1", '"1"']);
    expect(check(json).result).toBe("valid");
  });

  it('keeps the keyword :x apart from the string ":x", as keys and as values', () => {
    const keys = `{:type :invoke, :process 0, :f :txn, :value [[:append :x 1]]}
{:type :ok, :process 0, :f :txn, :value [[:append :x 1]]}
{:type :invoke, :process 1, :f :txn, :value [[:append ":x" 2]]}
{:type :ok, :process 1, :f :txn, :value [[:append ":x" 2]]}
{:type :invoke, :process 2, :f :txn, :value [[:r :x nil]]}
{:type :ok, :process 2, :f :txn, :value [[:r :x [1 2]]]}`;
    expect(check(keys).reads.map((read) => read.why)).toEqual([
      "T2 read element 2 of key :x, which no transaction appended",
    ]);
    const values = `{:type :invoke, :process 0, :f :txn, :value [[:w :x :k]]}
{:type :ok, :process 0, :f :txn, :value [[:w :x :k]]}
{:type :invoke, :process 1, :f :txn, :value [[:r :x nil]]}
{:type :ok, :process 1, :f :txn, :value [[:r :x ":k"]]}`;
    const verdict = check(values, "rw-register");
    expect(verdict.reads.map((read) => read.why)).toEqual([
      'T1 read ":k" from key :x, which no transaction wrote',
    ]);
    expect(JSON.parse(JSON.stringify(verdict.reads[0]))).toMatchObject({ key: ":x", value: ":k" });
  });

  it('keeps the integer 1 apart from the string "1" as appended elements', () => {
    const text = `{:type :invoke, :process 0, :f :txn, :value [[:append :x 1] [:append :x "1"]]}
{:type :ok, :process 0, :f :txn, :value [[:append :x 1] [:append :x "1"]]}
{:type :invoke, :process 1, :f :txn, :value [[:r :x nil]]}
{:type :ok, :process 1, :f :txn, :value [[:r :x [1 "1"]]]}`;
    expect(check(text).result).toBe("valid");
  });

  it("refuses a float, which would otherwise be the integer it equals", () => {
    const text = `{:type :invoke, :process 0, :f :txn, :value [[:append :x 1]]}
{:type :ok, :process 0, :f :txn, :value [[:append :x 1]]}
{:type :invoke, :process 1, :f :txn, :value [[:append :x 1.0]]}`;
    expect(inputError(() => parseTxnHistory(text, "t.edn")).describe()).toBe(
      "t.edn:3:1: micro-operation 0: expected value to be an integer, a string, a keyword, a list or nil, not the float 1.0",
    );
    const json = '[{"type": "invoke", "process": 0, "value": [["append", "x", 1.5]]}]';
    expect(inputError(() => parseTxnHistory(json, "t.json")).message).toBe(
      "event 0: micro-operation 0: expected value to be an integer, a string, a keyword, a list or nil, not the float 1.5",
    );
  });

  it("prints each type so that distinct scalars print differently", () => {
    const printed = [1, -1, "x", "k5", "1", ":k", "nil", "a b", "", TxnKeyword.of("k")].map(describeScalar);
    expect(printed).toEqual(["1", "-1", "x", "k5", '"1"', '":k"', '"nil"', '"a b"', '""', ":k"]);
    expect(TxnKeyword.of("k")).toBe(TxnKeyword.of("k"));
  });
});

describe("deeply nested values", () => {
  const message = "nesting deeper than 1000 levels (expected a history's few levels of lists and maps)";
  const nested = (levels: number) => `${"[".repeat(levels)}1${"]".repeat(levels)}`;

  it("are refused in EDN and JSON with their line and column, not with a stack overflow", () => {
    const edn = `{:type :invoke, :process 0, :f :txn, :value [[:append :x 1]]}
{:type :invoke, :process 1, :f :txn, :value [[:r :x ${nested(5000)}]]}`;
    expect(inputError(() => parseTxnHistory(edn, "t.edn")).describe()).toBe(`t.edn:2:1050: ${message}`);
    const json = `[{"type": "invoke", "process": 0, "value": [["r", "x", ${nested(5000)}]]}]`;
    // At the same bracket as the register and key-value reader: value level 1001.
    expect(inputError(() => parseTxnHistory(json, "t.json")).describe()).toBe(`t.json:1:1054: ${message}`);
    const lines = `{"type": "invoke", "process": 0, "value": [["w", "x", 1]]}\n{"type": "invoke", "process": 1, "value": [["r", "x", ${nested(5000)}]]}`;
    expect(inputError(() => parseTxnHistory(lines, "t.jsonl")).describe()).toBe(`t.jsonl:2:1053: ${message}`);
  });
});

describe("a completion's micro-operations", () => {
  const history = (
    completion: string,
  ) => `{:type :invoke, :process 0, :f :txn, :value [[:append :x 1] [:r :y nil]]}
{:type :ok, :process 0, :f :txn, :value ${completion}}`;

  it("are refused when one names another function, key or written value than its invocation", () => {
    expect(inputError(() => parseTxnHistory(history("[[:r :x [1]] [:r :y nil]]"), "t.edn")).describe()).toBe(
      "t.edn:2:1: the completion's micro-operation 0 is r :x [1], its invocation's append :x 1",
    );
    expect(
      inputError(() => parseTxnHistory(history("[[:append :z 1] [:r :y nil]]"), "t.edn")).describe(),
    ).toBe("t.edn:2:1: the completion's micro-operation 0 is append :z 1, its invocation's append :x 1");
    expect(
      inputError(() => parseTxnHistory(history("[[:append :x 7] [:r :y nil]]"), "t.edn")).describe(),
    ).toBe("t.edn:2:1: the completion's micro-operation 0 is append :x 7, its invocation's append :x 1");
    expect(
      inputError(() => parseTxnHistory(history('[[:append :x 1] [:r "y" [2]]]'), "t.edn")).describe(),
    ).toBe("t.edn:2:1: the completion's micro-operation 1 is r y [2], its invocation's r :y nil");
    const json = `[{"type": "invoke", "process": 0, "value": [["w", "x", 1]]},
{"type": "ok", "process": 0, "value": [["w", "x", 2]]}]`;
    expect(inputError(() => parseTxnHistory(json, "t.json")).message).toBe(
      "the completion's micro-operation 0 is w x 2, its invocation's w x 1",
    );
  });

  it("fill in the values read, which the invocation leaves nil", () => {
    const parsed = parseTxnHistory(history("[[:append :x 1] [:r :y [4 5]]]"), "t.edn");
    expect(parsed.transactions[0]?.ops[1]?.value).toEqual([4, 5]);
  });
});

describe("processes", () => {
  const strict = (text: string) =>
    checkTransactions(parseTxnHistory(text), { model: "list-append", level: "strict-serializable" });

  it("are integers or strings in EDN as in JSON, so a string process keeps its process order", () => {
    const edn = `{:type :invoke, :process "p1", :f :txn, :value [[:append :x 1]]}
{:type :ok, :process "p1", :f :txn, :value [[:append :x 1]]}
{:type :invoke, :process "p1", :f :txn, :value [[:r :x nil]]}
{:type :ok, :process "p1", :f :txn, :value [[:r :x nil]]}`;
    const json = `[{"type": "invoke", "process": "p1", "value": [["append", "x", 1]], "timeUs": 1},
{"type": "ok", "process": "p1", "value": [["append", "x", 1]], "timeUs": 2},
{"type": "invoke", "process": "p1", "value": [["r", "x", null]], "timeUs": 3},
{"type": "ok", "process": "p1", "value": [["r", "x", null]], "timeUs": 4}]`;
    for (const text of [edn, json]) {
      const verdict = strict(text);
      expect(verdict.anomalies).toEqual(["G-single-process"]);
      expect(verdict.cycles[0]!.steps.map((step) => step.why)).toContain("process p1 ran T0, then T1");
    }
  });

  it('keep the integer 1 apart from the string "1", and print them so', () => {
    const edn = `{:type :invoke, :process 1, :f :txn, :value [[:append :x 1]]}
{:type :invoke, :process "1", :f :txn, :value [[:r :x nil]]}
{:type :ok, :process 1, :f :txn, :value [[:append :x 1]]}
{:type :ok, :process "1", :f :txn, :value [[:r :x nil]]}`;
    const history = parseTxnHistory(edn);
    expect(history.transactions.map((txn) => txn.process)).toEqual([1, "1"]);
    expect(history.transactions.map(describeTransaction)).toEqual([
      "T0 (process 1: append :x 1)",
      'T1 (process "1": r :x nil)',
    ]);
    expect(strict(edn).result).toBe("valid");
  });

  it('keep a JSON process "?" apart from the unnamed process of an EDN map without :process', () => {
    const json = `[{"type": "invoke", "process": "?", "value": [["append", "x", 1]], "timeUs": 1},
{"type": "ok", "process": "?", "value": [["append", "x", 1]], "timeUs": 2},
{"type": "invoke", "process": "?", "value": [["r", "x", null]], "timeUs": 3},
{"type": "ok", "process": "?", "value": [["r", "x", null]], "timeUs": 4}]`;
    expect(strict(json).anomalies).toEqual(["G-single-process"]);
  });

  it("are refused, at the map, when neither an integer, a string nor a keyword", () => {
    for (const process of ["nil", "1.5", "[1]"]) {
      const edn = `{:type :invoke, :process 0, :f :txn, :value [[:append :x 1]]}
  {:type :ok, :process ${process}, :f :txn, :value [[:append :x 1]]}`;
      expect(inputError(() => parseTxnHistory(edn, "t.edn")).describe()).toBe(
        "t.edn:2:3: expected :process to be an integer, a string, or a keyword such as :nemesis",
      );
    }
    const json = `[{"type": "invoke", "process": 1.5, "value": [["append", "x", 1]]}]`;
    expect(inputError(() => parseTxnHistory(json, "t.json")).message).toBe(
      'event 0: expected "process" to be an integer or a string',
    );
  });
});

describe("operations that are not transactions", () => {
  it("are skipped beside transactions, as the nemesis's are", () => {
    const edn = `{:type :invoke, :process 0, :f :txn, :value [[:append :x 1]]}
{:type :info, :process :nemesis, :f :start, :value nil}
{:type :invoke, :process 1, :f :read, :value nil}
{:type :ok, :process 0, :f :txn, :value [[:append :x 1]]}`;
    expect(parseTxnHistory(edn, "t.edn").transactions).toHaveLength(1);
  });

  it("make a history with no transaction at all bad input, rather than one that passes with nothing checked", () => {
    const edn = `{:type :info, :process :nemesis, :f :start, :value nil}
  {:type :invoke, :process 0, :f :cas, :value [1 2]}
{:type :ok, :process 0, :f :cas, :value [1 2]}
{:type :invoke, :process 0, :f :read, :value nil}`;
    expect(inputError(() => parseTxnHistory(edn, "t.edn")).describe()).toBe(
      "t.edn:2:3: no transactions: no operation has :f :txn, only :cas, :read (expected {:f :txn, :value [[:append k v] [:r k nil] …]}; a history of single-object operations is checked for linearizability, without a transactional --model)",
    );
    expect(parseTxnHistory("", "t.edn").transactions).toHaveLength(0);
  });
});

describe("JSON problems are placed", () => {
  it("at the line and column of the event, in an array and in a document", () => {
    const array = `[
  {"type": "invoke", "process": 0, "value": [["append", "x", 1]]},
  {"type": "invoke", "process": 0, "value": [["append", "x", 2]]}
]`;
    expect(inputError(() => parseTxnHistory(array, "t.json")).describe()).toBe(
      "t.json:3:3: process 0 invokes while its previous transaction is pending",
    );
    const document = `{"model": "rw-register",
 "events": [{"type": "invoke", "process": 0, "value": [["r", "x", null]]},
            {"type": "ok", "process": 0, "value": [["r", "x", null]]},
            {"type": "invoke", "process": 1, "value": [["append", "x", 1]]}]}`;
    const history = parseTxnHistory(document, "t.json");
    expect(history.transactions.map((transaction) => [transaction.line, transaction.column])).toEqual([
      [2, 13],
      [4, 13],
    ]);
    const bad = `[{"type": "invoke", "process": 0, "value": [["append", "x", 1]]},\n {"type": "ok", "process": 0, "value": [["append", "x", 1.5]]}]`;
    expect(inputError(() => parseTxnHistory(bad, "t.json")).describe()).toMatch(/^t\.json:2:2: event 1: /);
  });
});

describe("a JSON completion timed before its invocation", () => {
  it("is named as such, not as a completion with no invocation", () => {
    const json = `[{"type": "invoke", "process": 0, "value": [["append", "x", 1]], "timeUs": 10},
 {"type": "ok", "process": 0, "value": [["append", "x", 1]], "timeUs": 5}]`;
    expect(inputError(() => parseTxnHistory(json, "t.json")).describe()).toBe(
      "t.json:2:2: event 1: ok for process 0 at timeUs 5 comes before its invocation, event 0 at timeUs 10 (expected a completion no earlier than its invocation: events are ordered by timeUs)",
    );
    // In EDN, file order is time: a completion before any invocation has none.
    const edn = `{:type :ok, :process 0, :f :txn, :value [[:append :x 1]]}
{:type :invoke, :process 0, :f :txn, :value [[:append :x 1]]}`;
    expect(inputError(() => parseTxnHistory(edn, "t.edn")).describe()).toBe(
      "t.edn:1:1: ok for process 0, which has no pending invocation",
    );
  });
});
