/**
 * Primary-backup: scenarios B1–B3, failover figures, the variants under the fuzzer's faults, and
 * each deliberate bug caught by an invariant it declares.
 */
import { describe, expect, it } from "vitest";
import { primaryBackupBugNames } from "../../protocols/primary-backup/bugs.js";
import { primaryBackupFigures } from "../../protocols/primary-backup/figures.js";
import { runScenarioFile, runYaml, violated } from "../paxos/support.js";
import { bugNamed, firstFailure } from "../support/fuzz-runs.js";

describe("pb-split-brain (B1)", () => {
  const result = runScenarioFile("pb-split-brain");

  it("ends with two primaries and a stale read the checker rejects", () => {
    expect(result.linearizable).toBe(false);
    expect(violated(result)).toEqual(["kv.linearizable"]);
    const reads = result.history.filter((event) => event.type === "ok" && event.f === "read");
    expect(reads.map((event) => event.value)).toEqual([1]);
  });

  it("counts the self-promotion as a false failover", () => {
    expect(primaryBackupFigures(result.records)).toMatchObject({ failovers: 1, falseFailovers: 1 });
    expect(result.expectationsMet).toBe(true);
  });
});

describe("pb-view-service (B2)", () => {
  const result = runScenarioFile("pb-view-service");

  it("refuses the stale read at the old primary and stays linearizable", () => {
    expect(result.violations).toEqual([]);
    expect(result.linearizable).toBe(true);
    const staleRead = result.history.filter((event) => event.process === 3 && event.type !== "invoke");
    expect(staleRead.map((event) => event.type)).toEqual(["info"]);
  });
});

describe("pb-unsynced-view (M31)", () => {
  it("with the bug, a power loss takes the view service back from view 1 to view 0", () => {
    const result = runScenarioFile("pb-unsynced-view-bug");
    expect(violated(result)).toEqual(["pb.views-monotone"]);
    expect(result.expectationsMet).toBe(true);
  });

  it("without the bug, the view service comes back in view 1 and goes on to view 2", () => {
    for (const result of [
      runScenarioFile("pb-unsynced-view-bug", { options: { bugs: [] } }),
      runScenarioFile("pb-unsynced-view"),
    ]) {
      expect(result.violations).toEqual([]);
      const views = result.records.filter((r) => r.kind === "note" && r.node === "n1" && r.label === "view");
      expect(views.map((r) => (r.kind === "note" ? (r.data as { viewnum: number }).viewnum : 0))).toEqual([
        1, 2,
      ]);
    }
  });
});

describe("pb-acked-write-loss (B3)", () => {
  it("with ack-before-backup (M22) acknowledges a write the backup never gets, and loses it", () => {
    const result = runScenarioFile("pb-acked-write-loss", { continueAfterViolation: true });
    expect(violated(result)).toEqual(["pb.ack-after-backup", "kv.linearizable"]);
    const read = result.history.find((event) => event.type === "ok" && event.f === "read");
    expect(read?.value).toBeNull();
  });

  it("without the bug never acknowledges the write, so reading nothing is linearizable", () => {
    const result = runScenarioFile("pb-acked-write-loss", { options: { bugs: [] } });
    expect(result.violations).toEqual([]);
    expect(result.linearizable).toBe(true);
  });
});

describe("regression primary-backup-stale-read (fuzzer)", () => {
  const result = runScenarioFile("regressions/primary-backup-stale-read");
  const states = (node: string) =>
    result.records.flatMap((record) =>
      record.kind === "state" && record.node === node ? [record.state as Record<string, unknown>] : [],
    );

  it("stays linearizable and never promotes the backup that missed view 3", () => {
    expect(result.violations).toEqual([]);
    expect(result.linearizable).toBe(true);
    expect(states("n3").filter((state) => state.role === "primary")).toEqual([]);
  });

  it("a restarted server named primary pings view 0 and never acknowledges its view", () => {
    const restartIndex = result.records.findIndex((record) => record.kind === "restart");
    const pings = result.records
      .slice(restartIndex)
      .flatMap((record) =>
        record.kind === "send" && record.from === "n2" && record.type === "ping"
          ? [(record.msg as { viewnum: number }).viewnum]
          : [],
      );
    expect(pings.length).toBeGreaterThan(5);
    expect(new Set(pings)).toEqual(new Set([0]));
    expect(states("n1").at(-1)).toMatchObject({ view: 4, primary: "n2", acked: false });
  });

  it("a backup that skipped a view waits for a transfer instead of trusting its old state", () => {
    expect(
      states("n3")
        .filter((state) => state.view === 4)
        .at(-1),
    ).toMatchObject({
      role: "backup",
      synced: false,
    });
  });
});

