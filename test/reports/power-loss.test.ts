/**
 * A power loss in the text and Markdown reports' timelines. Goal: a reader of a report sees that
 * a crash lost the node's unsynced writes, and how many, as `quorumlab run`'s timeline tells it;
 * before, the report said only that the node crashed and lost its volatile state. Method: the
 * built-in raft-unsynced-vote-bug, whose n2 loses power after voting unsynced.
 */
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../cli/files.js";
import { protocols } from "../../protocols/index.js";
import { buildModel, timelineText } from "../../reports/model.js";
import { runScenario } from "../../sim/run.js";

describe("a power loss in a report's timeline", () => {
  it("follows the crash, with the number of unsynced writes lost", () => {
    const result = runScenario(loadScenario("raft-unsynced-vote-bug"), protocols, { keepTrace: true });
    const texts = buildModel(result.records).timeline.map(timelineText);
    const crash = texts.indexOf("crash n2");
    expect(crash).toBeGreaterThanOrEqual(0);
    expect(texts[crash + 1]).toBe("power loss n2: 2 unsynced writes lost");
  });
});
