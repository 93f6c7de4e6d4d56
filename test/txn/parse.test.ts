/**
 * Goal: the transactional readers keep every key and value exactly as written, and refuse what
 * they cannot keep exactly, with the line and column.
 * Method: small EDN and JSON histories written inline.
 */
import { describe, expect, it } from "vitest";
import { parseTxnHistory } from "../../sim/check/txn/index.js";
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
