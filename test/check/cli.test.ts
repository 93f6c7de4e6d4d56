/**
 * Goal: `quorumlab check` prints one line per file, keeps going after bad input, and picks the
 * documented exit code (2 bad input > 1 not linearizable > 3 unknown > 0).
 * Method: runCheck with captured output over corpus files and temporary files.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type CheckRunOptions, parseDuration, runCheck } from "../../cli/check.js";

const corpus = fileURLToPath(new URL("../../../shared/corpus", import.meta.url));

function run(options: Partial<CheckRunOptions> & { files: string[] }) {
  let stdout = "";
  let stderr = "";
  const code = runCheck(
    { format: "auto", timeoutMs: 10_000, json: false, ...options },
    {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      colour: false,
    },
  );
  return { code, stdout, stderr };
}

describe("quorumlab check", () => {
  it("exits 1 for a violation and prints the explanation", () => {
    const { code, stdout } = run({ files: [`${corpus}/porcupine/kv/c10-bad.txt`] });
    expect(code).toBe(1);
    expect(stdout).toMatch(/^✗ not linearizable .*c10-bad\.txt 405 ops, 10 partitions/);
    expect(stdout).toContain("Not linearizable on key");
  });

  it("prints JSON Lines with the documented fields", () => {
    const files = [
      `${corpus}/porcupine/kv/c01-ok.txt`,
      `${corpus}/knossos/cas-register/bad/immediate-failure.edn`,
    ];
    const { code, stdout } = run({ files, json: true });
    expect(code).toBe(1);
    const lines = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      format: "porcupine-kv",
      model: "kv",
      result: "linearizable",
      partitions: 10,
    });
    expect(lines[1]).toMatchObject({
      format: "knossos-edn",
      model: "cas-register",
      result: "not-linearizable",
    });
    expect(typeof lines[1].wallMs).toBe("number");
    expect(lines[1].explanation.failingOperation).toBe(0);
  });

  it("still checks the other files after bad input, and exits 2", () => {
    const folder = mkdtempSync(path.join(tmpdir(), "quorumlab-check-"));
    const bad = path.join(folder, "bad.json");
    writeFileSync(bad, '[\n{"type": "invoke", "process": "zero", "f": "read"}\n]');
    const { code, stdout, stderr } = run({ files: [bad, `${corpus}/porcupine/kv/c01-ok.txt`] });
    expect(code).toBe(2);
    expect(stderr).toContain(`${bad}:2:1: event 0: process`);
    expect(stdout).toContain("✓ linearizable");
  });

  it("walks folders, skipping expected.json", () => {
    const { code, stdout } = run({ files: [`${corpus}/porcupine/kv`] });
    expect(code).toBe(1);
    expect(
      stdout
        .trim()
        .split("\n")
        .filter((line) => /^[✓✗?]/.test(line)),
    ).toHaveLength(6);
  });

  it("exits 3 when a budget runs out", () => {
    const { code, stdout } = run({ files: [`${corpus}/porcupine/jepsen/etcd_002.log`], timeoutMs: 0 });
    expect([0, 3]).toContain(code);
    if (code === 3) expect(stdout).toContain("? unknown (timeout)");
  });

  it("parses durations", () => {
    expect(parseDuration("10s")).toBe(10_000);
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("2m")).toBe(120_000);
    expect(() => parseDuration("soon")).toThrow(/expected e\.g\. 10s/);
  });
});
