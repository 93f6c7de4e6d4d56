/**
 * `quorumlab verify` given scenarios by name: a built-in scenario's name is taken as `run` takes
 * it, beside files and folders, and a name that is neither a file nor a built-in scenario is
 * refused before anything runs. A scenario's `linearizable` expectation is named after the
 * property checked. Method: the command as a user runs it.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { quorumlab } from "../support/quorumlab.js";

const out = mkdtempSync(join(tmpdir(), "quorumlab-verify-files-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Two transactions that each read what the other appends to; with `read-without-lock`, write skew. */
const transactions = `protocol: txn-kv
nodes: 9
duration: 2s
faults:
  - {at: 1s, op: {f: txn, value: [[r, k0, null], [append, k5, 1]], node: n1, follow: true}}
  - {at: 1s, op: {f: txn, value: [[r, k5, null], [append, k0, 2]], node: n4, follow: true}}
  - {at: 1500ms, op: {f: txn, value: [[r, k0, null], [r, k5, null]], node: n1, follow: true}}
`;

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

  it("names a transactional store's history expectation strict-serializable, the property checked, in text and --json", () => {
    writeFileSync(join(out, "locked.yaml"), `name: locked\n${transactions}expect: {linearizable: true}\n`);
    writeFileSync(
      join(out, "skew.yaml"),
      `name: skew\n${transactions}options: {bugs: [read-without-lock]}\nexpect: {linearizable: false}\n`,
    );
    const text = quorumlab("verify", out);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^✓ locked \[txn-kv, [^\]]*\] strict-serializable$/m);
    expect(text.stdout).toMatch(/^✓ skew \[txn-kv, [^\]]*\] not strict-serializable$/m);
    expect(text.stdout).not.toContain("linearizable");
    const json = quorumlab("verify", out, "--json");
    expect(json.code).toBe(0);
    const rows = json.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { scenario: string; expectations: unknown[] });
    expect(rows.map((row) => [row.scenario, row.expectations])).toEqual([
      [
        "locked",
        [{ expectation: "strict-serializable", met: true, detail: "the history is strict-serializable" }],
      ],
      [
        "skew",
        [
          {
            expectation: "not strict-serializable",
            met: true,
            detail: "the history is not strict-serializable",
          },
        ],
      ],
    ]);
    // A key-value store's stays linearizable.
    expect(quorumlab("verify", "raft-basic").stdout).toMatch(/^✓ raft-basic .*\] safe, linearizable, /);
  });
});
