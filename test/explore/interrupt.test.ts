/**
 * An exploration interrupted by Ctrl-C (SIGINT) or a CI runner's cancellation (SIGTERM): breadth
 * first stops between runs of states, the other strategies (in a worker thread) where they check
 * their time bound; each prints what it covered as a `bounded` verdict and exits 128 + the
 * signal's number. `mutants --explore` prints the rows of the bugs explored before it.
 * Runs the compiled package (`npm run build` first).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { type Ended, signalled } from "../support/signalled.js";

const root = join(import.meta.dirname, "..", "..");
const cli = join(root, "dist", "cli", "main.js");
const out = mkdtempSync(join(tmpdir(), "quorumlab-explore-interrupt-"));

afterAll(() => rmSync(out, { recursive: true, force: true }));

/**
 * Starts `quorumlab explore ...args` on a space far larger than it can search in a minute, sends
 * `signal` `afterMs` after `started(stdout)` first holds, and waits for its end.
 */
function interrupted(
  signal: NodeJS.Signals,
  args: readonly string[],
  started: (out: string) => boolean,
  afterMs: number,
): Promise<Ended> {
  return signalled(
    signal,
    ["explore", "raft", "--faults", "crash=1,timeouts=4", "--time", "60s", "--out", out, ...args],
    started,
    afterMs,
  );
}

describe("an interrupted exploration", () => {
  test("SIGINT: what was covered, as bounded by the interrupt, exit code 130", async () => {
    // The header is printed as the search begins: long enough after it to have searched a few levels.
    const ended = await interrupted("SIGINT", [], (text) => text.includes("exploring raft"), 1500);
    expect(ended.stderr).toBe("");
    expect(ended.code).toBe(130);
    expect(ended.stdout).toMatch(
      /^bounded: no violation within depth \d+ \(every state at most \d+ steps? from the start was explored\); interrupted \(Ctrl-C or SIGTERM\) before its bounds were reached — [\d,]+ unique states/m,
    );
  }, 90_000);

  test("SIGTERM in one thread: --json says interrupted, exit code 143", async () => {
    // It prints nothing before the end: time enough, on a busy machine, to load and search a while.
    const ended = await interrupted("SIGTERM", ["--workers", "1", "--json"], () => true, 4000);
    expect(ended.stderr).toBe("");
    expect(ended.code).toBe(143);
    const json = JSON.parse(ended.stdout) as Record<string, unknown>;
    expect(json.schemaVersion).toBe(1);
    expect(json.verdict).toBe("bounded");
    expect(json.boundedBy).toBe("interrupted");
    expect(json.interrupted).toBe(true);
    expect(json.uniqueStates).toBeGreaterThan(1);
    expect(json.counterexample).toBeNull();
  }, 90_000);

  test("SIGINT during depth-first search: the depth it covered, as bounded by the interrupt, exit code 130", async () => {
    // Raft to depth 60 takes far longer than a minute; the header is printed as the worker starts.
    const ended = await interrupted(
      "SIGINT",
      ["--strategy", "dfs"],
      (text) => text.includes("exploring raft"),
      2500,
    );
    expect(ended.stderr).toBe("");
    expect(ended.code).toBe(130);
    expect(ended.stdout).toMatch(
      /^bounded: no violation within depth \d+ \(every state at most \d+ steps? from the start was explored\); interrupted \(Ctrl-C or SIGTERM\) before its bounds were reached — [\d,]+ unique states/m,
    );
  }, 90_000);

  test("SIGINT during a search over cells: what it reached, as bounded by the interrupt, exit code 130", async () => {
    const ended = await interrupted(
      "SIGINT",
      ["--strategy", "cells"],
      (text) => text.includes("exploring raft"),
      2000,
    );
    expect(ended.stderr).toBe("");
    expect(ended.code).toBe(130);
    expect(ended.stdout).toMatch(
      /^bounded: no violation found breadth first over cells; interrupted \(Ctrl-C or SIGTERM\) before its bounds were reached — [\d,]+ cells/m,
    );
  }, 90_000);

  test("SIGTERM during random walks: --json says interrupted, exit code 143", async () => {
    const ended = await interrupted("SIGTERM", ["--strategy", "random", "--json"], () => true, 4000);
    expect(ended.stderr).toBe("");
    expect(ended.code).toBe(143);
    const json = JSON.parse(ended.stdout) as Record<string, unknown>;
    expect(json.strategy).toBe("random");
    expect(json.verdict).toBe("bounded");
    expect(json.boundedBy).toBe("interrupted");
    expect(json.interrupted).toBe(true);
    expect(json.statesVisited).toBeGreaterThan(0);
    expect(json.counterexample).toBeNull();
  }, 90_000);
});

describe("an interrupted mutants --explore table", () => {
  test("SIGINT: the rows of the bugs found before it, none for the bug cut short, exit code 130", async () => {
    // Raft's bugs take seconds to minutes each: 4 s in, the table is far from its end.
    const ended = await signalled(
      "SIGINT",
      ["mutants", "--protocol", "raft", "--explore", "--time-per", "60s", "--workers", "1", "--json"],
      () => true,
      4000,
    );
    expect(ended.stderr).toBe("");
    expect(ended.code).toBe(130);
    const json = JSON.parse(ended.stdout) as { interrupted: boolean; explore: Array<{ found: boolean }> };
    expect(json.interrupted).toBe(true);
    const list = JSON.parse(
      execFileSync("node", [cli, "mutants", "--protocol", "raft", "--list", "--json"], {
        cwd: root,
      }).toString(),
    ) as { bugs: Array<{ kind: string }> };
    expect(json.explore.length).toBeLessThan(list.bugs.filter((bug) => bug.kind === "safety").length);
    for (const row of json.explore) expect(row.found).toBe(true);
  }, 120_000);
});
