/**
 * The timeline `quorumlab run` prints. Goal: a reader follows a teaching scenario step by step,
 * with the scenario's own notes on its steps among the faults and elections they explain, and
 * no note of a step that never ran because the run stopped at a violation; every protocol's
 * leaderships are told under the name of its own leading role, one line for each leadership
 * the `leaderChanges` figure counts. Method: run the Figure 8 scenarios and one scenario of each
 * protocol that declares a leading role, and read the timeline as the terminal shows it without
 * colour.
 */
import { Chalk } from "chalk";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../cli/files.js";
import { historyChecker } from "../../cli/history-check.js";
import { timeline } from "../../cli/run.js";
import { protocols } from "../../protocols/index.js";
import { runSteps } from "../../reports/page/run-steps.js";
import type { Protocol } from "../../sim/node.js";
import { runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";

function runOf(name: string): { lines: string[]; leaderChanges: number } {
  const scenario = loadScenario(name);
  const result = runScenario(scenario, protocols, { checkHistory: historyChecker(), keepTrace: true });
  const leading = protocols.get(scenario.protocol)?.roles?.leading ?? [];
  const lines = timeline(result.records, new Chalk({ level: 0 }), { steps: runSteps(result), leading });
  return { lines: lines.map((line) => line.trim()), leaderChanges: result.figures.leaderChanges };
}

function timelineOf(name: string): string[] {
  return runOf(name).lines;
}

describe("run's timeline", () => {
  it("tells the scenario's notes on its steps, each before the records of its instant", () => {
    const lines = timelineOf("raft-figure-8");
    expect(lines[0]).toBe("0  # (a) n1 becomes leader of term 1");
    // A timeout, which leaves no trace record of its own, is told after its note, as other faults.
    expect(lines[1]).toBe("0  timeout n1");
    expect(
      lines.slice(
        lines.indexOf("40ms  # n1 wins term 3 and copies b to n3: b is on a majority, uncommitted"),
      )[1],
    ).toBe("40ms  timeout n1");
    const note = lines.indexOf("30ms  # (c) n5 crashes");
    expect(note).toBeGreaterThan(lines.indexOf("26ms  # c stays on n5"));
    // Each note right before what its own step did, steps of one instant in file order.
    expect(lines.slice(note, note + 5)).toEqual([
      "30ms  # (c) n5 crashes",
      "30ms  crash n5",
      "30ms  heal: every link restored",
      "30ms  # keep n4 out of term 3, as in the figure",
      "30ms  cut n1↔n4",
    ]);
    // A scripted client operation is told after its note, with the client and what it asks.
    expect(lines.slice(lines.indexOf("12ms  # b reaches n2 only"))[1]).toBe(
      '12ms  c1 asks n1: write x = "b"',
    );
    expect(lines.slice(lines.indexOf("300ms  # reads e"))[1]).toBe("300ms  c4 asks n5: read x");
  });

  it("tells the note of a step that waited for a new leader when it ran, and of a schedule step", () => {
    const text = `protocol: raft
nodes: 3
duration: 1s
faults:
  - {at: 0, afterNewLeader: 5ms, isolate: leader, note: "cut off the first leader"}
  - {at: 500ms, afterNewLeader: 1ms, nthNewLeader: 9, crash: leader, note: "never comes"}
`;
    const scenario = parseScenario(text, "waits.yaml");
    const result = runScenario(scenario, protocols, { keepTrace: true });
    const lines = timeline(result.records, new Chalk({ level: 0 }), {
      steps: runSteps(result),
      leading: ["leader"],
    }).map((line) => line.trim());
    const note = lines.findIndex((line) => line.endsWith("# cut off the first leader"));
    expect(lines[note - 1]).toMatch(/^\S+ {2}n\d becomes leader \(term 1\)$/);
    expect(lines[note + 1]).toMatch(/^\S+ {2}partition n\d \| /);
    expect(lines.slice(0, -1).some((line) => line.includes("never comes"))).toBe(false);
    // ...but the step that never ran is told after the timeline, with its note.
    expect(lines.at(-1)).toBe(
      "never ran  crash leader (faults.1): from 500ms it waited for the 9th new leader and 1ms more, and the run ended first  # never comes",
    );

    const schedule = parseScenario(
      `protocol: raft
nodes: 3
duration: 1s
clients: 1
schedule:
  - {crash: n2, note: "n2 goes down"}
  - {fire: {node: n1, timer: election}, note: "n1 stands"}
`,
      "schedule.yaml",
    );
    const played = runScenario(schedule, protocols, { keepTrace: true });
    const told = timeline(played.records, new Chalk({ level: 0 }), { steps: runSteps(played) }).map((line) =>
      line.trim(),
    );
    expect(told[0]).toBe("0  # n2 goes down");
    expect(told[1]).toBe("0  crash n2");
    expect(told[2]).toMatch(/^[\d.]+ms {2}# n1 stands$/);
  });

  it("tells a timeout like other faults, and says so when the node had no such timer set", () => {
    // The protocol's electionTimer is misspelt: its nodes set 'election', the fault fires 'electon'.
    const misspelt = (electionTimer: string): Protocol => ({
      name: "misspelt",
      summary: "",
      defaultNodes: 3,
      parseOptions: () => ({}),
      create: (ctx) => ({
        onStart: () => ctx.setTimer("election", 1_000_000),
        onTimer: (name: string) => {
          if (name === "election") ctx.setTimer("election", 1_000_000);
        },
      }),
      invariants: [],
      bugs: [],
      electionTimer,
    });
    const scenario = parseScenario(
      `protocol: misspelt
duration: 1s
faults:
  - {at: 300ms, timeout: n1, note: "n1 times out early"}
  - {at: 400ms, crash: n2}
  - {at: 500ms, timeout: n2}
`,
      "misspelt.yaml",
    );
    const told = (electionTimer: string) => {
      const result = runScenario(scenario, new Map([["misspelt", misspelt(electionTimer)]]), {
        keepTrace: true,
      });
      return timeline(result.records, new Chalk({ level: 0 }), { steps: runSteps(result) }).map((line) =>
        line.trim(),
      );
    };
    expect(told("election")).toEqual([
      "300ms  # n1 times out early",
      "300ms  timeout n1",
      "400ms  crash n2",
      "500ms  skipped timeout: n2 is down",
    ]);
    expect(told("electon")).toEqual([
      "300ms  # n1 times out early",
      "300ms  timeout n1: n1 had no pending 'electon' timer; its onTimer('electon') ran all the same",
      "400ms  crash n2",
      "500ms  skipped timeout: n2 is down",
    ]);
  });

  it("tells a timeout of a declared timer the node had not set plainly (n3 proposes nothing until told)", () => {
    const scenario = parseScenario(
      "protocol: paxos\nduration: 1s\nfaults:\n  - {at: 10ms, timeout: n3}\n",
      "propose.yaml",
    );
    const result = runScenario(scenario, protocols, { keepTrace: true });
    expect(result.stepsRun.find((step) => step.timeout !== undefined)?.timeout).toEqual({
      node: "n3",
      timer: "propose",
      pending: false,
      declared: true,
    });
    const told = timeline(result.records, new Chalk({ level: 0 }), { steps: runSteps(result) }).map((line) =>
      line.trim(),
    );
    expect(told).toContain("10ms  timeout n3");
  });

  it("tells a drifting clock's rate as written, not as a float sum", () => {
    const scenario = parseScenario(
      "protocol: raft\nduration: 100ms\nfaults:\n  - {at: 1ms, drift: {node: n1, rate: -0.07}}\n  - {at: 2ms, drift: {node: n2, rate: 0.05}}\n",
      "drift.yaml",
    );
    const result = runScenario(scenario, protocols, { keepTrace: true });
    const lines = timeline(result.records, new Chalk({ level: 0 })).map((line) => line.trim());
    expect(lines).toEqual(["1ms  drift n1 clock rate 0.93", "2ms  drift n2 clock rate 1.05"]);
  });

  it("tells a one-way clog's direction, and a burst or clog laid over one that goes on", () => {
    const scenario = parseScenario(
      `protocol: raft
duration: 1s
faults:
  - {at: 100ms, clog: {link: {from: n1, to: n2, oneWay: true}, delay: 50ms, for: 500ms}}
  - {at: 200ms, clog: {link: [n2, n3], delay: 10ms, for: 100ms}}
  - {at: 250ms, clog: {link: {from: n2, to: n1, oneWay: true}, delay: 10ms, for: 100ms}}
  - {at: 260ms, clog: {link: [n2, n1], delay: 10ms, for: 100ms}}
  - {at: 300ms, burst: {loss: 0.5, for: 500ms}}
  - {at: 400ms, burst: {duplicate: 0.5, for: 100ms}}
  - {at: 600ms, burst: {duplicate: 0.5, for: 100ms}}
`,
      "clogs.yaml",
    );
    const result = runScenario(scenario, protocols, { keepTrace: true });
    const lines = timeline(result.records, new Chalk({ level: 0 }), { steps: runSteps(result) })
      .map((line) => line.trim())
      .filter((line) => /clog|burst/.test(line));
    expect(lines).toEqual([
      "100ms  clog n1→n2 +50ms until 600ms",
      "200ms  clog n2↔n3 +10ms until 300ms",
      "250ms  clog n2→n1 +10ms until 350ms",
      "260ms  clog n2↔n1 +10ms until 360ms (the clog until 600ms goes on: the longer delay applies while both do)",
      "300ms  burst loss 0.5, duplicate 0 until 800ms",
      "400ms  burst loss 0, duplicate 0.5 until 500ms (the burst until 800ms goes on: the higher loss and duplication apply while both do)",
      "600ms  burst loss 0, duplicate 0.5 until 700ms (the burst until 800ms goes on: the higher loss and duplication apply while both do)",
    ]);
  });

  it("tells a skipped step as a sentence, not as the trace's JSON", () => {
    const scenario = parseScenario(
      "protocol: raft\nduration: 100ms\nfaults:\n  - {at: 1ms, restart: n1}\n  - {at: 2ms, drop: {message: 0}}\n",
      "skips.yaml",
    );
    const result = runScenario(scenario, protocols, { keepTrace: true });
    expect(timeline(result.records, new Chalk({ level: 0 })).map((line) => line.trim())).toEqual([
      "1ms  skipped restart: n1 is up: only a crashed node restarts",
      "2ms  skipped drop: no message 0 has been sent yet",
    ]);
  });

  it("tells a message the scenario dropped, and none of those the network lost", () => {
    const scenario = parseScenario(
      "protocol: raft\nnodes: 3\nduration: 300ms\nfaults:\n  - {at: 0, cut: [n1, n3]}\n  - {at: 0, timeout: n1}\n  - {at: 0, drop: {message: 0}}\n",
      "drops.yaml",
    );
    const result = runScenario(scenario, protocols, { keepTrace: true });
    expect(result.records.some((record) => record.kind === "drop" && record.reason === "partition")).toBe(
      true,
    );
    const lines = timeline(result.records, new Chalk({ level: 0 }), { steps: runSteps(result) })
      .map((line) => line.trim())
      .filter((line) => line.includes("drop"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\S+ {2}drop RequestVote n1→n2$/);
  });

  it("leaves out the notes of steps after the run stopped at a violation", () => {
    const lines = timelineOf("raft-figure-8-bug");
    expect(lines.at(-1)).toMatch(/^72ms {2}✗ raft.leader-completeness/);
    expect(lines.some((line) => line.includes("an entry of term 4 commits c and e"))).toBe(false);
  });

  it("tells a power loss after its crash, with how many unsynced writes it lost", () => {
    const lines = timelineOf("raft-unsynced-vote-bug");
    const crash = lines.indexOf("2ms  crash n2");
    expect(crash).toBeGreaterThan(0);
    expect(lines[crash + 1]).toBe("2ms  power loss n2: 2 unsynced writes lost");
    // A crash that keeps its unsynced writes is no power loss.
    expect(timelineOf("raft-leader-crash").some((line) => line.includes("power loss"))).toBe(false);
  });

  it("tells a leadership in the name of the protocol's own leading role", () => {
    expect(timelineOf("2pc-no-vote")).toContain("0  n1 becomes coordinator");
    // The view service keeps n2 primary from view 1 into view 2: a leadership of each view.
    const primaries = timelineOf("pb-view-service").filter((line) => line.includes("becomes"));
    expect(primaries).toEqual([
      "2ms  n2 becomes primary (term 1)",
      "102ms  n2 becomes primary (term 2)",
      "702ms  n3 becomes primary (term 3)",
    ]);
  });

  it.each([
    "2pc-coordinator-crash",
    "3pc-quorum-partition",
    "pb-acked-write-loss",
    "primary-backup-stale-read",
    "multipaxos-holes",
    "raft-figure-8",
    "sharded-kv-serve-before-data-bug",
    "txn-write-skew-bug",
  ])("tells each leadership that %s's leaderChanges figure counts", (name) => {
    const { lines, leaderChanges } = runOf(name);
    expect(leaderChanges).toBeGreaterThan(0);
    // A scenario note may say "becomes" too: a leadership line starts with the node.
    expect(lines.filter((line) => /^\S+ {2}n\d+ becomes /.test(line))).toHaveLength(leaderChanges);
  });
});
