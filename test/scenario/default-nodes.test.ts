/**
 * A scenario without `nodes` runs the protocol's own cluster size, its `defaultNodes`, as
 * docs/node-api.md and docs/scenarios.md say. Goal: a teacher's three-phase-commit file without
 * `nodes` runs 5 nodes, and may name n5 but not n6. Method: read, run and write such files, and
 * run them with the command line as a user would.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { protocols } from "../../protocols/index.js";
import { InputError } from "../../sim/errors.js";
import { runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";
import { resolveScenario } from "../../sim/scenario/validate.js";
import { writeScenario } from "../../sim/scenario/write.js";
import { quorumlab } from "../support/quorumlab.js";

const out = join(import.meta.dirname, "..", "..", "test-output", "default-nodes");

function nodesRun(text: string): readonly string[] {
  return runScenario(parseScenario(text, "s.yaml"), protocols).kernel.nodeIds;
}

describe("a scenario without nodes", () => {
  it("runs the protocol's defaultNodes, and the nodes it gives when it gives them", () => {
    expect(nodesRun("protocol: three-phase-commit\nduration: 200ms\n")).toEqual([
      "n1",
      "n2",
      "n3",
      "n4",
      "n5",
    ]);
    expect(nodesRun("protocol: two-phase-commit\nduration: 200ms\n")).toHaveLength(4);
    expect(nodesRun("protocol: paxos\nduration: 200ms\n")).toHaveLength(3);
    expect(nodesRun("protocol: three-phase-commit\nnodes: 3\nduration: 200ms\n")).toHaveLength(3);
    expect(resolveScenario(parseScenario("protocol: raft\nduration: 1s\n", "s.yaml"), protocols).nodes).toBe(
      5,
    );
  });

  it("names the nodes of that size: n5 of three-phase-commit's 5, not n6, refused at its line", () => {
    const text = (node: string) =>
      `protocol: three-phase-commit\nduration: 1s\nfaults:\n  - {at: 100ms, crash: ${node}}\n`;
    expect(nodesRun(text("n5"))).toHaveLength(5);
    let caught: unknown;
    try {
      resolveScenario(parseScenario(text("n6"), "3pc.yaml"), protocols);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InputError);
    expect((caught as InputError).describe()).toBe(
      "3pc.yaml:4:24: unknown target 'n6': expected one of n1..n5, leader, follower, any, crashed",
    );
  });

  it("whose protocol's default size its options rule out is told to give nodes", () => {
    const text = "protocol: sharded-kv\nduration: 1s\noptions: {initialGroups: [g1, g2, g3, g4, g5]}\n";
    expect(() => resolveScenario(parseScenario(text, "skv.yaml"), protocols)).toThrow(
      "nodes: not given, so sharded-kv's default of 12 nodes, but sharded-kv supports 18 or more nodes, in multiples of 3 (the options name group g5), got 12: give nodes",
    );
  });

  it("is written back without nodes, and reads back the same", () => {
    const scenario = parseScenario("protocol: three-phase-commit\nduration: 1s\n", "s.yaml");
    const text = writeScenario(scenario);
    expect(text).not.toMatch(/^nodes:/m);
    expect(parseScenario(text, "s.yaml").nodes).toBeUndefined();
  });

  it("runs and opens in the lab with the protocol's size on the command line", () => {
    mkdirSync(out, { recursive: true });
    const file = join(out, "3pc.yaml");
    writeFileSync(file, "protocol: three-phase-commit\nduration: 300ms\n");
    const run = quorumlab("run", file);
    expect(run.code).toBe(0);
    expect(run.stdout.split("\n")[0]).toBe("3pc  three-phase-commit, 5 nodes, seed 0x1, 300ms simulated");
    const lab = quorumlab("lab", file, "--out", join(out, "3pc.html"));
    expect(lab.code).toBe(0);
    expect(lab.stderr).toContain("three-phase-commit, 5 nodes,");
    const wrong = join(out, "3pc-n6.yaml");
    writeFileSync(wrong, "protocol: three-phase-commit\nduration: 1s\nfaults:\n  - {at: 100ms, crash: n6}\n");
    const refused = quorumlab("run", wrong);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("3pc-n6.yaml:4:24: unknown target 'n6': expected one of n1..n5,");
    // The lab leaves the faults out, but still checks the names of the file it was given.
    const link = join(out, "paxos-n9.yaml");
    writeFileSync(
      link,
      "protocol: paxos\nduration: 1s\nnetwork:\n  links: [{from: n1, to: n9, loss: 0.5}]\n",
    );
    const labRefused = quorumlab("lab", link, "--duration", "500ms", "--out", join(out, "paxos-n9.html"));
    expect(labRefused.code).toBe(2);
    expect(labRefused.stderr.trim()).toBe(
      `error: ${link}:4:26: unknown node or client 'n9': this scenario has nodes n1..n3`,
    );
  });
});
