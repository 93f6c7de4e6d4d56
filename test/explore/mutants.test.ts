/**
 * `mutants --explore` on one bug: a bug whose declared strategy is `cells` is searched that way
 * first, then breadth first in the same bounds with the time left, for its shortest schedule.
 * Method: Raft's commit-index-from-leader, whose bounds breadth-first search exhausts to the bug
 * in well under a second, declared here with `cells`; and Figure 8 (commit-previous-term), which
 * `cells` finds within 30,000 states and breadth-first search only after about 360,000.
 */
import { describe, expect, it } from "vitest";
import { exploreBug } from "../../cli/mutants.js";
import { protocols } from "../../protocols/index.js";
import type { ClientRequest, DeliberateBug, NodeContext, Protocol } from "../../sim/node.js";
import { checkProtocol } from "../../sim/protocol-check.js";

const raft = protocols.get("raft") as Protocol;
const bugNamed = (name: string): DeliberateBug => raft.bugs.find((bug) => bug.name === name) as DeliberateBug;

describe("mutants --explore, a bug that declares cells", () => {
  it("ends with breadth-first search's shortest schedule when it has the time", async () => {
    const bug = bugNamed("commit-index-from-leader");
    const asCells = { ...bug, explore: { ...bug.explore, strategy: "cells" as const } };
    const row = await exploreBug("raft", raft, asCells, 60_000, 3);
    expect(row).toMatchObject({ found: true, strategy: "bfs", shortest: true, steps: 20 });
    expect(row?.invariant).toBe("raft.leader-completeness");
  });

  it("keeps the find of cells, with the depth breadth-first search covered, when it does not", async () => {
    // Bounded by states, not by time, so that the outcome does not depend on the machine's load:
    // cells finds it within 30,000 states; breadth-first search needs about 360,000.
    const row = await exploreBug("raft", raft, bugNamed("commit-previous-term"), 60_000, 3, undefined, {
      statesMax: 100_000,
    });
    expect(row).toMatchObject({ found: true, strategy: "cells", shortest: false, steps: 40 });
    expect(row?.depth).toBeGreaterThan(0);
    expect(row?.wallMs).toBeLessThan(60_000);
  });
});

describe("mutants --explore, a bug that only the history's check shows", () => {
  // One node that stores each write, unless the bug makes it forget them: only a read can tell,
  // and the bug declares no explore bounds of its own.
  const forgetful = checkProtocol(
    {
      name: "forgetful",
      defaultNodes: 1,
      parseOptions: (options: Record<string, unknown>) => ({ bugs: [], ...options }),
      create: (ctx: NodeContext, options: { bugs: string[] }) => ({
        onClientRequest(request: ClientRequest) {
          if (request.f === "write" && !options.bugs.includes("forget-writes"))
            ctx.storage.set(`value/${request.key}`, request.value);
          const value =
            request.f === "write" ? request.value : (ctx.storage.get(`value/${request.key}`) ?? null);
          ctx.reply(request, { status: "ok", value });
        },
      }),
      bugs: [
        {
          name: "forget-writes",
          change: "writes are not stored",
          breaks: ["kv.linearizable"],
          source: "test",
        },
      ],
      client: { operations: { read: 1, write: 1 }, model: "register" },
    },
    "forgetful.js",
  ).protocol;

  it("is explored with a client that writes, then reads, and found", async () => {
    const row = await exploreBug("forgetful", forgetful, forgetful.bugs[0] as DeliberateBug, 10_000, 1);
    expect(row).toMatchObject({ found: true, strategy: "bfs", shortest: true, invariant: "kv.linearizable" });
    expect(row?.clients).toBe(1);
    expect(row?.command).toContain("--clients 1 --ops 2");
  });
});
