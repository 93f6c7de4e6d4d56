/**
 * Goal: the transactional store keeps its history strictly serializable and its outcomes atomic
 * under load, crashes, partitions and message loss, and each deliberate bug is caught by the
 * invariant it names, with the anomaly the bug produces.
 * Method: scenarios run in process; the history is checked by the transactional checker through
 * the same end-of-run check the CLI uses.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { historyChecker } from "../../cli/history-check.js";
import { protocols } from "../../protocols/index.js";
import { hashGroupOf } from "../../protocols/txn-kv/contrast.js";
import type { TxnKvNode } from "../../protocols/txn-kv/index.js";
import { LoadMeter, loadMedianKey, rangeLoad } from "../../protocols/txn-kv/load.js";
import { GroupMachine } from "../../protocols/txn-kv/machine.js";
import { parseTransaction } from "../../protocols/txn-kv/node.js";
import { PlacementMachine } from "../../protocols/txn-kv/placement.js";
import { checkTransactions, parseTxnEvents } from "../../sim/check/txn/index.js";
import { type RunResult, runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";

const folder = fileURLToPath(new URL("../../scenarios/", import.meta.url));

function run(text: string, file: string, seed?: bigint): RunResult {
  return runScenario(parseScenario(text, file), protocols, {
    hashTrace: false,
    checkHistory: historyChecker(),
    ...(seed === undefined ? {} : { seed }),
  });
}

/** Runs a built-in scenario with its trace kept, so that the protocol's figures are computed. */
function runKeepingTrace(name: string): RunResult {
  const file = `${folder}${name}.yaml`;
  return runScenario(parseScenario(readFileSync(file, "utf8"), file), protocols, {
    hashTrace: false,
    keepTrace: true,
    checkHistory: historyChecker(),
  });
}

function invariantsBroken(result: RunResult): string[] {
  return [...new Set(result.violations.map((violation) => violation.invariant))];
}

const stress = (bugs: string) => `
name: txn-kv-stress
protocol: txn-kv
nodes: 9
duration: 5s
options: {bugs: [${bugs}]}
network:
  latency: {uniform: [1ms, 5ms]}
workload: {clients: 6, rate: 200, mix: {txn: 1}, keys: 8, start: 300ms, stop: 4500ms, timeout: 1s}
faults:
  - {at: 700ms, crash: n1}
  - {at: 900ms, burst: {loss: 0.2, duplicate: 0.1, for: 500ms}}
  - {at: 1200ms, partition: [[n1, n2, n4, n7], [n3, n5, n6, n8, n9]]}
  - {at: 1600ms, heal: true}
  - {at: 1700ms, restart: n1}
  - {at: 2000ms, crash: n5}
  - {at: 2600ms, restart: n5}
  - {at: 3000ms, isolate: n8}
  - {at: 3500ms, heal: true}
`;

