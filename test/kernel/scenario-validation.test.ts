/**
 * Scenario validation: malformed files give one clear error with file:line:column and what was
 * expected. Each row is (file name, file text, the exact message), the file read and checked
 * against its protocol, as a run does (the names of a file without `nodes` are checked against
 * the protocol's default size, raft's 5).
 */
import { describe, expect, it } from "vitest";
import { protocols } from "../../protocols/index.js";
import { InputError } from "../../sim/errors.js";
import { parseScenario } from "../../sim/scenario/load.js";
import { resolveScenario } from "../../sim/scenario/validate.js";

const malformed: ReadonlyArray<readonly [string, string, string]> = [
  [
    "safe-and-violates",
    "protocol: raft\nduration: 1s\nexpect:\n  safe: true\n  violates: [raft.election-safety]\n",
    "safe-and-violates.yaml:4:9: expect.safe: true says no invariant is violated, but 'violates' expects some to be: keep one of them",
  ],
  [
    "leader-after-end",
    "protocol: raft\nduration: 3s\nexpect:\n  leader: {by: 5s}\n",
    "leader-after-end.yaml:4:16: expect.leader.by: 5s is after the end of the run (duration 3s)",
  ],
  [
    "leader-by-zero",
    "protocol: raft\nduration: 3s\nexpect:\n  leader: {by: 0}\n",
    "leader-by-zero.yaml:4:16: expect.leader.by: expected a time above 0, such as 1s: at 0 the nodes have just started and none leads yet",
  ],
  [
    "duration-zero",
    "protocol: raft\nnodes: 3\nduration: 0\n",
    "duration-zero.yaml:3:11: duration: expected a duration above 0, such as 3s: a run of 0 runs nothing",
  ],
  [
    "never-leader-unknown",
    "protocol: raft\nduration: 1s\nexpect:\n  neverLeader: [n1, n9]\n",
    "never-leader-unknown.yaml:4:21: expect.neverLeader: unknown node 'n9': expected one of n1..n5",
  ],
  [
    "figure-min-above-max",
    "protocol: raft\nduration: 1s\nexpect:\n  figures: {leaderChanges: {min: 3, max: 1}}\n",
    "figure-min-above-max.yaml:4:28: expect.figures.leaderChanges: min 3 is above max 1, so no run meets it",
  ],
  [
    "missing-protocol",
    "nodes: 3\nduration: 1s\n",
    "missing-protocol.yaml:1:1: protocol: missing, expected a string",
  ],
  [
    "bad-duration",
    "protocol: raft\nduration: 5 parsecs\n",
    'bad-duration.yaml:2:11: duration: expected a duration such as 150ms, 2s or 500us, got "5 parsecs"',
  ],
  [
    "duration-without-unit",
    "protocol: raft\nduration: 1s\nfaults:\n  - {at: 1000, crash: n1}\n",
    "duration-without-unit.yaml:4:10: faults.0.at: expected a duration with its unit, such as 150ms, 2s or 500us, got the number 1000",
  ],
  [
    "latency-without-unit",
    "protocol: raft\nduration: 1s\nnetwork: {latency: 5}\n",
    "latency-without-unit.yaml:3:20: network.latency: expected a duration with its unit, such as 150ms, 2s or 500us, got the number 5",
  ],
  [
    "unknown-field",
    "protocol: raft\nduration: 1s\nnodez: 3\n",
    "unknown-field.yaml:3:1: nodez: unknown field; did you mean 'nodes'?",
  ],
  [
    "misspelt-required-field",
    "protocol: raft\nduraton: 3s\n",
    "misspelt-required-field.yaml:2:1: duraton: unknown field; did you mean 'duration'?",
  ],
  [
    "misspelt-block-key",
    "protocol: raft\nduration: 1s\nworkloads:\n  clients: 1\n  rate: 10\n",
    "misspelt-block-key.yaml:3:1: workloads: unknown field; did you mean 'workload'?",
  ],
  [
    "unknown-field-far-from-known",
    "protocol: raft\nduration: 1s\nexpect: {safe: true, zzz: 1}\n",
    "unknown-field-far-from-known.yaml:3:22: expect.zzz: unknown field (expected one of safe, violates, linearizable, leader, neverLeader, figures, blocked)",
  ],
  [
    "misspelt-fault-action",
    "protocol: raft\nduration: 1s\nfaults:\n  - {at: 0, crsh: n1}\n",
    "misspelt-fault-action.yaml:4:13: faults.0.crsh: unknown field; did you mean 'crash'?",
  ],
  [
    "misspelt-field-in-union",
    "protocol: raft\nduration: 1s\nfaults:\n  - {at: 0, crash: {nod: n1}}\n",
    "misspelt-field-in-union.yaml:4:21: faults.0.crash.nod: unknown field; did you mean 'node'?",
  ],
  [
    "schedule-and-faults",
    "protocol: raft\nduration: 1s\nfaults:\n  - {at: 0, crash: n1}\nclients: 1\nschedule:\n  - {heal: true}\n",
    "schedule-and-faults.yaml:3:1: a scenario with a schedule has no workload and no faults (this one has faults): every step is in the schedule",
  ],
  [
    "partition-unknown-client",
    "protocol: raft\nduration: 1s\nworkload: {clients: 2, rate: 10}\nfaults:\n  - {at: 0, partition: [[n1], [n2, c9]]}\n",
    "partition-unknown-client.yaml:5:36: unknown node or client 'c9': this scenario has nodes n1..n5 and clients c1..c2",
  ],
  [
    "nodes-not-int",
    "protocol: raft\nduration: 1s\nnodes: three\n",
    'nodes-not-int.yaml:3:8: nodes: expected a number, got "three"',
  ],
  [
    "no-nodes",
    "protocol: raft\nduration: 1s\nnodes: 0\n",
    "no-nodes.yaml:3:8: nodes: expected a number of at least 1, got 0",
  ],
  [
    "no-clients",
    "protocol: raft\nduration: 1s\nworkload: {clients: 0}\n",
    "no-clients.yaml:3:21: workload.clients: expected a number of at least 1, got 0",
  ],
  [
    "drift-backwards",
    "protocol: raft\nduration: 1s\nfaults:\n  - {at: 1ms, drift: {node: n1, rate: -1.5}}\n",
    "drift-backwards.yaml:4:39: faults.0.drift.rate: expected a number above -1, got -1.5",
  ],
  [
    "bad-yaml",
    "protocol: raft\nduration: [1s\n",
    "bad-yaml.yaml:3:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
  ],
  [
    "two-actions",
    "protocol: raft\nduration: 1s\nfaults:\n  - at: 10ms\n    crash: n1\n    restart: n1\n",
    "two-actions.yaml:4:5: faults.0: each fault names exactly one action (crash, restart, pause, resume, timeout, isolate, partition, cut, heal, clog, burst, drift, drop, delay, duplicate, op); found crash, restart",
  ],
  [
    "no-action",
    "protocol: raft\nduration: 1s\nfaults:\n  - at: 10ms\n",
    "no-action.yaml:4:5: faults.0: each fault names exactly one action (crash, restart, pause, resume, timeout, isolate, partition, cut, heal, clog, burst, drift, drop, delay, duplicate, op); found none",
  ],
  [
    "unknown-node",
    "protocol: raft\nduration: 1s\nnodes: 3\nfaults:\n  - {at: 10ms, crash: n7}\n",
    "unknown-node.yaml:5:23: unknown target 'n7': expected one of n1..n3, leader, follower, any, crashed",
  ],
  [
    "partition-one-group",
    "protocol: raft\nduration: 1s\nfaults:\n  - {at: 10ms, partition: [[n1, n2, n3]]}\n",
    "partition-one-group.yaml:4:27: faults.0.partition: a partition needs at least two groups",
  ],
  [
    "loss-too-high",
    "protocol: raft\nduration: 1s\nnetwork:\n  loss: 1.5\n",
    "loss-too-high.yaml:4:9: network.loss: expected a probability from 0 to 1",
  ],
  [
    "after-end",
    "protocol: raft\nduration: 1s\nfaults:\n  - {at: 2s, crash: n1}\n",
    "after-end.yaml:4:10: this action is after the end of the run (duration 1s)",
  ],
  [
    "workload-stop-before-start",
    "protocol: raft\nduration: 3s\nworkload: {clients: 1, rate: 10, start: 2s, stop: 1s}\n",
    "workload-stop-before-start.yaml:3:51: workload.stop: 1s is not after workload.start (2s), so no operation starts",
  ],
  [
    "workload-start-at-end",
    "protocol: raft\nduration: 3s\nworkload: {clients: 1, rate: 10, start: 3s}\n",
    "workload-start-at-end.yaml:3:41: workload.start: 3s is at or after the end of the run (duration 3s), so no operation starts",
  ],
  [
    "workload-stop-after-end",
    "protocol: raft\nduration: 3s\nworkload: {clients: 1, rate: 10, stop: 5s}\n",
    "workload-stop-after-end.yaml:3:40: workload.stop: 5s is after the end of the run (duration 3s)",
  ],
  [
    "workload-empty-mix",
    "protocol: raft\nduration: 3s\nworkload: {clients: 1, rate: 10, mix: {}}\n",
    "workload-empty-mix.yaml:3:39: workload.mix: no operation is listed, so no operation is chosen: give at least one a weight above 0",
  ],
  [
    "workload-zero-mix",
    "protocol: raft\nduration: 3s\nworkload: {clients: 1, rate: 10, mix: {read: 0, write: 0}}\n",
    "workload-zero-mix.yaml:3:39: workload.mix: every weight is 0, so no operation is chosen: give at least one a weight above 0",
  ],
  [
    "workload-zero-timeout",
    "protocol: raft\nduration: 3s\nworkload: {clients: 1, rate: 10, timeout: 0ms}\n",
    "workload-zero-timeout.yaml:3:43: workload.timeout: expected a duration above 0",
  ],
  [
    "op-zero-timeout",
    "protocol: raft\nduration: 3s\nfaults:\n  - {at: 1s, op: {f: write, key: x, timeout: 0}}\n",
    "op-zero-timeout.yaml:4:46: faults.0.op.timeout: expected a duration above 0",
  ],
  [
    "clog-past-end",
    "protocol: raft\nduration: 3s\nfaults:\n  - {at: 1s, clog: {link: [n1, n2], delay: 10ms, for: 5s}}\n",
    "clog-past-end.yaml:4:55: faults.0.clog.for: 5s from 1s ends after the end of the run (duration 3s): at most 2s",
  ],
  [
    "burst-past-end",
    "protocol: raft\nduration: 3s\nfaults:\n  - {at: 2500ms, burst: {loss: 0.5, for: 1s}}\n",
    "burst-past-end.yaml:4:42: faults.0.burst.for: 1s from 2.5s ends after the end of the run (duration 3s): at most 500ms",
  ],
  [
    "clog-for-zero",
    "protocol: raft\nduration: 3s\nfaults:\n  - {at: 1s, clog: {link: [n1, n2], delay: 10ms, for: 0}}\n",
    "clog-for-zero.yaml:4:55: faults.0.clog.for: expected a duration above 0, such as 500ms: a clog for 0 ends as it starts and does nothing",
  ],
  [
    "clog-delay-zero",
    "protocol: raft\nduration: 3s\nfaults:\n  - {at: 1s, clog: {link: [n1, n2], delay: 0ms, for: 1s}}\n",
    "clog-delay-zero.yaml:4:44: faults.0.clog.delay: expected a duration above 0, such as 50ms: a clog that delays by 0 does nothing",
  ],
  [
    "burst-for-zero",
    "protocol: raft\nduration: 3s\nfaults:\n  - {at: 1s, burst: {loss: 0.5, for: 0ms}}\n",
    "burst-for-zero.yaml:4:38: faults.0.burst.for: expected a duration above 0, such as 500ms: a burst for 0 ends as it starts and does nothing",
  ],
  [
    "uniform-reversed",
    "protocol: raft\nduration: 1s\nnetwork:\n  latency: {uniform: [5ms, 1ms]}\n",
    "uniform-reversed.yaml:4:12: network.latency: uniform latency needs [min, max] with min <= max",
  ],
  [
    "exponential-without-max",
    "protocol: raft\nduration: 1s\nnetwork:\n  latency: {exponential: 2ms}\n",
    "exponential-without-max.yaml:4:12: network.latency: an exponential latency needs max, its cap, such as {exponential: 2ms, max: 50ms}",
  ],
  [
    "exponential-min-above-max",
    "protocol: raft\nduration: 1s\nnetwork:\n  latency: {exponential: 2ms, min: 10ms, max: 5ms}\n",
    "exponential-min-above-max.yaml:4:12: network.latency: exponential latency: min 10ms is above max 5ms",
  ],
  [
    "unknown-latency-form",
    "protocol: raft\nduration: 1s\nnetwork:\n  latency: {normal: 2ms}\n",
    "unknown-latency-form.yaml:4:12: network.latency: expected a latency: a duration (1ms), {constant: 1ms}, {uniform: [1ms, 5ms]} or {exponential: 2ms, max: 50ms, min: 0}",
  ],
  [
    "misspelt-latency-form",
    "protocol: raft\nduration: 1s\nnetwork:\n  links: [{from: n1, to: n2, latency: {exponentail: 2ms, max: 9ms}}]\n",
    "misspelt-latency-form.yaml:4:39: network.links.0.latency: unknown latency 'exponentail'; did you mean 'exponential'? (expected a duration (1ms), {constant: 1ms}, {uniform: [1ms, 5ms]} or {exponential: 2ms, max: 50ms, min: 0})",
  ],
  [
    "bad-seed",
    "protocol: raft\nduration: 1s\nseed: banana\n",
    "bad-seed.yaml:3:7: seed: expected a decimal or 0x-hex unsigned integer, got 'banana'",
  ],
  [
    "octal-seed",
    "protocol: raft\nduration: 1s\nseed: 0o17\n",
    "octal-seed.yaml:3:7: seed: expected a decimal or 0x-hex unsigned integer, got '0o17'",
  ],
  [
    "exponent-seed",
    "protocol: raft\nduration: 1s\nseed: 1e3\n",
    "exponent-seed.yaml:3:7: seed: expected a decimal or 0x-hex unsigned integer, got '1e3'",
  ],
  [
    "seed-over-64-bits",
    "protocol: raft\nduration: 1s\nseed: 0x10000000000000000\n",
    "seed-over-64-bits.yaml:3:7: seed: expected a seed that fits in 64 bits, got '0x10000000000000000'",
  ],
  [
    "not-mapping",
    "- just\n- a list\n",
    "not-mapping.yaml:1:1: expected a scenario: a mapping with at least 'protocol' and 'duration'",
  ],
  [
    "partition-unknown-member",
    "protocol: raft\nduration: 1s\nfaults:\n  - {at: 10ms, partition: [[n1], [n2, n9]]}\n",
    "partition-unknown-member.yaml:4:39: unknown node or client 'n9': this scenario has nodes n1..n5",
  ],
  [
    "cut-from-itself",
    "protocol: raft\nduration: 1s\nfaults:\n  - {at: 10ms, cut: [n1, n1]}\n",
    "cut-from-itself.yaml:4:21: cut: [n1, n1] joins n1 to itself, and a node's messages to itself never cross the network: expected two different nodes or clients, such as [n1, n3]",
  ],
  [
    "clog-from-itself",
    "protocol: raft\nduration: 1s\nfaults:\n  - {at: 10ms, clog: {link: {from: n2, to: n2}, delay: 1ms, for: 5ms}}\n",
    "clog-from-itself.yaml:4:29: clog.link: [n2, n2] joins n2 to itself, and a node's messages to itself never cross the network: expected two different nodes or clients, such as [n1, n3]",
  ],
  [
    "duration-beyond-microseconds",
    "protocol: raft\nduration: 10000000000000000000s\n",
    'duration-beyond-microseconds.yaml:2:11: duration: "10000000000000000000s" is too long: a duration is at most 9007199254740991us (about 285 years), the longest virtual time kept to the microsecond',
  ],
  [
    "clients-without-schedule",
    "protocol: raft\nduration: 1s\nclients: 2\n",
    "clients-without-schedule.yaml:3:1: clients: only a scenario with a schedule takes clients, for its invoke steps; background clients are workload.clients",
  ],
  [
    "schedule-symbolic-target",
    "protocol: raft\nduration: 1s\nclients: 1\nschedule:\n  - {crash: leader}\n",
    "schedule-symbolic-target.yaml:5:13: unknown node 'leader': this scenario has nodes n1..n5; schedule steps name nodes: 'leader' is a target only in a fault timeline",
  ],
  [
    "schedule-one-client",
    "protocol: raft\nduration: 1s\nclients: 1\nschedule:\n  - {drop: {id: 0, from: c2, to: n1, type: x}}\n",
    "schedule-one-client.yaml:5:26: unknown node or client 'c2': this scenario has nodes n1..n5 and clients c1",
  ],
  [
    "heal-false",
    "protocol: raft\nduration: 1s\nfaults:\n  - {at: 0, heal: false}\n",
    "heal-false.yaml:4:19: faults.0.heal: expected true: a heal is written `heal: true`",
  ],
  [
    "summary-of-two-lines",
    "protocol: raft\nduration: 1s\nsummary: |\n  line one\n  line two\n",
    "summary-of-two-lines.yaml:3:10: summary: expected one line, shown by `quorumlab list` and `run`: the teaching text goes in description",
  ],
  [
    "never-leader-twice",
    "protocol: raft\nduration: 1s\nexpect: {neverLeader: [n1, n2, n1]}\n",
    "never-leader-twice.yaml:3:32: expect.neverLeader: 'n1' is listed twice: each node once",
  ],
  [
    "missing-duration",
    "protocol: raft\n",
    "missing-duration.yaml:1:1: duration: missing, expected a duration such as 150ms, 2s or 500us",
  ],
  [
    "missing-at",
    "protocol: raft\nduration: 1s\nfaults:\n  - {crash: n1}\n",
    "missing-at.yaml:4:5: faults.0.at: missing, expected a duration such as 150ms, 2s or 500us",
  ],
  [
    "workload-key-twice",
    "protocol: raft\nduration: 1s\nworkload: {clients: 1, rate: 5, keys: [x, y, x]}\n",
    "workload-key-twice.yaml:3:46: workload.keys: 'x' is listed twice: each key once (a key listed twice would be chosen twice as often)",
  ],
  [
    "link-to-itself",
    "protocol: raft\nduration: 1s\nnetwork:\n  links:\n    - {from: n1, to: n1, loss: 0.5}\n",
    "link-to-itself.yaml:5:7: network.links.0: n1 to n1 joins n1 to itself, and a node's messages to itself never cross the network: expected two different nodes or clients",
  ],
  [
    "link-given-twice",
    "protocol: raft\nduration: 1s\nnetwork:\n  links:\n    - {from: n1, to: n2, loss: 0.5}\n    - {from: n1, to: n2, loss: 0.1}\n",
    "link-given-twice.yaml:6:7: network.links.1: the link n1→n2 is already set by network.links.0: give each directed link once",
  ],
  [
    "link-given-twice-by-both",
    "protocol: raft\nduration: 1s\nnetwork:\n  links:\n    - {from: n1, to: n2, loss: 0.5, both: true}\n    - {from: n2, to: n1, latency: 9ms}\n",
    "link-given-twice-by-both.yaml:6:7: network.links.1: the link n2→n1 is already set by network.links.0 (its both: true): give each directed link once",
  ],
  [
    "partition-empty-group",
    "protocol: raft\nduration: 1s\nfaults:\n  - {at: 10ms, partition: [[n1, n2], []]}\n",
    "partition-empty-group.yaml:4:38: faults.0.partition.1: an empty group cuts nobody off: each group names a node or client",
  ],
  [
    "isolate-unknown",
    "protocol: raft\nduration: 1s\nfaults:\n  - {at: 10ms, isolate: n7}\n",
    "isolate-unknown.yaml:4:25: unknown target 'n7': expected one of n1..n5, leader, follower, any, crashed",
  ],
  [
    "duplicate-key",
    "protocol: raft\nprotocol: paxos\nduration: 1s\n",
    "duplicate-key.yaml:2:1: invalid YAML: Map keys must be unique",
  ],
  [
    // A fuzzer's out folder holds a counterexample's trace and report beside its scenario.
    "a-fuzzer-trace",
    '{"kind":"header","version":1,"scenario":"raft-raft.election-safety-0x2","protocol":"raft","description":"Counterexample found by the quorumlab fuzzer: raft with no deliberate bugs violates raft.election-safety."}\n{"kind":"event","t":0}\n',
    "a-fuzzer-trace.yaml:1:1: a trace (of scenario 'raft-raft.election-safety-0x2'), not a scenario: replay the scenario's file instead (the fuzzer saved it beside the trace, as raft-raft.election-safety-0x2.yaml); 'quorumlab report' reads a trace",
  ],
  [
    // `run --trace` writes a trace wherever it is told: nothing says where its scenario is.
    "a-run-trace",
    '{"kind":"header","version":1,"scenario":"raft-basic","protocol":"raft","description":"Five Raft servers."}\n{"kind":"event","t":0}\n',
    "a-run-trace.yaml:1:1: a trace (of scenario 'raft-basic'), not a scenario: give the scenario file (or built-in scenario name) the trace was made from instead; 'quorumlab report' reads a trace",
  ],
  [
    "a-report",
    '<!doctype html>\n<html lang="en">\n',
    "a-report.yaml:1:1: an HTML report, not a scenario: give the scenario file (.yaml) it was made from",
  ],
];

