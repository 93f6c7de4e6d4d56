/**
 * Goal: the `--json` shapes docs/cli.md (and docs/fuzzing.md for fuzz) give for list, run, verify,
 * check, explore, mutants and fuzz are what the commands print, `schemaVersion` first, and an error
 * that stops a command prints the one error object every command shares.
 * Method: run the CLI as a user would and compare each object's keys with the documented ones.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { errorJson } from "../../cli/output.js";
import { InputError } from "../../sim/errors.js";
import { quorumlab } from "../support/quorumlab.js";

const lines = (stdout: string): Array<Record<string, unknown>> =>
  stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** The keys of the error object every command prints for an error that stops it (docs/cli.md). */
const errorKeys = ["schemaVersion", "result", "exitCode", "error", "file", "line", "column", "field"];

const out = mkdtempSync(join(tmpdir(), "quorumlab-json-shapes-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

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

  it("an error that stops a command prints one error object on stdout under --json, its line on stderr, exit 2", () => {
    const stopped: Array<[string[], string | null]> = [
      [["run", "no-such-scenario", "--json"], null],
      [["run", "raft-basic", "--seed", "x", "--json"], "--seed"],
      [["verify", "--filter", "no-such-scenario", "--json"], "--filter"],
      [["fuzz", "raft", "--bug", "no-such-bug", "--json"], "--bug"],
      [["explore", "raft", "--nodes", "99", "--json"], "--nodes"],
      [["mutants", "--protocol", "no-such-protocol", "--json"], null],
      [["check", join(out, "no-such-history.edn"), "--timeout", "soon", "--json"], "--timeout"],
      [["bench", "--only", "no-such-benchmark", "--json"], "--only"],
    ];
    for (const [args, field] of stopped) {
      const result = quorumlab(...args);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr).toMatch(/^error: [^\n]+\n$/);
      const [error, ...more] = lines(result.stdout);
      expect(more).toEqual([]);
      expect(Object.keys(error ?? {})).toEqual(errorKeys);
      expect(error).toEqual({
        schemaVersion: 1,
        result: "error",
        exitCode: 2,
        error: result.stderr.slice("error: ".length, -1),
        file: null,
        line: null,
        column: null,
        field,
      });
    }
  });

  it("a usage error the parser finds prints the error object too, after its two lines on stderr", () => {
    for (const args of [
      ["fuzz", "raft", "--tme", "5s", "--json"],
      ["explore", "--json"],
      ["list", "extra", "--json"],
    ]) {
      const result = quorumlab(...args);
      expect(result.code).toBe(2);
      const said = /^usage error: ([^\n]+)\nRun 'quorumlab --help' for usage\.\n$/.exec(result.stderr)?.[1];
      expect(said).toBeDefined();
      expect(lines(result.stdout)).toEqual([
        {
          schemaVersion: 1,
          result: "error",
          exitCode: 2,
          error: said,
          file: null,
          line: null,
          column: null,
          field: null,
        },
      ]);
    }
  });

  it("an internal error's object has exit code 70 and its message, without the stack", () => {
    const error = new Error("boom");
    expect(errorJson(error, 70)).toEqual({
      schemaVersion: 1,
      result: "error",
      exitCode: 70,
      error: "boom",
      file: null,
      line: null,
      column: null,
      field: null,
    });
    expect(errorJson("thrown text", 70)).toMatchObject({ exitCode: 70, error: "thrown text" });
    const placed = new InputError("--nodes: expected a number", { file: "x.yaml", line: 2 });
    expect(errorJson(placed, 2)).toMatchObject({ file: "x.yaml", line: 2, column: null, field: "--nodes" });
  });

  it("a bad scenario file's error object names its file, line, column and field; --json=false and --no-json print none", () => {
    const file = join(out, "bad-target.yaml");
    writeFileSync(file, "protocol: raft\nduration: 1s\nfaults: [{at: 500ms, crash: n9}]\n");
    const result = quorumlab("run", file, "--json");
    expect(result.code).toBe(2);
    const [error] = lines(result.stdout);
    expect(error).toMatchObject({
      schemaVersion: 1,
      result: "error",
      exitCode: 2,
      file,
      line: 3,
      field: "faults.0.crash",
    });
    expect(result.stderr).toBe(`error: ${file}:3:${error?.column}: ${error?.error}\n`);
    // verify carries on past a bad file, printing its error object in its place.
    const verified = quorumlab("verify", file, "raft-basic", "--json");
    expect(verified.code).toBe(2);
    const [bad, good, ...more] = lines(verified.stdout);
    expect(more).toEqual([]);
    expect(bad).toEqual(error);
    expect(good).toMatchObject({ schemaVersion: 1, scenario: "raft-basic", met: true });
    for (const off of [["--json=false"], ["--json", "--no-json"]]) {
      const plain = quorumlab("run", file, ...off);
      expect(plain.code).toBe(2);
      expect(plain.stdout).toBe("");
    }
    // A command without --json (report) has no error object.
    expect(quorumlab("report", join(out, "no-such-trace.jsonl"), "--format", "text").stdout).toBe("");
  });

  it("run: expectations are {expectation, met, detail}", () => {
    const result = quorumlab("run", "raft-basic", "--json");
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { expectations: unknown[]; expectationsMet: boolean };
    expect(json.expectations[0]).toEqual({
      expectation: "safe",
      met: true,
      detail: "no safety invariant was violated",
    });
    expect(json.expectationsMet).toBe(true);
  });

  it("run: the history names the property checked and tells an inconclusive check from none", () => {
    const history = (scenario: string) => {
      const result = quorumlab("run", scenario, "--json");
      return { code: result.code, history: (JSON.parse(result.stdout) as { history: unknown }).history };
    };
    expect(history("raft-stale-read-bug")).toEqual({
      code: 1,
      history: { ops: 2, linearizable: false, property: "linearizable", unknown: false },
    });
    expect(history("txn-write-skew-bug")).toEqual({
      code: 1,
      history: { ops: 3, linearizable: false, property: "strict-serializable", unknown: false },
    });
    // Paxos has no client history: nothing was checked, which is not an inconclusive check.
    expect(history("paxos-dueling-proposers")).toEqual({
      code: 0,
      history: { ops: 0, linearizable: null, property: null, unknown: false },
    });
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
      "interrupted",
      "hiddenState",
      "restore",
      "replayReasons",
      "statesPerSec",
      "wallMs",
      "notes",
      "counterexample",
    ]);
    expect(json.schemaVersion).toBe(1);
    expect(json.interrupted).toBe(false);
    expect(json.notes).toEqual([expect.stringContaining("only the start state was checked")]);
  });

  it("explore's counterexample: the documented fields, the drops its bounds imply listed by step", () => {
    const result = quorumlab(
      "explore",
      "paxos",
      "--bug",
      "promise-omits-accepted",
      "--network",
      "ordered",
      "--no-quiet-timeouts",
      "--out",
      join(out, "explored"),
      "--json",
    );
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout) as {
      counterexample: Record<string, unknown> & { schedule: string[] };
    };
    expect(Object.keys(json.counterexample)).toEqual([
      "file",
      "traceHash",
      "invariant",
      "message",
      "steps",
      "shortest",
      "foundSteps",
      "schedule",
      "impliedDrops",
      "reproduced",
      "replay",
      "report",
      "knownLimit",
    ]);
    // The steps' text is as before; which drops were implied is a list of its own.
    expect(json.counterexample.schedule[5]).toBe("drop prepare n1 → n2 (#0)");
    expect(json.counterexample.impliedDrops).toEqual([
      { step: 6, bound: "ordered link", by: 9 },
      { step: 7, bound: "ordered link", by: 9 },
      { step: 8, bound: "ordered link", by: 9 },
    ]);
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
    expect(Object.keys(json)).toEqual([
      "schemaVersion",
      "mutants",
      "detected",
      "total",
      "correct",
      "interrupted",
    ]);
    expect(json.interrupted).toBe(false);
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

  it("mutants --explore: the documented fields, with the number of bugs the table explores", () => {
    const explored = quorumlab(
      "mutants",
      "--protocol",
      "two-phase-commit",
      "--explore",
      "--time-per",
      "2s",
      "--workers",
      "1",
      "--json",
    );
    const json = JSON.parse(explored.stdout) as Record<string, unknown> & {
      explore: object[];
      total: number;
    };
    expect(Object.keys(json)).toEqual(["schemaVersion", "explore", "total", "interrupted"]);
    expect(json.interrupted).toBe(false);
    // Not interrupted: a row for every safety bug.
    expect(json.total).toBe(json.explore.length);
    expect(Object.keys(json.explore[0] ?? {})).toEqual([
      "protocol",
      "bug",
      "id",
      "found",
      "verdict",
      "invariant",
      "strategy",
      "steps",
      "shortest",
      "depth",
      "nodes",
      "clients",
      "faults",
      "bounds",
      "command",
      "statesVisited",
      "uniqueStates",
      "wallMs",
    ]);
  });

  it("check: a folder with no history file, given alone, is an error object under --json", () => {
    const empty = mkdtempSync(join(out, "empty-"));
    const error = {
      file: empty,
      result: "error",
      error: `no history files in ${empty} (expected .log, .txt, .edn, .json, .jsonl, .ndjson files)`,
      line: null,
      column: null,
    };
    const linearizability = quorumlab("check", empty, "--json");
    expect(linearizability.code).toBe(2);
    expect(lines(linearizability.stdout)).toEqual([{ schemaVersion: 2, ...error }]);
    const transactional = quorumlab("check", empty, "--model", "list-append", "--json");
    expect(transactional.code).toBe(2);
    expect(lines(transactional.stdout)).toEqual([{ schemaVersion: 1, ...error }]);
  });

  it("fuzz: a campaign and a run rebuilt with --fc-seed print the same documented fields", () => {
    const counterexample = [
      "file",
      "trace",
      "report",
      "invariant",
      "kind",
      "message",
      "faultActions",
      "faultActionsRemoved",
      "faultActionsSimplified",
      "clients",
      "operations",
      "durationUs",
      "beforeLastPass",
      "lastPassComplete",
      "replay",
      "traceHash",
      "reproduced",
      "run",
      "fastCheck",
      "shrinkSteps",
      "shrinkMs",
      "knownLimit",
    ];
    const fields = [
      "schemaVersion",
      "protocol",
      "bugs",
      "seed",
      "runs",
      "evaluated",
      "runsPerSec",
      "eventsPerSec",
      "wallMs",
      "searchMs",
      "violations",
      "inconclusiveRuns",
      "interrupted",
      "search",
      "coverage",
      "corpus",
      "corpusLoaded",
      "corpusSaved",
      "mutants",
      "sampled",
      "probes",
      "nondeterminism",
      "counterexample",
      "notes",
    ];
    const fuzz = (...args: string[]) => {
      const result = quorumlab("fuzz", "paxos", "--bug", "reuse-ballots", "--out", out, "--json", ...args);
      expect(result.code).toBe(1);
      return JSON.parse(result.stdout) as Record<string, unknown> & {
        counterexample: Record<string, unknown> & { fastCheck: { seed: number; path: string } };
      };
    };
    const campaign = fuzz("--runs", "40", "--seed", "1", "--no-swarm");
    expect(Object.keys(campaign)).toEqual(fields);
    // `--shard i/n` adds the shard, after the seed.
    const shard = quorumlab(
      "fuzz",
      "paxos",
      "--runs",
      "4",
      "--seed",
      "1",
      "--shard",
      "1/2",
      "--out",
      out,
      "--json",
    );
    expect(shard.code).toBe(0);
    const sharded = JSON.parse(shard.stdout) as Record<string, unknown>;
    expect(Object.keys(sharded)).toEqual([...fields.slice(0, 4), "shard", ...fields.slice(4)]);
    expect(sharded.shard).toBe("1/2");
    // Guided search measures coverage; uniform search only with --coverage.
    expect(sharded.search).toBe("guided");
    expect(sharded.coverage).toBeGreaterThan(0);
    expect(campaign).toMatchObject({ search: "uniform", coverage: null, probes: [] });
    const measured = quorumlab(
      "fuzz",
      "paxos",
      "--runs",
      "4",
      "--seed",
      "1",
      "--no-swarm",
      "--coverage",
      "--json",
    );
    expect(measured.code).toBe(0);
    expect(JSON.parse(measured.stdout).coverage).toBeGreaterThan(0);
    expect(Object.keys(campaign.counterexample)).toEqual(counterexample);
    // The files the terminal lists: the scenario, its trace and its report, side by side.
    const saved = campaign.counterexample.file as string;
    expect(campaign.counterexample.trace).toBe(saved.replace(/\.yaml$/, ".trace.jsonl"));
    expect(campaign.counterexample.report).toBe(saved.replace(/\.yaml$/, ".html"));
    expect(existsSync(campaign.counterexample.report as string)).toBe(true);
    const { seed, path } = campaign.counterexample.fastCheck;
    const rebuilt = fuzz("--no-swarm", "--fc-seed", String(seed), "--fc-path", path);
    expect(Object.keys(rebuilt)).toEqual(fields);
    expect(Object.keys(rebuilt.counterexample)).toEqual(counterexample);
    // No campaign: what it did not measure is null, what it did not do 0; one run, timed.
    expect(rebuilt).toMatchObject({ seed: null, runs: 1, coverage: null, corpus: null, probes: null });
    expect(rebuilt).toMatchObject({ corpusLoaded: 0, corpusSaved: 0, mutants: 0, sampled: 0 });
    expect([campaign.interrupted, rebuilt.interrupted]).toEqual([false, false]);
    expect(rebuilt.runsPerSec).toBeGreaterThan(0);
    expect(rebuilt.eventsPerSec).toBeGreaterThan(0);
    expect(rebuilt.counterexample.run).toBeNull();
    // `run` is the failing run's 0-based index; `runs` counts runs up to and including it.
    expect(campaign.counterexample.run).toBe((campaign.runs as number) - 1);
    // The rebuild takes the same last pass, so it removes and simplifies the same, to the same sizes.
    expect(typeof campaign.counterexample.faultActionsRemoved).toBe("number");
    const lastPass = [
      "faultActions",
      "faultActionsRemoved",
      "faultActionsSimplified",
      "clients",
      "operations",
      "durationUs",
      "beforeLastPass",
      "lastPassComplete",
    ];
    for (const field of lastPass) {
      expect(rebuilt.counterexample[field], field).toEqual(campaign.counterexample[field]);
    }
    expect(Object.keys(campaign.counterexample.beforeLastPass as object)).toEqual([
      "faultActions",
      "clients",
      "operations",
      "durationUs",
    ]);
    expect(campaign.counterexample.lastPassComplete).toBe(true);
  });

  it("fuzz: nondeterminism is {run, kind, invariant, file, hashes, line, event, timeUs, first, second}, for a sampled run and a counterexample alike", () => {
    // A count kept at module level reaches the messages: no two runs of one seed are the same.
    // With writes the count also breaks a run (an exception), whose counterexample is run twice.
    const module = (name: string, operations: string) => {
      const file = join(out, `${name}.mjs`);
      writeFileSync(
        file,
        `let count = 0;
export const protocol = {
  name: "${name}",
  create: (ctx) => ({
    onMessage() {},
    onClientRequest(request) {
      count++;
      if (request.f === "write") throw new Error("write number " + count);
      ctx.broadcast({ type: "served", count });
      ctx.reply(request, { status: "ok", value: null });
    },
  }),
  client: { operations: ${operations}, model: "register" },
};
`,
      );
      return file;
    };
    const fields = [
      "run",
      "kind",
      "invariant",
      "file",
      "hashes",
      "line",
      "event",
      "timeUs",
      "first",
      "second",
    ];
    const fuzz = (file: string) => {
      const result = quorumlab("fuzz", file, "--runs", "20", "--seed", "1", "--out", out, "--json");
      expect(result.code, result.stderr).toBe(2);
      const outcome = JSON.parse(result.stdout) as { schemaVersion: number; nondeterminism: object };
      expect(outcome.schemaVersion).toBe(1);
      expect(Object.keys(outcome.nondeterminism)).toEqual(fields);
      return outcome.nondeterminism;
    };
    expect(fuzz(module("sampled-leak", "{ read: 1 }"))).toMatchObject({
      kind: "sample",
      invariant: null,
      file: null,
    });
    expect(fuzz(module("replayed-leak", "{ read: 1, write: 1 }"))).toMatchObject({
      kind: "counterexample",
      invariant: "exception",
      file: expect.stringMatching(/replayed-leak-exception-\w+\.yaml$/),
    });
  });
});
