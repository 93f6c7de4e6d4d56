/**
 * Fault actions that wait for a new leader (`afterNewLeader`, `nthNewLeader`). Goal: such an
 * action runs its delay after the election of the first (or n-th) leader that is new from the
 * action's own time on, survives a write and a re-read of the scenario file, and a chase of
 * leaders built from it reaches Raft's Figure 8 with the deliberate bug and not without it.
 * Method: Raft runs on three nodes with a 1 ms network, read back from the kernel's leaderships
 * and the trace's partitions.
 */
import { describe, expect, it } from "vitest";
import { protocols } from "../../protocols/index.js";
import { runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";
import { writeScenario } from "../../sim/scenario/write.js";

/** A leader chase: cut off the leader, then move the isolation to each of the next two leaders. */
function chase(options: { bug: boolean; seed: number }): string {
  return `
name: chase
protocol: raft
nodes: 3
seed: ${options.seed}
duration: 3s
options: {leaderNoop: false, preVote: false, checkQuorum: false${options.bug ? ", bugs: [commit-previous-term]" : ""}}
network:
  latency: 1ms
workload:
  clients: 3
  rate: 60
  mix: {read: 2, write: 1, cas: 1}
  keys: [k0, k1]
faults:
  - {at: 300ms, isolate: leader, note: "the leader keeps taking writes it cannot replicate"}
  - {at: 300ms, afterNewLeader: 5ms, heal: true}
  - {at: 300ms, afterNewLeader: 5ms, isolate: leader, note: "the next leader, cut off before it replicates"}
  - {at: 300ms, afterNewLeader: 5ms, nthNewLeader: 2, heal: true}
  - {at: 300ms, afterNewLeader: 5ms, nthNewLeader: 2, isolate: leader, note: "the one after, once it has replicated"}
`;
}

function newLeadershipTimes(result: ReturnType<typeof runScenario>): number[] {
  const seen = new Set<string>();
  const times: number[] = [];
  for (const leadership of result.kernel.leaderships) {
    const key = `${leadership.node}/${leadership.term}`;
    if (seen.has(key)) continue;
    seen.add(key);
    times.push(leadership.timeUs);
  }
  return times;
}

describe("fault actions that wait for a new leader", () => {
  it("run their delay after the first and the n-th new leader from their time", () => {
    const scenario = parseScenario(chase({ bug: false, seed: 1 }), "chase.yaml");
    const result = runScenario(scenario, protocols, { keepTrace: true });
    const partitions = result.records
      .filter((line) => (line as { kind?: string }).kind === "partition")
      .map((line) => (line as { t: number }).t);
    const elections = newLeadershipTimes(result).filter((timeUs) => timeUs >= 300_000);
    expect(partitions[0]).toBe(300_000);
    expect(elections.length).toBeGreaterThanOrEqual(2);
    expect(partitions[1]).toBe((elections[0] as number) + 5_000);
    expect(partitions[2]).toBe((elections[1] as number) + 5_000);
  });

  it("keep their wait through a write and a re-read of the scenario file", () => {
    const scenario = parseScenario(chase({ bug: true, seed: 1 }), "chase.yaml");
    const again = parseScenario(writeScenario(scenario), "again.yaml");
    expect(again.faults).toEqual(scenario.faults);
    expect(again.faults[4]).toMatchObject({ afterNewLeaderUs: 5_000, nthNewLeader: 2 });
  });

  it("refuse nthNewLeader without afterNewLeader", () => {
    const text = chase({ bug: false, seed: 1 }).replace(
      "{at: 300ms, isolate: leader,",
      "{at: 300ms, nthNewLeader: 2, isolate: leader,",
    );
    expect(() => parseScenario(text, "bad.yaml")).toThrow(/nthNewLeader needs afterNewLeader/);
  });

  it("chase Raft into Figure 8: the bug breaks Leader Completeness, the correct rule holds", () => {
    let violated = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const buggy = runScenario(parseScenario(chase({ bug: true, seed }), "chase.yaml"), protocols);
      if (buggy.violations.some((violation) => violation.invariant === "raft.leader-completeness"))
        violated++;
      const correct = runScenario(parseScenario(chase({ bug: false, seed }), "chase.yaml"), protocols);
      expect(correct.violations).toEqual([]);
    }
    expect(violated).toBeGreaterThanOrEqual(3);
  });
});
