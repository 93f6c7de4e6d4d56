/**
 * The trace recorder keeps frequent records in a compact row store (sim/trace/rows.ts) and writes
 * their lines by hand. Both must be invisible: the records read back, and the bytes written and hashed, must be
 * exactly those of the plain record objects.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";
import { parseTrace, type TraceLine, TraceRecorder } from "../../sim/trace.js";
import { testRegistry } from "../support/heartbeat.js";

/** Feeds the same records to a recorder through its compact methods; returns the plain objects. */
function feed(trace: TraceRecorder): TraceLine[] {
  const a = trace.symbol('n"1');
  const b = trace.symbol("n\\2\u2028é");
  const type = trace.symbol("Append\nEntries");
  const timer = trace.symbol("election");
  const msg = {
    type: "Append\nEntries",
    term: 3,
    entries: [{ term: 2, command: { kind: "noop" } }],
    skip: undefined,
  };
  const state = { role: "leader", term: 3, log: [1, 2, 3], votedFor: null };
  trace.send({ t: 5, e: 1, from: a, to: b, id: 7, type }, msg);
  // The same message object again (a broadcast), another one, none, and the first once more.
  const other = { type: "Append\nEntries", term: 4, entries: [] };
  trace.send({ t: 5, e: 1, from: a, to: a, id: 20, type }, msg);
  trace.send({ t: 5, e: 1, from: b, to: a, id: 21, type }, other);
  trace.send({ t: 5, e: 1, from: b, to: a, id: 22, type }, undefined);
  trace.send({ t: 5, e: 1, from: a, to: b, id: 23, type }, msg);
  trace.arrival("deliver", { t: 6, e: 2, from: a, to: b, id: 7, type }, "partition");
  trace.arrival("drop", { t: 7, e: 3, from: b, to: a, id: 8, type }, "crashed");
  trace.arrival("drop", { t: 7, e: 3, from: b, to: a, id: 9, type }, "burst");
  trace.duplicate({ t: 8, e: 4, from: a, to: b, id: 10, type }, 11);
  trace.state({ t: 9, e: 5, node: a }, state);
  trace.timer({ t: 10, e: 6, node: b }, timer);
  const client = trace.symbol('c"1');
  trace.clientEvent(
    "invoke",
    { t: 11, e: 7, node: client },
    { process: 1, f: "cas", key: 'x"', value: [null, 2] },
  );
  trace.clientEvent(
    "info",
    { t: 12, e: 8, node: client },
    {
      process: 1,
      f: "cas",
      key: null,
      value: undefined,
      error: "time\nout",
    },
  );
  const crash: TraceLine = { kind: "crash", t: 13, e: 9, node: 'n"1' };
  trace.record(crash);
  return [
    { kind: "send", t: 5, e: 1, from: 'n"1', to: "n\\2\u2028é", id: 7, type: "Append\nEntries", msg },
    { kind: "send", t: 5, e: 1, from: 'n"1', to: 'n"1', id: 20, type: "Append\nEntries", msg },
    { kind: "send", t: 5, e: 1, from: "n\\2\u2028é", to: 'n"1', id: 21, type: "Append\nEntries", msg: other },
    {
      kind: "send",
      t: 5,
      e: 1,
      from: "n\\2\u2028é",
      to: 'n"1',
      id: 22,
      type: "Append\nEntries",
      msg: undefined,
    },
    { kind: "send", t: 5, e: 1, from: 'n"1', to: "n\\2\u2028é", id: 23, type: "Append\nEntries", msg },
    { kind: "deliver", t: 6, e: 2, from: 'n"1', to: "n\\2\u2028é", id: 7, type: "Append\nEntries" },
    {
      kind: "drop",
      t: 7,
      e: 3,
      from: "n\\2\u2028é",
      to: 'n"1',
      id: 8,
      type: "Append\nEntries",
      reason: "crashed",
    },
    {
      kind: "drop",
      t: 7,
      e: 3,
      from: "n\\2\u2028é",
      to: 'n"1',
      id: 9,
      type: "Append\nEntries",
      reason: "burst",
    },
    {
      kind: "duplicate",
      t: 8,
      e: 4,
      from: 'n"1',
      to: "n\\2\u2028é",
      id: 10,
      type: "Append\nEntries",
      copy: 11,
    },
    { kind: "state", t: 9, e: 5, node: 'n"1', state },
    { kind: "timer", t: 10, e: 6, node: "n\\2\u2028é", name: "election" },
    { kind: "invoke", t: 11, e: 7, client: 'c"1', process: 1, f: "cas", key: 'x"', value: [null, 2] },
    {
      kind: "info",
      t: 12,
      e: 8,
      client: 'c"1',
      process: 1,
      f: "cas",
      key: null,
      value: null,
      error: "time\nout",
    },
    crash,
  ];
}

