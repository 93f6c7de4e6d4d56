/**
 * `quorumlab explore --workers N` against the compiled package (built here first, as
 * `npm run build` does, since worker threads load compiled code): two worker threads give the
 * same verdict, counts, depth and counterexample (schedule and trace hash) as one thread, and a
 * bad worker count is refused with exit 2. The other strategies, searched in a worker thread,
 * give what the same search gives in this thread, and what they gave before they moved there.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { historyChecker } from "../../cli/history-check.js";
import { explorePool } from "../../cli/shared/explore-pool.js";
import { protocols } from "../../protocols/index.js";
import { describeStep } from "../../sim/explore/schedule.js";
import { explore, type Strategy } from "../../sim/explore/search.js";
import { exploreSetup, parseFaultBudget } from "../../sim/explore/settings.js";
import type { Protocol } from "../../sim/node.js";

const root = join(import.meta.dirname, "..", "..");
const cli = join(root, "dist", "cli", "main.js");
let out = "";

beforeAll(() => {
  // Type errors elsewhere in the tree do not stop tsc from emitting.
  spawnSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root, stdio: "ignore" });
  out = mkdtempSync(join(tmpdir(), "quorumlab-explore-workers-"));
});

afterAll(() => {
  if (out !== "") rmSync(out, { recursive: true, force: true });
});

function quorumlab(...args: string[]) {
  const result = spawnSync("node", [cli, ...args], {
    encoding: "utf8",
    cwd: out,
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The figures that must not depend on the number of workers. */
function outcome(stdout: string) {
  const json = JSON.parse(stdout);
  return {
    verdict: json.verdict,
    uniqueStates: json.uniqueStates,
    statesVisited: json.statesVisited,
    transitionsSkipped: json.transitionsSkipped,
    depth: json.depth,
    boundedBy: json.boundedBy,
    counterexample:
      json.counterexample === null
        ? null
        : {
            invariant: json.counterexample.invariant,
            schedule: json.counterexample.schedule,
            traceHash: json.counterexample.traceHash,
            shortest: json.counterexample.shortest,
            reproduced: json.counterexample.reproduced,
          },
  };
}

describe("quorumlab explore --workers", () => {
  it("Paxos to completion: the same verdict, counts and depth with one thread and two", () => {
    const args = ["explore", "paxos", "--faults", "timeouts=1", "--json", "--out", join(out, "complete")];
    const one = quorumlab(...args, "--workers", "1");
    const two = quorumlab(...args, "--workers", "2");
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    expect(JSON.parse(one.stdout).workers).toBe(1);
    expect(JSON.parse(two.stdout).workers).toBe(2);
    expect(outcome(one.stdout).verdict).toBe("complete");
    expect(outcome(one.stdout).uniqueStates).toBeGreaterThan(100);
    expect(outcome(two.stdout)).toEqual(outcome(one.stdout));
  });

  it.each([
    ["paxos", "promise-omits-accepted"],
    ["two-phase-commit", "commit-on-vote-timeout"],
  ])(
    "%s with %s: the same shortest counterexample and trace hash with one thread and two",
    (protocol, bug) => {
      const args = ["explore", protocol, "--bug", bug, "--json"];
      const one = quorumlab(...args, "--workers", "1", "--out", join(out, bug, "1"));
      const two = quorumlab(...args, "--workers", "2", "--out", join(out, bug, "2"));
      expect(one.code).toBe(1);
      expect(two.code).toBe(1);
      const found = outcome(one.stdout).counterexample;
      expect(found?.shortest).toBe(true);
      expect(found?.reproduced).toBe(true);
      expect(outcome(two.stdout)).toEqual(outcome(one.stdout));
    },
  );

  it("another strategy runs in one thread, and says so", () => {
    const args = [
      "explore",
      "paxos",
      "--bug",
      "volatile-acceptor",
      "--faults",
      "crash=1",
      "--strategy",
      "dfs",
    ];
    const json = quorumlab(...args, "--workers", "2", "--json", "--out", join(out, "dfs"));
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).workers).toBe(1);
    expect(JSON.parse(json.stdout).notes).toContain(
      "--workers 2: only bfs shares its search among worker threads; dfs ran in one thread",
    );
    const text = quorumlab(...args, "--workers", "2", "--out", join(out, "dfs"));
    expect(text.stdout).toContain("only bfs shares its search among worker threads; dfs ran in one thread");
  });

  it("--workers auto, the default: a short search stays in one thread, with the same result", () => {
    const args = ["explore", "paxos", "--faults", "timeouts=1", "--json", "--out", join(out, "auto")];
    const one = quorumlab(...args, "--workers", "1");
    const auto = quorumlab(...args);
    expect(auto.code).toBe(0);
    expect(JSON.parse(auto.stdout).workers).toBe(1);
    expect(outcome(auto.stdout)).toEqual(outcome(one.stdout));
    const text = quorumlab("explore", "paxos", "--faults", "timeouts=1", "--workers", "auto");
    expect(text.code).toBe(0);
    expect(text.stdout).not.toContain("worker threads");
  });

  it("sizes the runs it sends by how long the workers took: unknown before an answer, then 16 to 2,048 states", async () => {
    const { setup } = exploreSetup(protocols.get("paxos") as Protocol, { nodes: 3 });
    const pool = explorePool(
      {
        source: { name: "paxos" },
        input: { nodes: 3 },
        expander: { oneOrder: setup.promptReplies !== true },
      },
      1,
    );
    try {
      expect(pool.runMax).toBeUndefined();
      const expansion = await pool.expand(new Uint16Array(0), 0, 1);
      expect(expansion.counts[0]).toBeGreaterThan(0);
      expect(pool.ready).toBe(1);
      expect(pool.runMax).toBeGreaterThanOrEqual(16);
      expect(pool.runMax).toBeLessThanOrEqual(2048);
    } finally {
      await pool.close();
    }
  });

  it.each(["0", "65", "1.5", "many"])(
    "--workers %s: exit 2 with the flag named, no stack trace",
    (workers) => {
      const result = quorumlab("explore", "paxos", "--workers", workers, "--out", join(out, "bad"));
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("--workers: expected auto or a whole number from 1 to 64");
      expect(result.stderr).not.toMatch(/\n\s+at /);
    },
  );
});