describe("txn-kv end to end", () => {
  for (const seed of [1n, 2n, 3n]) {
    it(`seed ${seed}: crashes, a partition, loss and an isolated node keep it atomic and strictly serializable`, () => {
      const result = run(stress(""), "stress.yaml", seed);
      expect(invariantsBroken(result)).toEqual([]);
      expect(result.linearizable).toBe(true);
      const history = parseTxnEvents(result.history);
      const committed = history.transactions.filter((txn) => txn.status === "ok");
      expect(committed.length).toBeGreaterThan(100);
      // Cross-group transactions did commit: some committed transaction touches two groups.
      expect(committed.some((txn) => new Set(txn.ops.map((op) => op.key < "k3")).size === 2)).toBe(true);
      const verdict = checkTransactions(history, { model: "list-append", level: "strict-serializable" });
      expect(verdict.result).toBe("valid");
    });
  }

  it("a workload beside scripted transactions never appends a value they append to the same key", () => {
    const text = `
protocol: txn-kv
nodes: 9
duration: 2s
workload: {clients: 3, rate: 100, mix: {txn: 1}, keys: 1, stop: 1500ms}
faults:
  - {at: 1s, op: {f: txn, value: [[append, k0, 1], [append, k0, 2], [r, k0, null]], node: n1, follow: true}}
`;
    const result = run(text, "beside.yaml");
    expect(invariantsBroken(result)).toEqual([]);
    expect(result.linearizable).toBe(true);
    const appended = parseTxnEvents(result.history).transactions.flatMap((txn) =>
      txn.ops.filter((op) => op.f === "append").map((op) => op.value),
    );
    expect(appended.filter((value) => value === 1 || value === 2)).toEqual([1, 2]);
    expect(appended.length).toBeGreaterThan(10);
  });

  it("txn-write-skew-bug: read-without-lock gives the G2-item cycle of the two transactions", () => {
    const file = `${folder}txn-write-skew-bug.yaml`;
    const result = run(readFileSync(file, "utf8"), file);
    expect(invariantsBroken(result)).toEqual(["txn.strict-serializable"]);
    const violation = result.violations[0]!;
    expect(violation.message).toMatch(/^not strict-serializable: G2-item cycle T1 -rw-> T0 -rw-> T1; /);
    expect(violation.message).toContain("T1 read a version of key k5 that T0 overwrote (with 1)");
    expect(violation.message).toContain("T0 (process 1: r k0 [], append k5 1)");
    // Without the bug the same two transactions cannot both commit: one is refused a lock.
    const fixed = run(readFileSync(file, "utf8").replace("bugs: [read-without-lock]", "bugs: []"), file);
    expect(invariantsBroken(fixed)).toEqual([]);
    const outcomes = parseTxnEvents(fixed.history).transactions.map((txn) => txn.status);
    expect(outcomes.filter((status) => status === "fail")).toHaveLength(1);
  });

  for (const [bug, invariant] of [
    ["read-without-lock", "txn.strict-serializable"],
    ["forget-decision", "txn.strict-serializable"],
    ["release-before-commit-replicated", "txn.strict-serializable"],
    ["commit-unprepared", "txn.atomic"],
  ] as const) {
    it(`regression: the fuzzer's counterexample for ${bug} breaks ${invariant}, which the bug names`, () => {
      const file = `${folder}regressions/txn-kv-bug-${bug}.yaml`;
      const result = run(readFileSync(file, "utf8"), file);
      expect(invariantsBroken(result)).toContain(invariant);
      const bugs = protocols.get("txn-kv")!.bugs.find((entry) => entry.name === bug)!;
      expect(bugs.breaks).toContain(invariant);
      // The correct store survives the same schedule.
      const fixed = run(readFileSync(file, "utf8").replace(`bugs: [${bug}]`, "bugs: []"), file);
      expect(invariantsBroken(fixed)).toEqual([]);
    });
  }

  it("derives the default layout: three groups, ranges cut at k3 and k7", () => {
    const result = run(stress(""), "stress.yaml", 1n);
    const node = result.kernel.nodeObject("n1") as TxnKvNode;
    expect(node.layout.splits).toEqual(["k3", "k7"]);
    expect(node.group).toBe("g1");
  });
});

