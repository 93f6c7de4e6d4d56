/**
 * Goal: the saved counterexample docs/exploring.md shows is the one `quorumlab explore
 * two-phase-commit --bug ready-aborts-on-timeout` writes. Method: explore the bug in the bounds it
 * and the protocol declare, render the scenario as the command saves it, and require every line of
 * the page's YAML block in it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { protocols } from "../../protocols/index.js";
import { exploredScenario, exploredText } from "../../sim/explore/counterexample.js";
import { explore } from "../../sim/explore/search.js";
import { exploreSetup } from "../../sim/explore/settings.js";
import type { Protocol } from "../../sim/node.js";

const root = join(import.meta.dirname, "..", "..");
const doc = readFileSync(join(root, "docs", "exploring.md"), "utf8");

describe("docs/exploring.md saved counterexample", () => {
  it("shows the schedule explore saves for two-phase commit's ready-aborts-on-timeout", () => {
    const block = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)]
      .map((match) => match[1] as string)
      .find((text) => text.includes("ready-aborts-on-timeout"));
    expect(block).toBeDefined();
    const protocol = protocols.get("two-phase-commit") as Protocol;
    const { setup, userOptions } = exploreSetup(protocol, { bugs: ["ready-aborts-on-timeout"] });
    const result = explore(setup, {
      strategy: "bfs",
      depthMax: Number.POSITIVE_INFINITY,
      timeMs: Number.POSITIVE_INFINITY,
      statesMax: 1_000_000,
      now: () => 0,
    });
    const counterexample = result.counterexample;
    if (counterexample === undefined) throw new Error("no counterexample");
    const text = exploredText(
      exploredScenario(
        {
          protocol: protocol.name,
          options: userOptions,
          nodes: setup.nodes,
          clients: 0,
          seed: 1n,
          command: "",
        },
        counterexample.steps,
        counterexample.finding,
        1_000_000,
      ),
    );
    const saved = text.split("\n");
    for (const line of (block as string).trimEnd().split("\n")) expect(saved).toContain(line);
    const schedule = (block as string).split("\n").filter((line) => line.startsWith("  - {"));
    expect(schedule).toHaveLength(counterexample.steps.length);
  });
});
