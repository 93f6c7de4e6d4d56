/**
 * An exploration interrupted by Ctrl-C (SIGINT) or a CI runner's cancellation (SIGTERM): breadth
 * first stops between runs of states, the other strategies (in a worker thread) where they check
 * their time bound; each prints what it covered as a `bounded` verdict and exits 128 + the
 * signal's number. A violation found by random walks and being shortened is printed with the
 * schedule shortened so far. A signal that comes before the search begins stops it at once, with
 * the same verdict. `mutants --explore` prints the rows of the bugs explored before it, and says
 * how many of all its bugs those are.
 * Runs the compiled package (`npm run build` first).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
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

/**
 * A module whose every handler does a fixed amount of work, so that each step of a replay costs
 * about the same, and whose invariant breaks at the 100th hop of any schedule: random walks find
 * it in their first walk, and shortening it, which replays the whole schedule a few hundred times
 * and can remove no step, runs until its time is up.
 */
const slowRelay = `
const work = () => {
  let x = 0;
  for (let i = 0; i < 2_000_000; i++) x = (x * 31 + i) | 0;
  return x;
};
export const protocol = {
  name: "slow-relay",
  summary: "nodes pass hops back and forth, slowly",
  parseOptions: (options) => ({ ...options }),
  create: (ctx) => ({
    hops: 0,
    spent: 0,
    onStart() {
      for (const peer of ctx.peers) ctx.send(peer, { type: "hop" });
    },
    onMessage(from) {
      this.hops += 1;
      this.spent = work();
      ctx.send(from, { type: "hop" });
    },
  }),
  invariants: [
    {
      name: "relay.few-hops",
      statement: "Fewer than 100 hops in all.",
      source: "this test",
      kind: "safety",
      create: () => ({
        state: null,
        afterStep(view) {
          let hops = 0;
          for (const id of view.nodes) hops += view.node(id)?.hops ?? 0;
          return hops < 100 ? undefined : { message: \`\${hops} hops\`, witnesses: [] };
        },
      }),
    },
  ],
  bugs: [],
};
`;

