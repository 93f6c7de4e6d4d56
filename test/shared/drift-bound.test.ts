import { describe, expect, it } from "vitest";
import { type ClockSample, clockLeftBound } from "../../protocols/shared/drift-bound.js";

describe("clockLeftBound", () => {
  it("keeps the first sample and judges nothing over less than 20 ms of real time", () => {
    const samples = new Map<string, ClockSample>();
    expect(clockLeftBound(samples, "n1", 0, 0, 0.05)).toBe(false);
    expect(samples.get("n1")).toEqual({ realUs: 0, localUs: 0 });
    // Twice as fast, but over 10 ms only: not judged yet, and the old sample stays.
    expect(clockLeftBound(samples, "n1", 10_000, 20_000, 0.05)).toBe(false);
    expect(samples.get("n1")).toEqual({ realUs: 0, localUs: 0 });
  });

  it("accepts a rate within the bound and its slack, and moves the sample on", () => {
    const samples = new Map<string, ClockSample>();
    clockLeftBound(samples, "n1", 0, 0, 0.05);
    expect(clockLeftBound(samples, "n1", 100_000, 105_000, 0.05)).toBe(false);
    expect(samples.get("n1")).toEqual({ realUs: 100_000, localUs: 105_000 });
    expect(clockLeftBound(samples, "n1", 200_000, 105_000 + 94_600, 0.05)).toBe(false);
  });

  it("tells when a clock runs faster or slower than the bound, and keeps the last good sample", () => {
    const fast = new Map<string, ClockSample>();
    clockLeftBound(fast, "n1", 0, 0, 0.05);
    expect(clockLeftBound(fast, "n1", 100_000, 106_000, 0.05)).toBe(true);
    expect(fast.get("n1")).toEqual({ realUs: 0, localUs: 0 });
    const slow = new Map<string, ClockSample>();
    clockLeftBound(slow, "n2", 0, 0, 0.02);
    expect(clockLeftBound(slow, "n2", 50_000, 48_500, 0.02)).toBe(true);
  });

  it("samples each node on its own", () => {
    const samples = new Map<string, ClockSample>();
    clockLeftBound(samples, "n1", 0, 0, 0.05);
    expect(clockLeftBound(samples, "n2", 100_000, 200_000, 0.05)).toBe(false);
    expect(clockLeftBound(samples, "n1", 100_000, 100_000, 0.05)).toBe(false);
  });
});