describe("trace recorder", () => {
  it("reads back kept records exactly as the objects they stand for, keys in the same order", () => {
    const trace = new TraceRecorder({ hash: false, keep: true });
    const expected = feed(trace);
    expect(trace.size).toBe(expected.length);
    expect(trace.records).toEqual(expected);
    expect(trace.records.map((line) => JSON.stringify(line))).toEqual(
      expected.map((line) => JSON.stringify(line)),
    );
  });

  it("streams the bytes JSON.stringify gives for each record, and hashes kept and streamed records alike", () => {
    let text = "";
    const streamed = new TraceRecorder({
      hash: true,
      keep: false,
      sink: { write: (chunk) => (text += chunk) },
    });
    const expected = feed(streamed);
    const streamedHash = streamed.finish(14, 10, 10);
    const lines = text.trimEnd().split("\n");
    expect(lines.slice(0, -1)).toEqual(expected.map((line) => JSON.stringify(line)));
    const body = expected.map((line) => `${JSON.stringify(line)}\n`).join("");
    expect(streamedHash).toBe(createHash("sha256").update(body).digest("hex"));

    const kept = new TraceRecorder({ hash: true, keep: true });
    feed(kept);
    expect(kept.finish(14, 10, 10)).toBe(streamedHash);
  });

  it("keeps records across many storage chunks", () => {
    let text = "";
    const streamed = new TraceRecorder({
      hash: true,
      keep: false,
      sink: { write: (chunk) => (text += chunk) },
    });
    const kept = new TraceRecorder({ hash: true, keep: true });
    for (const trace of [streamed, kept]) {
      const nodes = [trace.symbol("n1"), trace.symbol("n2")];
      const type = trace.symbol("Ping");
      for (let i = 0; i < 100_000; i++) {
        if (i % 3 === 0)
          trace.send(
            { t: i, e: i, from: nodes[0] as number, to: nodes[1] as number, id: i, type },
            { type: "Ping", i },
          );
        else if (i % 3 === 1)
          trace.arrival(
            "deliver",
            { t: i, e: i, from: nodes[0] as number, to: nodes[1] as number, id: i - 1, type },
            "loss",
          );
        else trace.state({ t: i, e: i, node: nodes[1] as number }, { role: "follower", i });
      }
    }
    expect(kept.size).toBe(100_000);
    expect(kept.records[99_998]).toEqual({
      kind: "state",
      t: 99_998,
      e: 99_998,
      node: "n2",
      state: { role: "follower", i: 99_998 },
    });
    expect(kept.finish(100_000, 100_000, 100_000)).toBe(streamed.finish(100_000, 100_000, 100_000));
    expect(kept.records.map((line) => `${JSON.stringify(line)}\n`).join("")).toBe(text);
  });

  it("keeps a whole run with losses, duplicates and partitions as its streamed trace file reads", () => {
    const scenario = parseScenario(
      `
protocol: heartbeat
nodes: 4
duration: 2s
network: {latency: {uniform: [1ms, 20ms]}, loss: 0.1, duplicate: 0.1}
workload: {clients: 2, rate: 50, mix: {read: 1, write: 1}}
faults:
  - {at: 300ms, crash: n2}
  - {at: 700ms, partition: [[n1, n2], [n3, n4]]}
  - {at: 1200ms, heal: true}
  - {at: 1300ms, restart: n2}
`,
      "recorder.yaml",
    );
    let text = "";
    const streamed = runScenario(scenario, testRegistry, {
      keepTrace: false,
      traceSink: { write: (chunk: string) => (text += chunk) },
    });
    const kept = runScenario(scenario, testRegistry, { keepTrace: true });
    expect(kept.traceHash).toBe(streamed.traceHash);
    const kinds = new Set(kept.records.map((line) => line.kind));
    for (const kind of ["send", "deliver", "drop", "duplicate", "timer", "crash", "partition"]) {
      expect(kinds).toContain(kind);
    }
    expect(parseTrace(text)).toEqual(JSON.parse(JSON.stringify(kept.records)));
  });
});
