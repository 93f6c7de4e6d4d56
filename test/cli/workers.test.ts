/**
 * `--workers` as fuzz, explore and mutants take it: the range, `auto` where a breadth-first
 * search takes it, and the note for more threads than cores.
 */
import { describe, expect, it } from "vitest";
import { oversubscribed, parseWorkers, workerCount, workersMax } from "../../cli/shared/workers.js";

describe("--workers", () => {
  it("takes a whole number from 1 to 64, written as text or given as a number", () => {
    expect(workerCount("1")).toBe(1);
    expect(workerCount(" 8 ")).toBe(8);
    expect(workerCount(workersMax)).toBe(64);
    for (const bad of ["0", "65", "1.5", "two", "", "-1"]) {
      expect(() => workerCount(bad)).toThrow(`--workers: expected a whole number from 1 to 64, got '${bad}'`);
    }
    expect(() => workerCount(Number.NaN)).toThrow("got 'NaN'");
  });

  it("takes auto where a breadth-first search does, and says so when refusing", () => {
    expect(parseWorkers("auto")).toBe("auto");
    expect(parseWorkers("3")).toBe(3);
    expect(() => parseWorkers("all")).toThrow(
      "--workers: expected auto or a whole number from 1 to 64, got 'all'",
    );
    expect(() => workerCount("auto")).toThrow("expected a whole number from 1 to 64");
  });

  it("notes a count above the machine's cores, and only then", () => {
    expect(oversubscribed(2, 2)).toBeUndefined();
    expect(oversubscribed(1, 4)).toBeUndefined();
    expect(oversubscribed(3, 2)).toBe(
      "--workers 3 is more than this machine's 2 cores: threads beyond the cores take turns and slow the work down",
    );
    expect(oversubscribed(2, 1)).toContain("this machine's 1 core:");
  });
});
