/**
 * Goal: `quorumlab check --model list-append|rw-register` prints a verdict per file with its
 * cycles, `--json` gives the documented fields, bad input is reported with its position, and the
 * exit code is 2 for bad input, else 1 for an invalid history, else 0.
 * Method: runTxnCheck with captured output over the corpus and temporary files.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { historyFiles } from "../../cli/check.js";
import { runTxnCheck, type TxnCheckRunOptions } from "../../cli/shared/txn-check.js";
import { elleCorpus } from "./corpus.js";

const corpus = elleCorpus;

function run(options: Partial<TxnCheckRunOptions> & { files: string[] }) {
  let stdout = "";
  let stderr = "";
  const code = runTxnCheck(
    { model: "list-append", level: "serializable", timeoutMs: 10_000, json: false, ...options },
    {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      colour: false,
    },
  );
  return { code, stdout, stderr };
}

function temporary(name: string, text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "quorumlab-txn-")), name);
  writeFileSync(file, text);
  return file;
}

describe("quorumlab check --model list-append", () => {
  it("exits 1 and prints the cycle with its transactions", () => {
    const { code, stdout } = run({ files: [`${corpus}/paper-example.edn`] });
    expect(code).toBe(1);
    expect(stdout).toMatch(/^✗ not serializable \(G-single\) .*paper-example\.edn 4 txns/);
    expect(stdout).toContain("G-single: T3 → T1 → T2 → T3");
    expect(stdout).toContain("T3 -rw-> T1");
    expect(stdout).toContain("append 256 3");
  });

  it("counts one transaction and one edge in the singular", () => {
    const file = temporary(
      "one-edge.edn",
      [
        "{:type :invoke, :process 0, :f :txn, :value [[:append :x 1]]}",
        "{:type :ok, :process 0, :f :txn, :value [[:append :x 1]]}",
        "{:type :invoke, :process 1, :f :txn, :value [[:r :x nil]]}",
        "{:type :ok, :process 1, :f :txn, :value [[:r :x [1]]]}",
        "",
      ].join("\n"),
    );
    const { code, stdout } = run({ files: [file] });
    expect(code).toBe(0);
    expect(stdout).toContain(" 2 txns, 1 edge, ");
    const single = temporary(
      "one-txn.edn",
      "{:type :invoke, :process 0, :f :txn, :value [[:append :x 1]]}\n{:type :ok, :process 0, :f :txn, :value [[:append :x 1]]}\n",
    );
    expect(run({ files: [single] }).stdout).toContain(" 1 txn, 0 edges, ");
  });

  it("exits 0 for snapshot isolation on a G2-item-only history", () => {
    const { code, stdout } = run({
      files: [`${corpus}/si-without-g-single.edn`],
      level: "snapshot-isolation",
    });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^✓ snapshot-isolation .*allowed: G2-item/);
  });

  it("prints one JSON object per file with the documented fields", () => {
    const { code, stdout } = run({
      files: [`${corpus}/paper-example.edn`, `${corpus}/si-without-g-single.edn`],
      json: true,
      level: "snapshot-isolation",
    });
    expect(code).toBe(1);
    const lines = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      schemaVersion: 1,
      format: "edn",
      model: "list-append",
      level: "snapshot-isolation",
      result: "invalid",
      anomalies: ["G-single"],
      transactions: 4,
    });
    expect(typeof lines[0].wallMs).toBe("number");
    expect(lines[0].cycles[0]).toMatchObject({ name: "G-single", cycle: [3, 1, 2, 3] });
    expect(lines[1]).toMatchObject({ result: "valid", anomalies: [], allowedAnomalies: ["G2-item"] });
  });

  it("reports bad input with file, line and column, checks the other files, and exits 2", () => {
    const bad = temporary(
      "bad.edn",
      "{:type :invoke, :process 0, :value [[:append 1 2]]}\n{:type :ok, :process 0, :value [[:bogus 1 2]]}\n",
    );
    const { code, stdout, stderr } = run({ files: [bad, `${corpus}/paper-example.edn`] });
    expect(code).toBe(2);
    expect(stderr).toContain(`${bad}:2:1: micro-operation 0: expected f to be append, r or w`);
    expect(stdout).toContain("paper-example.edn");
  });

  it("places a transaction the model cannot take at its invocation's line and column", () => {
    const twice = temporary(
      "twice.edn",
      `{:type :invoke, :process 0, :value [[:append :x 1]]}
{:type :ok, :process 0, :value [[:append :x 1]]}
  {:type :invoke, :process 1, :value [[:append :x 1]]}
{:type :ok, :process 1, :value [[:append :x 1]]}
`,
    );
    const { code, stderr } = run({ files: [twice] });
    expect(code).toBe(2);
    expect(stderr).toContain(
      `${twice}:3:3: T0 and T1 both append 1 to key :x: list-append needs unique elements per key`,
    );
    const written = temporary(
      "written.edn",
      "{:type :invoke, :process 0, :value [[:w :x 1]]}\n{:type :ok, :process 0, :value [[:w :x 1]]}\n",
    );
    const json = run({ files: [written], json: true });
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({
      error: "T0 writes key :x: a list-append history has only append and r",
      line: 1,
      column: 1,
    });
  });

  it("gives bad input's --json object the schemaVersion of every other line", () => {
    const bad = temporary("bad.edn", "{:type :invoke, :process 0, :value [[:bogus 1 2]]}\n");
    const { code, stdout } = run({ files: [bad], json: true });
    expect(code).toBe(2);
    expect(JSON.parse(stdout)).toEqual({
      schemaVersion: 1,
      file: bad,
      result: "error",
      error: "micro-operation 0: expected f to be append, r or w (got :bogus)",
      line: 1,
      column: 1,
    });
  });

  it("names a folder with no history file, alone or next to a file", () => {
    const empty = mkdtempSync(path.join(tmpdir(), "quorumlab-txn-empty-"));
    const message = `no history files in ${empty} (expected .log, .txt, .edn, .json, .jsonl, .ndjson files)`;
    const alone = run(historyFiles([empty]));
    expect(alone.code).toBe(2);
    expect(alone.stderr).toBe(`error: ${message}\n`);
    const { files, problems } = historyFiles([`${corpus}/paper-example.edn`, empty]);
    const { code, stdout, stderr } = run({ files, problems });
    expect(code).toBe(2);
    expect(stderr).toBe(`error: ${message}\n`);
    expect(stdout).toContain("paper-example.edn");
  });

  it("reads the JSON form, and checks rw-register histories", () => {
    const file = temporary(
      "skew.json",
      JSON.stringify({
        model: "rw-register",
        events: [
          {
            type: "invoke",
            process: 0,
            f: "txn",
            value: [
              ["r", "x", null],
              ["w", "y", 1],
            ],
          },
          {
            type: "invoke",
            process: 1,
            f: "txn",
            value: [
              ["r", "y", null],
              ["w", "x", 1],
            ],
          },
          {
            type: "ok",
            process: 0,
            f: "txn",
            value: [
              ["r", "x", null],
              ["w", "y", 1],
            ],
          },
          {
            type: "ok",
            process: 1,
            f: "txn",
            value: [
              ["r", "y", null],
              ["w", "x", 1],
            ],
          },
        ],
      }),
    );
    const serializable = run({ files: [file], model: "rw-register", json: true });
    expect(serializable.code).toBe(1);
    expect(JSON.parse(serializable.stdout)).toMatchObject({ format: "json", anomalies: ["G2-item"] });
    expect(run({ files: [file], model: "rw-register", level: "snapshot-isolation" }).code).toBe(0);
    const mismatch = run({ files: [file], model: "list-append" });
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toContain("the file says model rw-register, --model says list-append");
  });
});
