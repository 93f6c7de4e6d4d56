/**
 * Goal: the `--json` shapes docs/cli.md gives for list, verify, explore and mutants are what the
 * commands print, `schemaVersion` first.
 * Method: run the CLI as a user would and compare each object's keys with the documented ones.
 */
import { describe, expect, it } from "vitest";
import { quorumlab } from "../support/quorumlab.js";

const lines = (stdout: string): Array<Record<string, unknown>> =>
  stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe("--json shapes", () => {
  it("list: one object per scenario, {schemaVersion: 1, name, protocol, nodes, summary, file}", () => {
    const result = quorumlab("list", "--json");
    expect(result.code).toBe(0);
    const rows = lines(result.stdout);
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows) {
      expect(Object.keys(row)).toEqual(["schemaVersion", "name", "protocol", "nodes", "summary", "file"]);
      expect(row.schemaVersion).toBe(1);
    }
  });

  it("verify: run's fields, schemaVersion first, then file and met", () => {
    const result = quorumlab("verify", "--filter", "2pc-no-vote-lost", "--json");
    expect(result.code).toBe(0);
    const [row, ...more] = lines(result.stdout);
    expect(more).toEqual([]);
    expect(Object.keys(row ?? {})).toEqual([
      "schemaVersion",
      "scenario",
      "protocol",
      "seed",
      "ok",
      "violations",
      "traceHash",
      "events",
      "simulatedUs",
      "wallMs",
      "history",
      "figures",
      "expectations",
      "expectationsMet",
      "file",
      "met",
    ]);
    expect(row).toMatchObject({ schemaVersion: 1, scenario: "2pc-no-vote-lost", met: true });
  });

  it("explore: the documented fields, the notes the terminal prints included", () => {
    const result = quorumlab("explore", "consistent-hashing", "--json");
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual([
      "schemaVersion",
      "protocol",
      "bugs",
      "nodes",
      "clients",
      "operations",
      "faults",
      "timers",
      "network",
      "quietTimeouts",
      "promptTimeouts",
      "promptReplies",
      "driftRate",
      "seed",
      "workers",
      "strategy",
      "verdict",
      "uniqueStates",
      "statesVisited",
      "transitionsSkipped",
      "depth",
      "boundedBy",
      "hiddenState",
      "restore",
      "replayReasons",
      "statesPerSec",
      "wallMs",
      "notes",
      "counterexample",
    ]);
    expect(json.schemaVersion).toBe(1);
    expect(json.notes).toEqual([expect.stringContaining("only the start state was checked")]);
  });

  it("mutants --list and the mutant table: the documented fields", () => {
    const list = quorumlab("mutants", "--list", "--protocol", "two-phase-commit", "--json");
    expect(list.code).toBe(0);
    const listed = JSON.parse(list.stdout) as { schemaVersion: number; bugs: object[] };
    expect(listed.schemaVersion).toBe(1);
    expect(Object.keys(listed.bugs[0] ?? {})).toEqual([
      "protocol",
      "bug",
      "id",
      "kind",
      "breaks",
      "change",
      "source",
    ]);
    const table = quorumlab("mutants", "--protocol", "two-phase-commit", "--time-per", "2s", "--json");
    const json = JSON.parse(table.stdout) as Record<string, unknown> & {
      mutants: object[];
      correct: object[];
    };
    expect(Object.keys(json)).toEqual(["schemaVersion", "mutants", "detected", "total", "correct"]);
    expect(json.schemaVersion).toBe(1);
    expect(Object.keys(json.mutants[0] ?? {})).toEqual([
      "protocol",
      "bug",
      "id",
      "kind",
      "detected",
      "invariant",
      "wallMs",
      "runs",
      "faultActions",
      "file",
      "hinted",
      "unhinted",
    ]);
    expect(Object.keys(json.correct[0] ?? {})).toEqual([
      "protocol",
      "clean",
      "knownLimit",
      "invariant",
      "wallMs",
      "runs",
      "file",
    ]);
  });
});
