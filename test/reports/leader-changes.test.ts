/**
 * The reports' leader changes against `quorumlab run`'s `leaderChanges` figure. Goal: a reader
 * who compares the two for one run finds the same count, including a node that stays in its
 * leading role into a new term (the primary kept by the next view of pb-view-service). Method:
 * run every built-in scenario in process with its trace kept and build the report model (which
 * the HTML, Markdown and text reports all list from); the few scenarios that take a second or
 * more are left out to keep the test fast.
 */
import { basename } from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario, scenarioFiles } from "../../cli/files.js";
import { historyChecker } from "../../cli/history-check.js";
import { protocols } from "../../protocols/index.js";
import { displayOf } from "../../reports/display.js";
import { buildModel } from "../../reports/model.js";
import { runScenario } from "../../sim/run.js";

/** Scenarios whose run and report take a second or more. */
const slow = new Set([
  "hash-ring-join-leave",
  "paxos-dueling-proposers",
  "range-split-during-partition",
  "range-split-under-load",
]);

const files = scenarioFiles().filter((file) => !slow.has(basename(file).replace(/\.ya?ml$/, "")));

/** A scenario's run and the report model of its trace. */
function runAndModel(file: string) {
  const scenario = loadScenario(file);
  const result = runScenario(scenario, protocols, { checkHistory: historyChecker(), keepTrace: true });
  const protocol = protocols.get(scenario.protocol);
  const model = buildModel(result.records, protocol === undefined ? {} : { display: displayOf(protocol) });
  return { result, model };
}

describe("the reports' leader changes", () => {
  it("covers the built-in scenarios", () => {
    expect(files.length).toBeGreaterThan(60);
  });

  it.each(files.map((file) => [basename(file), file]))(
    "equal run's leaderChanges figure: %s",
    (_name, file) => {
      const { result, model } = runAndModel(file);
      expect(model.figures.leaderChanges.length).toBe(result.figures.leaderChanges);
    },
  );

  it("lists a primary the next view keeps as a leadership of that view", () => {
    const { model } = runAndModel("pb-view-service");
    expect(model.figures.leaderChanges.map(({ node, role, term }) => `${node} ${role} ${term}`)).toEqual([
      "n2 primary 1",
      "n2 primary 2",
      "n3 primary 3",
    ]);
  });
});
