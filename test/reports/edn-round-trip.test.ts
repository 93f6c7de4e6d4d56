/**
 * Goal: the Jepsen EDN history `quorumlab report --format edn` writes reads back through
 * `quorumlab check` with the verdict `quorumlab run` gave, for built-in scenarios with client
 * histories of every shape: one key and many, reads, writes, cas that swap and cas that do not,
 * appends, a history that is not linearizable, and transactions (checked as list-append, as Elle
 * would). Before, a linearizable multi-key run came back "not linearizable": the reader took the
 * whole `[key value]` tuple for the value, and an `:ok` cas carried `true` instead of its
 * `[expected next]`.
 * Method: run each scenario with the CLI's history checker, export the trace to EDN, and check
 * the text the way `quorumlab check` does (format detected from the content, default model).
 */
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../cli/files.js";
import { historyChecker } from "../../cli/history-check.js";
import { protocols } from "../../protocols/index.js";
import { renderReport } from "../../reports/index.js";
import { checkHistory, parseHistory } from "../../sim/check/index.js";
import { checkTransactions } from "../../sim/check/txn/check.js";
import { parseTxnHistory } from "../../sim/check/txn/parse.js";
import { runScenario } from "../../sim/run.js";

/** Runs a built-in scenario and exports its history; `linearizable` is `run`'s verdict. */
function exported(name: string): { edn: string; linearizable: boolean; property: string } {
  const result = runScenario(loadScenario(name), protocols, {
    keepTrace: true,
    checkHistory: historyChecker(),
  });
  const verdict = result.historyVerdict;
  if (verdict === undefined || verdict.result === "unknown") throw new Error(`${name}: no verdict`);
  return {
    edn: renderReport([...result.records], "edn"),
    linearizable: verdict.result === "linearizable",
    property: verdict.property ?? "linearizable",
  };
}

/** `quorumlab check FILE.edn`'s verdict: linearizable or not. */
function checkedLinearizable(edn: string, file: string): boolean {
  const parsed = parseHistory(edn, { file });
  expect(parsed.format).toBe("knossos-edn");
  const verdict = checkHistory(parsed.events, parsed.model, { explain: false });
  expect(verdict.result).not.toBe("unknown");
  return verdict.result === "linearizable";
}

describe("the EDN export reads back with run's verdict", () => {
  it.each([
    "raft-basic", // two keys, cas that swap and cas that find another value
    "raft-leader-crash", // operations cut short by the crash stay indeterminate
    "raft-divergent-logs",
    "primary-backup-late-duplicate-request",
    "sharded-kv-migration", // appends, many keys
    "pb-split-brain", // not linearizable: a read of 1 after the write of 2 returned
  ])("%s", (name) => {
    const { edn, linearizable, property } = exported(name);
    expect(property).toBe("linearizable");
    expect(edn).toMatch(/^\{:type :invoke, :f :\w+, :value \["/);
    expect(checkedLinearizable(edn, `${name}.edn`)).toBe(linearizable);
  });

  it("writes a cas as Knossos does: [expected next] on both ends, a :fail when it did not swap", () => {
    const { edn } = exported("raft-basic");
    const lines = edn.split("\n");
    expect(lines[0]).toBe(
      '{:type :invoke, :f :cas, :value ["x" [nil 1]], :process 2, :time 408183000, :index 0}',
    );
    expect(lines[1]).toBe(
      '{:type :ok, :f :cas, :value ["x" [nil 1]], :process 2, :time 414183000, :index 1}',
    );
    expect(lines[6]).toBe(
      '{:type :invoke, :f :cas, :value ["y" [1 4]], :process 1, :time 454616000, :index 6}',
    );
    expect(lines[7]).toBe(
      '{:type :fail, :f :cas, :value ["y" [1 4]], :process 1, :time 458616000, :index 7}',
    );
  });

  // Knossos reads an :ok read of nil as "the value is unknown", so a history that is not
  // linearizable only because a read found its key absent passes as EDN (docs/reports.md).
  it.each(["raft-stale-read-bug", "raft-bug-stale-local-read"])(
    "%s: a read of an absent key tells Knossos nothing",
    (name) => {
      const { edn, linearizable } = exported(name);
      expect(linearizable).toBe(false);
      expect(edn).toMatch(/:type :ok, :f :read, :value \["\w+" nil\]/);
      expect(checkedLinearizable(edn, `${name}.edn`)).toBe(true);
    },
  );

  it.each(["range-vs-hash-partitioning", "txn-write-skew-bug"])(
    "%s: transactions, as list-append",
    (name) => {
      const { edn, linearizable, property } = exported(name);
      expect(property).toBe("strict-serializable");
      expect(edn).toContain("[:append ");
      const verdict = checkTransactions(parseTxnHistory(edn, `${name}.edn`), { model: "list-append" });
      expect(verdict.result).toBe(linearizable ? "valid" : "invalid");
    },
  );
});
