/**
 * Goal: `quorumlab check` prints one line per file, keeps going after bad input, and picks the
 * documented exit code (2 bad input > 1 not linearizable > 3 unknown > 0).
 * Method: runCheck with captured output over corpus files and temporary files.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  type CheckRunOptions,
  checkSchemaVersion,
  formatBytes,
  formatDuration,
  historyFiles,
  parseByteSize,
  parseDuration,
  runCheck,
  shortenStrings,
} from "../../cli/check.js";
import { generateHistory } from "../../sim/check/generate.js";

const corpus = fileURLToPath(new URL("../../../shared/corpus", import.meta.url));

function run(options: Partial<CheckRunOptions> & { files: string[] }) {
  let stdout = "";
  let stderr = "";
  const code = runCheck(
    { format: "auto", timeoutMs: 10_000, memoryBytesMax: 2 ** 30, json: false, ...options },
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

  it("counts one operation and one partition in the singular", () => {
    const folder = mkdtempSync(path.join(tmpdir(), "quorumlab-check-"));
    const one = path.join(folder, "one.jsonl");
    writeFileSync(
      one,
      '{"type":"invoke","process":0,"f":"write","value":1}\n{"type":"ok","process":0,"f":"write","value":1}\n',
    );
    const { code, stdout } = run({ files: [one] });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^✓ linearizable .*one\.jsonl 1 op, 1 partition, /);
  });

  it("reads a file that starts with a UTF-8 byte order mark, in every format", () => {
    const folder = mkdtempSync(path.join(tmpdir(), "quorumlab-check-"));
    const bom = "\ufeff";
    const files = {
      "bom.json":
        '[{"type":"invoke","process":0,"f":"write","value":1},\n{"type":"ok","process":0,"f":"write","value":1}]\n',
      "bom.jsonl":
        '{"type":"invoke","process":0,"f":"write","value":1}\n{"type":"ok","process":0,"f":"write","value":1}\n',
      "bom.edn":
        "[{:type :invoke, :process 0, :f :write, :value 1}\n{:type :ok, :process 0, :f :write, :value 1}]\n",
      "bom.log": "INFO  jepsen.util - 3\t:invoke\t:write\t1\nINFO  jepsen.util - 3\t:ok\t:write\t1\n",
    };
    for (const [name, text] of Object.entries(files)) {
      const file = path.join(folder, name);
      writeFileSync(file, bom + text);
      const { code, stdout, stderr } = run({ files: [file] });
      expect(stderr).toBe("");
      expect(code).toBe(0);
      expect(stdout).toMatch(/^✓ linearizable .* 1 op, /);
    }
    // Positions are counted from the first character after the mark.
    const bad = path.join(folder, "bad.json");
    writeFileSync(
      bad,
      `${bom}[{"type":"invoke","process":0,"f":"write","value":1},\n{"type":"ok","process":1}]\n`,
    );
    expect(run({ files: [bad] }).stderr).toMatch(/bad\.json:2:1: event 1: f: /);
  });

  it("places an operation the model cannot take at the line and column of its invocation, in every format", () => {
    const folder = mkdtempSync(path.join(tmpdir(), "quorumlab-check-"));
    const write = (name: string, text: string) => {
      const file = path.join(folder, name);
      writeFileSync(file, text);
      return file;
    };
    const jsonl = write(
      "cas.jsonl",
      '{"type":"invoke","process":0,"f":"write","value":1}\n{"type":"ok","process":0,"f":"write","value":1}\n{"type":"invoke","process":0,"f":"cas","value":3}\n',
    );
    expect(run({ files: [jsonl] }).stderr).toBe(
      `error: ${jsonl}:3:1: event 2 (cas by process 0): a cas needs the value [expected, next]\n`,
    );
    // An indented line is placed where its event starts.
    const indented = write(
      "indented.jsonl",
      '{"type":"invoke","process":0,"f":"write","value":1}\n  {"type":"invoke","process":1,"f":"cas","value":3}\n',
    );
    expect(run({ files: [indented] }).stderr).toBe(
      `error: ${indented}:2:3: event 1 (cas by process 1): a cas needs the value [expected, next]\n`,
    );
    const edn = write(
      "zap.edn",
      "[{:type :invoke, :process 0, :f :read, :value nil}\n {:type :ok, :process 0, :f :read, :value 0}\n {:type :invoke, :process 0, :f :zap, :value nil}]\n",
    );
    const { code, stderr } = run({ files: [edn] });
    expect(code).toBe(2);
    expect(stderr).toMatch(
      new RegExp(`^error: ${edn}:3:2: event 2 \\(zap by process 0\\): the cas-register model`),
    );
    const json = JSON.parse(run({ files: [edn], json: true }).stdout);
    expect([json.line, json.column]).toEqual([3, 2]);
    const etcd = `${corpus}/porcupine/jepsen/etcd_001.log`;
    expect(run({ files: [etcd], model: "mutex" }).stderr).toMatch(
      new RegExp(`^error: ${etcd}:1:1: event 0 `),
    );
    const keyed = write("keyed.edn", "\n[{:type :invoke, :process 0, :f :write, :key :a, :value 1}]\n");
    expect(run({ files: [keyed], model: "mutex" }).stderr).toMatch(
      new RegExp(`^error: ${keyed}:2:2: event 0 has key :a, but the mutex model`),
    );
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
      schemaVersion: checkSchemaVersion,
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

  /** A register history with 60 concurrent clients writing 12 values: its search needs far more than 1 MiB. */
  function crowdedHistory(): string {
    let seed = 7;
    const random = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const events = generateHistory({ operations: 600, clients: 60, kind: "register", random, values: 12 });
    const folder = mkdtempSync(path.join(tmpdir(), "quorumlab-check-"));
    const file = path.join(folder, "crowded.json");
    writeFileSync(file, JSON.stringify({ model: "register", events }));
    return file;
  }

  it("says which budget ran out and how far the search got, in text and JSON", () => {
    const file = crowdedHistory();
    const text = run({ files: [file], memoryBytesMax: 2 ** 20 });
    expect(text.code).toBe(3);
    expect(text.stdout).toContain("? unknown (memory)");
    expect(text.stdout).toMatch(
      /The memory budget \(--memory 1 MiB\) ran out: [\d,]+ of 600 operations linearized, [\d,]+ states cached, [\d.]+ [KM]iB at most, [\d,]+ steps\./,
    );
    const json = JSON.parse(run({ files: [file], memoryBytesMax: 2 ** 20, json: true }).stdout);
    expect(json).toMatchObject({
      schemaVersion: checkSchemaVersion,
      result: "unknown",
      unknownReason: "memory",
    });
    expect(json.progress.memoryBytesMax).toBe(2 ** 20);
    expect(json.progress.memoryBytesPeak).toBeLessThanOrEqual(2 ** 20);
    expect(json.progress.statesCached).toBeGreaterThan(1000);
    expect(json.progress.operationsLinearized).toBeGreaterThan(0);
    expect(json.progress.operationsLinearized).toBeLessThan(600);
    const timedOut = JSON.parse(run({ files: [file], timeoutMs: 0, json: true }).stdout);
    expect(timedOut).toMatchObject({ result: "unknown", unknownReason: "timeout" });
    // The deadline, counted from the start of parsing, has passed before a search is set up.
    expect(timedOut.progress).toMatchObject({ steps: 0, operationsLinearized: 0, partitionsDecided: 0 });
  });

  it("parses and prints memory sizes", () => {
    expect(parseByteSize("4GiB")).toBe(4 * 2 ** 30);
    expect(parseByteSize("4g")).toBe(4 * 2 ** 30);
    expect(parseByteSize("512MiB")).toBe(512 * 2 ** 20);
    expect(parseByteSize("2GB")).toBe(2e9);
    expect(parseByteSize("1.5 GiB")).toBe(1.5 * 2 ** 30);
    expect(parseByteSize("1048576")).toBe(2 ** 20);
    expect(() => parseByteSize("lots")).toThrow(
      "--memory: expected a size such as 4GiB, 512MiB or 2GB, got 'lots'",
    );
    expect(() => parseByteSize("4XB")).toThrow(
      "--memory: expected a size such as 4GiB, 512MiB or 2GB, got '4XB'",
    );
    expect(() => parseByteSize("10KiB")).toThrow(
      "--memory: expected at least the smallest budget, 1MiB, got '10KiB'",
    );
    expect(formatBytes(4 * 2 ** 30)).toBe("4 GiB");
    expect(formatBytes(1.5 * 2 ** 20)).toBe("1.5 MiB");
  });

  it("refuses keys under a model that checks a single object, and checks each key under kv", () => {
    const folder = mkdtempSync(path.join(tmpdir(), "quorumlab-keys-"));
    const file = path.join(folder, "keys.edn");
    writeFileSync(
      file,
      `[{:process 0, :type :invoke, :f :write, :key 1, :value 1}
 {:process 0, :type :ok, :f :write, :key 1, :value 1}
 {:process 0, :type :invoke, :f :write, :key 2, :value 2}
 {:process 0, :type :ok, :f :write, :key 2, :value 2}
 {:process 1, :type :invoke, :f :read, :key 1, :value nil}
 {:process 1, :type :ok, :f :read, :key 1, :value 1}]`,
    );
    const mutex = run({ files: [file], model: "mutex" });
    expect(mutex.code).toBe(2);
    expect(mutex.stderr).toBe(
      `error: ${file}:1:2: event 0 has key 1, but the mutex model checks a single object and would merge the keys (expected --model kv, register or cas-register, which check each key on its own)\n`,
    );
    const kv = run({ files: [file], model: "kv" });
    expect(kv.code).toBe(0);
    expect(kv.stdout).toContain("3 ops, 2 partitions");
  });

  it("refuses an append of anything but a string under kv, where the file writes it", () => {
    const folder = mkdtempSync(path.join(tmpdir(), "quorumlab-append-"));
    const json = path.join(folder, "number.jsonl");
    writeFileSync(
      json,
      `{"type":"invoke","process":0,"f":"append","key":"k","value":"a","timeUs":1}
{"type":"ok","process":0,"f":"append","key":"k","timeUs":2}
{"type":"invoke","process":1,"f":"append","key":"k","value":5,"timeUs":3}
{"type":"ok","process":1,"f":"append","key":"k","value":5,"timeUs":4}
`,
    );
    const number = run({ files: [json], model: "kv" });
    expect(number.code).toBe(2);
    expect(number.stderr).toBe(
      `error: ${json}:3:1: event 2: 'invoke' append for process 1 gives the value 5, a number (expected a string: the kv model appends text)\n`,
    );
    const edn = path.join(folder, "list.edn");
    writeFileSync(
      edn,
      `[{:process 0, :type :invoke, :f :append, :key "k", :value [1 2]}
 {:process 0, :type :ok, :f :append, :key "k", :value [1 2]}]`,
    );
    const list = run({ files: [edn], model: "kv" });
    expect(list.code).toBe(2);
    expect(list.stderr).toBe(
      `error: ${edn}:1:2: event 0: 'invoke' append for process 0 gives the value [1,2], a list (expected a string: the kv model appends text)\n`,
    );
    const text = path.join(folder, "text.edn");
    writeFileSync(
      text,
      `[{:process 0, :type :invoke, :f :append, :key "k", :value "x"}
 {:process 0, :type :ok, :f :append, :key "k", :value "x"}
 {:process 1, :type :invoke, :f :get, :key "k", :value nil}
 {:process 1, :type :ok, :f :get, :key "k", :value "x"}]`,
    );
    expect(run({ files: [text], model: "kv" }).code).toBe(0);
  });

  it("reports dangling links and link loops in a folder as bad input, and walks a folder once", () => {
    const folder = mkdtempSync(path.join(tmpdir(), "quorumlab-links-"));
    writeFileSync(
      path.join(folder, "ok.edn"),
      "[{:process 0, :type :invoke, :f :write, :value 1} {:process 0, :type :ok, :f :write, :value 1}]",
    );
    symlinkSync(path.join(folder, "missing.edn"), path.join(folder, "dangling.edn"));
    symlinkSync(path.join(folder, "missing"), path.join(folder, "dangling-other"));
    symlinkSync("loop.edn", path.join(folder, "loop.edn"));
    symlinkSync(folder, path.join(folder, "up"));
    const { code, stdout, stderr } = run({ files: [folder] });
    expect(code).toBe(2);
    expect(stderr.trim().split("\n")).toEqual([
      `error: ${folder}/dangling.edn: a symbolic link to ${folder}/missing.edn, which does not exist`,
      `error: ${folder}/loop.edn: a loop of symbolic links, expected a file`,
    ]);
    expect(stdout).toMatch(/^✓ linearizable .*ok\.edn/);
    expect(stdout.trim().split("\n")).toHaveLength(1);
  });

  it("reports each folder with no history file, also next to files that are checked", () => {
    const empty = mkdtempSync(path.join(tmpdir(), "quorumlab-empty-"));
    mkdirSync(path.join(empty, "sub"));
    const { code, stdout, stderr } = run({ files: [`${corpus}/porcupine/kv/c01-ok.txt`, empty] });
    expect(code).toBe(2);
    expect(stderr).toBe(
      `error: no history files in ${empty} (expected .log, .txt, .edn, .json, .jsonl, .ndjson files)\n`,
    );
    expect(stdout).toContain("✓ linearizable");
    const json = run({ files: [`${corpus}/porcupine/kv/c01-ok.txt`, empty], json: true });
    expect(JSON.parse(json.stdout.split("\n")[0]!)).toEqual({
      schemaVersion: checkSchemaVersion,
      file: empty,
      result: "error",
      error: `no history files in ${empty} (expected .log, .txt, .edn, .json, .jsonl, .ndjson files)`,
      line: null,
      column: null,
    });
  });

  it("suggests the transactional model when a history that fails looks transactional", () => {
    const folder = mkdtempSync(path.join(tmpdir(), "quorumlab-txn-hint-"));
    const elle = path.join(folder, "elle.edn");
    writeFileSync(
      elle,
      "{:type :invoke, :f :txn, :value [[:append :x 1]]}\n{:type :ok, :f :txn, :value [[:append :x 1]]}\n",
    );
    const lines = path.join(folder, "lines.jsonl");
    writeFileSync(lines, '{"type": "invoke", "process": 0, "f": "txn", "value": [["w", "x", 1]]}\n');
    const register = path.join(folder, "register.edn");
    writeFileSync(register, "[{:type :invoke, :f :write, :value 1}]");
    const { code, stderr } = run({ files: [elle, lines, register] });
    expect(code).toBe(2);
    expect(stderr.trim().split("\n")).toEqual([
      `error: ${elle}:1:1: expected :process to be an integer or a keyword such as :nemesis; this looks like a transactional history: check it with --model list-append`,
      `error: ${lines}:1:1: event 0 (txn by process 0): the multi-register model needs f 'txn' with a list of [read|write, key, value]; this looks like a transactional history: check it with --model rw-register`,
      `error: ${register}:1:2: expected :process to be an integer or a keyword such as :nemesis`,
    ]);
  });

  describe("a JSON document that names its model", () => {
    const folder = mkdtempSync(path.join(tmpdir(), "quorumlab-named-model-"));
    // One process appends, then reads its key empty: G-single-process, allowed when serializable.
    const transactional = path.join(folder, "append.json");
    writeFileSync(
      transactional,
      JSON.stringify({
        model: "list-append",
        events: [
          { type: "invoke", process: 0, f: "txn", value: [["append", "x", 1]], timeUs: 1 },
          { type: "ok", process: 0, f: "txn", value: [["append", "x", 1]], timeUs: 2 },
          { type: "invoke", process: 0, f: "txn", value: [["r", "x", null]], timeUs: 3 },
          { type: "ok", process: 0, f: "txn", value: [["r", "x", null]], timeUs: 4 },
        ],
      }),
    );
    const register = path.join(folder, "register.json");
    writeFileSync(
      register,
      JSON.stringify({
        model: "register",
        events: [
          { type: "invoke", process: 0, f: "write", value: 1 },
          { type: "ok", process: 0, f: "write", value: 1 },
        ],
      }),
    );

    it("is checked under that model without --model, a transactional one included", () => {
      const strict = run({ files: [transactional, register] });
      expect(strict.code).toBe(1);
      expect(strict.stdout).toMatch(/^✗ not strict-serializable \(G-single-process\) .*append\.json 2 txns/);
      expect(strict.stdout).toContain("[json, list-append]");
      expect(strict.stdout).toMatch(
        /✓ linearizable .*register\.json 1 op, 1 partition, .*\[json, register\]/,
      );
      const json = JSON.parse(run({ files: [transactional], json: true }).stdout);
      expect(json).toMatchObject({ model: "list-append", level: "strict-serializable", result: "invalid" });
      expect(run({ files: [transactional], level: "serializable" }).code).toBe(0);
    });

    it("exits 2 naming both models when --model names another", () => {
      const kv = run({ files: [transactional, register], model: "kv" });
      expect(kv.code).toBe(2);
      expect(kv.stderr.trim().split("\n")).toEqual([
        `error: ${transactional}: the file says model list-append, --model says kv`,
        `error: ${register}: the file says model register, --model says kv`,
      ]);
      expect(run({ files: [register], model: "register" }).code).toBe(0);
    });

    it("keeps --level for transactional histories: a linearizability history under it is bad input", () => {
      const { code, stdout, stderr } = run({ files: [register, transactional], level: "serializable" });
      expect(code).toBe(2);
      expect(stderr).toBe(
        `error: ${register}: --level: a linearizability check has no consistency level (a transactional history needs --model list-append or rw-register, or a JSON document that names its model)\n`,
      );
      expect(stdout).toMatch(/^✓ serializable .*append\.json/);
    });
  });

  it("names the folder that held no history file, also when it is the only argument", () => {
    const empty = mkdtempSync(path.join(tmpdir(), "quorumlab-empty-"));
    const message = `no history files in ${empty} (expected .log, .txt, .edn, .json, .jsonl, .ndjson files)`;
    const text = run({ files: [empty] });
    expect(text.code).toBe(2);
    expect(text.stderr).toBe(`error: ${message}\n`);
    const json = run({ files: [empty], json: true });
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({
      schemaVersion: checkSchemaVersion,
      file: empty,
      result: "error",
      error: message,
      line: null,
      column: null,
    });
    expect(() => run({ files: [] })).toThrow("no history files given");
  });

  it("shortens a long string value in the text explanation, and keeps it whole in JSON", () => {
    const folder = mkdtempSync(path.join(tmpdir(), "quorumlab-check-"));
    const file = path.join(folder, "long.json");
    const long = "w".repeat(100_000);
    writeFileSync(
      file,
      JSON.stringify([
        { type: "invoke", process: 0, f: "read" },
        { type: "ok", process: 0, f: "read", value: long },
      ]),
    );
    const { code, stdout } = run({ files: [file] });
    expect(code).toBe(1);
    expect(stdout).toContain(`read() → "${"w".repeat(100)}…" (100,000 characters) by process 0`);
    expect(stdout.length).toBeLessThan(2000);
    const json = JSON.parse(run({ files: [file], json: true }).stdout);
    expect(json.explanation.summary).toContain(long);
    expect(shortenStrings('a "short \\"quoted\\" one" and "x"')).toBe('a "short \\"quoted\\" one" and "x"');
    expect(shortenStrings(`"${"\\n".repeat(150)}"`)).toBe(`"${"\\n".repeat(150)}"`);
  });

  it("refuses standard input given twice, which would read as an empty history the second time", () => {
    expect(() => historyFiles(["/dev/stdin", `${corpus}/porcupine/kv/c01-ok.txt`, "/dev/stdin"])).toThrow(
      "standard input (-) is given more than once (expected it once: it can be read once)",
    );
    expect(historyFiles(["/dev/stdin"]).files).toEqual(["/dev/stdin"]);
  });

  it("prints durations as --timeout takes them, in the unit that holds them whole", () => {
    expect(
      ["1ms", "500ms", "1.5s", "10s", "90s", "2m", "0.5m"].map((text) => formatDuration(parseDuration(text))),
    ).toEqual(["1ms", "500ms", "1500ms", "10s", "90s", "2m", "30s"]);
  });

  it("parses durations", () => {
    expect(parseDuration("10s")).toBe(10_000);
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("2m")).toBe(120_000);
    expect(() => parseDuration("soon")).toThrow(
      "--timeout: expected a duration such as 10s, 500ms or 2m, got 'soon'",
    );
    expect(() => parseDuration("0")).toThrow("--timeout: expected a duration above 0, got '0'");
    expect(() => parseDuration("0ms")).toThrow("--timeout: expected a duration above 0, got '0ms'");
  });

  it("takes every duration the other duration flags take, compound ones included", () => {
    expect(parseDuration("1m30s")).toBe(90_000);
    expect(parseDuration("1h")).toBe(3_600_000);
    expect(parseDuration("1.5s")).toBe(1_500);
    expect(parseDuration("250us")).toBe(0.25);
    // A bare number is seconds, as before.
    expect(parseDuration("10")).toBe(10_000);
    expect(() => parseDuration("-1s")).toThrow(
      "--timeout: expected a duration such as 10s, 500ms or 2m, got '-1s'",
    );
    expect(() => parseDuration("30s1m")).toThrow(
      "--timeout: expected a duration such as 10s, 500ms or 2m, got '30s1m'",
    );
  });
});
