/**
 * The timeline `quorumlab run` prints. Goal: a reader follows a teaching scenario step by step,
 * with the scenario's own notes on its steps among the faults and elections they explain, and
 * no note of a step that never ran because the run stopped at a violation. Method: run the
 * Figure 8 scenarios and read the timeline as the terminal shows it without colour.
 */
import { Chalk } from "chalk";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../cli/files.js";
import { historyChecker } from "../../cli/history-check.js";
import { stepNotes, timeline } from "../../cli/run.js";
import { protocols } from "../../protocols/index.js";
import { runScenario } from "../../sim/run.js";

function timelineOf(name: string): string[] {
  const scenario = loadScenario(name);
  const result = runScenario(scenario, protocols, { checkHistory: historyChecker(), keepTrace: true });
  return timeline(result.records, new Chalk({ level: 0 }), stepNotes(scenario)).map((line) => line.trim());
}

describe("run's timeline", () => {
  it("tells the scenario's notes on its steps, each before the records of its instant", () => {
    const lines = timelineOf("raft-figure-8");
    expect(lines[0]).toBe("0  # (a) n1 becomes leader of term 1");
    const note = lines.indexOf("30ms  # (c) n5 crashes");
    expect(note).toBeGreaterThan(lines.indexOf("26ms  # c stays on n5"));
    expect(lines[note + 2]).toBe("30ms  crash n5");
    // A step that leaves no record of its own (a timeout, a client operation) is told by its note.
    expect(lines).toContain("300ms  # reads e");
  });

  it("leaves out the notes of steps after the run stopped at a violation", () => {
    const lines = timelineOf("raft-figure-8-bug");
    expect(lines.at(-1)).toMatch(/^72ms {2}✗ raft.leader-completeness/);
    expect(lines.some((line) => line.includes("an entry of term 4 commits c and e"))).toBe(false);
  });
});
