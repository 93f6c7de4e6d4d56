/**
 * How `quorumlab run` and the text report write a scenario's duration. Goal: a reader sees the
 * duration in the units the file was written in (`100h`, not `360000s`). Method: run short
 * Paxos scenarios of several durations from files, as a user would, and read the header, the
 * closing line and the text report.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatSpan, parseDurationUs } from "../../sim/time.js";
import { quorumlab } from "../support/quorumlab.js";

const out = join(import.meta.dirname, "..", "..", "test-output", "run-duration");

describe("a scenario's duration", () => {
  it("is written in hours, minutes and seconds, and below a minute as a duration", () => {
    expect(
      [
        360_000_000_000,
        90_000_000,
        3_600_000_000 + 5_000_000,
        3_723_500_000,
        3_000_000,
        1_500_000,
        250_000,
        0,
      ].map(formatSpan),
    ).toEqual(["100h", "1m30s", "1h5s", "1h2m3.5s", "3s", "1.5s", "250ms", "0"]);
  });

  it("reads back as written: a file or a flag takes what run prints, units from the largest down", () => {
    for (const timeUs of [360_000_000_000, 90_000_000, 3_605_000_000, 3_723_500_000, 60_250_000, 1_500_000]) {
      expect(parseDurationUs(formatSpan(timeUs))).toBe(timeUs);
    }
    expect(parseDurationUs("2s500ms")).toBe(2_500_000);
    expect(parseDurationUs("1min30s")).toBe(90_000_000);
    // A unit after a smaller one, or twice, is a slip: refused rather than summed.
    for (const text of ["30s1m", "1m1m", "1m1min", "1ms5", "5", ""])
      expect(parseDurationUs(text)).toBeUndefined();
  });

  it("is shown by run and the text report in the units a reader expects", () => {
    mkdirSync(out, { recursive: true });
    for (const [duration, shown] of [
      ["100h", "100h"],
      ["90s", "1m30s"],
      ["1m30s", "1m30s"],
      ["3s", "3s"],
      ["250ms", "250ms"],
    ]) {
      const file = join(out, `paxos-${duration}.yaml`);
      const trace = join(out, `paxos-${duration}.jsonl`);
      const report = join(out, `paxos-${duration}.txt`);
      writeFileSync(file, `protocol: paxos\nnodes: 3\nduration: ${duration}\n`);
      const result = quorumlab("run", file, "--trace", trace);
      expect(result.code).toBe(0);
      const lines = result.stdout.split("\n");
      expect(lines[0]).toBe(`paxos-${duration}  paxos, 3 nodes, seed 0x1, ${shown} simulated`);
      expect(lines.find((line) => line.includes(" events in "))).toMatch(
        new RegExp(`^  \\d+ events in ${shown} simulated, `),
      );
      expect(quorumlab("report", trace, "--out", report).code).toBe(0);
      expect(readFileSync(report, "utf8")).toContain(` · ${shown} simulated · `);
    }
  });
});
