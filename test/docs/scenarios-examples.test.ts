/**
 * Goal: every YAML example in docs/scenarios.md is a scenario that runs: a reader who pastes one
 * into a file gets a run, not an error about a step the text says can be taken.
 * Method: each ```yaml block is parsed and run as `quorumlab run` runs a file.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { protocols } from "../../protocols/index.js";
import { runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";

const root = join(import.meta.dirname, "..", "..");
const docs = readFileSync(join(root, "docs", "scenarios.md"), "utf8");
const examples = [...docs.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1] as string);

describe("docs/scenarios.md", () => {
  it("has its YAML examples", () => {
    expect(examples.length).toBeGreaterThanOrEqual(2);
  });

  it.each(examples.map((text, index) => [index + 1, text] as const))("example %i runs", (index, text) => {
    const scenario = parseScenario(text, `example-${index}.yaml`);
    const result = runScenario(scenario, protocols);
    expect(result.events).toBeGreaterThan(0);
  });

  it("the schedule example drops and duplicates the messages it names", () => {
    const text = examples.find((example) => example.includes("schedule:")) as string;
    const result = runScenario(parseScenario(text, "schedule.yaml"), protocols, { keepTrace: true });
    const kinds = result.records.map((record) => record.kind);
    expect(kinds).toContain("duplicate");
    expect(result.records.some((record) => record.kind === "drop")).toBe(true);
  });
});
