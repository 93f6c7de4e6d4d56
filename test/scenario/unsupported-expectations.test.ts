/**
 * An expectation the protocol cannot report is refused before the run, at its line, rather than
 * failing at the end of a run that could never meet it: `blocked` needs a protocol that measures
 * blocking (the commit protocols), `leader` one with a leading role, and `linearizable` one whose
 * history is checked.
 */
import { describe, expect, it } from "vitest";
import { protocols } from "../../protocols/index.js";
import { InputError } from "../../sim/errors.js";
import { parseScenario } from "../../sim/scenario/load.js";
import { resolveScenario } from "../../sim/scenario/validate.js";

function problem(text: string): string {
  try {
    resolveScenario(parseScenario(text, "s.yaml"), protocols);
  } catch (error) {
    return error instanceof InputError ? error.describe() : `not an InputError: ${String(error)}`;
  }
  return "no error";
}

describe("unsupported expectations", () => {
  it("refuses blocked on a protocol that does not measure blocking, naming those that do", () => {
    expect(problem("protocol: raft\nduration: 1s\nexpect:\n  safe: true\n  blocked: true\n")).toBe(
      "s.yaml:5:12: expect.blocked: raft does not measure blocking; the commit protocols do (two-phase-commit, three-phase-commit, quorum-three-phase-commit)",
    );
    expect(problem("protocol: paxos\nduration: 1s\nexpect:\n  blocked: false\n")).toMatch(
      /^s\.yaml:4:12: expect\.blocked: paxos does not measure blocking;/,
    );
  });

  it.each(["two-phase-commit", "three-phase-commit", "quorum-three-phase-commit"])(
    "accepts blocked on %s",
    (protocol) => {
      expect(problem(`protocol: ${protocol}\nduration: 1s\nexpect:\n  blocked: false\n`)).toBe("no error");
    },
  );

  it("refuses leader on a protocol none of whose roles leads", () => {
    expect(problem("protocol: consistent-hashing\nduration: 1s\nexpect:\n  leader: {by: 500ms}\n")).toBe(
      "s.yaml:4:11: expect.leader: consistent-hashing declares no leading role (roles.leading), so no node ever leads",
    );
    expect(problem("protocol: paxos\nduration: 1s\nexpect:\n  leader: {by: 500ms}\n")).toMatch(
      /^s\.yaml:4:11: expect\.leader: paxos declares no leading role/,
    );
    expect(problem("protocol: raft\nduration: 1s\nexpect:\n  leader: {by: 500ms}\n")).toBe("no error");
  });

  it("refuses linearizable on a protocol whose history is not checked", () => {
    expect(problem("protocol: paxos\nduration: 1s\nexpect:\n  linearizable: true\n")).toBe(
      "s.yaml:4:17: expect.linearizable: paxos names no history model (client.model), so its history is not checked",
    );
  });
});
