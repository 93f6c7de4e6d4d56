/**
 * A scenario's protocol options are checked before anything runs: a mistake is one InputError at
 * the file, line and column of the option, saying what was expected.
 */
import { describe, expect, it } from "vitest";
import { protocols } from "../../protocols/index.js";
import { parseShardedOptions } from "../../protocols/sharded-kv/options.js";
import { parseTxnKvOptions } from "../../protocols/txn-kv/options.js";
import { InputError } from "../../sim/errors.js";
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
});
