/**
 * A scripted fault that would do nothing to the node it names (a restart of a node that is up, a
 * crash of one that is down, a pause of a paused node, a resume of one that is not paused) is
 * skipped, and the trace and `run`'s timeline say why, as for a symbolic target that matches no
 * node. Method: Raft on three nodes, the faults read back from the trace's records.
 */
import { describe, expect, it } from "vitest";
import { protocols } from "../../protocols/index.js";
import { runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";

const scenario = parseScenario(
  `
protocol: raft
nodes: 3
duration: 1s
faults:
  - {at: 100ms, restart: n1}
  - {at: 200ms, crash: n1}
  - {at: 300ms, crash: n1}
  - {at: 400ms, pause: n2}
  - {at: 450ms, pause: n2}
  - {at: 500ms, resume: n3}
  - {at: 550ms, pause: n1}
  - {at: 600ms, resume: n2}
  - {at: 700ms, restart: n1}
`,
  "idle.yaml",
);

describe("a named fault that would do nothing", () => {
  it("is skipped with its reason, and the faults that act still act", () => {
    const result = runScenario(scenario, protocols, { keepTrace: true });
    const skipped = result.records.flatMap((record) =>
      record.kind === "note" && record.label === "skipped-action"
        ? [{ t: record.t, ...(record.data as { action: string; reason: string }) }]
        : [],
    );
    expect(skipped).toEqual([
      { t: 100_000, action: "restart", reason: "n1 is up: only a crashed node restarts" },
      { t: 300_000, action: "crash", reason: "n1 is down already" },
      { t: 450_000, action: "pause", reason: "n2 is paused already" },
      { t: 500_000, action: "resume", reason: "n3 is not paused" },
      { t: 550_000, action: "pause", reason: "n1 is down" },
    ]);
    const acted = result.records.flatMap((record) =>
      ["crash", "restart", "pause", "resume"].includes(record.kind)
        ? [`${record.kind} ${(record as { node: string }).node}`]
        : [],
    );
    expect(acted).toEqual(["crash n1", "pause n2", "resume n2", "restart n1"]);
  });
});

describe("a message fault on a message no longer in flight", () => {
  it("is skipped with its reason, as one on a message not yet sent is", () => {
    const text = `
protocol: raft
nodes: 3
duration: 1s
faults:
  - {at: 500ms, drop: {message: 0}}
  - {at: 500ms, duplicate: {message: 100000}}
`;
    const result = runScenario(parseScenario(text, "late.yaml"), protocols, { keepTrace: true });
    const skipped = result.records.flatMap((record) =>
      record.kind === "note" && record.label === "skipped-action" ? [record.data] : [],
    );
    expect(skipped).toEqual([
      { action: "drop", reason: "message 0 is no longer in flight: it arrived or was lost before this step" },
      { action: "duplicate", reason: "no message 100000 has been sent yet" },
    ]);
  });
});