describe("txn-kv with placement: range splits and moves", () => {
  it("range-split-under-load: a hot range splits by load and moves, cold neighbours merge, and the history stays strictly serializable", () => {
    const result = runKeepingTrace("range-split-under-load");
    expect(invariantsBroken(result)).toEqual([]);
    expect(result.linearizable).toBe(true);
    const figures = (
      result.figures as unknown as {
        txn: {
          splits: number;
          splitsByLoad: number;
          merges: number;
          moves: number;
          rangesByGroup: Record<string, number>;
        };
      }
    ).txn;
    // The range never reaches its size threshold: every split is by load.
    expect(figures.splits).toBeGreaterThanOrEqual(2);
    expect(figures.splitsByLoad).toBe(figures.splits);
    expect(figures.merges).toBeGreaterThanOrEqual(1);
    expect(figures.moves).toBeGreaterThanOrEqual(2);
    // Every data group ends up holding ranges, and no group holds two more than another.
    const counts = Object.values(figures.rangesByGroup);
    expect(counts).toHaveLength(3);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(2);
    // Leaders are counted per group: four groups, no fault, so each elects one leader once.
    expect(result.figures.leadersByGroup).toEqual({ g1: 1, g2: 1, g3: 1, pd: 1 });
    expect(result.figures.leaderChanges).toBe(4);
  });

  it("range-stale-routing-redirect: a refusal with a newer table redirects the transaction, which commits", () => {
    const result = runKeepingTrace("range-stale-routing-redirect");
    expect(invariantsBroken(result)).toEqual([]);
    const redirects = result.records.filter(
      (record) => record.kind === "note" && record.label === "txn-redirect",
    );
    expect(redirects.length).toBeGreaterThan(0);
    expect(redirects[0]).toMatchObject({ data: { txn: "c2:1", from: "g1", to: ["g2"] } });
    // c2's transaction committed at g2 and read what c1 appended; c3 then reads both appends.
    const completions = result.history.filter((event) => event.type === "ok");
    expect(completions.map((event) => JSON.stringify(event.value))).toEqual([
      expect.any(String),
      JSON.stringify([
        ["r", "k7", [4]],
        ["append", "k7", 6],
      ]),
      JSON.stringify([["r", "k7", [4, 6]]]),
    ]);
  });

  it("range-vs-hash-partitioning: a scan touches one group by range and three by hash; inserts hot-spot one range", () => {
    const result = runKeepingTrace("range-vs-hash-partitioning");
    expect(invariantsBroken(result)).toEqual([]);
    expect((result.figures as unknown as { txn: unknown }).txn).toEqual({
      byRange: { scanKeys: 7, scanGroups: 1, appends: 10, appendsHottestShare: 1 },
      byHash: { scanKeys: 7, scanGroups: 3, appends: 10, appendsHottestShare: 0.4 },
    });
    // The hash is FNV-1a of the key: neighbouring keys land on different groups.
    const groups = ["g1", "g2", "g3"];
    expect(["k70", "k71", "k72"].map((key) => hashGroupOf(groups, key))).toEqual(["g3", "g1", "g2"]);
  });

  for (const seed of [1n, 2n]) {
    it(`seed ${seed}: splits and moves under crashes, a partition and loss stay safe`, () => {
      const text = `
name: txn-kv-placement-stress
protocol: txn-kv
nodes: 12
duration: 5s
options: {placement: {splitSize: 15}}
network:
  latency: {uniform: [1ms, 5ms]}
workload: {clients: 6, rate: 200, mix: {txn: 1}, keys: 10, start: 300ms, stop: 4500ms, timeout: 1s}
faults:
  - {at: 900ms, crash: n4}
  - {at: 1200ms, burst: {loss: 0.2, duplicate: 0.1, for: 500ms}}
  - {at: 1500ms, partition: [[n1, n4, n7, n10], [n2, n3, n5, n6, n8, n9, n11, n12]]}
  - {at: 2200ms, heal: true}
  - {at: 2300ms, restart: n4}
  - {at: 2600ms, crash: n2}
  - {at: 3200ms, restart: n2}
`;
      const result = run(text, "placement-stress.yaml", seed);
      expect(invariantsBroken(result)).toEqual([]);
      expect(result.linearizable).toBe(true);
    });
  }
});

