/**
 * An `expect` on a figure the run did not measure fails with the reason: the closest figure the
 * run measured when the name is a near miss (`leaderChange` for `leaderChanges`), else the list of
 * what it measured.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { protocols } from "../../protocols/index.js";
import { runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";

const basic = readFileSync(join(import.meta.dirname, "..", "..", "scenarios", "raft-basic.yaml"), "utf8");

function expectationsOf(figures: string): { expectation: string; met: boolean; detail: string }[] {
  const text = `${basic.replace(/^expect:[\s\S]*$/m, "")}\nexpect:\n  figures:\n${figures}`;
  const result = runScenario(parseScenario(text, "figures.yaml"), protocols);
  return result.expectations.filter((entry) => entry.expectation.includes(" in "));
}

describe("expect.figures", () => {
  it("names the figure meant when a name is a near miss", () => {
    const [missed] = expectationsOf("    leaderChange: {max: 1}\n");
    expect(missed).toEqual({
      expectation: "leaderChange in -∞..1",
      met: false,
      detail: "leaderChange was not measured: did you mean 'leaderChanges'?",
    });
  });

  it("lists what the run measured when no name is close, and meets a figure it measured", () => {
    const entries = expectationsOf("    zzz: {min: 0}\n    leaderChanges: {min: 1}\n");
    const unknown = entries.find((entry) => entry.expectation.startsWith("zzz"));
    const measured = entries.find((entry) => entry.expectation.startsWith("leaderChanges"));
    expect(unknown?.met).toBe(false);
    expect(unknown?.detail).toMatch(/^zzz was not measured \(this run measured .*leaderChanges/);
    expect(measured?.met).toBe(true);
  });

  it("takes a duration as a bound of a figure in microseconds, and tells both as durations", () => {
    const [first] = expectationsOf("    firstLeaderUs: {min: 1ms, max: 2s}\n");
    expect(first?.expectation).toBe("firstLeaderUs in 1ms..2s");
    expect(first?.met).toBe(true);
    expect(first?.detail).toMatch(/^firstLeaderUs = [\d.]+ms$/);
    const [plain] = expectationsOf("    firstLeaderUs: {max: 2000000}\n");
    expect(plain?.expectation).toBe("firstLeaderUs in -∞..2s");
  });

  it.each([
    [
      "    leaderChanges: {max: 3ms}\n",
      'expect.figures.leaderChanges.max: expected a number, got "3ms" (a duration fits only a figure in microseconds, whose name ends in Us)',
    ],
    [
      '    firstLeaderUs: {max: "300"}\n',
      'expect.figures.firstLeaderUs.max: expected a number of microseconds or a duration such as 300ms, got "300"',
    ],
  ])(
    "refuses a bound that is no number nor a duration of a figure in microseconds: %j",
    (figures, message) => {
      expect(() => expectationsOf(figures)).toThrow(message);
    },
  );
});
