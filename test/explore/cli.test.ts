/**
 * `quorumlab explore` as a user runs it: each verdict's exit code and `--json` shape, and a saved
 * counterexample that `quorumlab run` replays to the trace hash the exploration printed.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { progressFields } from "../../cli/explore.js";
import { protocols } from "../../protocols/index.js";
import type { DeliberateBug, Protocol } from "../../sim/node.js";
import { quorumlab } from "../support/quorumlab.js";

const root = join(import.meta.dirname, "..", "..");
const out = join(root, "test-output", "explore");

describe("quorumlab explore", () => {
  it("exit 1 with the shortest schedule, saved as a scenario that replays to the same hash", () => {
    rmSync(out, { recursive: true, force: true });
    const result = quorumlab(
      "explore",
      "paxos",
      "--bug",
      "volatile-acceptor",
      "--faults",
      "crash=1",
      "--out",
      out,
      "--json",
    );
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout);
    expect(json.schemaVersion).toBe(1);
    expect(json.verdict).toBe("violation");
    expect(json.interrupted).toBe(false);
    expect(json.counterexample.invariant).toBe("paxos.promise-monotone");
    expect(json.counterexample.steps).toBe(3);
    expect(json.counterexample.shortest).toBe(true);
    expect(json.counterexample.foundSteps).toBeNull();
    expect(json.counterexample.schedule).toEqual(["fire n1 propose", "crash n1", "restart n1"]);
    expect(json.counterexample.reproduced).toBe(true);
    expect(existsSync(json.counterexample.report)).toBe(true);
    expect(readFileSync(json.counterexample.report, "utf8")).toContain("The schedule, step by step");
    const replay = quorumlab("run", json.counterexample.file, "--json");
    expect(replay.code).toBe(1);
    expect(JSON.parse(replay.stdout).traceHash).toBe(json.counterexample.traceHash);
    // The terminal shows the hash as run and fuzz do, 16 hex digits; --json has it whole.
    expect(json.counterexample.traceHash).toMatch(/^[0-9a-f]{64}$/);
    const shown = quorumlab(
      "explore",
      "paxos",
      "--bug",
      "volatile-acceptor",
      "--faults",
      "crash=1",
      "--out",
      out,
    );
    expect(shown.stdout).toMatch(new RegExp(`^trace   ${json.counterexample.traceHash.slice(0, 16)}$`, "m"));
  });

  it("names each file by its bugs and settings: other explorations never overwrite it, the same one does, and says so when the schedule changed", () => {
    const dir = join(out, "names");
    rmSync(dir, { recursive: true, force: true });
    const found = (...args: string[]): { file: string; notes: string[] } => {
      const result = quorumlab("explore", "paxos", ...args, "--out", dir, "--json");
      expect(result.code).toBe(1);
      const json = JSON.parse(result.stdout);
      return { file: json.counterexample.file, notes: json.notes };
    };
    const volatile = found("--bug", "volatile-acceptor", "--faults", "crash=1");
    expect(volatile.file).toMatch(/paxos-promise-monotone-volatile-acceptor-explored-[0-9a-f]{8}\.yaml$/);
    // Two bugs, the same invariant broken: another name, each bug in it.
    const both = found(
      "--bug",
      "promise-omits-accepted",
      "--bug",
      "volatile-acceptor",
      "--faults",
      "crash=1",
    );
    expect(both.file).toMatch(/paxos-promise-monotone-promise-omits-accepted-volatile-acceptor-explored-/);
    // Other bounds: another name. The same settings spelt out: the same name.
    const wider = found("--bug", "volatile-acceptor", "--faults", "crash=1,timeouts=3");
    expect(new Set([volatile.file, both.file, wider.file]).size).toBe(3);
    const spelt = found(
      "--bug",
      "volatile-acceptor",
      "--faults",
      "crash=1",
      "--nodes",
      "3",
      "--strategy",
      "bfs",
    );
    expect(spelt.file).toBe(volatile.file);
    expect(spelt.notes).toEqual([]);
    for (const { file } of [volatile, both, wider]) expect(existsSync(file)).toBe(true);
    // A file of that name holding another schedule is replaced, and the note says so.
    const text = readFileSync(volatile.file, "utf8");
    writeFileSync(volatile.file, text.replace("  - {restart: n1}\n", ""));
    const again = found("--bug", "volatile-acceptor", "--faults", "crash=1");
    expect(again.file).toBe(volatile.file);
    expect(again.notes).toEqual([
      `${volatile.file} held another schedule saved with the same settings (the protocol or quorumlab has changed since); it was replaced`,
    ]);
    expect(readFileSync(volatile.file, "utf8")).toContain("  - {restart: n1}\n");
    expect(readFileSync(volatile.file, "utf8")).not.toContain("--seed");
    // Another seed: another file, whose command to find it again gives the seed.
    const seeded = found("--bug", "volatile-acceptor", "--faults", "crash=1", "--seed", "7");
    expect(seeded.file).not.toBe(volatile.file);
    expect(readFileSync(seeded.file, "utf8")).toContain(
      "quorumlab explore paxos --bug volatile-acceptor --faults drop=0,duplicate=0,crash=1,timeouts=2 --strategy bfs --seed 0x7\n",
    );
    // A time limit other than the default is part of the command (the search may have needed it);
    // the file stays the same, since the time decides only how far a search gets.
    const longer = found("--bug", "volatile-acceptor", "--faults", "crash=1", "--seed", "7", "--time", "2m");
    expect(longer.file).toBe(seeded.file);
    expect(readFileSync(longer.file, "utf8")).toContain("--strategy bfs --time 2m --seed 0x7\n");
  });

  it("novelty walks: exit 1 with a short schedule, marked not shortest, that replays to the same hash", () => {
    const dir = join(out, "novelty");
    rmSync(dir, { recursive: true, force: true });
    const args = ["explore", "raft", "--bug", "no-up-to-date-check", "--strategy", "novelty", "--out", dir];
    const result = quorumlab(...args, "--json");
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout);
    expect(json.strategy).toBe("novelty");
    expect(json.counterexample.invariant).toBe("raft.leader-completeness");
    expect(json.counterexample.shortest).toBe(false);
    expect(json.counterexample.foundSteps).toBeGreaterThanOrEqual(json.counterexample.steps);
    expect(json.counterexample.reproduced).toBe(true);
    const replay = quorumlab("run", json.counterexample.file, "--json");
    expect(replay.code).toBe(1);
    expect(JSON.parse(replay.stdout).traceHash).toBe(json.counterexample.traceHash);
    const text = quorumlab(...args);
    expect(text.stdout).toMatch(
      /short schedule \(\d+ steps, shortened from \d+ choices; not proven shortest/,
    );
    expect(text.stdout).toContain("not proven shortest");
  });

  it("exit 0 and `complete` when the bounded space holds no violation", () => {
    const result = quorumlab(
      "explore",
      "two-phase-commit",
      "--nodes",
      "2",
      "--faults",
      "timeouts=2",
      "--json",
    );
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.verdict).toBe("complete");
    expect(json.uniqueStates).toBeGreaterThan(10);
    for (const field of ["statesVisited", "depth", "statesPerSec", "wallMs"]) {
      expect(typeof json[field]).toBe("number");
    }
    expect(json.counterexample).toBeNull();
    expect(json.restore).toBe("snapshot");
    expect(json.replayReasons).toEqual([]);
    expect(json.notes).toEqual([]);
  });

  it("says, when a bug did not show, that it may need a crash or other bounds", () => {
    const result = quorumlab("explore", "paxos", "--bug", "volatile-acceptor", "--faults", "crash=0");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("complete: no violation in any schedule within the bounds");
    expect(result.stdout).toContain(
      "note: volatile-acceptor did not show within these bounds. It may need a crash (--faults crash=1, with the timeouts) or other bounds;",
    );
    const json = quorumlab("explore", "paxos", "--bug", "volatile-acceptor", "--faults", "crash=0", "--json");
    expect(JSON.parse(json.stdout).verdict).toBe("complete");
    expect(JSON.parse(json.stdout).notes).toEqual([
      expect.stringMatching(/^volatile-acceptor did not show within these bounds\. It may need a crash/),
    ]);
    const found = quorumlab("explore", "paxos", "--bug", "volatile-acceptor", "--out", join(out, "volatile"));
    expect(found.code).toBe(1);
    expect(found.stdout).not.toContain("did not show");
  });

  it("asks for a read, not a crash, when a bug breaks only the history check and no operation reads", () => {
    // Write skew needs reads; appends alone pass the check whatever the schedule, from one client or two.
    const notesOf = (...args: string[]): string[] =>
      JSON.parse(
        quorumlab("explore", "txn-kv", "--bug", "read-without-lock", "--time", "1s", ...args, "--json")
          .stdout,
      ).notes;
    for (const [args, workload] of [
      [[], "1 client × 1 operation"],
      [["--clients", "2"], "2 clients × 1 operation"],
    ] as const) {
      const note = notesOf(...args).find((text) => text.startsWith("read-without-lock did not show"));
      expect(note).toContain("cannot with this workload: it breaks only txn.strict-serializable");
      expect(note).toContain(
        `no operation of this workload reads (${workload}: writes alone), so every schedule passes it`,
      );
      expect(note).toContain("A read is needed: --ops 2 (each client writes, then reads)");
      expect(note).not.toContain("crash");
    }
    const none = notesOf("--clients", "0").find((text) => text.startsWith("read-without-lock did not show"));
    expect(none).toContain("(0 clients × 0 operations: no operation), so every schedule passes it");
    expect(none).toContain("A read is needed: --clients 1 --ops 2");
    // With a read the schedule matters again, and the usual remedies are offered.
    expect(notesOf("--ops", "2")).toContainEqual(
      expect.stringMatching(
        /^read-without-lock did not show within these bounds\. It may need a longer search, a crash/,
      ),
    );
  });

  it("counts in the singular when there is one: one unique state, a depth of one step", () => {
    // consistent-hashing's rings are built when the nodes start, and nothing is left to schedule.
    const ring = quorumlab("explore", "consistent-hashing");
    expect(ring.code).toBe(0);
    expect(ring.stdout).toContain(" — 1 unique state (1 visited), ");
    expect(ring.stdout).toMatch(/; longest path 0 steps\n/);
    // Complete after the start state alone is said to be so, and what would give the search steps.
    expect(ring.stdout.trim().split("\n").at(-1)).toBe(
      "note: no step could be taken from the start: no message was in flight, no timer the search may fire was set, no client had an operation and no fault in the budget applied, so only the start state was checked (a fault budget such as --faults crash=1 gives the search steps to take)",
    );
    const json = JSON.parse(quorumlab("explore", "consistent-hashing", "--json").stdout);
    expect(json.uniqueStates).toBe(1);
    expect(json.notes).toEqual([
      ring.stdout
        .trim()
        .split("\n")
        .at(-1)
        ?.replace(/^note: /, ""),
    ]);
    const crashed = quorumlab("explore", "consistent-hashing", "--faults", "crash=1");
    expect(crashed.code).toBe(0);
    expect(crashed.stdout).toMatch(/ — \d+ unique states \(/);
    expect(crashed.stdout).not.toContain("no step could be taken");
    const paxos = quorumlab("explore", "paxos", "--depth", "1");
    expect(paxos.code).toBe(3);
    expect(paxos.stdout).toContain("(every state at most 1 step from the start was explored)");
    expect(paxos.stdout).toMatch(/ — \d+ unique states \(/);
    expect(paxos.stdout).toMatch(/^exploring paxos: 3 nodes, /);
    const alone = quorumlab("explore", "raft", "--nodes", "1", "--depth", "2");
    expect(alone.stdout).toMatch(/^exploring raft: 1 node, 1 client × 1 operation, /);
  });

  it("says why states were replayed, naming the monitor that keeps its state out of sight", () => {
    // A user's register whose invariant remembers the highest value seen in a closure.
    mkdirSync(out, { recursive: true });
    const module = join(out, "closure-monitor.mjs");
    writeFileSync(
      module,
      `export const protocol = {
  name: "closure-monitor",
  summary: "a register whose invariant keeps what it saw in a closure",
  defaultNodes: 2,
  parseOptions: (options) => ({ ...options }),
  create: (ctx) => ({
    value: null,
    onClientRequest(request) {
      if (request.f === "write") this.value = request.value;
      ctx.reply(request, { status: "ok", value: request.f === "write" ? request.value : this.value });
    },
  }),
  invariants: [
    {
      name: "register.seen",
      statement: "Nothing: it only remembers the steps it saw.",
      source: "this test",
      kind: "safety",
      create: () => {
        let steps = 0;
        return { afterStep: () => { steps++; return undefined; } };
      },
    },
  ],
  bugs: [],
  client: { operations: { read: 1, write: 1 }, model: "register" },
};
`,
    );
    const result = quorumlab("explore", module, "--depth", "2");
    expect(result.code).toBe(3);
    expect(result.stdout).toContain("each state was rebuilt by replaying its path");
    expect(result.stdout).toContain("  - the monitor of register.seen has no `state`");
    const json = JSON.parse(quorumlab("explore", module, "--depth", "2", "--json").stdout);
    expect(json.restore).toBe("replay");
    expect(json.replayReasons).toEqual(["the monitor of register.seen has no `state`"]);
    expect(json.notes).toEqual([
      expect.stringMatching(
        /^closure-monitor keeps state out of sight of snapshots, .*:\n {2}- the monitor of register\.seen has no `state`$/,
      ),
    ]);
  });

  it("a violation that is the protocol's known limit says so; with a bug on, it is the bug's", () => {
    // Skeen's three-phase commit breaks agreement when a timeout fires while a message is still
    // on its way: a delay beyond the timeout, its declared limit.
    const dir = join(out, "known-limit");
    const result = quorumlab("explore", "three-phase-commit", "--out", dir, "--json");
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout);
    expect(json.counterexample.invariant).toBe("commit.ac1-agreement");
    expect(json.counterexample.knownLimit).toEqual({
      invariant: "commit.ac1-agreement",
      when: expect.stringContaining("partitions"),
      source: expect.stringContaining("Skeen"),
    });
    expect(json.notes).toEqual([
      expect.stringMatching(
        /^this is a known limit of three-phase-commit, not a bug: it breaks commit\.ac1-agreement/,
      ),
    ]);
    expect(quorumlab("explore", "three-phase-commit", "--out", dir).stdout).toContain(
      "note: this is a known limit of three-phase-commit, not a bug: it breaks commit.ac1-agreement",
    );
    const bug = quorumlab("explore", "three-phase-commit", "--bug", "wait-commits-on-timeout", "--out", dir);
    expect(bug.code).toBe(1);
    expect(bug.stdout).not.toContain("known limit");
  });

  it("an isolation budget: `--faults isolate=1` in the header and in `faults` of --json", () => {
    const args = ["explore", "two-phase-commit", "--nodes", "2", "--faults", "timeouts=2,isolate=1"];
    const result = quorumlab(...args, "--json");
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.faults).toEqual({ drop: 0, duplicate: 0, crash: 0, timeouts: 2, drift: 0, isolate: 1 });
    expect(json.verdict).toBe("complete");
    expect(quorumlab(...args).stdout).toContain("faults drop=0,duplicate=0,crash=0,timeouts=2,isolate=1");
  });

  it("explores paxos to completion with its declared bounds, and prints the state count", () => {
    // A generous wall-clock budget: the bound under test is the protocol's, not the time.
    const result = quorumlab("explore", "paxos", "--time", "900s");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "faults drop=0,duplicate=0,crash=0,timeouts=2, ordered links, quiet timeouts",
    );
    expect(result.stdout).toMatch(
      /complete: no violation in any schedule within the bounds — 30,455 unique states/,
    );
  });

  it("exit 3 and `bounded` with the depth covered when the depth bound cuts", () => {
    const result = quorumlab("explore", "paxos", "--depth", "3");
    expect(result.code).toBe(3);
    expect(result.stdout).toContain("bounded: no violation within depth 3");
  });

  it("exit 2 for an unknown bug or a malformed budget", () => {
    expect(quorumlab("explore", "paxos", "--bug", "no-such-bug").code).toBe(2);
    const budget = quorumlab("explore", "paxos", "--faults", "crash=lots");
    expect(budget.code).toBe(2);
    expect(budget.stderr).toContain("--faults");
    const isolate = quorumlab("explore", "paxos", "--faults", "isolate=one");
    expect(isolate.code).toBe(2);
    expect(isolate.stderr).toContain("names drop, duplicate, crash, timeouts, drift, isolate");
  });

  it.each([
    ["--clients", "-1", "--clients: expected a whole number from 0 to 16, got -1"],
    ["--clients", "1.5", "--clients: expected a whole number from 0 to 16, got 1.5"],
    ["--ops", "-2", "--ops: expected a whole number from 0 to 100, got -2"],
    ["--nodes", "0", "--nodes: expected a whole number from 1 to 16, got 0"],
    ["--faults", "drop=1,crash=1,drop=2", "--faults: drop given twice (drop=1 and drop=2)"],
    [
      "--faults",
      "drop=99999999999999999999",
      "--faults: expected a count from 0 to 1000 for drop, got 'drop=99999999999999999999'",
    ],
    ["--faults", "crash=1001", "--faults: expected a count from 0 to 1000 for crash, got 'crash=1001'"],
    [
      "--faults",
      "drop=1,",
      "--faults: expected name=count items separated by single commas (for example drop=2,crash=1), got 'drop=1,' with an empty item",
    ],
    [
      "--faults",
      "drop=1,,crash=1",
      "--faults: expected name=count items separated by single commas (for example drop=2,crash=1), got 'drop=1,,crash=1' with an empty item",
    ],
    [
      "--faults",
      "crsh=1",
      "--faults: no fault kind 'crsh'; did you mean 'crash'? (kinds: drop, duplicate, crash, timeouts, drift, isolate), got 'crsh=1'",
    ],
    [
      "--timers",
      "election,",
      "--timers: expected timer names separated by single commas (for example election,heartbeat), got 'election,' with an empty item",
    ],
    [
      "--timers",
      "election,,heartbeat",
      "--timers: expected timer names separated by single commas (for example election,heartbeat), got 'election,,heartbeat' with an empty item",
    ],
  ])("exit 2 for %s %s, naming the flag and its range", (flag, value, message) => {
    const result = quorumlab("explore", "raft", flag, value, "--depth", "2");
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(`error: ${message}`);
  });

  it.each([
    ["paxos", "--clients", "2", "--clients: paxos has no client operations, so it takes no clients"],
    [
      "two-phase-commit",
      "--ops",
      "3",
      "--ops: two-phase-commit has no client operations, so it takes no operations",
    ],
  ])(
    "exit 2 for %s %s %s: the protocol has no client side, so the flag is refused, not ignored",
    (protocol, flag, value, message) => {
      const result = quorumlab("explore", protocol, flag, value, "--depth", "2");
      expect(result.code).toBe(2);
      expect(result.stderr.trim()).toBe(`error: ${message}`);
      // Zero is what the protocol explores anyway: searched to depth 2 (bounded, exit 3).
      expect(quorumlab("explore", protocol, flag, "0", "--depth", "2").code).toBe(3);
    },
  );

  it.each([
    [
      ["paxos", "--first-nodes", "spread"],
      "--first-nodes: paxos has no client operations, so no client asks a node first",
    ],
    [
      ["raft", "--clients", "0", "--first-nodes", "guess"],
      "--first-nodes: --clients 0 leaves no client to ask a node first",
    ],
    [["raft", "--clients", "0", "--ops", "2"], "--ops: --clients 0 leaves no client to run operations"],
    [
      ["raft", "--bug", "vote-before-persist", "--ops", "2"],
      "--ops: vote-before-persist explores 0 clients, so no client is there to run operations; give --clients 1 or more",
    ],
    [
      ["raft", "--drift-rate", "0.2"],
      "--drift-rate: the fault budget has no clock drift for it to set; give --faults drift=N as well",
    ],
  ])("exit 2 for explore %j: a flag with nothing to act on is refused, not ignored", (args, message) => {
    const result = quorumlab("explore", ...args, "--depth", "2");
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(`error: ${message}`);
  });

  it("--drift-rate and --ops are taken when there is a drift to set and a client to run them", () => {
    const drift = quorumlab("explore", "raft", "--drift-rate", "0.2", "--faults", "drift=1", "--depth", "2");
    expect(drift.code).toBe(3);
    expect(drift.stdout).toContain("clock drift ±20%");
    const ops = quorumlab(
      "explore",
      "raft",
      "--bug",
      "vote-before-persist",
      "--clients",
      "1",
      "--ops",
      "2",
      "--depth",
      "2",
    );
    expect(ops.code).toBe(3);
    expect(ops.stdout).toContain("1 client × 2 operations");
  });

  it("exit 2 for a --timers name the protocol does not declare, before the search, with its timers", () => {
    const misspelt = quorumlab("explore", "raft", "--timers", "electon", "--depth", "2");
    expect(misspelt.code).toBe(2);
    // One line, and no header or verdict: nothing was explored.
    expect(misspelt.stdout).toBe("");
    expect(misspelt.stderr).toBe(
      "error: --timers: raft has no timer named 'electon' (it declares no such timer); its timers: check-quorum, election, heartbeat; did you mean 'election'?\n",
    );
    const json = quorumlab("explore", "raft", "--timers", "electon", "--depth", "2", "--json");
    expect(json.code).toBe(2);
    // Under --json, only the error object: no header or verdict either.
    expect(JSON.parse(json.stdout)).toMatchObject({ result: "error", exitCode: 2, field: "--timers" });
    const two = quorumlab("explore", "raft", "--timers", "electon,hartbeat,zzz", "--depth", "2");
    expect(two.code).toBe(2);
    expect(two.stderr).toBe(
      "error: --timers: raft has no timer named 'electon', 'hartbeat', 'zzz' (it declares no such timer); its timers: check-quorum, election, heartbeat; did you mean 'election' for 'electon', 'heartbeat' for 'hartbeat'?\n",
    );
    const far = quorumlab("explore", "raft", "--timers", "zzz", "--depth", "2");
    expect(far.code).toBe(2);
    expect(far.stderr).toMatch(/its timers: check-quorum, election, heartbeat\n$/);
    const named = quorumlab("explore", "raft", "--timers", "election,heartbeat", "--depth", "2");
    expect(named.code).toBe(3);
    expect(named.stderr).toBe("");
  });

  it("checks --timers against the timers nodes set in short walks when a module declares none, and a declared timer set late is taken", () => {
    // n1 arms "late" only after its "tick" has fired 50 times: deeper than the walks look.
    mkdirSync(out, { recursive: true });
    const source = (declared: string) => `export const protocol = {
  name: "late-timer",
  summary: "a node that arms a second timer late",
  defaultNodes: 1,
  parseOptions: (options) => ({ ...options }),
  create: (ctx) => ({
    ticks: 0,
    onStart() { ctx.setTimer("tick", 10); },
    onTimer(name) {
      if (name !== "tick") return;
      this.ticks++;
      if (this.ticks < 50) ctx.setTimer("tick", 10);
      else ctx.setTimer("late", 10);
    },
    onMessage() {},
  }),
  invariants: [
    {
      name: "ticks.counted",
      statement: "Nothing: a node's ticks are only counted.",
      source: "this test",
      kind: "safety",
      create: () => ({ state: {}, afterStep: () => undefined }),
    },
  ],
  bugs: [],
  ${declared}
};
`;
    const undeclared = join(out, "late-timer.mjs");
    writeFileSync(undeclared, source(""));
    const walked = quorumlab("explore", undeclared, "--timers", "tick,late", "--depth", "2");
    expect(walked.code).toBe(2);
    expect(walked.stderr).toBe(
      "error: test-output/explore/late-timer.mjs: --timers: late-timer has no timer named 'late' (no node set it in 20 random walks of 40 steps from the start, and it declares no timers); its timers: tick\n",
    );
    const declared = join(out, "late-timer-declared.mjs");
    writeFileSync(declared, source('timers: ["tick", "late"],'));
    const taken = quorumlab("explore", declared, "--timers", "tick,late", "--depth", "2");
    expect(taken.stderr).toBe("");
    expect(taken.code).toBe(3);
    const misspelt = quorumlab("explore", declared, "--timers", "lat", "--depth", "2");
    expect(misspelt.code).toBe(2);
    expect(misspelt.stderr).toBe(
      "error: test-output/explore/late-timer-declared.mjs: --timers: late-timer has no timer named 'lat' (it declares no such timer); its timers: late, tick; did you mean 'late'?\n",
    );
  });

  it("exit 2 for a depth that is not a whole number, saying what it got", () => {
    const result = quorumlab("explore", "raft", "--depth", "1.5");
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe("error: --depth: expected a whole number from 1 to 65000, got 1.5");
  });
});

describe("quorumlab mutants --explore", () => {
  it("finds every deliberate safety bug of Paxos breadth first, with a shortest schedule breaking an invariant the bug names", () => {
    const result = quorumlab("mutants", "--explore", "--protocol", "paxos", "--time-per", "30s", "--json");
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.schemaVersion).toBe(1);
    const bugs = (protocols.get("paxos") as Protocol).bugs.filter(
      (bug) => (bug.kind ?? "safety") === "safety",
    );
    expect(json.explore.map((row: { bug: string }) => row.bug)).toEqual(bugs.map((bug) => bug.name));
    for (const row of json.explore) {
      const bug = bugs.find((candidate) => candidate.name === row.bug) as DeliberateBug;
      expect({ bug: row.bug, found: row.found, strategy: row.strategy, shortest: row.shortest }).toEqual({
        bug: bug.name,
        found: true,
        strategy: "bfs",
        shortest: true,
      });
      expect(bug.breaks).toContain(row.invariant);
      expect(row.steps).toBeGreaterThan(0);
    }
    expect(Object.keys(json.explore[0])).toEqual([
      "protocol",
      "bug",
      "id",
      "found",
      "verdict",
      "invariant",
      "strategy",
      "steps",
      "shortest",
      "depth",
      "nodes",
      "clients",
      "faults",
      "bounds",
      "command",
      "statesVisited",
      "uniqueStates",
      "wallMs",
    ]);
    // Each row's command explores its setting again, whatever the protocol's default bounds, to
    // the same counterexample (the rows without bounds too: paxos' default links are ordered).
    expect(json.explore.some((row: { bounds: string | null }) => row.bounds === null)).toBe(true);
    for (const row of json.explore) {
      const [program, ...args] = row.command.split(" ");
      expect(program).toBe("quorumlab");
      const again = quorumlab(...args, "--out", join(out, "mutant-rows"), "--json");
      expect(again.code).toBe(1);
      const found = JSON.parse(again.stdout);
      expect([row.bug, found.counterexample.invariant, found.counterexample.steps]).toEqual([
        row.bug,
        row.invariant,
        row.steps,
      ]);
    }
    const text = quorumlab("mutants", "--explore", "--protocol", "paxos", "--time-per", "30s").stdout;
    expect(text).toContain("0 clients, drop=0,duplicate=0,crash=1,timeouts=2, all timers, unordered links");
    expect(text).toContain(
      "each row's search again (the setting that found the bug, else the last tried):\n  M11 promise-omits-accepted: quorumlab explore paxos --bug promise-omits-accepted --nodes 3 --clients 0 --faults drop=0,duplicate=0,crash=1,timeouts=2 --timers all --network unordered --quiet-timeouts=false --prompt-timeouts=false --prompt-replies=false --strategy bfs --time 15s\n",
    );
  });

  it("gives the same rows with --workers 2 and auto as with one thread, and refuses --workers 0", () => {
    const rows = (workers: string) => {
      const result = quorumlab(
        "mutants",
        "--explore",
        "--protocol",
        "two-phase-commit",
        "--workers",
        workers,
        "--time-per",
        "30s",
        "--json",
      );
      expect(result.code).toBe(0);
      return JSON.parse(result.stdout).explore.map(({ wallMs: _wallMs, ...row }: { wallMs: number }) => row);
    };
    const one = rows("1");
    expect(one.length).toBeGreaterThan(0);
    expect(one.every((row: { strategy: string }) => row.strategy === "bfs")).toBe(true);
    expect(rows("2")).toEqual(one);
    expect(rows("auto")).toEqual(one);
    const refused = quorumlab("mutants", "--explore", "--protocol", "paxos", "--workers", "0");
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toBe(
      "error: --workers: expected auto or a whole number from 1 to 64, got '0'",
    );
    // Fuzzing campaigns take a number: auto is --explore's.
    const fuzzing = quorumlab("mutants", "--protocol", "paxos", "--workers", "auto");
    expect(fuzzing.code).toBe(2);
    expect(fuzzing.stderr.trim()).toBe(
      "error: --workers auto: only with --explore; fuzzing campaigns take a whole number from 1 to 64",
    );
    const bad = quorumlab("mutants", "--protocol", "paxos", "--workers", "0");
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe("error: --workers: expected a whole number from 1 to 64, got '0'");
  });

  it("explores each bug on a cluster its protocol runs on: sharded-kv on 6 nodes, and 12 where the bug's timeline names g3", () => {
    const result = quorumlab(
      "mutants",
      "--explore",
      "--protocol",
      "sharded-kv",
      "--time-per",
      "1s",
      "--json",
    );
    expect(result.stderr).toBe("");
    const json = JSON.parse(result.stdout);
    expect(json.explore.map((row: { bug: string; nodes: number }) => [row.bug, row.nodes])).toEqual([
      ["serve-before-data", 6],
      ["drop-sessions-on-migration", 12],
    ]);
    // Not an exception in the first state: the cluster holds every group the options name.
    for (const row of json.explore) expect(row.invariant).not.toBe("exception");
  });
});

describe("the explore progress bar", () => {
  it("writes its counts with thousands separators, as the verdict line does", () => {
    expect(
      progressFields({
        statesVisited: 46_669,
        uniqueStates: 36_232,
        depth: 7,
        frontier: 12_005,
        elapsedMs: 2_000,
      }),
    ).toEqual({
      states: "46,669",
      unique: "36,232",
      depth: 7,
      rate: "18,116",
      frontier: "12,005",
      elapsed: "2.0s",
    });
  });
});
