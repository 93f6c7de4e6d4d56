/**
 * Log Matching and State Machine Safety, fed hand-made steps: each monitor stays quiet while two
 * nodes agree and names the index and both nodes the first time they disagree, including across
 * a snapshot that skips indices.
 */
import { describe, expect, it } from "vitest";
import { logMatching, stateMachineSafety } from "../../protocols/raft/invariants.js";
import { RaftLog } from "../../protocols/raft/log.js";
import type { Command, Entry } from "../../protocols/raft/messages.js";
import type { RaftNode } from "../../protocols/raft/node.js";
import { type InvariantMonitor, SharedRecords, type StepView } from "../../sim/node.js";

const names = ["n1", "n2"] as const;

function put(value: string): Command {
  return { kind: "kv", id: `c:${value}`, client: "c", seq: 1, f: "put", key: "x", value };
}

function entry(term: number, value: string): Entry {
  return { term, command: put(value) };
}

/** A stand-in for a node: only the fields the two monitors read. */
function node({ log, lastApplied = 0 }: { log: RaftLog; lastApplied?: number }): RaftNode {
  return { log, lastApplied } as unknown as RaftNode;
}

function logOf(entries: readonly Entry[]): RaftLog {
  const log = new RaftLog();
  log.append(entries);
  return log;
}

function step(
  monitor: InvariantMonitor<RaftNode>,
  { actor, state }: { actor: (typeof names)[number]; state: RaftNode },
) {
  const view: StepView<RaftNode> = {
    timeUs: 0,
    eventIndex: 0,
    nodes: names,
    node: (id) => (id === actor ? state : undefined),
    storage: () => ({ get: () => undefined, list: () => [] }),
    actor,
    actorIndex: names.indexOf(actor),
    cause: "message",
  };
  return monitor.afterStep?.(view);
}

describe("raft.log-matching", () => {
  it("accepts equal prefixes and a conflicting term that a later leader overwrites", () => {
    const monitor = logMatching.create(new SharedRecords());
    expect(step(monitor, { actor: "n1", state: node({ log: logOf([entry(1, "a"), entry(1, "b")]) }) })).toBe(
      undefined,
    );
    expect(step(monitor, { actor: "n2", state: node({ log: logOf([entry(1, "a"), entry(2, "c")]) }) })).toBe(
      undefined,
    );
  });

  it("names the index and both nodes when one (index, term) carries two commands", () => {
    const monitor = logMatching.create(new SharedRecords());
    step(monitor, { actor: "n1", state: node({ log: logOf([entry(1, "a"), entry(2, "b")]) }) });
    const failure = step(monitor, {
      actor: "n2",
      state: node({ log: logOf([entry(1, "a"), entry(2, "c")]) }),
    });
    expect(failure?.message).toBe("index 2 term 2 differs between n1 and n2");
  });

  it("remembers a second term seen at an index and fails when it comes back with another command", () => {
    const monitor = logMatching.create(new SharedRecords());
    const log = logOf([entry(1, "a"), entry(1, "b")]);
    step(monitor, { actor: "n1", state: node({ log }) });
    step(monitor, { actor: "n2", state: node({ log: logOf([entry(1, "a"), entry(3, "c")]) }) });
    log.truncateFrom(2);
    log.append([entry(3, "d")]);
    expect(step(monitor, { actor: "n1", state: node({ log }) })?.message).toBe(
      "index 2 term 3 differs between n2 and n1",
    );
  });

  it("fails when one (index, term) follows another term", () => {
    const monitor = logMatching.create(new SharedRecords());
    step(monitor, { actor: "n1", state: node({ log: logOf([entry(1, "a"), entry(3, "c")]) }) });
    const failure = step(monitor, {
      actor: "n2",
      state: node({ log: logOf([entry(2, "a"), entry(3, "c")]) }),
    });
    expect(failure?.message).toBe("index 2 term 3 differs between n1 and n2");
  });

  it("checks entries after a snapshot that skips indices", () => {
    const monitor = logMatching.create(new SharedRecords());
    const compacted = new RaftLog();
    compacted.resetTo(3, 1);
    compacted.append([entry(2, "d")]);
    step(monitor, { actor: "n1", state: node({ log: compacted }) });
    const full = logOf([entry(1, "a"), entry(1, "b"), entry(1, "c"), entry(2, "e")]);
    expect(step(monitor, { actor: "n2", state: node({ log: full }) })?.message).toBe(
      "index 4 term 2 differs between n1 and n2",
    );
  });
});

describe("raft.state-machine-safety", () => {
  it("accepts the same entries applied in order on two nodes", () => {
    const monitor = stateMachineSafety.create(new SharedRecords());
    const log = logOf([entry(1, "a"), entry(1, "b")]);
    expect(step(monitor, { actor: "n1", state: node({ log, lastApplied: 2 }) })).toBe(undefined);
    expect(step(monitor, { actor: "n2", state: node({ log, lastApplied: 1 }) })).toBe(undefined);
    expect(step(monitor, { actor: "n2", state: node({ log, lastApplied: 2 }) })).toBe(undefined);
  });

  it("names both nodes when they apply different entries at one index", () => {
    const monitor = stateMachineSafety.create(new SharedRecords());
    step(monitor, { actor: "n1", state: node({ log: logOf([entry(1, "a")]), lastApplied: 1 }) });
    const failure = step(monitor, {
      actor: "n2",
      state: node({ log: logOf([entry(1, "b")]), lastApplied: 1 }),
    });
    expect(failure?.message).toBe(
      "n2 applied term 1 (c:b/put) at index 1, but n1 applied term 1 (c:a/put) there",
    );
  });

  it("checks an installed snapshot's last term against what was applied there", () => {
    const monitor = stateMachineSafety.create(new SharedRecords());
    step(monitor, {
      actor: "n1",
      state: node({ log: logOf([entry(1, "a"), entry(1, "b")]), lastApplied: 2 }),
    });
    const agreeing = new RaftLog();
    agreeing.resetTo(2, 1);
    expect(step(monitor, { actor: "n2", state: node({ log: agreeing, lastApplied: 2 }) })).toBe(undefined);
    const other = stateMachineSafety.create(new SharedRecords());
    step(other, { actor: "n1", state: node({ log: logOf([entry(1, "a"), entry(1, "b")]), lastApplied: 2 }) });
    const conflicting = new RaftLog();
    conflicting.resetTo(2, 2);
    expect(step(other, { actor: "n2", state: node({ log: conflicting, lastApplied: 2 }) })?.message).toBe(
      "n2 installed a snapshot ending at index 2 term 2, but n1 applied term 1 there",
    );
  });

  it("fills indices a snapshot skipped when a node applies them later", () => {
    const monitor = stateMachineSafety.create(new SharedRecords());
    const compacted = new RaftLog();
    compacted.resetTo(2, 1);
    compacted.append([entry(1, "c")]);
    step(monitor, { actor: "n1", state: node({ log: compacted, lastApplied: 3 }) });
    const full = logOf([entry(1, "a"), entry(1, "b"), entry(1, "x")]);
    expect(step(monitor, { actor: "n2", state: node({ log: full, lastApplied: 3 }) })?.message).toBe(
      "n2 applied term 1 (c:x/put) at index 3, but n1 applied term 1 (c:c/put) there",
    );
  });
});