describe("txn-kv parts", () => {
  it("parses transactions and rejects malformed ones with a reason", () => {
    expect(
      parseTransaction([
        ["r", "k1", null],
        ["append", "k2", 5],
      ]),
    ).toEqual([
      { index: 0, f: "r", key: "k1", value: null },
      { index: 1, f: "append", key: "k2", value: 5 },
    ]);
    expect(parseTransaction([])).toMatch(/non-empty/);
    expect(parseTransaction([["w", "k1", 1]])).toMatch(/micro-operation 0/);
  });

  it("a prepare takes every lock or none, reads under them, and a decision releases them", () => {
    const machine = new GroupMachine("g1", new Set(), { version: 1, ranges: [{ start: "", group: "g1" }] });
    const ops = [
      { index: 0, f: "append" as const, key: "k1", value: 1 },
      { index: 1, f: "r" as const, key: "k1", value: null },
    ];
    machine.apply({ kind: "prepare", txn: "a", coordinator: "g1", ops });
    expect(machine.participant.get("a")).toMatchObject({ state: "prepared", reads: [[1, [1]]] });
    machine.apply({
      kind: "prepare",
      txn: "b",
      coordinator: "g1",
      ops: [{ index: 0, f: "r", key: "k1", value: null }],
    });
    expect(machine.participant.get("b")!.state).toBe("refused");
    machine.apply({ kind: "finish", txn: "a", coordinator: "g1", commit: true, ops: [] });
    expect(machine.data.get("k1")).toEqual([1]);
    expect(machine.locks.size).toBe(0);
    // A late prepare after an abort is refused by the tombstone.
    machine.apply({ kind: "finish", txn: "c", coordinator: "g1", commit: false, ops: [] });
    machine.apply({ kind: "prepare", txn: "c", coordinator: "g1", ops });
    expect(machine.participant.get("c")!.state).toBe("aborted");
    expect(machine.locks.size).toBe(0);
  });

  it("the first decision in the log wins", () => {
    const machine = new GroupMachine("g1", new Set(), { version: 1, ranges: [{ start: "", group: "g1" }] });
    machine.apply({ kind: "begin", txn: "a", ops: [], owners: [], participants: ["g1"] });
    machine.apply({ kind: "decide", txn: "a", commit: true, reads: [] });
    machine.apply({ kind: "decide", txn: "a", commit: false, reads: [] });
    expect(machine.coordinator.get("a")!.decision!.commit).toBe(true);
  });

  it("a hot range splits where its load halves; a single hot key does not split", () => {
    const window = new Map([
      ["k1", 10],
      ["k2", 2],
      ["k5", 6],
      ["k8", 2],
    ]);
    expect(rangeLoad(window, "", null)).toBe(20);
    expect(rangeLoad(window, "k2", "k8")).toBe(8);
    // Keys below k2 carry 10 of 20: k2 is the first key with at least half below it; in [k2, end)
    // the keys below k5 carry 2 of 10, those below k8 carry 8.
    expect(loadMedianKey(window, "", null)).toBe("k2");
    expect(loadMedianKey(window, "k2", null)).toBe("k8");
    expect(loadMedianKey(new Map([["k1", 9]]), "", null)).toBeUndefined();
    const meter = new LoadMeter();
    meter.record("k1");
    meter.record("k1");
    expect([...meter.take()]).toEqual([["k1", 2]]);
    expect(meter.take().size).toBe(0);
  });

  it("placement merges two small, cold neighbours of one group, and nothing else", () => {
    const placement = new PlacementMachine({
      version: 4,
      ranges: [
        { start: "", group: "g1" },
        { start: "k3", group: "g1" },
        { start: "k5", group: "g2" },
        { start: "k7", group: "g2", moving: "g1" },
      ],
    });
    const report = (ranges: { start: string; size: number; load: number }[]) => ({
      version: 4,
      group: "g1",
      ranges,
    });
    const limits = { mergeSize: 10, loadMax: 5 };
    const small = [
      { start: "", size: 4, load: 1 },
      { start: "k3", size: 5, load: 2 },
    ];
    expect(placement.mergeFor(report(small), limits)).toEqual({ kind: "merge", version: 4, start: "k3" });
    // Too big together, too hot together, or a stale report: no merge.
    expect(
      placement.mergeFor(report([small[0]!, { start: "k3", size: 7, load: 0 }]), limits),
    ).toBeUndefined();
    expect(
      placement.mergeFor(report([small[0]!, { start: "k3", size: 1, load: 5 }]), limits),
    ).toBeUndefined();
    expect(placement.mergeFor({ ...report(small), version: 3 }, limits)).toBeUndefined();
    // A moving range never merges; two groups' ranges never merge.
    expect(placement.apply({ kind: "merge", version: 4, start: "k7" })).toBeUndefined();
    expect(placement.apply({ kind: "merge", version: 4, start: "k5" })).toBeUndefined();
    const note = placement.apply({ kind: "merge", version: 4, start: "k3" });
    expect(note?.label).toBe("range-merge");
    expect(placement.table.version).toBe(5);
    expect(placement.table.ranges.map((range) => range.start)).toEqual(["", "k5", "k7"]);
  });
});
