/**
 * Goal: the run summary docs/transactions.md shows for txn-write-skew-bug is the one `quorumlab
 * run` prints: its `history` line names strict serializability, the property the run checks.
 * Method: the built command runs the scenario; each line of the documented example, up to an
 * ellipsis, must start a line of its output.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");

function documentedRun(): string[] {
  const text = readFileSync(join(root, "docs", "transactions.md"), "utf8");
  const block = /```\nnpx quorumlab run txn-write-skew-bug\n([\s\S]*?)```/.exec(text);
  expect(block, "docs/transactions.md shows a run of txn-write-skew-bug").not.toBeNull();
  return (block?.[1] ?? "")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => line.split(" …")[0] as string);
}

function runOutput(): string[] {
  try {
    execFileSync(process.execPath, [join(root, "dist", "cli", "main.js"), "run", "txn-write-skew-bug"], {
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
    });
  } catch (error) {
    // The scenario breaks an invariant on purpose: exit 1, with the summary on stdout.
    return String((error as { stdout?: string }).stdout ?? "").split("\n");
  }
  throw new Error("txn-write-skew-bug exited 0");
}

describe("docs/transactions.md", () => {
  it("shows the history lines that run txn-write-skew-bug prints", () => {
    const output = runOutput();
    for (const line of documentedRun()) {
      expect(
        output.some((printed) => printed.startsWith(line)),
        line,
      ).toBe(true);
    }
  });
});