describe("scenario validation", () => {
  it.each(malformed)("rejects %s with a located message", (name, text, message) => {
    let caught: unknown;
    try {
      resolveScenario(parseScenario(text, `${name}.yaml`), protocols);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InputError);
    expect((caught as InputError).describe()).toBe(message);
  });

  it("reads a summary as written, but for the line break a folded block ends with", () => {
    const summaryOf = (written: string) =>
      parseScenario(`protocol: raft\nduration: 1s\nsummary: ${written}\n`, "s.yaml").summary;
    expect(summaryOf('" "')).toBe(" ");
    expect(summaryOf('"ends in a space "')).toBe("ends in a space ");
    expect(summaryOf(">\n  folded onto\n  one line")).toBe("folded onto one line");
  });

  it("reads a seed from its text, exactly, as --seed does", () => {
    const seedOf = (written: string) =>
      parseScenario(`protocol: raft\nduration: 1s\nseed: ${written}\n`, "s.yaml").seed;
    expect(seedOf("0xffffffffffffffff")).toBe(0xffffffffffffffffn);
    expect(seedOf("18446744073709551615 # the largest")).toBe(0xffffffffffffffffn);
    expect(seedOf("'0x2a'")).toBe(42n);
    expect(seedOf("0017")).toBe(17n);
  });

  it("accepts a complete scenario and converts units", () => {
    const scenario = parseScenario(
      [
        "name: demo",
        "protocol: raft",
        "nodes: 5",
        "seed: 0x2a",
        "duration: 2.5s",
        "network: {latency: {uniform: [1ms, 5ms]}, loss: 0.1, links: [{from: n1, to: n2, latency: 20ms, both: true}]}",
        "workload: {clients: 2, rate: 50, keys: 3, timeout: 800ms}",
        "faults:",
        "  - {at: 1s, heal: true}",
        "  - {at: 200ms, crash: leader}",
        "  - {at: 300ms, op: {f: write, key: x, value: 1, node: n1}}",
        "expect: {safe: true, leader: {by: 1s}}",
      ].join("\n"),
      "demo.yaml",
    );
    expect(scenario.seed).toBe(42n);
    expect(scenario.durationUs).toBe(2_500_000);
    expect(scenario.network.latency).toEqual({ distribution: "uniform", minUs: 1_000, maxUs: 5_000 });
    expect(scenario.network.links).toHaveLength(2);
    expect(scenario.workload?.keys).toEqual(["k0", "k1", "k2"]);
    expect(scenario.workload?.timeoutUs).toBe(800_000);
    expect(scenario.faults.map((fault) => [fault.atUs, fault.kind])).toEqual([
      [200_000, "crash"],
      [300_000, "op"],
      [1_000_000, "heal"],
    ]);
    expect(scenario.expect.leader?.by).toBe(1_000_000);
  });
});
