/**
 * A scenario's protocol options are checked before anything runs: a mistake is one InputError at
 * the file, line and column of the option, saying what was expected.
 */
import { describe, expect, it } from "vitest";
import { protocols } from "../../protocols/index.js";
import { parseShardedOptions } from "../../protocols/sharded-kv/options.js";
import { parseTxnKvOptions } from "../../protocols/txn-kv/options.js";
import { InputError } from "../../sim/errors.js";
import type { Protocol } from "../../sim/node.js";
import { parseScenario } from "../../sim/scenario/load.js";
import { resolveScenario } from "../../sim/scenario/validate.js";

/** The message `resolveScenario` throws for `text`, prefixed by file:line:column. */
function problem(text: string): string {
  try {
    resolveScenario(parseScenario(text, "s.yaml"), protocols);
  } catch (error) {
    return error instanceof InputError ? error.describe() : `not an InputError: ${String(error)}`;
  }
  return "no error";
}

/** The options `resolveScenario` parses for `text`. */
function parsed(text: string): Readonly<Record<string, unknown>> {
  return resolveScenario(parseScenario(text, "s.yaml"), protocols).options;
}

describe("duration options", () => {
  it.each([
    [
      "protocol: raft\nduration: 1s\noptions: {heartbeatInterval: 50}\n",
      "s.yaml:3:30: options: raft option 'heartbeatInterval' must be a duration with its unit, such as 50ms, got 50",
    ],
    [
      "protocol: paxos\nnodes: 5\nduration: 1s\noptions:\n  retryTimeout: 1000\n",
      "s.yaml:5:17: options: paxos option 'retryTimeout' must be a duration with its unit, such as 50ms, got 1000",
    ],
    [
      "protocol: primary-backup\nduration: 1s\noptions: {lease: 300}\n",
      "s.yaml:3:18: options: primary-backup option 'lease' must be a duration with its unit, such as 100ms, got 300",
    ],
    [
      "protocol: multi-paxos\nduration: 1s\noptions: {electionTimeoutMin: 150}\n",
      "s.yaml:3:31: options: multi-paxos option 'electionTimeoutMin' must be a duration with its unit, such as 50ms, got 150",
    ],
    [
      "protocol: two-phase-commit\nduration: 1s\noptions: {voteTimeout: 100}\n",
      "s.yaml:3:24: options: option 'voteTimeout' must be a duration with its unit, such as 100ms, got 100",
    ],
    [
      "protocol: sharded-kv\nnodes: 9\nduration: 1s\noptions: {tick: 50}\n",
      "s.yaml:4:17: options: sharded-kv option 'tick' must be a duration with its unit, such as 50ms, got 50",
    ],
    [
      "protocol: txn-kv\nnodes: 9\nduration: 1s\noptions: {tick: 20}\n",
      "s.yaml:4:17: options: txn-kv option 'tick' must be a duration with its unit, such as 20ms, got 20",
    ],
    [
      "protocol: consistent-hashing\nduration: 3s\noptions: {changes: [{at: 500, join: n3}]}\n",
      "s.yaml:3:26: options: consistent-hashing option 'changes[0].at' must be a duration with its unit, such as 1s, got 500",
    ],
  ])("a bare number is refused at the option: %j", (text, message) => {
    expect(problem(text)).toBe(message);
  });

  it("takes the units scenario durations take, and 0 without one", () => {
    const raft = parsed(
      "protocol: raft\nduration: 1s\noptions: {heartbeatInterval: 0.001m, electionTimeoutMin: 150000us}\n",
    );
    expect(raft.heartbeatIntervalUs).toBe(60_000);
    expect(raft.electionTimeoutMinUs).toBe(150_000);
    const paxos = parsed(
      "protocol: paxos\nnodes: 3\nduration: 1s\noptions: {retryTimeout: 0.02m, proposeDelayMax: 0}\n",
    );
    expect(paxos.retryTimeoutUs).toBe(1_200_000);
    expect(paxos.proposeDelayMaxUs).toBe(0);
  });

  it("reads a number under a name ending in Us as microseconds, so parsed options parse back to themselves", () => {
    const raft = parsed("protocol: raft\nduration: 1s\noptions: {heartbeatIntervalUs: 40000}\n");
    expect(raft.heartbeatIntervalUs).toBe(40_000);
    for (const name of [
      "raft",
      "paxos",
      "multi-paxos",
      "primary-backup",
      "two-phase-commit",
      "three-phase-commit",
    ]) {
      const protocol = protocols.get(name);
      const defaults = protocol?.parseOptions({}) ?? {};
      expect(protocol?.parseOptions(defaults)).toEqual(defaults);
    }
    const sharded = parseShardedOptions({ changes: [{ at: "1s", join: "g3" }] });
    expect(parseShardedOptions({ changes: sharded.changes }).changes).toEqual(sharded.changes);
    expect(parseTxnKvOptions({ tickUs: 30_000 }).tickUs).toBe(30_000);
    const twoPc = parsed(
      "protocol: two-phase-commit\nduration: 1s\noptions: {voteTimeoutUs: 5000, transactions: {startUs: 7000}}\n",
    );
    expect(twoPc.voteTimeoutUs).toBe(5_000);
    expect((twoPc.transactions as { startUs: number }).startUs).toBe(7_000);
  });

  it.each([
    [
      "protocol: txn-kv\nnodes: 9\nduration: 1s\noptions:\n  tick: 10ms\n  tickUs: 30000\n",
      "s.yaml:5:9: options: txn-kv option 'tick' and 'tickUs' are one duration in two forms; give only one",
    ],
    [
      "protocol: txn-kv\nnodes: 12\nduration: 1s\noptions:\n  placement: {loadWindow: 200ms, loadWindowUs: 400000}\n",
      "s.yaml:5:27: options: txn-kv option 'placement.loadWindow' and 'placement.loadWindowUs' are one duration in two forms; give only one",
    ],
    [
      "protocol: sharded-kv\nnodes: 12\nduration: 1s\noptions:\n  tickUs: 30000\n  tick: 10ms\n",
      "s.yaml:5:11: options: sharded-kv option 'tick' and 'tickUs' are one duration in two forms; give only one",
    ],
    [
      "protocol: sharded-kv\nnodes: 12\nduration: 1s\noptions:\n  changes: [{at: 1s, atUs: 2000, join: g3}]\n",
      "s.yaml:5:18: options: sharded-kv option 'changes[0].at' and 'changes[0].atUs' are one duration in two forms; give only one",
    ],
    [
      "protocol: sharded-kv\nnodes: 12\nduration: 1s\noptions: {shards: 4, shardCount: 8}\n",
      "s.yaml:4:19: options: sharded-kv option 'shards' and 'shardCount' are one option under two names; give only one",
    ],
    [
      "protocol: raft\nduration: 1s\noptions: {heartbeatInterval: 40ms, heartbeatIntervalUs: 60000}\n",
      "s.yaml:3:30: options: raft option 'heartbeatInterval' and 'heartbeatIntervalUs' are one duration in two forms; give only one",
    ],
    [
      "protocol: two-phase-commit\nduration: 1s\noptions: {transactions: {start: 1ms, startUs: 7000}}\n",
      "s.yaml:3:33: options: option 'transactions.start' and 'transactions.startUs' are one duration in two forms; give only one",
    ],
  ])("refuses one duration given in both forms rather than letting one win: %j", (text, message) => {
    expect(problem(text)).toBe(message);
  });
});

