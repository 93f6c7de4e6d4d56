/**
 * The fuzz progress bar's fields, and the time budget its header names.
 */
import { describe, expect, it } from "vitest";
import { formatBudget } from "../../cli/fuzz/output.js";
import { progressFields } from "../../cli/shared/progress.js";

describe("the fuzz progress bar", () => {
  it("says 1 violation and 1 run, and separates thousands", () => {
    const one = progressFields({ runs: 1, events: 50, violations: 1, elapsedMs: 2000 });
    expect(one).toMatchObject({ runs: "1 run", violations: "1 violation", rate: "1", eventRate: "25" });
    const many = progressFields({ runs: 12_345, events: 3_000_000, violations: 0, elapsedMs: 10_000 });
    expect(many).toMatchObject({
      runs: "12,345 runs",
      violations: "0 violations",
      rate: "1235",
      eventRate: "300k",
      elapsed: "10.0s",
    });
  });
});

describe("the fuzz header's time budget", () => {
  it("reads as --time takes it: whole hours and minutes as such", () => {
    expect(formatBudget(3_600_000)).toBe("1h");
    expect(formatBudget(7_200_000)).toBe("2h");
    expect(formatBudget(300_000)).toBe("5m");
    expect(formatBudget(60_000)).toBe("1m");
    expect(formatBudget(90_000)).toBe("90s");
    expect(formatBudget(20_000)).toBe("20s");
    expect(formatBudget(1_500)).toBe("1.5s");
  });
});
