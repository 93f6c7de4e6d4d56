/**
 * The scheduler seam: time order is one strategy among others. Every built-in scenario, run with
 * its pending steps kept in the choice store that exploration uses and taken from there in time
 * order, gives the same trace hash as the kernel's own event queue.
 */
import { describe, expect, it } from "vitest";
import { loadScenario, scenarioFiles } from "../../cli/files.js";
import { protocols } from "../../protocols/index.js";
import { runScenario } from "../../sim/run.js";

describe("scheduler seam", () => {
  for (const file of scenarioFiles()) {
    it(`keeps the trace of ${file.split("/").slice(-2).join("/")}`, () => {
      const scenario = loadScenario(file);
      const heap = runScenario(scenario, protocols, { protocolFigures: false });
      const choice = runScenario(scenario, protocols, { protocolFigures: false, choiceStore: true });
      expect(choice.traceHash).toBe(heap.traceHash);
      expect(choice.events).toBe(heap.events);
    });
  }
});
