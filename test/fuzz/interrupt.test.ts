/**
 * A campaign interrupted by Ctrl-C (SIGINT) or a CI runner's cancellation (SIGTERM): it stops
 * between batches, prints its summary, saves its corpus and exits 128 + the signal's number,
 * leaving no worker process behind; `mutants` prints the table of the campaigns that ended. Runs the compiled package (`npm run build` first).
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { type Ended, signalled } from "../support/signalled.js";

const folders: string[] = [];

afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function folder(): string {
  const made = mkdtempSync(join(tmpdir(), "quorumlab-interrupt-"));
  folders.push(made);
  return made;
}

/** Starts `quorumlab ...args`, sends `signal` once it has done some runs, and waits for its end. */
function interrupted(
  signal: NodeJS.Signals,
  args: readonly string[],
  started: (out: string) => boolean,
  afterMs = 1500,
): Promise<Ended> {
  return signalled(signal, args, started, afterMs);
}

describe("an interrupted fuzz campaign", () => {
  test("SIGINT: the summary, the corpus saved, exit code 130", async () => {
    const corpus = folder();
    const ended = await interrupted(
      "SIGINT",
      ["fuzz", "raft", "--time", "60s", "--seed", "1", "--out", folder(), "--corpus", corpus],
      (out) => out.includes("fuzz raft seed 0x1"),
    );
    expect(ended.stderr).toBe("");
    expect(ended.code).toBe(130);
    expect(ended.stdout).toMatch(/^interrupted: no violation in [\d,]+ runs before it stopped \(/m);
    expect(ended.stdout).not.toContain("✓");
    expect(readdirSync(corpus).filter((name) => name.endsWith(".json")).length).toBeGreaterThan(0);
  }, 60_000);

  test("SIGTERM with two workers: --json says interrupted, exit code 143", async () => {
    const ended = await interrupted(
      "SIGTERM",
      ["fuzz", "raft", "--time", "60s", "--seed", "1", "--workers", "2", "--out", folder(), "--json"],
      () => true,
      // It prints nothing before the end: time enough to have started its workers and run a batch
      // on a busy machine.
      4000,
    );
    expect(ended.stderr).toBe("");
    expect(ended.code).toBe(143);
    const json = JSON.parse(ended.stdout) as Record<string, unknown>;
    expect(json.interrupted).toBe(true);
    expect(json.counterexample).toBeNull();
    expect(json.runs).toBeGreaterThan(0);
  }, 60_000);

  test("mutants: the table of the campaigns that ended, exit code 130", async () => {
    // Paxos's bugs are found within a second each; its correct campaign then runs out the minute.
    const ended = await interrupted(
      "SIGINT",
      ["mutants", "--protocol", "paxos", "--time-per", "60s", "--out", folder(), "--json"],
      () => true,
      // It prints nothing before the table: time enough to have started.
      4000,
    );
    expect(ended.stderr).toBe("");
    expect(ended.code).toBe(130);
    const json = JSON.parse(ended.stdout) as { interrupted: boolean; mutants: Array<{ detected: boolean }> };
    expect(json.interrupted).toBe(true);
    // A campaign cut short has no row: every row is a finished one.
    for (const row of json.mutants) expect(row.detected).toBe(true);
  }, 60_000);
});
