/**
 * The report command and its glue: bad trace files are input errors naming file:line (exit 2),
 * `run --report` writes the page, `report` renders a trace file in each format, and
 * `writeReport` picks the format from the file name.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../cli/files.js";
import { readTraceFile } from "../../cli/report.js";
import { scenarioOfTrace, writeReport } from "../../cli/shared/report-file.js";
import { executeScenario, replayCommand } from "../../cli/shared/run-scenario.js";
import { InputError } from "../../sim/errors.js";
import { parseScenario } from "../../sim/scenario/load.js";
import type { TraceLine } from "../../sim/trace.js";
import { quorumlab } from "../support/quorumlab.js";
import { ensureOutputFolder } from "./browser.js";
import { splitBrainYaml, traceOf } from "./fixtures.js";

function inputError(body: () => unknown): InputError {
  try {
    body();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error("expected an InputError");
}

describe("report command", () => {
  const folder = ensureOutputFolder();
  const records = traceOf(splitBrainYaml);
  const traceText = `${records.map((record) => JSON.stringify(record)).join("\n")}\n`;

  it("names file:line for a line that is not JSON and for a record missing a field", () => {
    const notJson = join(folder, "bad-json.jsonl");
    writeFileSync(notJson, `${JSON.stringify(records[0])}\n{"kind":"send",\n`);
    // The column where the JSON parser stopped: after the trailing comma.
    expect(inputError(() => readTraceFile(notJson)).describe()).toMatch(/bad-json\.jsonl:2:16: not JSON/);

    const missing = join(folder, "bad-field.jsonl");
    writeFileSync(missing, `${JSON.stringify(records[0])}\n\n{"kind":"deliver","t":1,"e":1,"from":"n1"}\n`);
    expect(inputError(() => readTraceFile(missing)).describe()).toMatch(
      /bad-field\.jsonl:3: a 'deliver' record needs 'to'/,
    );
  });

  it("names a scenario given in place of a trace, with the command that makes its report", () => {
    const scenario = join(folder, "a scenario.yaml");
    writeFileSync(scenario, splitBrainYaml);
    const given = quorumlab("report", scenario);
    expect(given.code).toBe(2);
    expect(given.stdout).toBe("");
    expect(given.stderr).toBe(
      `error: ${scenario}:1:1: a scenario file, not a trace: 'quorumlab run '${scenario}' --report report.html' runs it and makes its report ('quorumlab report' reads the trace 'run --trace' writes)\n`,
    );
    // ...and the reverse: a trace that run --trace wrote, given to run, names the scenario.
    const trace = join(folder, "split-brain.jsonl");
    writeFileSync(trace, traceText);
    const name = (records[0] as { scenario: string }).scenario;
    expect(quorumlab("run", trace).stderr).toBe(
      `error: ${trace}:1:1: a trace (of scenario '${name}'), not a scenario: give the scenario file (or built-in scenario name) the trace was made from instead; 'quorumlab report' reads a trace\n`,
    );
  });

  it("exits 2 on a bad trace file and renders a good one in each format", () => {
    const bad = join(folder, "bad-field.jsonl");
    const failed = quorumlab("report", bad);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain("bad-field.jsonl:3:");

    const good = join(folder, "split-brain.jsonl");
    writeFileSync(good, traceText);
    const markdown = quorumlab("report", good, "--format", "md");
    expect(markdown.code).toBe(0);
    expect(markdown.stdout).toContain("## ❌ heartbeat-split-brain");
    const html = join(folder, "split-brain-cli.html");
    expect(quorumlab("report", good, "--out", html).code).toBe(0);
    expect(readFileSync(html, "utf8")).toContain('id="report-data"');
  });

  it("writes the report of `run --report`", () => {
    const scenario = join(folder, "run-report.yaml");
    writeFileSync(scenario, splitBrainYaml.replace("protocol: heartbeat", "protocol: raft"));
    const html = join(folder, "run-report.html");
    const result = quorumlab("run", scenario, "--report", html, "--quiet");
    expect([0, 1]).toContain(result.code);
    const page = readFileSync(html, "utf8");
    expect(page).toContain("<h1>heartbeat-split-brain</h1>");
    expect(page).toContain("npx quorumlab run ");
  });

  it("refuses a trace cut short or changed since the run wrote it", () => {
    const whole = join(folder, "whole.jsonl");
    const run = quorumlab("run", "raft-figure-8-bug", "--quiet", "--trace", whole);
    expect(run.code).toBe(1);
    // The report numbers the first bad event as the run does: by kernel event.
    const event = /at t=72ms \(event (\d+)\)/.exec(run.stdout)?.[1];
    expect(event).toBeDefined();
    expect(quorumlab("report", whole, "--format", "text").stdout).toContain(
      `first bad event: event ${event} at t=72ms: n5 receives RequestVoteReply from n3`,
    );
    const text = readFileSync(whole, "utf8");
    const lines = text.split("\n");
    expect(readTraceFile(whole).at(-1)?.kind).toBe("end");

    // Cut at a line's end, before the violation: it used to be reported as a clean run.
    const cut = join(folder, "cut.jsonl");
    writeFileSync(cut, `${lines.slice(0, 100).join("\n")}\n`);
    const cutShort = quorumlab("report", cut, "--format", "text");
    expect(cutShort.code).toBe(2);
    expect(cutShort.stderr.trim()).toBe(
      `error: ${cut}:100: the trace stops at line 100 without its end record: the file was cut short (a run that was stopped, or a copy of part of it)`,
    );

    // The violation taken out, the end record kept.
    const edited = join(folder, "edited.jsonl");
    writeFileSync(edited, lines.filter((line) => !line.startsWith('{"kind":"violation"')).join("\n"));
    expect(readFileSync(edited, "utf8").length).toBeLessThan(text.length);
    expect(inputError(() => readTraceFile(edited)).message).toMatch(
      /^the end record's trace hash is not the hash of the lines before it/,
    );
  });

  it("shell-quotes the replay command, and names no file it does not know", () => {
    // Built-in scenarios replay by name: their names are their file names.
    const scenario = join(folder, "my copy.yaml");
    const figure8 = readFileSync(
      join(import.meta.dirname, "..", "..", "scenarios", "raft-figure-8-bug.yaml"),
      "utf8",
    );
    writeFileSync(scenario, figure8.replace(/^name: .*$/m, 'name: "x; echo injected"'));
    const trace = join(folder, "my-copy.jsonl");
    const run = quorumlab("run", scenario, "--trace", trace);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`replay: npx quorumlab run '${scenario}' --seed`);
    const text = quorumlab("report", trace, "--format", "text");
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      "replay: npx quorumlab run <scenario file> --seed 0x1 --trace trace.jsonl --report report.html   # the trace does not name its scenario file: give the file of scenario 'x; echo injected'",
    );
    // The Markdown report says the same.
    const markdown = quorumlab("report", trace, "--format", "md");
    expect(markdown.stdout).toContain("the trace does not name its scenario file");
    expect(markdown.stdout).not.toContain("SCENARIO.yaml");
    // A built-in scenario's file, however it is named, replays by the scenario's name.
    const absolute = join(import.meta.dirname, "..", "..", "scenarios", "raft-basic.yaml");
    expect(replayCommand(loadScenario(absolute), 1n)).toBe(
      "npx quorumlab run raft-basic --seed 0x1 --trace trace.jsonl --report report.html",
    );
    const builtIn = join(folder, "raft-basic.jsonl");
    expect(quorumlab("run", "raft-basic", "--quiet", "--trace", builtIn).code).toBe(0);
    expect(quorumlab("report", builtIn, "--format", "text").stdout).toContain(
      "replay: npx quorumlab run raft-basic --seed 0x1 --trace trace.jsonl --report report.html",
    );
  });

  it("replays a trace recorded with --liveness with --liveness, and makes its page a lab that checks liveness", () => {
    // Checked without liveness, 3pc-quorum-partition is safe; checked with it, AC5 fails.
    const trace = join(folder, "liveness.jsonl");
    expect(quorumlab("run", "3pc-quorum-partition", "--liveness", "--quiet", "--trace", trace).code).toBe(1);
    const text = quorumlab("report", trace, "--format", "text");
    expect(text.stdout).toContain(
      "replay: npx quorumlab run 3pc-quorum-partition --liveness --seed 0x1 --trace trace.jsonl --report report.html",
    );
    const page = join(folder, "liveness.html");
    expect(quorumlab("report", trace, "--out", page).code).toBe(0);
    const data = /<script type="application\/json" id="lab-data">(.*?)<\/script>/s.exec(
      readFileSync(page, "utf8"),
    )?.[1];
    expect(data).toBeDefined();
    const lab = JSON.parse(data as string) as { liveness?: boolean; traceHash: string };
    expect(lab.liveness).toBe(true);
    expect(readFileSync(trace, "utf8")).toContain(`"traceHash":"${lab.traceHash}"`);
    // A trace of a scenario file names the flag too.
    const file = join(folder, "quorum partition.yaml");
    writeFileSync(
      file,
      readFileSync(
        join(import.meta.dirname, "..", "..", "scenarios", "3pc-quorum-partition.yaml"),
        "utf8",
      ).replace(/^name: .*$/m, "name: my-quorum-partition"),
    );
    const fileTrace = join(folder, "liveness-file.jsonl");
    expect(quorumlab("run", file, "--liveness", "--quiet", "--trace", fileTrace).code).toBe(1);
    expect(quorumlab("report", fileTrace, "--format", "text").stdout).toContain(
      "replay: npx quorumlab run <scenario file> --liveness --seed 0x1",
    );
  });

  it("picks the format from the file name in writeReport", () => {
    const path = join(folder, "split-brain.md");
    writeReport(records, path, { version: "test" });
    expect(readFileSync(path, "utf8").startsWith("## ❌")).toBe(true);
    const edn = join(folder, "split-brain.edn");
    writeReport(records, edn);
    expect(readFileSync(edn, "utf8").startsWith("{:type :invoke")).toBe(true);
  });

  it("makes a lab of a built-in scenario's trace only when the scenario replays it exactly", () => {
    const { result } = executeScenario(loadScenario("raft-basic"), { keepTrace: true });
    const scenario = scenarioOfTrace(result.records);
    expect(scenario?.name).toBe("raft-basic");
    const lab = join(folder, "raft-basic-lab.html");
    writeReport(result.records, lab, scenario === undefined ? {} : { scenario });
    expect(readFileSync(lab, "utf8")).toContain('id="lab-data"');
    // A report that is not a lab carries the viewer alone.
    const plain = join(folder, "raft-basic.html");
    writeReport(result.records, plain);
    expect(readFileSync(plain, "utf8")).not.toContain('id="lab-data"');
    // Another seed's trace is not the scenario's run; a trace of no built-in scenario neither.
    const reseeded = executeScenario(loadScenario("raft-basic"), { keepTrace: true, seed: 99n }).result;
    const header = reseeded.records[0];
    expect(header?.kind).toBe("header");
    expect(
      scenarioOfTrace([{ ...(header as object), seed: "0x1" } as TraceLine, ...reseeded.records.slice(1)]),
    ).toBe(undefined);
    expect(scenarioOfTrace(records)).toBe(undefined);
  });

  it("tells a built-in scenario's notes and scripted steps in the report of its trace read back", () => {
    // The trace does not hold them: `report` runs the scenario again for them, in each format.
    const trace = join(folder, "figure-8.jsonl");
    expect(quorumlab("run", "raft-figure-8", "--trace", trace).code).toBe(0);
    const text = quorumlab("report", trace, "--format", "text");
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      '        12ms  # b reaches n2 only\n        12ms  c1 asks n1: write x = "b"\n',
    );
    expect(text.stdout).toContain("           0  timeout n1\n");
    expect(quorumlab("report", trace, "--format", "md").stdout).toContain(
      '| 12ms | c1 asks n1: write x = "b" |',
    );
  });

  it("replays a trace's scenario file without nodes with its names checked, as run checks them", () => {
    // A trace names its scenario; a name that is a path is read as that file.
    const file = join(folder, "default-size.yaml");
    const yaml = (crash: string) =>
      `name: ${JSON.stringify(file)}\nprotocol: raft\nduration: 300ms\nseed: 7\nfaults:\n  - {at: 100ms, crash: ${crash}}\n`;
    writeFileSync(file, yaml("n5"));
    const fits = executeScenario(parseScenario(yaml("n5"), file), { keepTrace: true }).result;
    const replayed = scenarioOfTrace(fits.records);
    expect(replayed?.nodes).toBe(undefined);
    expect(replayed?.checkNames).toBeTypeOf("function");

    // raft runs 5 nodes by default, so `run` refuses n6. A scenario built in code has no such
    // check, and its run skips the crash; the file refused does not replay that run's trace.
    writeFileSync(file, yaml("n6"));
    expect(
      inputError(() => executeScenario(parseScenario(yaml("n6"), file), { keepTrace: false })).message,
    ).toContain("unknown target 'n6': expected one of n1..n5");
    const inCode = executeScenario({ ...parseScenario(yaml("n6"), file) }, { keepTrace: true }).result;
    expect(scenarioOfTrace(inCode.records)).toBe(undefined);
  });
});