describe("regressions from fuzzing the lease variant", () => {
  it("a late answer to an earlier transfer does not make the primary acknowledge writes its backup lacks", () => {
    const result = runScenarioFile("regressions/primary-backup-stale-transfer-reply");
    expect(result.violations).toEqual([]);
    expect(result.linearizable).toBe(true);
  });

  it("a primary restarted in the same epoch is a new incarnation its backup does not confuse with the old one", () => {
    const result = runScenarioFile("regressions/primary-backup-restart-same-epoch");
    expect(result.violations).toEqual([]);
    expect(result.linearizable).toBe(true);
    const restart = result.records.findIndex((record) => record.kind === "restart");
    const transfers = result.records
      .slice(restart)
      .flatMap((record) =>
        record.kind === "send" && record.type === "transfer"
          ? [(record.msg as { incarnation: number }).incarnation]
          : [],
      );
    expect(transfers[0]).toBe(2);
  });
});

describe("regression from fuzzing the view-service variant", () => {
  it("a duplicated request that arrives after its client moved on is ignored, not answered without its result", () => {
    const result = runScenarioFile("regressions/primary-backup-late-duplicate-request");
    expect(result.violations).toEqual([]);
    expect(result.linearizable).toBe(true);
    // c2:26's request and its copy both reached the primary, the second after c2 had sent c2:27.
    type Line = { kind: string; e?: number; id?: number; to?: string; copy?: number; msg?: unknown };
    const records = result.records as readonly Line[];
    const sent = (id: string) =>
      records.find(
        (record) => record.kind === "send" && (record.msg as { request?: { id: string } }).request?.id === id,
      );
    const request = sent("c2:26")?.id;
    const copy = records.find((record) => record.kind === "duplicate" && record.id === request)?.copy;
    const arrivals = records.filter(
      (record) =>
        record.kind === "deliver" && record.to === "n3" && (record.id === request || record.id === copy),
    );
    expect(arrivals.length).toBe(2);
    expect((arrivals[1]?.e ?? 0) > (sent("c2:27")?.e ?? Number.POSITIVE_INFINITY)).toBe(true);
  });
});

describe("primary-backup failover figures", () => {
  it("measures the time from the primary's crash to the next primary", () => {
    const result = runYaml(
      `
protocol: primary-backup
nodes: 3
duration: 2s
options: {variant: view-service}
network: {latency: 1ms}
workload: {clients: 2, rate: 50, keys: [x], stop: 1800ms}
faults:
  - {at: 500ms, crash: n2}
`,
      "failover.yaml",
    );
    expect(result.violations).toEqual([]);
    const figures = primaryBackupFigures(result.records);
    expect(figures.failovers).toBe(1);
    expect(figures.falseFailovers).toBe(0);
    expect(figures.failoverUs).toBeGreaterThan(400_000);
    expect(figures.failoverUs).toBeLessThan(700_000);
  });
});

describe("primary-backup under the fuzzer's faults", () => {
  for (const { variant, nodes } of [
    { variant: "view-service", nodes: 3 },
    { variant: "view-service", nodes: 4 },
    { variant: "lease", nodes: 2 },
  ]) {
    it(`${variant} with ${nodes} nodes stays safe and linearizable on 20 runs`, () => {
      const settings = { optionChoices: { variant: [variant] }, nodesMin: nodes, nodesMax: nodes, runs: 20 };
      expect(firstFailure("primary-backup", settings)).toBeUndefined();
    });
  }

  for (const bug of primaryBackupBugNames) {
    it(`${bug} is caught within 600 runs, by an invariant it declares`, () => {
      const found = firstFailure("primary-backup", { bugs: [bug], runs: 600 });
      expect(found, `no run up to 600 exposed ${bug}`).toBeDefined();
      expect(bugNamed("primary-backup", bug).breaks).toContain(found?.failure.invariant);
    });
  }
});
