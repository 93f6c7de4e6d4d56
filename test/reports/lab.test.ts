/**
 * The lab's logic without a browser. Goal: a fork adds exactly one timeline step and its run is
 * what `quorumlab run` makes of the exported scenario; undo and redo walk the forks; a bad step
 * is an input error naming what was expected. Method: drive `Lab` in Node on raft-figure-8-bug.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../cli/files.js";
import { historyChecker } from "../../cli/history-check.js";
import { protocols } from "../../protocols/index.js";
import { buildModel } from "../../reports/model.js";
import { downloadName, Lab } from "../../reports/page/lab.js";
import { verdictOf } from "../../reports/page/verdict.js";
import { pageData } from "../../reports/page-data.js";
import type { Protocol } from "../../sim/node.js";
import { runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";
import { writeScenario } from "../../sim/scenario/write.js";

const raft = protocols.get("raft") as Protocol;

function cliHash(yaml: string): string {
  return runScenario(parseScenario(yaml, "exported.yaml"), protocols, { checkHistory: historyChecker() })
    .traceHash;
}

describe("Lab", () => {
  it("re-simulates a scenario to the CLI's hash, forks it, and exports what replays the fork", async () => {
    const scenario = loadScenario("raft-figure-8-bug");
    const cli = runScenario(scenario, protocols, { checkHistory: historyChecker() });
    const lab = await Lab.open(raft, writeScenario(scenario), { now: () => performance.now() });
    expect(lab.original.traceHash).toBe(cli.traceHash);
    expect(lab.original.verdict.violations.map((violation) => violation.invariant)).toEqual([
      "raft.leader-completeness",
    ]);

    const run = await lab.fork({ at: "35ms", restart: "n5" });
    expect(run.forks).toEqual([{ at: "35ms", restart: "n5" }]);
    expect(run.scenario.faults).toHaveLength(scenario.faults.length + 1);
    expect(run.verdict.ok).toBe(true);
    const restart = run.records[run.divergenceRecord];
    expect(restart).toMatchObject({ kind: "restart", node: "n5", t: 35_000 });
    // Every record before the divergence is the original run's.
    expect(run.records.slice(0, run.divergenceRecord)).toEqual(
      lab.original.records.slice(0, run.divergenceRecord),
    );
    expect(cliHash(run.yaml)).toBe(run.traceHash);
    // The header's replay command names the file the download saves.
    expect(downloadName(run.scenario, run.forks)).toBe("raft-figure-8-bug-fork.yaml");
    expect(run.body).toContain("npx quorumlab run raft-figure-8-bug-fork.yaml");
    expect(downloadName(lab.original.scenario, lab.original.forks)).toBe("raft-figure-8-bug.yaml");
    // docs/reports.md walks through this very fork and quotes its hash.
    const walkthrough = readFileSync(join(import.meta.dirname, "..", "..", "docs", "reports.md"), "utf8");
    expect(walkthrough).toContain(`trace hash the page shows (\`${run.traceHash.slice(0, 16)}…\`)`);

    expect(lab.undo()).toBe(true);
    expect(lab.current).toBe(lab.original);
    expect(lab.undo()).toBe(false);
    expect(lab.redo()).toBe(true);
    expect(lab.current.traceHash).toBe(run.traceHash);
    expect(lab.redo()).toBe(false);
  });

  it("finds the first divergence of a message fault at what it changed, not at a renumbered event", async () => {
    const lab = await Lab.open(raft, writeScenario(loadScenario("raft-figure-8-bug")), {
      now: () => performance.now(),
    });
    // n5's RequestVote to n3 (message 24) arrives at 22 ms; the step itself writes no record.
    const run = await lab.fork({ at: "22ms", drop: { message: 24 } });
    expect(run.records[run.divergenceRecord]).toMatchObject({
      kind: "drop",
      id: 24,
      reason: "scripted",
      t: 22_000,
    });
  });

  it("says why a step added did nothing: a crash of a node that is down already is skipped", async () => {
    const lab = await Lab.open(raft, writeScenario(loadScenario("raft-figure-8")), {
      now: () => performance.now(),
    });
    // n1 is down from 10 ms to 31 ms in Figure 8.
    const skipped = await lab.fork({ at: "30ms", crash: "n1" });
    expect(skipped.forkSkipped).toBe("n1 is down already");
    expect(skipped.records[skipped.divergenceRecord]).toMatchObject({
      kind: "note",
      label: "skipped-action",
    });
    const acted = await lab.fork({ at: "40ms", crash: "n1" });
    expect(acted.forkSkipped).toBeUndefined();
    expect(lab.original.forkSkipped).toBeUndefined();
  });

  it("says why a step added after the run stopped at its violation did nothing", async () => {
    const lab = await Lab.open(raft, writeScenario(loadScenario("raft-figure-8-bug")), {
      now: () => performance.now(),
    });
    // The run stops at Leader Completeness at 72 ms, before a step at 100 ms.
    const late = await lab.fork({ at: "100ms", crash: "n2" });
    expect(late.forkNeverRan).toBe("the run stopped at its violation at t=72ms");
    expect(late.forkSkipped).toBeUndefined();
    expect(late.traceHash).toBe(lab.original.traceHash);
    expect(late.divergenceRecord).toBe(-1);
  });

  it("rejects a step that is not a timeline entry, and keeps the run shown", async () => {
    const lab = await Lab.open(raft, writeScenario(loadScenario("raft-basic")), {
      now: () => performance.now(),
    });
    await expect(lab.fork({ at: "soon", crash: "n1" })).rejects.toThrow(/expected a duration/);
    await expect(lab.fork({ at: "10ms", explode: "n1" })).rejects.toThrow(/^explode: unknown field/);
    // Told of the step, not of the place in the scenario's timeline it would have taken.
    await expect(lab.fork({ at: "10ms", partition: [["n1"]] })).rejects.toThrow(
      /^partition: a partition needs at least two groups$/,
    );
    await expect(lab.fork({ at: "10ms", delay: { message: 1, by: "10" } })).rejects.toThrow(
      /^delay\.by: expected a duration such as 150ms/,
    );
    expect(lab.current).toBe(lab.original);
  });

  it("refuses, in words, a fork of a run that follows an explicit schedule, which takes no timed step", async () => {
    const yaml = `name: scheduled
protocol: raft
nodes: 3
duration: 1s
clients: 1
schedule:
  - {crash: n2}
  - {fire: {node: n1, timer: election}}
`;
    const lab = await Lab.open(raft, yaml, { now: () => performance.now() });
    await expect(lab.fork({ at: "1ms", crash: "n1" })).rejects.toThrow(
      /^this run follows an explicit schedule \(schedule:\), step by step, and takes no timed step/,
    );
    expect(lab.current).toBe(lab.original);
  });

  it("checks a transactional history as the CLI does: write skew re-simulates and forks", async () => {
    const scenario = loadScenario("txn-write-skew-bug");
    const cli = runScenario(scenario, protocols, { checkHistory: historyChecker() });
    const lab = await Lab.open(protocols.get("txn-kv") as Protocol, writeScenario(scenario), {
      now: () => performance.now(),
    });
    expect(lab.original.traceHash).toBe(cli.traceHash);
    expect(lab.original.verdict.violations.map((violation) => violation.invariant)).toEqual([
      "txn.strict-serializable",
    ]);
    const run = await lab.fork({ at: "1ms", crash: "n1" });
    expect(run.traceHash).not.toBe(cli.traceHash);
    expect(cliHash(run.yaml)).toBe(run.traceHash);
  });

  it("a lab of a recorded run, not yet checked, compares the original it simulates for a fork with the CLI's hash", async () => {
    const scenario = loadScenario("raft-figure-8-bug");
    const cli = runScenario(scenario, protocols, { checkHistory: historyChecker(), keepTrace: true });
    const recorded = (traceHash: string) =>
      Lab.fromRecorded(
        raft,
        {
          scenarioYaml: writeScenario(scenario),
          data: pageData(buildModel(cli.records)),
          verdict: verdictOf(cli),
          traceHash,
        },
        { now: () => performance.now() },
      );
    const lab = recorded(cli.traceHash);
    expect(lab.originalChecked).toBeUndefined();
    // A step refused is refused before the original is simulated.
    await expect(lab.fork({ at: "10ms", explode: "n1" })).rejects.toThrow(/^explode: unknown field/);
    expect(lab.originalChecked).toBeUndefined();
    await lab.fork({ at: "35ms", restart: "n5" });
    expect(lab.originalChecked).toBe(cli.traceHash);
    // Checked once: asking again gives the same answer.
    expect(await lab.resimulateOriginal()).toBe(cli.traceHash);

    // A recorded hash that is not what the scenario makes: the check says so, not the recorded one.
    const other = "0".repeat(64);
    const wrong = recorded(other);
    await wrong.fork({ at: "35ms", restart: "n5" });
    expect(wrong.originalChecked).toBe(cli.traceHash);
    expect(wrong.original.traceHash).toBe(other);
  });

  it("a fork of a run checked with --liveness says in its first lines how to replay it", async () => {
    const lab = await Lab.open(
      protocols.get("three-phase-commit") as Protocol,
      writeScenario(loadScenario("3pc-partition")),
      {
        now: () => performance.now(),
        checkLiveness: true,
      },
    );
    const run = await lab.fork({ at: "1ms", crash: "n2" });
    expect(run.yaml.split("\n")[1]).toBe(
      `# Replay it with \`quorumlab run <this file> --liveness\`: its trace hash is ${run.traceHash}.`,
    );
  });
});
