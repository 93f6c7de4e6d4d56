/**
 * The sharded store end to end: migrations under load, crashes, partitions and message loss keep
 * every invariant and a linearizable history (checked per key with the kv model); each deliberate
 * bug is caught; retries crossing a migration are answered from the moved sessions.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { historyChecker } from "../../cli/history-check.js";
import { protocols } from "../../protocols/index.js";
import { type ShardedNode, shardedFigures } from "../../protocols/sharded-kv/index.js";
import { checkHistory } from "../../sim/check/linearizability.js";
import { modelByName } from "../../sim/check/models/index.js";
import { type RunResult, runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";

const folder = fileURLToPath(new URL("../../scenarios/", import.meta.url));

function run(text: string, file: string, options: Record<string, unknown> = {}, seed?: bigint): RunResult {
  const scenario = parseScenario(text, file);
  return runScenario({ ...scenario, options: { ...scenario.options, ...options } }, protocols, {
    hashTrace: false,
    ...(seed === undefined ? {} : { seed }),
  });
}

function runFile(name: string, options: Record<string, unknown> = {}, seed?: bigint): RunResult {
  const file = `${folder}${name}.yaml`;
  return run(readFileSync(file, "utf8"), file, options, seed);
}

function linearizable(result: RunResult): string {
  return checkHistory(result.history, modelByName("kv")).result;
}

function invariantsBroken(result: RunResult): string[] {
  return [...new Set(result.violations.map((violation) => violation.invariant))];
}

function node(result: RunResult, id: string): ShardedNode {
  return result.kernel.nodeObject(id) as ShardedNode;
}

/** Joins and a leave under crashes, a partition, message loss and duplication. */
const stress = `
name: sharded-kv-stress
protocol: sharded-kv
nodes: 12
duration: 5s
options:
  changes: [{at: 800ms, join: g3}, {at: 2500ms, leave: g1}]
network:
  latency: {uniform: [1ms, 5ms]}
workload: {clients: 5, rate: 250, mix: {read: 2, write: 1, append: 2, cas: 1}, keys: 8, start: 300ms, stop: 4500ms, timeout: 1500ms}
faults:
  - {at: 700ms, crash: n4}
  - {at: 900ms, burst: {loss: 0.2, duplicate: 0.1, for: 500ms}}
  - {at: 1200ms, partition: [[n1, n2, n4, n7, n10], [n3, n5, n6, n8, n9, n11, n12]]}
  - {at: 1600ms, heal: true}
  - {at: 1700ms, restart: n4}
  - {at: 2600ms, crash: n10}
  - {at: 3000ms, isolate: n8}
  - {at: 3500ms, heal: true}
  - {at: 3600ms, restart: n10}
`;

describe("sharded-kv-migration", () => {
  const result = runFile("sharded-kv-migration");

  it("keeps every invariant and a linearizable history while g3 joins, n4 crashes and g1 leaves", () => {
    expect(result.violations).toEqual([]);
    expect(linearizable(result)).toBe("linearizable");
    expect(result.figures.operations.ok).toBeGreaterThan(300);
  });

  it("reports migration figures from the trace: each moved shard once, from its first replica", () => {
    const file = `${folder}sharded-kv-migration.yaml`;
    const kept = runScenario(parseScenario(readFileSync(file, "utf8"), file), protocols, {
      hashTrace: false,
      keepTrace: true,
    });
    const figures = shardedFigures(kept.records).sharded as {
      configurations: number;
      shardsMoved: number;
      byConfig: Record<string, { groupsReconfigured: number; shardsMoved: number; migrationMs: number }>;
    };
    expect(figures.configurations).toBe(3);
    expect(figures.byConfig["2"]?.groupsReconfigured).toBe(3);
    // g3 takes shards from both groups; every shard g1 held after the join moves when it leaves.
    const g1After = figures.byConfig["3"]?.shardsMoved ?? 0;
    expect(figures.byConfig["2"]?.shardsMoved).toBeGreaterThan(0);
    expect(g1After).toBeGreaterThan(0);
    expect(figures.shardsMoved).toBe((figures.byConfig["2"]?.shardsMoved ?? 0) + g1After);
    expect(figures.byConfig["2"]?.migrationMs).toBeGreaterThan(0);
    expect(shardedFigures([])).toEqual({});
  });

  it("ends with every group in the last configuration, g1 empty and g2 and g3 serving every shard", () => {
    const served = new Set<number>();
    for (const id of ["n4", "n7", "n10"]) {
      const machine = node(result, id).groupMachine;
      expect(machine?.config.num).toBe(3);
      for (const [shard, record] of machine?.shards ?? []) {
        expect(record.state).toBe("serving");
        served.add(shard);
      }
    }
    expect(node(result, "n4").groupMachine?.shards.size).toBe(0);
    expect(served.size).toBe(12);
  });
});

describe("every sharded-kv scenario meets its expect block", () => {
  for (const file of readdirSync(folder).filter(
    (name) => name.startsWith("sharded-kv-") && name.endsWith(".yaml"),
  )) {
    it(file, () => {
      const scenario = parseScenario(readFileSync(`${folder}${file}`, "utf8"), `${folder}${file}`);
      const result = runScenario(scenario, protocols, { hashTrace: false, checkHistory: historyChecker() });
      expect(result.expectations.filter((expectation) => !expectation.met)).toEqual([]);
    });
  }
});

