/**
 * Operations a scenario asks clients for (workload mix, scripted `op` faults, `invoke` steps) are
 * checked against the protocol's client operations before anything runs, the values of scripted
 * operations against the protocol's history model, and under the list-append model the
 * transactions they give are ones the history checker can read.
 */
import { describe, expect, it } from "vitest";
import { protocols } from "../../protocols/index.js";
import { models } from "../../sim/check/models/index.js";
import { InputError } from "../../sim/errors.js";
import { parseScenario } from "../../sim/scenario/load.js";
import { resolveScenario } from "../../sim/scenario/validate.js";

function problem(text: string): string {
  try {
    resolveScenario(parseScenario(text, "s.yaml"), protocols);
  } catch (error) {
    return error instanceof InputError ? error.describe() : `not an InputError: ${String(error)}`;
  }
  return "no error";
}

describe("client operations", () => {
  it.each([
    [
      // The op is listed second but runs first: the error still points at its own line.
      "protocol: raft\nduration: 1s\nfaults:\n  - {at: 2ms, crash: n2}\n  - {at: 1ms, op: {f: wrte, key: x, value: 1}}\n",
      "s.yaml:5:23: raft's clients do not offer 'wrte'; did you mean 'write'? (offered: read, write, cas)",
    ],
    [
      "protocol: raft\nduration: 1s\nfaults:\n  - {at: 1ms, op: {f: append, key: x, value: 1}}\n",
      "s.yaml:4:23: raft's clients do not offer 'append' (offered: read, write, cas)",
    ],
    [
      "protocol: two-phase-commit\nduration: 1s\nfaults:\n  - {at: 10ms, op: {f: write, key: x, value: 1, node: n1}}\n",
      "s.yaml:4:24: two-phase-commit has no client operations, so it takes no scripted operations (op)",
    ],
    [
      "protocol: raft\nduration: 1s\nclients: 1\nschedule:\n  - {invoke: {client: c1, f: reed, key: x}}\n",
      "s.yaml:5:30: raft's clients do not offer 'reed'; did you mean 'read'? (offered: read, write, cas)",
    ],
  ])("refuses an operation the clients do not offer: %j", (text, message) => {
    expect(problem(text)).toBe(message);
  });

  it.each([
    [
      "protocol: raft\nduration: 1s\nfaults:\n  - {at: 1ms, op: {f: cas, key: x, value: 5, node: n1}}\n",
      "s.yaml:4:43: cas: a cas needs the value [expected, next]",
    ],
    [
      "protocol: raft\nduration: 1s\nfaults:\n  - {at: 1ms, op: {f: cas, key: x}}\n",
      "s.yaml:4:23: cas: a cas needs the value [expected, next]",
    ],
    [
      "protocol: raft\nduration: 1s\nclients: 1\nschedule:\n  - {invoke: {client: c1, f: cas, key: x, value: [1, 2, 3]}}\n",
      "s.yaml:5:50: cas: a cas needs the value [expected, next]",
    ],
  ])("refuses, at its line, a value the history model cannot take: %j", (text, message) => {
    expect(problem(text)).toBe(message);
  });

  it("accepts a cas of [expected, next], and the kv model names what is wrong with a value", () => {
    expect(
      problem(
        "protocol: raft\nduration: 1s\nfaults:\n  - {at: 1ms, op: {f: cas, key: x, value: [null, 5]}}\n",
      ),
    ).toBe("no error");
    const operation = { id: 0, process: 1, key: "x", output: undefined, status: "info" as const, callUs: 0 };
    const kv = models.kv;
    expect(kv.validate?.({ ...operation, f: "cas", input: 5, returnUs: Number.POSITIVE_INFINITY })).toBe(
      "a cas needs the value [expected, next]",
    );
    expect(kv.validate?.({ ...operation, f: "incr", input: 5, returnUs: Number.POSITIVE_INFINITY })).toBe(
      "the kv model supports get/read, put/write, append and cas, not 'incr'",
    );
  });

  it("accepts the operations the clients offer", () => {
    expect(
      problem(
        "protocol: sharded-kv\nnodes: 9\nduration: 1s\nfaults:\n  - {at: 1ms, op: {f: append, key: x, value: 1}}\n",
      ),
    ).toBe("no error");
  });
});

describe("scripted list-append transactions", () => {
  const txn = (...values: string[]) =>
    `protocol: txn-kv\nnodes: 9\nduration: 1s\nfaults:\n${values.map((value) => `  - {at: 1ms, op: {f: txn, value: ${value}, node: n1}}\n`).join("")}`;

  it.each([
    [
      txn("[[w, k0, 1]]"),
      "s.yaml:5:37: micro-operation 0: 'w' is not append or r, the list-append model's functions",
    ],
    [
      txn("[]"),
      "s.yaml:5:35: expected a list-append transaction: a non-empty list of [append, key, value] and [r, key, null]",
    ],
    [
      "protocol: txn-kv\nnodes: 9\nduration: 1s\nfaults:\n  - {at: 1ms, op: {f: txn, node: n1}}\n",
      "s.yaml:5:19: expected a list-append transaction: a non-empty list of [append, key, value] and [r, key, null]",
    ],
    [
      txn("[[r, k0, 3]]"),
      "s.yaml:5:44: micro-operation 0: a read's value is null (the store answers with the list)",
    ],
    [
      txn("[[append, k0, 1]]", "[[r, k0, null], [append, k0, 1]]"),
      "s.yaml:6:64: micro-operation 1 appends 1 to k0 again: appended values are unique per key",
    ],
    [
      "protocol: txn-kv\nnodes: 3\nduration: 1s\nclients: 1\nschedule:\n  - {invoke: {client: c1, f: txn, value: [[append, 1, 2]]}}\n",
      "s.yaml:6:52: micro-operation 0: expected the key to be a string",
    ],
  ])("refuses one the checker could not read: %j", (text, message) => {
    expect(problem(text)).toBe(message);
  });

  it("accepts appends of one value to different keys, and of different values to one key", () => {
    expect(problem(txn("[[append, k0, 1], [append, k1, 1]]", "[[append, k0, 2], [r, k0, null]]"))).toBe(
      "no error",
    );
  });
});
