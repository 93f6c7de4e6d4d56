/**
 * The fuzz progress bar's fields: counts in words, in the right number.
 */
import { describe, expect, it } from "vitest";
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
