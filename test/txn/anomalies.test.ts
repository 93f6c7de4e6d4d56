/**
 * Goal: each anomaly class is found in a hand-written history built to its textbook definition
 * (Adya 1999; Elle, VLDB 2020), classified under its Elle name, explained by a cycle through the
 * right transactions, and allowed or prohibited as each consistency level says.
 * Method: small EDN histories written inline; unless a case says otherwise every transaction is
 * concurrent with every other (all invocations come before all completions), so real time adds
 * no edge.
 */
import { describe, expect, it } from "vitest";
import {
  type ConsistencyLevel,
  checkTransactions,
  parseTxnEdn,
  type TxnModelName,
} from "../../sim/check/txn/index.js";

interface Txn {
  readonly ops: string;
  readonly type?: "ok" | "fail" | "info";
  readonly process?: number;
}

/** An EDN history: all invocations, then all completions (or each transaction in turn). */
function edn(transactions: readonly Txn[], options: { sequential?: boolean } = {}): string {
  const lines: string[] = [];
  const invoke = (txn: Txn, at: number) =>
    `{:type :invoke, :process ${txn.process ?? at}, :f :txn, :value ${txn.ops}}`;
  const complete = (txn: Txn, at: number) =>
    `{:type :${txn.type ?? "ok"}, :process ${txn.process ?? at}, :f :txn, :value ${txn.ops}}`;
  if (options.sequential) {
    transactions.forEach((txn, at) => {
      lines.push(invoke(txn, at), complete(txn, at));
    });
  } else {
    transactions.forEach((txn, at) => {
      lines.push(invoke(txn, at));
    });
    transactions.forEach((txn, at) => {
      if (txn.type !== "info") lines.push(complete(txn, at));
    });
  }
  return lines.join("\n");
}

function check(
  transactions: readonly Txn[],
  options: { model?: TxnModelName; level?: ConsistencyLevel; sequential?: boolean } = {},
) {
  return checkTransactions(parseTxnEdn(edn(transactions, options)), {
    model: options.model ?? "list-append",
    level: options.level ?? "serializable",
  });
}