describe("options that name nodes or transactions", () => {
  const paxos = "protocol: paxos\nnodes: 5\nduration: 1s\noptions:\n";
  const twoPc = "protocol: two-phase-commit\nnodes: 4\nduration: 1s\noptions:\n";
  it.each([
    [
      `${paxos}  proposers: [n1, n7]\n`,
      "s.yaml:5:19: options: paxos option 'proposers[1]' names n7, which is not a node of this scenario (nodes n1..n5)",
    ],
    [
      `${paxos}  acceptors: [n3, n4, n9]\n`,
      "s.yaml:5:23: options: paxos option 'acceptors[2]' names n9, which is not a node of this scenario (nodes n1..n5)",
    ],
    [
      `${paxos}  learners: [n6]\n`,
      "s.yaml:5:14: options: paxos option 'learners[0]' names n6, which is not a node of this scenario (nodes n1..n5)",
    ],
    [
      `${paxos}  values: {n1: X, n8: Y}\n`,
      "s.yaml:5:23: options: paxos option 'values.n8' names n8, which is not a node of this scenario (nodes n1..n5)",
    ],
    [
      `${paxos}  values: {n1: X, n4: Y}\n`,
      "s.yaml:5:23: options: paxos option 'values.n4' gives a value to n4, which is not a proposer (proposers n1, n2)",
    ],
    [`${paxos}  acceptors: [n3, n4, n3]\n`, "s.yaml:5:14: options: paxos option 'acceptors' lists n3 twice"],
    [
      `${twoPc}  script: {votes: {n9: {"1": "no"}}}\n`,
      "s.yaml:5:24: options: option 'script.votes.n9' names n9, which is not a node of this scenario (nodes n1..n4)",
    ],
    [
      `${twoPc}  script: {votes: {n1: {"1": "no"}}}\n`,
      "s.yaml:5:24: options: option 'script.votes.n1' scripts votes of n1, the coordinator, which casts none (participants n2..n4)",
    ],
    [
      `${twoPc}  transactions: {count: 1}\n  script: {votes: {n3: {"7": "no"}}}\n`,
      "s.yaml:6:30: options: option 'script.votes.n3.7' is a vote on transaction 7, which is never begun (transactions are numbered 1 to 1, 'transactions.count')",
    ],
    [
      `${twoPc}  script: {votes: {n3: {"0": "no"}}}\n`,
      "s.yaml:5:30: options: option 'script.votes.n3.0' is a vote on transaction 0, which is never begun (transactions are numbered from 1)",
    ],
    [
      "protocol: three-phase-commit\nnodes: 3\nduration: 1s\noptions: {script: {votes: {n5: {'1': no}}}}\n",
      "s.yaml:4:32: options: option 'script.votes.n5' names n5, which is not a node of this scenario (nodes n1..n3)",
    ],
    [
      "protocol: sharded-kv\nnodes: 6\nduration: 1s\noptions: {groups: {config: [n1, n2, n3], g1: [n4, n5, n9]}}\n",
      "s.yaml:4:55: options: sharded-kv option 'groups.g1[2]' names n9, which is not a node of this scenario (nodes n1..n6)",
    ],
    [
      "protocol: txn-kv\nnodes: 6\nduration: 1s\noptions: {groups: {g1: [n1, n2, n3], g2: [n4, n5, n9]}}\n",
      "s.yaml:4:51: options: txn-kv option 'groups.g2[2]' names n9, which is not a node of this scenario (nodes n1..n6)",
    ],
    [
      "protocol: txn-kv\nnodes: 9\nduration: 1s\noptions: {groups: {g1: [n1, n2, n3], g2: [n4, n5, n6]}, splits: [k5]}\n",
      "s.yaml:4:19: options: txn-kv option 'groups' puts n7 in no group; every node of the scenario needs one",
    ],
    [
      "protocol: txn-kv\nnodes: 9\nduration: 1s\noptions: {groups: {pd: [n1, n2, n3], g1: [n4, n5, n6], g2: [n7, n8, n9]}, splits: [k5]}\n",
      "s.yaml:4:19: options: txn-kv option 'groups' names the placement group 'pd', which only 'placement' uses",
    ],
    [
      "protocol: sharded-kv\nnodes: 9\nduration: 1s\noptions: {groups: {config: [n1, n2, n3], g1: [n4, n5, n6]}}\n",
      "s.yaml:4:19: options: sharded-kv option 'groups' puts n7 in no group; every node of the scenario needs one",
    ],
    [
      "protocol: consistent-hashing\nnodes: 3\nduration: 3s\noptions: {initial: [n1, n7]}\n",
      "s.yaml:4:25: options: consistent-hashing option 'initial[1]' names n7, which is not in this scenario (nodes n1..n3)",
    ],
    [
      "protocol: consistent-hashing\nnodes: 3\nduration: 3s\noptions: {changes: [{at: 1s, join: n9}]}\n",
      "s.yaml:4:20: options: consistent-hashing option 'changes' names n9, which is not in this scenario (nodes n1..n3)",
    ],
    [
      "protocol: consistent-hashing\nnodes: 3\nduration: 3s\noptions: {labels: [A, B, C, D]}\n",
      "s.yaml:4:19: options: consistent-hashing option 'labels' names 4 ring members for 3 nodes: one label per node",
    ],
  ])("is refused at the option: %j", (text, message) => {
    expect(problem(text)).toBe(message);
  });

  it("a module's own checkOptions is asked with the scenario's nodes, and its error placed at the option", () => {
    const seen: string[][] = [];
    const mine: Protocol = {
      name: "mine",
      summary: "",
      defaultNodes: 3,
      parseOptions: (options) => ({ leader: "n1", ...options }),
      checkOptions(options, nodes) {
        seen.push([...nodes]);
        if (!nodes.includes(options.leader as string))
          throw new Error(`option 'leader' names ${options.leader}`);
      },
      create: () => ({}),
      invariants: [],
      bugs: [],
    };
    const registry = new Map([["mine", mine]]);
    const check = (text: string) => resolveScenario(parseScenario(text, "m.yaml"), registry);
    check("protocol: mine\nnodes: 2\nduration: 1s\n");
    expect(seen).toEqual([["n1", "n2"]]);
    expect(() => check("protocol: mine\nduration: 1s\noptions:\n  leader: n4\n")).toThrow(InputError);
    try {
      check("protocol: mine\nduration: 1s\noptions:\n  leader: n4\n");
    } catch (error) {
      expect((error as InputError).describe()).toBe("m.yaml:4:11: options: option 'leader' names n4");
    }
  });
});