describe("a violation whose shortening is interrupted", () => {
  const module = join(out, "slow-relay.mjs");
  writeFileSync(module, slowRelay);
  // Shortening's time is a quarter of --time, at most 20 s: far longer than the signal's delay.
  const args = ["explore", module, "--strategy", "random", "--depth", "150", "--time", "80s", "--out", out];

  test("SIGINT: the schedule shortened so far, saved and said to be cut short, exit code 130", async () => {
    const ended = await signalled("SIGINT", args, (text) => text.includes("exploring slow-relay"), 3000);
    expect(ended.stderr).toBe("");
    expect(ended.code).toBe(130);
    expect(ended.stdout).toMatch(/^violation: relay\.few-hops — 100 hops$/m);
    expect(ended.stdout).toMatch(
      /^short schedule \(100 steps, shortened from 100 choices until Ctrl-C or SIGTERM cut the shortening short; not proven shortest/m,
    );
    expect(ended.stdout).toMatch(/^saved {3}\S+slow-relay-relay\.few-hops-explored-[0-9a-f]{8}\.yaml/m);
  }, 90_000);

  test("SIGTERM: --json says interrupted, with the violation and its schedule, exit code 143", async () => {
    const ended = await signalled("SIGTERM", [...args, "--json"], () => true, 5000);
    expect(ended.stderr).toBe("");
    expect(ended.code).toBe(143);
    const json = JSON.parse(ended.stdout) as {
      verdict: string;
      boundedBy: string | null;
      interrupted: boolean;
      counterexample: { invariant: string; steps: number; shortest: boolean; reproduced: boolean };
    };
    expect(json.verdict).toBe("violation");
    expect(json.interrupted).toBe(true);
    expect(json.counterexample.invariant).toBe("relay.few-hops");
    expect(json.counterexample.steps).toBe(100);
    expect(json.counterexample.shortest).toBe(false);
    expect(json.counterexample.reproduced).toBe(true);
  }, 90_000);
});

/**
 * A module that takes 3 s to load, saying so first on standard output, and whose nodes pass hops
 * back and forth without end: a signal sent while it loads comes before the search begins.
 */
const slowStart = `
process.stdout.write("loading slow-start\\n");
const until = Date.now() + 3000;
while (Date.now() < until) {}
export const protocol = {
  name: "slow-start",
  summary: "nodes pass hops back and forth, without end",
  parseOptions: (options) => ({ ...options }),
  create: (ctx) => ({
    hops: 0,
    onStart() {
      for (const peer of ctx.peers) ctx.send(peer, { type: "hop" });
    },
    onMessage(from) {
      this.hops += 1;
      ctx.send(from, { type: "hop" });
    },
  }),
  invariants: [
    {
      name: "relay.counted",
      statement: "No node has counted fewer than no hops.",
      source: "this test",
      kind: "safety",
      create: () => ({
        state: null,
        afterStep: (view) => ((view.node(view.actor)?.hops ?? 0) < 0 ? { message: "negative" } : undefined),
      }),
    },
  ],
  bugs: [],
};
`;

describe("a signal before the search begins", () => {
  const module = join(out, "slow-start.mjs");
  writeFileSync(module, slowStart);

  test("SIGTERM while the protocol loads: --json says interrupted, exit code 143", async () => {
    const ended = await signalled(
      "SIGTERM",
      ["explore", module, "--workers", "1", "--json", "--out", out],
      (text) => text.includes("loading slow-start"),
      500,
    );
    expect(ended.stderr).toBe("");
    expect(ended.code).toBe(143);
    // The module's own line first, then the command's object.
    const [loading, verdict, ...rest] = ended.stdout.split("\n");
    expect(loading).toBe("loading slow-start");
    expect(rest.join("")).toBe("");
    const json = JSON.parse(verdict as string) as Record<string, unknown>;
    expect(json.protocol).toBe("slow-start");
    expect(json.verdict).toBe("bounded");
    expect(json.boundedBy).toBe("interrupted");
    expect(json.interrupted).toBe(true);
  }, 90_000);

  test("SIGINT while the protocol loads, random walks: what they covered, exit code 130", async () => {
    const ended = await signalled(
      "SIGINT",
      ["explore", module, "--strategy", "random", "--out", out],
      (text) => text.includes("loading slow-start"),
      500,
    );
    expect(ended.stderr).toBe("");
    expect(ended.code).toBe(130);
    expect(ended.stdout).toMatch(
      /^bounded: no violation found by random walks; interrupted \(Ctrl-C or SIGTERM\) before its bounds were reached/m,
    );
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
    const json = JSON.parse(ended.stdout) as {
      interrupted: boolean;
      explore: Array<{ found: boolean }>;
      total: number;
    };
    expect(json.interrupted).toBe(true);
    // The rows are those explored before the signal; `total`, every safety bug of the table.
    expect(json.total).toBe(raftSafetyBugs());
    expect(json.explore.length).toBeLessThan(json.total);
    for (const row of json.explore) expect(row.found).toBe(true);
  }, 120_000);

  test("SIGTERM: the summary says how many of all the bugs were explored before it, exit code 143", async () => {
    const ended = await signalled(
      "SIGTERM",
      ["mutants", "--protocol", "raft", "--explore", "--time-per", "60s", "--workers", "1"],
      () => true,
      4000,
    );
    expect(ended.stderr).toBe("");
    expect(ended.code).toBe(143);
    const summary = ended.stdout.match(
      /^(\d+) of (\d+) deliberate safety bugs explored before the interruption, (\d+) of them found by exploration on 3 nodes \(/m,
    );
    expect(summary, ended.stdout).not.toBeNull();
    const [explored, total, found] = (summary as RegExpMatchArray).slice(1).map(Number);
    expect(total).toBe(raftSafetyBugs());
    expect(explored).toBeLessThan(total as number);
    expect(found).toBe(explored);
    expect(ended.stdout).toContain(`interrupted: the table holds the ${explored} bug`);
  }, 120_000);
});

/** Raft's deliberate safety bugs, as `mutants --list` gives them. */
function raftSafetyBugs(): number {
  const list = JSON.parse(
    execFileSync("node", [cli, "mutants", "--protocol", "raft", "--list", "--json"], {
      cwd: root,
    }).toString(),
  ) as { bugs: Array<{ kind: string }> };
  return list.bugs.filter((bug) => bug.kind === "safety").length;
}
