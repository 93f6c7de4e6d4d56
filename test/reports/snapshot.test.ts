/**
 * Text, Markdown and Mermaid reports of fixed-seed runs, pinned as files under __snapshots__/
 * (the heartbeat test protocol's split brain, which changes only when reports do), reported as
 * `run --report` reports them, with what the run tells of its scripted operations. A change shows
 * up as a reviewable diff; `vitest -u` rewrites them.
 */
import { describe, expect, it } from "vitest";
import { renderReport } from "../../reports/index.js";
import { runSteps } from "../../reports/page/run-steps.js";
import { displayFor, runOf, splitBrainYaml } from "./fixtures.js";

describe("report snapshots", () => {
  const run = runOf(splitBrainYaml);
  const heartbeat = run.records;
  const options = { version: "test", display: displayFor(heartbeat), steps: runSteps(run) };
  it("heartbeat split brain: text, Markdown, Mermaid", async () => {
    await expect(renderReport(heartbeat, "text", options)).toMatchFileSnapshot(
      "__snapshots__/split-brain.txt",
    );
    await expect(renderReport(heartbeat, "md", options)).toMatchFileSnapshot("__snapshots__/split-brain.md");
    await expect(renderReport(heartbeat, "mermaid", options)).toMatchFileSnapshot(
      "__snapshots__/split-brain.mmd",
    );
  });
});
