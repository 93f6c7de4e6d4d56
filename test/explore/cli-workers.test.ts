/**
 * `quorumlab explore --workers N` against the compiled package (built here first, as
 * `npm run build` does, since worker threads load compiled code): two worker threads give the
 * same verdict, counts, depth and counterexample (schedule and trace hash) as one thread, and a
 * bad worker count is refused with exit 2.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { explorePool } from "../../cli/shared/explore-pool.js";
import { protocols } from "../../protocols/index.js";
import { exploreSetup } from "../../sim/explore/settings.js";
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