describe("determinism", () => {
  it("the same scenario and seed give the same trace hash", () => {
    const file = `${folder}sharded-kv-migration.yaml`;
    const scenario = parseScenario(readFileSync(file, "utf8"), file);
    const hashes = [0, 1].map(() => runScenario(scenario, protocols, { hashTrace: true }).traceHash);
    expect(hashes[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(hashes[1]).toBe(hashes[0]);
  });
});

describe("sharded store under faults", () => {
  for (const seed of [1n, 2n, 3n]) {
    it(`seed ${seed}: joins and a leave under crash, partition, loss and duplication stay safe and linearizable`, () => {
      const result = run(stress, "stress.yaml", {}, seed);
      expect(invariantsBroken(result)).toEqual([]);
      expect(linearizable(result)).toBe("linearizable");
      expect(node(result, "n7").groupMachine?.config.num).toBe(3);
    });
  }

  it("a request sent to a configuration node is redirected by the ring to the owning group", () => {
    const text = `
name: route
protocol: sharded-kv
nodes: 12
duration: 1500ms
faults:
  - {at: 600ms, op: {f: write, key: x, value: 7, node: n1, follow: true}}
  - {at: 900ms, op: {f: read, key: x, node: n2, follow: true}}
`;
    const result = run(text, "route.yaml");
    const outcomes = result.history.filter((event) => event.type !== "invoke");
    expect(outcomes.map((event) => [event.type, event.value])).toEqual([
      ["ok", 7],
      ["ok", 7],
    ]);
  });
});

describe("Raft snapshots of the groups' state machines", () => {
  it("groups compact their logs and lagging replicas catch up by InstallSnapshot, safely and linearizably", () => {
    const text = `
name: sharded-kv-snapshots
protocol: sharded-kv
nodes: 12
duration: 5s
options:
  changes: [{at: 800ms, join: g3}, {at: 2500ms, leave: g1}]
  raft: {snapshotThreshold: 20}
network:
  latency: {uniform: [1ms, 3ms]}
workload: {clients: 5, rate: 250, mix: {read: 2, write: 1, append: 2, cas: 1}, keys: 8, start: 300ms, stop: 4500ms, timeout: 1500ms}
faults:
  - {at: 500ms, crash: n5}
  - {at: 600ms, crash: n8}
  - {at: 700ms, crash: n11}
  - {at: 1800ms, restart: n5}
  - {at: 1900ms, restart: n8}
  - {at: 2000ms, restart: n11}
  - {at: 3000ms, crash: n6}
  - {at: 3300ms, restart: n6}
`;
    const scenario = parseScenario(text, "snapshots.yaml");
    const result = runScenario(scenario, protocols, { hashTrace: false, keepTrace: true });
    expect(invariantsBroken(result)).toEqual([]);
    expect(linearizable(result)).toBe("linearizable");
    const installed = result.records.filter(
      (record) => record.kind === "note" && record.label === "installed-snapshot",
    );
    expect(installed.length).toBeGreaterThan(0);
    // n6 restarted from its own stored snapshot and rebuilt its group's state machine from it.
    const restarted = node(result, "n6");
    expect(restarted.replica.raft.log.snapshotIndex).toBeGreaterThan(0);
    expect(restarted.groupMachine?.config.num).toBe(3);
  });
});

describe("exactly-once across migrations", () => {
  it("the append the bug applies twice is applied once when the sessions move with the shard", () => {
    const buggy = runFile("sharded-kv-drop-sessions-bug");
    const witness = buggy.violations[0]?.witnesses as { operation: { id: string } } | undefined;
    const id = witness?.operation.id as string;
    expect(id).toMatch(/^c\d+:\d+$/);
    const result = runFile("sharded-kv-drop-sessions-bug", { bugs: [] });
    expect(invariantsBroken(result)).toEqual([]);
    expect(linearizable(result)).toBe("linearizable");
    const freshApplies = ["n4", "n7", "n10"].flatMap((nodeId) =>
      (node(result, nodeId).groupMachine?.audit ?? []).filter(
        (event) => event.kind === "op" && event.fresh && event.command.id === id,
      ),
    );
    expect(freshApplies).toHaveLength(1);
  });
});

describe("deliberate bugs are caught", () => {
  for (const [name, bug] of [
    ["sharded-kv-serve-before-data-bug", "serve-before-data"],
    ["sharded-kv-drop-sessions-bug", "drop-sessions-on-migration"],
  ] as const) {
    it(`${bug} breaks sharded.no-lost-or-duplicated-write in ${name}`, () => {
      const result = runFile(name);
      expect(result.scenario.options.bugs).toEqual([bug]);
      expect(invariantsBroken(result)).toContain("sharded.no-lost-or-duplicated-write");
    });
  }

  it("drop-sessions-on-migration also makes the history non-linearizable when the run goes on", () => {
    const file = `${folder}sharded-kv-drop-sessions-bug.yaml`;
    const scenario = parseScenario(readFileSync(file, "utf8"), file);
    const result = runScenario(scenario, protocols, { hashTrace: false, stopOnViolation: false });
    expect(linearizable(result)).toBe("not-linearizable");
  });
});
