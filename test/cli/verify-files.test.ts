/**
 * `quorumlab verify` given scenarios by name: a built-in scenario's name is taken as `run` takes
 * it, beside files and folders, and a name that is neither a file nor a built-in scenario is
 * refused before anything runs. Method: the command as a user runs it.
 */
import { describe, expect, it } from "vitest";
import { quorumlab } from "../support/quorumlab.js";

describe("verify given scenarios", () => {
  it("takes a built-in scenario by name", () => {
    const result = quorumlab("verify", "2pc-no-vote-lost");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^✓ 2pc-no-vote-lost /);
    expect(result.stdout).toContain("1 of 1 scenarios met their expectations");
  });

  it("refuses a name that is no file and no built-in scenario, and a missing file", () => {
    const name = quorumlab("verify", "2pc-no-vote-lots");
    expect(name.code).toBe(2);
    expect(name.stderr.trim()).toBe(
      "error: 2pc-no-vote-lots: no such file or folder, and no built-in scenario named '2pc-no-vote-lots' (see 'quorumlab list')",
    );
    const file = quorumlab("verify", "missing/scenario.yaml");
    expect(file.code).toBe(2);
    expect(file.stderr.trim()).toBe("error: missing/scenario.yaml: no such file or folder");
  });
});