describe("list-append anomalies, one per class", () => {
  it("G0, write cycle (Adya §4.4.1): two transactions' appends to x and y are ordered oppositely", () => {
    const verdict = check([
      { ops: "[[:append :x 1] [:append :y 2]]" },
      { ops: "[[:append :x 2] [:append :y 1]]" },
      { ops: "[[:r :x [1 2]] [:r :y [1 2]]]" },
    ]);
    expect(verdict.result).toBe("invalid");
    expect(verdict.anomalies).toContain("G0");
    const cycle = verdict.cycles.find((found) => found.name === "G0")!;
    expect(cycle.steps.map((step) => step.kind)).toEqual(["ww", "ww"]);
    expect(new Set(cycle.cycle)).toEqual(new Set([0, 1]));
  });

  it("G1a, aborted read (Adya §4.4.2): a committed transaction reads an aborted append", () => {
    const verdict = check([{ ops: "[[:append :x 1]]", type: "fail" }, { ops: "[[:r :x [1]]]" }]);
    expect(verdict.anomalies).toEqual(["G1a"]);
    expect(verdict.reads[0]).toMatchObject({ name: "G1a", transactions: [1, 0], key: ":x" });
  });

  it("G1b, intermediate read (Adya §4.4.2): a read ends in an append its writer followed with another", () => {
    const verdict = check([{ ops: "[[:append :x 1] [:append :x 2]]" }, { ops: "[[:r :x [1]]]" }]);
    expect(verdict.anomalies).toEqual(["G1b"]);
  });

  it("G1c, circular information flow (Adya §4.4.2): each transaction reads the other's append", () => {
    const verdict = check([{ ops: "[[:append :x 1] [:r :y [1]]]" }, { ops: "[[:append :y 1] [:r :x [1]]]" }]);
    expect(verdict.anomalies).toEqual(["G1c"]);
    expect(verdict.cycles[0]!.steps.map((step) => step.kind)).toEqual(["wr", "wr"]);
  });

  it("G-single, read skew (Adya §4.5.1): a reader sees y after T0's append but x before it", () => {
    const verdict = check([{ ops: "[[:append :x 1] [:append :y 1]]" }, { ops: "[[:r :x []] [:r :y [1]]]" }]);
    expect(verdict.anomalies).toEqual(["G-single"]);
    expect(verdict.cycles[0]!.steps.map((step) => step.kind).sort()).toEqual(["rw", "wr"]);
    // Snapshot isolation forbids it too.
    expect(
      check([{ ops: "[[:append :x 1] [:append :y 1]]" }, { ops: "[[:r :x []] [:r :y [1]]]" }], {
        level: "snapshot-isolation",
      }).result,
    ).toBe("invalid");
  });

  it("G2-item, write skew (Adya §4.4.3): each reads what the other appends to, before it does", () => {
    const history = [{ ops: "[[:r :x []] [:append :y 1]]" }, { ops: "[[:r :y []] [:append :x 1]]" }];
    const serializable = check(history);
    expect(serializable.anomalies).toEqual(["G2-item"]);
    expect(serializable.cycles[0]!.steps.map((step) => step.kind)).toEqual(["rw", "rw"]);
    const snapshot = check(history, { level: "snapshot-isolation" });
    expect(snapshot.result).toBe("valid");
    expect(snapshot.allowedAnomalies).toEqual(["G2-item"]);
  });

  it("internal inconsistency (Elle §4.1): a transaction does not see its own append", () => {
    expect(check([{ ops: "[[:append :x 1] [:r :x []]]" }]).anomalies).toEqual(["internal"]);
  });

  it("duplicate elements (Elle §4.1): a list holds one append twice", () => {
    expect(check([{ ops: "[[:append :x 1]]" }, { ops: "[[:r :x [1 1]]]" }]).anomalies).toEqual([
      "duplicate-elements",
    ]);
  });

  it("incompatible order (Elle §4.1): two reads of x disagree on the order of its elements", () => {
    const verdict = check([
      { ops: "[[:append :x 1]]" },
      { ops: "[[:append :x 2]]" },
      { ops: "[[:r :x [1 2]]]" },
      { ops: "[[:r :x [2 1]]]" },
    ]);
    expect(verdict.anomalies).toEqual(["incompatible-order"]);
  });

  it("garbage read: a read holds an element nobody appended", () => {
    expect(check([{ ops: "[[:r :x [7]]]" }]).anomalies).toEqual(["garbage-read"]);
  });

  it("G-single-realtime (Elle §5.2): a read that starts after an append completed does not see it", () => {
    const history = [{ ops: "[[:append :x 1]]" }, { ops: "[[:r :x []]]" }];
    expect(check(history, { sequential: true }).result).toBe("valid");
    const strict = check(history, { sequential: true, level: "strict-serializable" });
    expect(strict.anomalies).toEqual(["G-single-realtime"]);
    expect(strict.cycles[0]!.steps.map((step) => step.kind).sort()).toEqual(["realtime", "rw"]);
    // Concurrent, the same two transactions are fine.
    expect(check(history, { level: "strict-serializable" }).result).toBe("valid");
  });

  it("G-single-process (Elle §5.2): one process does not see its own earlier append", () => {
    const history = [
      { ops: "[[:append :x 1]]", process: 0 },
      { ops: "[[:r :x []]]", process: 0 },
    ];
    expect(check(history, { sequential: true, level: "strict-serializable" }).anomalies).toEqual([
      "G-single-process",
    ]);
  });

  it("an indeterminate transaction orders nothing after it in its process: its effect may land later", () => {
    const history = [
      { ops: "[[:append :x 1]]", type: "info" as const, process: 0 },
      { ops: "[[:append :x 2]]", process: 0 },
      { ops: "[[:r :x [2 1]]]", process: 1 },
    ];
    expect(check(history, { sequential: true, level: "strict-serializable" }).result).toBe("valid");
    // Committed, the first append precedes the second in its process: a G0-process cycle.
    const committed = history.map((txn) => ({ ...txn, type: "ok" as const }));
    expect(check(committed, { sequential: true, level: "strict-serializable" }).anomalies).toContain(
      "G0-process",
    );
  });

  it("an indeterminate append that was read took effect; one never read constrains nothing", () => {
    const verdict = check([
      { ops: "[[:append :x 1]]", type: "info" },
      { ops: "[[:append :x 2]]", type: "info" },
      { ops: "[[:r :x [1]]]" },
    ]);
    expect(verdict.result).toBe("valid");
    expect(verdict.edges).toBe(1);
  });
});

