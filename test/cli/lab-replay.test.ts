/**
 * The blank lab's page says how it was made. Goal: the replay line of a `quorumlab lab` page
 * writes the very same page again (same run, same trace hash), flags included and any word a
 * shell would split quoted; a lab of a scenario describes what it kept, not the timeline it left
 * out. Method: write a lab with `--duration` and `--seed` into a folder whose name has a space,
 * run its replay line through a shell, and compare the two pages' lab data.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { quorumlab } from "../support/quorumlab.js";

const root = join(import.meta.dirname, "..", "..");
const out = join(root, "test-output", "lab replay");

interface LabData {
  readonly replay: string;
  readonly traceHash: string;
  readonly scenarioYaml: string;
}

function labData(page: string): LabData {
  const html = readFileSync(page, "utf8");
  const data = /<script type="application\/json" id="lab-data">(.*?)<\/script>/s.exec(html)?.[1];
  expect(data).toBeDefined();
  return JSON.parse(data as string) as LabData;
}

describe("quorumlab lab: the page's replay line", () => {
  mkdirSync(out, { recursive: true });

  it("names --duration and --seed, so it writes the same run again", () => {
    const first = join(out, "first.html");
    const written = quorumlab("lab", "raft", "--duration", "1s", "--seed", "7", "--out", first);
    expect(written.code, written.stderr).toBe(0);
    const data = labData(first);
    expect(data.replay).toBe("npx quorumlab lab raft --duration 1s --seed 7");

    // The line as a reader pastes it into a shell, with the page written elsewhere.
    const again = join(out, "again.html");
    const tsx = join(root, "node_modules", ".bin", "tsx");
    const command = `${data.replay.replace("npx quorumlab", `'${tsx}' '${join(root, "cli", "main.ts")}'`)} --out '${again}'`;
    const replayed = spawnSync("sh", ["-c", command], {
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
    });
    expect(replayed.status, replayed.stderr).toBe(0);
    expect(labData(again).traceHash).toBe(data.traceHash);
  });

  it("quotes a scenario file whose path a shell would split, and describes the lab, not the scenario's timeline", () => {
    const page = join(out, "figure-8.html");
    const scenario = join(root, "scenarios", "raft-figure-8-bug.yaml");
    const written = quorumlab("lab", scenario, "--duration", "100ms", "--out", page);
    expect(written.code, written.stderr).toBe(0);
    const data = labData(page);
    expect(data.replay).toBe(`npx quorumlab lab ${scenario} --duration 100ms`);
    // The scenario's description tells of steps (c) and (d) of its timeline, which the lab lacks.
    expect(data.scenarioYaml).not.toContain("In step (c)");
    expect(data.scenarioYaml).toContain(
      "The nodes, options, network and workload of raft-figure-8-bug, without its 24 timeline steps or its expectations",
    );

    // A scenario file in a folder whose name has a space.
    const copy = join(out, "raft basic.yaml");
    copyFileSync(join(root, "scenarios", "raft-basic.yaml"), copy);
    const spaced = join(out, "raft-basic.html");
    const ofCopy = quorumlab("lab", copy, "--duration", "100ms", "--out", spaced);
    expect(ofCopy.code, ofCopy.stderr).toBe(0);
    expect(labData(spaced).replay).toBe(`npx quorumlab lab '${copy}' --duration 100ms`);
  });
});
