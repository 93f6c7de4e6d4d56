/**
 * The report model read from a fixed-seed trace: lanes, message fates, operations numbered the
 * way the linearizability explanation numbers them, the first bad event, and the figures.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { protocols } from "../../protocols/index.js";
import { displayOf } from "../../reports/display.js";
import { buildModel, checkRecord, timelineText } from "../../reports/model.js";
import type { Protocol } from "../../sim/node.js";
import { runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";
import type { TraceLine } from "../../sim/trace.js";
import { displayFor, splitBrainYaml, traceOf } from "./fixtures.js";

const records = traceOf(splitBrainYaml);
const model = buildModel(records, { version: "test", replay: "replay me", display: displayFor(records) });
const count = (kind: string) => records.filter((record) => record.kind === kind).length;

describe("report model", () => {
  it("has a lane per node, then per client", () => {
    expect(model.lanes).toEqual([
      { name: "n1", kind: "node" },
      { name: "n2", kind: "node" },
      { name: "n3", kind: "node" },
      { name: "c1", kind: "client" },
      { name: "c2", kind: "client" },
      { name: "c3", kind: "client" },
    ]);
    expect(model.meta.replay).toBe("replay me");
    expect(model.meta.version).toBe("test");
  });

  it("has one message per send and per duplicate copy, each with its fate", () => {
    expect(model.messages.length).toBe(count("send") + count("duplicate"));
    expect(model.messages.filter((message) => message.fate === "delivered").length).toBe(count("deliver"));
    expect(model.messages.filter((message) => message.fate === "dropped").length).toBe(count("drop"));
    expect(model.messages.filter((message) => message.copyOf !== null).length).toBe(count("duplicate"));
    for (const message of model.messages) {
      if (message.fate !== "in-flight") expect(message.arriveUs).toBeGreaterThanOrEqual(message.sendUs);
      if (message.droppedAtSend) expect(message.arriveUs).toBe(message.sendUs);
    }
    // Partition drops at send time are marked as such.
    expect(
      model.messages.some((message) => message.droppedAtSend && message.dropReason === "partition"),
    ).toBe(true);
  });

  it("pairs operations in invocation order and points the first bad event at the failing one", () => {
    expect(
      model.operations.map((operation) => [operation.f, operation.status, operation.input, operation.output]),
    ).toEqual([
      ["write", "ok", 1, 1],
      ["write", "ok", 2, 2],
      ["read", "ok", null, null],
    ]);
    const violation = model.violations[0];
    expect(violation?.invariant).toBe("kv.linearizable");
    expect(violation?.explanation?.failingOperation).toBe(2);
    expect(violation?.explanation?.longestPrefix.map((step) => step.operation)).toEqual([0, 1]);
    const bad = model.steps[violation?.firstBadStep ?? -1];
    expect(bad?.kind).toBe("ok");
    expect(bad?.ref).toBe(2);
    expect(model.outcome).toBe("violation");
  });

  it("records crash, pause and partition intervals and the per-node state", () => {
    expect(model.laneIntervals).toEqual([
      { lane: 2, kind: "crash", startUs: 600_000, endUs: 750_000 },
      { lane: 1, kind: "pause", startUs: 650_000, endUs: 700_000 },
    ]);
    expect(model.network).toEqual([
      { kind: "partition", startUs: 200_000, endUs: 800_000, text: "partition n1 | n2,n3", lanes: [0] },
    ]);
    expect(model.statePoints[2]?.some(([t, state]) => t === 600_000 && state === -1)).toBe(true);
    expect(model.figures.crashes).toBe(1);
    expect(model.figures.pauses).toBe(1);
  });

  it("counts messages by type and operation latencies", () => {
    const heartbeat = model.figures.messagesByType.find((row) => row.type === "heartbeat");
    expect(heartbeat?.sent).toBe(
      records.filter((record) => record.kind === "send" && record.type === "heartbeat").length,
    );
    const writes = model.figures.latencyByFunction.find((row) => row.f === "write");
    expect(writes?.count).toBe(2);
    expect(writes?.minUs).toBeLessThanOrEqual(writes?.maxUs ?? 0);
  });

  it("rejects records that lack the fields of their kind", () => {
    expect(
      checkRecord({ kind: "send", t: 0, e: 0, from: "n1", to: "n2", id: 1 } as unknown as TraceLine),
    ).toMatch(/'send' record needs 'type'/);
    expect(checkRecord(records[1] as TraceLine)).toBeUndefined();
  });
});

describe("the timeline of notable moments", () => {
  it("tells a violation after the leader change of the same instant that it judges", () => {
    // Figure 8 with the bug: n5 becomes leader of term 4 at 72 ms, and Leader Completeness fails
    // right after that step, at the same instant.
    const text = readFileSync(
      join(import.meta.dirname, "..", "..", "scenarios", "raft-figure-8-bug.yaml"),
      "utf8",
    );
    const figure8 = runScenario(parseScenario(text, "raft-figure-8-bug.yaml"), protocols, {
      keepTrace: true,
    }).records;
    const raft = protocols.get("raft") as Protocol;
    const timeline = buildModel(figure8, { display: displayOf(raft) }).timeline.filter(
      (entry) => entry.t === 72_000,
    );
    expect(timeline.map((entry) => timelineText(entry).split(":")[0])).toEqual([
      "n5 becomes leader (term 4)",
      "✗ raft.leader-completeness",
    ]);
  });
});