describe("quorumlab explore with dfs, random, novelty and cells, searched in a worker thread", () => {
  // As the command line searched them in its own thread before: its counterexample file's name
  // (the settings' digest) and the trace hash of its replay.
  const before: Record<
    Exclude<Strategy, "bfs">,
    { states: [number, number]; file: string; trace: string }
  > = {
    dfs: {
      states: [12, 19],
      file: "a555f788",
      trace: "efd0386bbe5fe72484359c3e5f4b8613e58dd20e2ff141172ae83f71a4e21164",
    },
    random: {
      states: [8, 8],
      file: "967b8647",
      trace: "66e3e0d4535a411f1988888fdc80e565e2ca3b6e4763c74a1fbd73c872d031b5",
    },
    novelty: {
      states: [5, 5],
      file: "a0a822f5",
      trace: "56f91a5c88a64f5751b55106384d3a4600482cd34b0588145051ae053ae03ba3",
    },
    cells: {
      states: [14, 15],
      file: "42318d7a",
      trace: "c725ea90c152fcf61650e6062286d2635b572ae081cdeee4ea971a14a53c4cca",
    },
  };

  it.each(["dfs", "random", "novelty", "cells"] as const)(
    "%s finds the same counterexample as in this thread, in the same file with the same trace hash as before",
    (strategy) => {
      const bug = "ready-aborts-on-timeout";
      const ran = quorumlab(
        ...["explore", "two-phase-commit", "--bug", bug, "--strategy", strategy, "--json"],
        ...["--out", join(out, "whole", strategy)],
      );
      expect(ran.code).toBe(1);
      const json = JSON.parse(ran.stdout);
      const { setup } = exploreSetup(
        protocols.get("two-phase-commit") as Protocol,
        { bugs: [bug], faults: parseFaultBudget(""), seed: 1n },
        historyChecker(),
      );
      const here = explore(setup, {
        strategy,
        depthMax: strategy === "cells" ? Number.POSITIVE_INFINITY : 60,
        timeMs: 60_000,
        statesMax: 20_000_000,
        now: () => performance.now(),
        seed: 1n,
      });
      expect([json.verdict, json.uniqueStates, json.statesVisited, json.depth]).toEqual([
        here.verdict,
        here.uniqueStates,
        here.statesVisited,
        here.depth,
      ]);
      expect(json.counterexample.schedule).toEqual(here.counterexample?.steps.map(describeStep));
      const { states, file, trace } = before[strategy];
      expect([json.uniqueStates, json.statesVisited]).toEqual(states);
      expect(basename(json.counterexample.file)).toBe(
        `two-phase-commit-commit.yes-voter-not-alone-${bug}-explored-${file}.yaml`,
      );
      expect(json.counterexample.traceHash).toBe(trace);
      expect(json.counterexample.reproduced).toBe(true);
    },
  );

  it("dfs bounded by depth: the same counts as before", () => {
    const args = ["explore", "raft", "--strategy", "dfs", "--depth", "7", "--faults", "crash=1,timeouts=2"];
    const ran = quorumlab(...args, "--json", "--out", join(out, "whole", "raft"));
    expect(ran.code).toBe(3);
    expect(outcome(ran.stdout)).toMatchObject({
      verdict: "bounded",
      boundedBy: "depth",
      depth: 7,
      uniqueStates: 75_141,
      statesVisited: 203_663,
    });
  });
});