describe("rw-register anomalies", () => {
  const register = { model: "rw-register" as const };

  it("G-single, read skew: x read as its initial nil, y as T0 wrote it", () => {
    const verdict = check([{ ops: "[[:w :x 1] [:w :y 1]]" }, { ops: "[[:r :x nil] [:r :y 1]]" }], register);
    expect(verdict.anomalies).toEqual(["G-single"]);
  });

  it("G2-item, write skew: each reads nil from the key the other writes", () => {
    const history = [{ ops: "[[:r :x nil] [:w :y 1]]" }, { ops: "[[:r :y nil] [:w :x 1]]" }];
    expect(check(history, register).anomalies).toEqual(["G2-item"]);
    expect(check(history, { ...register, level: "snapshot-isolation" }).result).toBe("valid");
  });

  it("G1a, G1b and internal: aborted, intermediate and self-contradicting reads", () => {
    expect(check([{ ops: "[[:w :x 1]]", type: "fail" }, { ops: "[[:r :x 1]]" }], register).anomalies).toEqual(
      ["G1a"],
    );
    expect(check([{ ops: "[[:w :x 1] [:w :x 2]]" }, { ops: "[[:r :x 1]]" }], register).anomalies).toEqual([
      "G1b",
    ]);
    expect(check([{ ops: "[[:w :x 1] [:r :x 2]]" }, { ops: "[[:w :x 2]]" }], register).anomalies).toEqual([
      "internal",
    ]);
  });

  it("lost update (Berenson et al. P4): two transactions read version 0 and both write x", () => {
    const verdict = check(
      [{ ops: "[[:w :x 0]]" }, { ops: "[[:r :x 0] [:w :x 1]]" }, { ops: "[[:r :x 0] [:w :x 2]]" }],
      { ...register, level: "snapshot-isolation" },
    );
    expect(verdict.anomalies).toEqual(["lost-update"]);
    expect(verdict.reads.map((read) => read.why)).toEqual([
      "T1 and T2 both read 0 from key :x and then wrote it: one of the two updates is lost",
    ]);
  });

  it("lost update by three transactions: all three read version 0, and two of the updates are lost", () => {
    const verdict = check(
      [
        { ops: "[[:w :x 0]]" },
        { ops: "[[:r :x 0] [:w :x 1]]" },
        { ops: "[[:r :x 0] [:w :x 2]]" },
        { ops: "[[:r :x 0] [:w :x 3]]" },
      ],
      { ...register, level: "snapshot-isolation" },
    );
    expect(verdict.reads.map((read) => read.why)).toEqual([
      "T1, T2 and T3 all read 0 from key :x and then wrote it: all but one of the 3 updates are lost",
    ]);
  });

  it("an overwrite is explained with the value the overwriting transaction wrote, not the one read", () => {
    const verdict = check(
      [{ ops: "[[:w :x 1]]" }, { ops: "[[:r :x 1] [:w :x 7]]" }, { ops: "[[:r :x 1]]" }],
      { ...register, level: "strict-serializable", sequential: true },
    );
    expect(verdict.anomalies).toEqual(["G-single-realtime"]);
    expect(verdict.cycles[0]!.steps.map((step) => step.why)).toContain(
      "T2 read a version of key :x that T1 overwrote (with 7)",
    );
    const skew = check([{ ops: "[[:r :x nil] [:w :y 5]]" }, { ops: "[[:r :y nil] [:w :x 6]]" }], register);
    expect(skew.cycles[0]!.steps.map((step) => step.why).sort()).toEqual([
      "T0 read a version of key :x that T1 overwrote (with 6)",
      "T1 read a version of key :y that T0 overwrote (with 5)",
    ]);
  });

  it("writes follow reads: a chain of read-then-write transactions is serializable", () => {
    const verdict = check(
      [
        { ops: "[[:w :x 0]]" },
        { ops: "[[:r :x 0] [:w :x 1]]" },
        { ops: "[[:r :x 1] [:w :x 2]]" },
        { ops: "[[:r :x 2]]" },
      ],
      register,
    );
    expect(verdict.result).toBe("valid");
    expect(verdict.edges).toBeGreaterThan(0);
  });
});
