/**
 * `run --trace FILE` streams the trace; its hash is the SHA-256 of every line before `end`, and
 * it equals the hash `--json` reports and the hash of the same run kept in memory.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseTrace } from "../../sim/trace.js";

const root = join(import.meta.dirname, "..", "..");

describe("trace files", () => {
  it("stream a versioned JSON Lines trace whose hash matches the run's", () => {
    mkdirSync(join(root, "test-output"), { recursive: true });
    const file = join(root, "test-output", "raft-basic.trace.jsonl");
    const result = spawnSync(
      join(root, "node_modules", ".bin", "tsx"),
      [join(root, "cli", "main.ts"), "run", "raft-basic", "--json", "--trace", file],
      { encoding: "utf8" },
    );
    expect(result.status).toBe(0);
    const reported = (JSON.parse(result.stdout) as { traceHash: string }).traceHash;
    const text = readFileSync(file, "utf8");
    const lines = parseTrace(text);
    const header = lines[0];
    const end = lines[lines.length - 1];
    expect(header?.kind).toBe("header");
    expect(end?.kind).toBe("end");
    const body = text.slice(0, text.lastIndexOf('{"kind":"end"'));
    expect(createHash("sha256").update(body).digest("hex")).toBe(reported);
    expect(end?.kind === "end" && end.traceHash).toBe(reported);
    const kinds = new Set(lines.map((line) => line.kind));
    for (const kind of ["send", "deliver", "timer", "state", "invoke", "ok"]) expect(kinds).toContain(kind);
  });
});

describe("trace hash", () => {
  it("is the same whether records are kept in memory or streamed (messages and states are not mutated after the fact)", async () => {
    const { protocols } = await import("../../protocols/index.js");
    const { loadScenario } = await import("../../cli/files.js");
    const { runScenario } = await import("../../sim/run.js");
    for (const name of ["raft-basic", "raft-leader-crash"]) {
      const scenario = loadScenario(name);
      const kept = runScenario(scenario, protocols, { keepTrace: true }).traceHash;
      const streamed = runScenario(scenario, protocols, { keepTrace: false }).traceHash;
      expect(kept).toBe(streamed);
    }
  });
});