describe("a module's deliberate bugs named in options", () => {
  /** A module whose parseOptions takes any `bugs` list, as a module's own often does. */
  const mine: Protocol = {
    name: "mine",
    summary: "",
    defaultNodes: 3,
    parseOptions: (options) => ({ bugs: [], ...options }),
    create: () => ({}),
    invariants: [],
    bugs: [{ name: "skip-gap", id: "C1", change: "skips a gap", breaks: ["exception"], source: "test" }],
  };
  const registry = new Map([["mine", mine]]);
  const problemOf = (text: string): string => {
    try {
      resolveScenario(parseScenario(text, "m.yaml"), registry);
    } catch (error) {
      return error instanceof InputError ? error.describe() : `not an InputError: ${String(error)}`;
    }
    return "no error";
  };

  it.each([
    [
      // Misspelt, the bug was off and the scenario said safe.
      "protocol: mine\nduration: 1s\noptions:\n  bugs: [skip-gp]\n",
      "m.yaml:4:10: options.bugs: mine has no deliberate bug 'skip-gp'; did you mean 'skip-gap'? (known: skip-gap)",
    ],
    [
      "protocol: mine\nduration: 1s\noptions:\n  bugs: skip-gap\n",
      "m.yaml:4:9: options.bugs: expected a list of bug names (known: skip-gap)",
    ],
    [
      "protocol: mine\nduration: 1s\noptions: {bugs: [skip-gap, 3]}\n",
      "m.yaml:3:28: options.bugs: mine has no deliberate bug 3 (known: skip-gap)",
    ],
    ["protocol: mine\nduration: 1s\noptions: {bugs: [skip-gap]}\n", "no error"],
    ["protocol: mine\nduration: 1s\noptions: {bugs: []}\n", "no error"],
  ])("%j", (text, expected) => {
    expect(problemOf(text)).toBe(expected);
  });
});
