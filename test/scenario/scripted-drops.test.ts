/**
 * A message dropped on purpose is recorded with the reason `scripted`, whether a schedule step or
 * the fault timeline dropped it: the same drop reads the same in a trace and in a report.
 */
import { describe, expect, it } from "vitest";
import { protocols } from "../../protocols/index.js";
import { runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";

function dropsOf(text: string): Array<{ id: number; reason: string }> {
  const result = runScenario(parseScenario(text, "drop.yaml"), protocols, { keepTrace: true });
  return result.records.flatMap((record) =>
    record.kind === "drop" ? [{ id: record.id, reason: record.reason }] : [],
  );
}

const head = "protocol: raft\nnodes: 3\nduration: 1s\n";

describe("a scripted drop", () => {
  it("has the reason scripted from a schedule step, as from the fault timeline", () => {
    const scheduled = dropsOf(
      `${head}schedule:\n  - {fire: {node: n1, timer: election}}\n  - {drop: {id: 0, from: n1, to: n2, type: RequestVote}}\n`,
    );
    const timed = dropsOf(`${head}faults:\n  - {at: 0, timeout: n1}\n  - {at: 0, drop: {message: 0}}\n`);
    expect(scheduled).toEqual([{ id: 0, reason: "scripted" }]);
    expect(timed).toEqual([{ id: 0, reason: "scripted" }]);
  });
});
