/**
 * Goal: every labelled history in ../shared/corpus gets its published verdict (231 files), with
 * each corpus's own rules for `:fail` and nil reads, and the five Knossos histories with a pinned
 * failing operation get an explanation that names that operation.
 * Method: read the files in place (never copied); a missing corpus fails the suite.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkHistory, parseHistory } from "../../sim/check/index.js";

const corpus = fileURLToPath(new URL("../../../shared/corpus", import.meta.url));

interface Expected {
  readonly linearizable: boolean;
  readonly knossos_wgl_failing_op_index?: number;
}

function expectations(name: string): Array<[string, Expected]> {
  const file = `${corpus}/${name}/expected.json`;
  if (!existsSync(file))
    throw new Error(`corpus missing: ${file} (the checker's conformance suite needs it)`);
  return Object.entries(JSON.parse(readFileSync(file, "utf8")) as Record<string, Expected>);
}

describe("shared corpus", () => {
  it("is present", () => {
    expect(existsSync(corpus), `expected the corpus at ${corpus}`).toBe(true);
  });

  const porcupine = expectations("porcupine");
  const knossos = expectations("knossos");

  it("has 231 labelled histories", () => {
    expect(porcupine.length + knossos.length).toBe(231);
  });

  it.each(porcupine)("porcupine/%s", (file, expected) => {
    const parsed = parseHistory(readFileSync(`${corpus}/porcupine/${file}`, "utf8"), { file });
    expect(parsed.format).toBe(file.startsWith("jepsen/") ? "porcupine-etcd" : "porcupine-kv");
    const verdict = checkHistory(parsed.events, parsed.model, { explain: false });
    expect(verdict.result).toBe(expected.linearizable ? "linearizable" : "not-linearizable");
  });

  it.each(knossos)("knossos/%s", (file, expected) => {
    const parsed = parseHistory(readFileSync(`${corpus}/knossos/${file}`, "utf8"), { file });
    expect(parsed.format).toBe("knossos-edn");
    const pinned = expected.knossos_wgl_failing_op_index;
    const verdict = checkHistory(parsed.events, parsed.model, { explain: pinned !== undefined });
    expect(verdict.result).toBe(expected.linearizable ? "linearizable" : "not-linearizable");
    if (pinned !== undefined) {
      const explanation = verdict.explanation!;
      const failing = explanation.operations.find(
        (operation) => operation.id === explanation.failingOperation,
      )!;
      expect(failing.returnIndex).toBe(pinned);
      expect(explanation.minimalSet).toContain(explanation.failingOperation);
      expect(explanation.summary).toContain(`${failing.callIndex}–${pinned}`);
    }
  });

  it("explains an etcd violation as plain JSON data", () => {
    const file = "jepsen/etcd_000.log";
    const parsed = parseHistory(readFileSync(`${corpus}/porcupine/${file}`, "utf8"), { file });
    const verdict = checkHistory(parsed.events, parsed.model);
    const explanation = verdict.explanation!;
    expect(JSON.parse(JSON.stringify(explanation))).toEqual(explanation);
    expect(explanation.partition).toBeNull();
    expect(explanation.longestPrefix.length).toBeGreaterThan(0);
    expect(explanation.unplaceable.map((entry) => entry.operation)).toContain(explanation.failingOperation);
    expect(explanation.concurrent).toContain(explanation.failingOperation);
  });

  it("names the failing key of a kv violation", () => {
    const file = "kv/c10-bad.txt";
    const parsed = parseHistory(readFileSync(`${corpus}/porcupine/${file}`, "utf8"), { file });
    const verdict = checkHistory(parsed.events, parsed.model);
    expect(verdict.partitions).toBe(10);
    expect(verdict.explanation?.partition).toMatch(/^\d$/);
    expect(verdict.explanation?.summary).toContain(`key "${verdict.explanation?.partition}"`);
  });
});
