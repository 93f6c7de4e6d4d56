/**
 * Exports for other tools: the Jepsen EDN history reads back through the Knossos parser with the
 * same operations; the ShiViz log has the header ShiViz expects and well-formed vector clocks
 * (each host's own entry counts its events from 1; a delivery never goes back in time).
 */
import { describe, expect, it } from "vitest";
import { shivizRegex } from "../../reports/export/shiviz.js";
import { renderReport } from "../../reports/index.js";
import { parseKnossosEdn } from "../../sim/check/parse/knossos-edn.js";
import { splitBrainYaml, traceOf } from "./fixtures.js";

const trace = traceOf(splitBrainYaml);

describe("exports", () => {
  it("writes a Jepsen EDN history that the Knossos parser reads back", () => {
    const edn = renderReport(trace, "edn");
    const lines = edn.trim().split("\n");
    const clientRecords = trace.filter((record) => ["invoke", "ok", "fail", "info"].includes(record.kind));
    expect(lines.length).toBe(clientRecords.length);
    expect(lines[0]).toBe("{:type :invoke, :f :write, :value 1, :process 1, :time 100000000, :index 0}");
    const parsed = parseKnossosEdn(edn, "history.edn");
    // Knossos reads an ok read of nil as indeterminate, so compare what it keeps unchanged.
    expect(parsed.events.map((event) => [event.f, event.process, event.index])).toEqual(
      clientRecords.map((record, index) => [
        (record as { f: string }).f,
        (record as { process: number }).process,
        index,
      ]),
    );
    expect(parsed.events.filter((event) => event.type === "invoke").length).toBe(3);
  });

  it("writes a ShiViz log with vector clocks", () => {
    const log = renderReport(trace, "shiviz");
    const lines = log.trimEnd().split("\n");
    expect(lines[0]).toBe(shivizRegex);
    expect(lines[1]).toBe("");
    const own = new Map<string, number>();
    for (let index = 2; index < lines.length; index += 2) {
      const match = /^(\S+) (\{.*\})$/.exec(lines[index] ?? "");
      expect(match, lines[index]).not.toBeNull();
      const host = match?.[1] ?? "";
      const clock = JSON.parse(match?.[2] ?? "{}") as Record<string, number>;
      expect(clock[host]).toBe((own.get(host) ?? 0) + 1);
      own.set(host, clock[host] ?? 0);
      expect(lines[index + 1]).toMatch(/^t=\d+us /);
    }
    expect(own.get("n1")).toBeGreaterThan(10);
  });

  it("writes a Mermaid sequence diagram with every lane as a participant", () => {
    const mermaid = renderReport(trace, "mermaid");
    expect(mermaid.startsWith("sequenceDiagram\n")).toBe(true);
    expect(mermaid.match(/^ {2}participant /gm)?.length).toBe(6);
    expect(mermaid).toContain("FIRST BAD EVENT");
  });
});
