/**
 * Goal: every field a fault action or a schedule step takes is documented in docs/scenarios.md,
 * and a `note` is only a comment: kept when the scenario is written back, never in the trace.
 * Method: the fields are read from the error an unknown field gets, so a field added to the schema
 * and not to the docs fails here; a note is run through the scenario writer and through a run
 * compared, by its trace hash, with the same run without notes.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { protocols } from "../../protocols/index.js";
import { InputError } from "../../sim/errors.js";
import { runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";
import { writeScenario } from "../../sim/scenario/write.js";

const docs = readFileSync(new URL("../../docs/scenarios.md", import.meta.url), "utf8");

/** The fields listed by the error for an unknown field in the one entry of `text`. */
function knownFields(text: string): string[] {
  try {
    parseScenario(text, "s.yaml");
  } catch (error) {
    const listed = error instanceof InputError ? /expected one of ([^)]*)\)/.exec(error.message) : null;
    if (listed !== null) return listed[1]!.split(", ");
    throw error;
  }
  throw new Error("expected an unknown-field error");
}

describe("fault and schedule fields", () => {
  it.each([
    ["a fault action", "protocol: raft\nduration: 1s\nfaults:\n  - {at: 0, timeout: n1, bogus: 1}\n"],
    ["a schedule step", "protocol: raft\nduration: 1s\nclients: 1\nschedule:\n  - {retry: c1, bogus: 1}\n"],
  ])("every field %s takes is in docs/scenarios.md", (_, text) => {
    const fields = knownFields(text);
    expect(fields).toContain("note");
    const undocumented = fields.filter(
      (field) => !docs.includes(`${field}:`) && !docs.includes(`\`${field}\``),
    );
    expect(undocumented).toEqual([]);
  });
});

describe("a note", () => {
  const withNotes = `protocol: raft
nodes: 3
duration: 300ms
faults:
  - {at: 0, timeout: n1, note: "n1 asks for votes first"}
  - {at: 100ms, crash: leader, note: "the leader goes down"}
`;
  const withoutNotes = withNotes.replace(/, note: "[^"]*"/g, "");

  it("is kept when the scenario is written back", () => {
    const written = writeScenario(parseScenario(withNotes, "s.yaml"));
    expect(parseScenario(written, "w.yaml").faults.map((action) => action.note)).toEqual([
      "n1 asks for votes first",
      "the leader goes down",
    ]);
  });

  it("changes nothing in the run: the trace is the same without it", () => {
    const run = (text: string) => runScenario(parseScenario(text, "s.yaml"), protocols).traceHash;
    expect(run(withNotes)).toBe(run(withoutNotes));
  });
});
