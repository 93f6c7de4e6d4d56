/**
 * The CLI's exit codes and error output, exercised as a user would run it.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { quorumlab, quorumlabFed, quorumlabIn } from "../support/quorumlab.js";

const root = join(import.meta.dirname, "..", "..");
const out = join(root, "test-output");
const corpus = join(root, "..", "shared", "corpus");

/**
 * What a command stopped by a usage error before it ran prints on standard output: nothing, or
 * under `--json` the error object (docs/cli.md).
 */
function stoppedOutput(args: readonly string[], message: string): string {
  if (!args.includes("--json")) return "";
  const field = /^--[a-z-]+/.exec(message)?.[0] ?? null;
  const object = { schemaVersion: 1, result: "error", exitCode: 2, error: message };
  return `${JSON.stringify({ ...object, file: null, line: null, column: null, field })}\n`;
}

describe("exit codes", () => {
  it("2 for an unknown command, with usage help and no stack trace", () => {
    const result = quorumlab("frobnicate");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("usage error");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("2 for a misspelt command or flag, naming the closest one", () => {
    const said = (...args: string[]) => {
      const result = quorumlab(...args);
      expect(result.code).toBe(2);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      return result.stderr.split("\n")[0];
    };
    expect(said("fuz", "raft", "--time", "5s")).toBe(
      "usage error: unknown command 'fuz'; did you mean 'fuzz'? (commands: list, run, verify, check, fuzz, explore, mutants, report, lab, bench, new)",
    );
    expect(said("frobnicate")).toMatch(/^usage error: unknown command 'frobnicate' \(commands: list, /);
    expect(said("fuzz", "raft", "--tme", "5s", "--foo")).toBe(
      "usage error: unknown flag --tme; did you mean --time?",
    );
    expect(said("fuzz", "raft", "--worker=2")).toBe(
      "usage error: unknown flag --worker; did you mean --workers?",
    );
    expect(said("fuzz", "raft", "--no-swrm")).toBe(
      "usage error: unknown flag --no-swrm; did you mean --no-swarm?",
    );
    expect(said("run", "raft-basic", "--bogus")).toBe("usage error: unknown flag --bogus");
    expect(said("fuzz", "raft", "extra")).toBe("usage error: unexpected argument 'extra'");
  });

  it("2 for a flag that names a positional argument, which the parser would drop, for every command", () => {
    // Each was accepted and ignored: `explore raft --target paxos` explored raft.
    const cases: ReadonlyArray<readonly [readonly string[], string]> = [
      [
        ["explore", "raft", "--target", "paxos", "--time", "1s"],
        "--target: give the protocol (a built-in name or a module file) as the first argument, not as a flag",
      ],
      [
        ["fuzz", "--target=paxos", "--runs", "1"],
        "--target: give the protocol (a built-in name or a module file) as the first argument, not as a flag",
      ],
      [
        ["run", "raft-basic", "--scenario", "paxos-basic"],
        "--scenario: give the scenario (a built-in name or a file) as the first argument, not as a flag",
      ],
      [
        ["report", "t.jsonl", "--trace", "/nonexist", "--format", "text"],
        "--trace: give the trace file as the first argument, not as a flag",
      ],
      [
        ["verify", "--scenarios", "raft-basic"],
        "--scenarios: give the scenarios (files, folders or built-in names) as arguments, not as a flag",
      ],
      [["check", "--files", "h.json"], "--files: give the history files as arguments, not as a flag"],
      [
        ["mutants", "--module", "m.mjs", "--list"],
        "--module: give the module file as the first argument, not as a flag",
      ],
      [
        ["lab", "raft", "--no-target"],
        "--no-target: give the protocol, module file or scenario as the first argument, not as a flag",
      ],
      [["new", "--name", "mine"], "--name: give the name as the first argument, not as a flag"],
    ];
    for (const [args, message] of cases) {
      const result = quorumlab(...args);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toBe(`error: ${message}\n`);
    }
    // A command's own flag of the same name as another command's positional is still its own.
    mkdirSync(out, { recursive: true });
    const traced = quorumlab("run", "2pc-no-vote-lost", "--trace", join(out, "positional.jsonl"), "--quiet");
    expect(traced.code, traced.stderr).toBe(0);
  });

  it("2 for a command given no argument where one is required, saying what it takes", () => {
    const said = (...args: string[]) => {
      const result = quorumlab(...args);
      expect(result.code).toBe(2);
      return result.stderr.split("\n")[0];
    };
    expect(said("run")).toBe(
      "usage error: run: expected a scenario file or built-in scenario name (quorumlab list shows them)",
    );
    expect(said("explore", "--json")).toBe(
      "usage error: explore: expected a built-in protocol name (raft, paxos, …) or a protocol module (.js or .ts)",
    );
    for (const command of ["check", "fuzz", "report", "lab", "new"]) {
      expect(said(command)).toMatch(new RegExp(`^usage error: ${command}: expected `));
    }
  });

  it("2 for a missing scenario", () => {
    const result = quorumlab("run", "no-such-scenario");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("no built-in scenario named 'no-such-scenario'");
  });

  it.each([
    [
      ["run", "raft-basci"],
      "no built-in scenario named 'raft-basci' (did you mean 'raft-basic'?) (see 'quorumlab list'), and no such file",
    ],
    [
      ["lab", "raftt"],
      "no built-in scenario named 'raftt' (did you mean 'raft'?) (see 'quorumlab list'), and no such file",
    ],
    [
      ["explore", "raft", "--bug", "comit-previous-term"],
      "--bug: raft has no deliberate bug 'comit-previous-term' (did you mean 'commit-previous-term'?); known: vote-before-persist, no-up-to-date-check, commit-previous-term, truncate-without-conflict, commit-index-from-leader, count-stale-votes, stale-local-read, unsynced-vote, fixed-election-timeout",
    ],
  ])("2 for a misspelt name, with the name meant: %j", (args, message) => {
    const result = quorumlab(...args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim()).toBe(`error: ${message}`);
  });

  it("2 for a malformed scenario file, naming file:line:column", () => {
    mkdirSync(out, { recursive: true });
    const file = join(out, "bad-scenario.yaml");
    writeFileSync(file, "protocol: raft\nduration: soon\n");
    const result = quorumlab("run", file);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("bad-scenario.yaml:2:11: duration: expected a duration");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("2 for a malformed seed", () => {
    const result = quorumlab("run", "raft-basic", "--seed", "zebra");
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      "error: --seed: expected a decimal or 0x-hex unsigned integer, got 'zebra'",
    );
  });

  it.each([
    [["explore", "raft", "--nodes", "abc"], "--nodes: expected a number, got 'abc'"],
    [["explore", "raft", "--depth=2x"], "--depth: expected a number, got '2x'"],
    [["fuzz", "raft", "--runs", "many"], "--runs: expected a number, got 'many'"],
    [["fuzz", "raft", "--workers", "0"], "--workers: expected a whole number from 1 to 64, got '0'"],
    [["fuzz", "raft", "--workers", "65"], "--workers: expected a whole number from 1 to 64, got '65'"],
    [
      ["explore", "raft", "--strategy", "bogus"],
      "--strategy: expected bfs, dfs, random, novelty or cells, got 'bogus'",
    ],
    [["explore", "raft", "--network=lossy"], "--network: expected unordered, ordered or fifo, got 'lossy'"],
    [["explore", "raft", "--first-nodes", "x"], "--first-nodes: expected guess or spread, got 'x'"],
    [
      ["report", "t.jsonl", "--format", "pdf"],
      "--format: expected html, md, text, edn, shiviz or mermaid, got 'pdf'",
    ],
  ])("2 for %j, naming the flag and what it was given (not NaN)", (args, message) => {
    const result = quorumlab(...args);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(`error: ${message}`);
  });

  it.each([
    [
      ["porcupine/kv/c10-bad.txt", "--model", "kv", "--level", "serializable"],
      "--level: only with --model list-append or rw-register; a linearizability check has no consistency level",
    ],
    [
      ["elle/paper-example.edn", "--model", "list-append", "--memory", "1GiB"],
      "--memory: only for linearizability checks; --model list-append has no memory budget",
    ],
    [
      ["elle/paper-example.edn", "--model", "list-append", "--format", "knossos-edn"],
      "--format: knossos-edn is a linearizability history format; --model list-append reads Jepsen/Elle EDN or quorumlab's JSON, told apart by their content",
    ],
  ])("2 for check %j: a flag of the other kind of check is refused, not ignored", (args, message) => {
    const [file, ...flags] = args as [string, ...string[]];
    const result = quorumlab("check", join(corpus, file), ...flags);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(`error: ${message}`);
    // Without the flag, the same file is checked: not linearizable / not serializable (exit 1).
    const without = flags.slice(0, -2);
    expect(quorumlab("check", join(corpus, file), ...without).code).toBe(1);
  });

  it.each([
    [
      ["--list", "--time-per", "2s", "--seed", "7"],
      "--list: lists the bugs without running them, so it takes no --time-per, --seed",
    ],
    [["--list", "--explore"], "--list: lists the bugs without running them, so it takes no --explore"],
    [
      ["--explore", "--seed", "5", "--no-hints"],
      "--explore: explores each bug without fuzzing it, so it takes no --seed, --no-hints (flags of the fuzzing campaigns)",
    ],
    [
      ["--explore", "--out", "somewhere", "--no-correct", "--no-swarm"],
      "--explore: explores each bug without fuzzing it, so it takes no --out, --no-correct, --no-swarm (flags of the fuzzing campaigns)",
    ],
    [
      ["docs/starter/quorum-register.ts", "--list"],
      "--protocol: the bugs are docs/starter/quorum-register.ts's, so it takes no --protocol paxos",
    ],
  ])("2 for mutants --protocol paxos %j: a flag the mode would ignore is refused", (args, message) => {
    const result = quorumlab("mutants", "--protocol", "paxos", ...args);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(`error: ${message}`);
  });

  it("0 for mutants --list with the flags it takes", () => {
    const result = quorumlab("mutants", "--list", "--protocol", "paxos", "--json");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).bugs[0]).toMatchObject({
      protocol: "paxos",
      bug: "promise-omits-accepted",
    });
  });

  it("mutants --list prints every bug and invariant name whole, one invariant a line", () => {
    const result = quorumlab("mutants", "--list");
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain("…");
    // The longest names: what --bug and --protocol take, and what a run reports.
    expect(result.stdout).toMatch(
      /│ quorum-three-phase-commit +│ wait-commits-on-timeout +│ M21 +│ commit\.ac1-agreement +│/,
    );
    expect(result.stdout).toMatch(
      /│ paxos +│ accept-checks-accepted-ballot +│ M13 +│ paxos\.p1-promise-respected +│/,
    );
    expect(result.stdout).toMatch(/│ release-before-commit-replicated +│/);
    expect(result.stdout).toMatch(/│ sharded\.no-lost-or-duplicated-write +│/);
    expect(result.stdout).toMatch(/│ +│ +│ +│ commit\.ac3-commit-needs-all-yes +│/);
  });

  it.each([
    [
      ["--runs", "3", "--liveness-deadline", "1s"],
      "--liveness-deadline: only with --liveness, whose deadline it is",
    ],
    [["--runs", "3", "--fc-path", "1:2"], "--fc-path: only with --fc-seed, whose shrink path it is"],
    [
      ["--fc-seed", "1.5"],
      "--fc-seed: expected a whole number from 0 to 2147483647 (the fast-check seed printed with a counterexample), got 1.5",
    ],
    [
      ["--fc-seed", "5", "--fc-path", "zz"],
      "--fc-path: expected a shrink path such as 0:3:3:1 (0, then one index per shrink step, as printed with a counterexample), got 'zz'",
    ],
    [
      ["--fc-seed", "5", "--fc-path", "99:99:99"],
      "--fc-path: expected a shrink path such as 0:3:3:1 (0, then one index per shrink step, as printed with a counterexample), got '99:99:99'",
    ],
    [
      ["--fc-seed", "5", "--fc-path", "0:99:99"],
      "--fc-path: the run of --fc-seed 5 with these settings has no shrink path '0:99:99' (give the path printed with the counterexample, and the same flags)",
    ],
    [
      ["--fc-seed", "5", "--last-pass-runs", "3"],
      "--last-pass-runs: only with --fc-path, whose last pass it stops",
    ],
    [
      ["--fc-seed", "5", "--fc-path", "0", "--last-pass-runs", "1.5"],
      "--last-pass-runs: expected a whole number of runs (as a counterexample's rebuild command gives it), got 1.5",
    ],
    [
      ["--fc-seed", "5", "--runs", "3", "--workers", "2"],
      "--fc-seed: rebuilds one run without a campaign, so it takes no --runs, --workers",
    ],
    [
      ["--replay", "any.yaml", "--bug", "volatile-acceptor", "--time", "5s"],
      "--replay: runs the file as it is, without a campaign, so it takes no --time, --seed, --bug, --out",
    ],
    [
      ["--runs", "3", "--nodes", "2..1"],
      "--nodes: expected N or MIN..MAX with 1 <= MIN <= MAX <= 1000, got 2..1",
    ],
    [
      ["--runs", "3", "--bug", "no-such-bug"],
      "--bug: paxos has no deliberate bug 'no-such-bug'; known: promise-omits-accepted, adopt-first-value, accept-checks-accepted-ballot, volatile-acceptor, unsynced-acceptor, reuse-ballots, count-stale-promises, learner-counts-across-ballots",
    ],
    [
      ["--runs", "3", "--duration", "1s", "--fault-phase", "2s"],
      "--fault-phase: expected at most the run's length (--duration, 1000 ms), got 2000 ms",
    ],
    [
      ["--runs", "3", "--liveness", "--duration", "1s"],
      "--duration: with --liveness, a run must last longer than the liveness deadline (1000 ms), so that a fault phase fits before it, got 1000 ms",
    ],
    [
      ["--runs", "3", "--liveness", "--duration", "3s", "--fault-phase", "2500ms"],
      "--duration: with --liveness, a run must last the fault phase (2500 ms) plus the liveness deadline (1000 ms), got 3000 ms",
    ],
    [["--time", "-1s"], "--time: expected a positive duration such as 60s, got '-1s'"],
    [
      ["--runs", "3", "--no-swarm", "--corpus", "corpus"],
      "--corpus: only with the guided search; the uniform search (--no-swarm) neither mutates nor saves a corpus",
    ],
    [
      ["--runs", "3", "--no-coverage"],
      "--no-coverage: only with the uniform search (--no-swarm); the guided search steers by coverage",
    ],
    [
      ["--runs", "3", "--duration", "1us"],
      "--duration: expected at least 1 ms (the fault phase, 2/3 of the run and at least 1 ms), got 0.001 ms",
    ],
    [
      ["--runs", "3", "--bug", "reuse-ballot"],
      "--bug: paxos has no deliberate bug 'reuse-ballot' (did you mean 'reuse-ballots'?); known: promise-omits-accepted, adopt-first-value, accept-checks-accepted-ballot, volatile-acceptor, unsynced-acceptor, reuse-ballots, count-stale-promises, learner-counts-across-ballots",
    ],
    [
      ["--runs", "3", "--bug", "reuse-ballots", "--bug", "reuse-ballots"],
      "--bug: 'reuse-ballots' is given twice; give each bug once",
    ],
    [
      ["--runs", "3", "--liveness"],
      "--liveness: paxos declares no liveness invariant and no leading role with an election timer, so there is nothing to check",
    ],
    [
      ["--runs", "3", "--report", "no-such-folder/campaign.html"],
      "--report: there is no folder no-such-folder to write no-such-folder/campaign.html in",
    ],
  ])("2 for fuzz paxos %j, naming the flag, before any run", (args, message) => {
    const result = quorumlab("fuzz", "paxos", "--seed", "1", "--out", join(out, "fuzz-flags"), ...args);
    expect(result.code).toBe(2);
    // One line, and no campaign header before it: nothing ran.
    expect(result.stdout).toBe("");
    expect(result.stderr.trim()).toBe(`error: ${message}`);
  });

  it("2 for fuzz paxos --replay of a Raft scenario: the file's protocol is not the target", () => {
    const result = quorumlab("fuzz", "paxos", "--replay", "scenarios/raft-basic.yaml");
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim()).toBe(
      "error: --replay: scenarios/raft-basic.yaml is a scenario of raft, not of paxos, the protocol fuzz was given",
    );
  });

  it("0 for fuzz paxos --liveness-deadline with --liveness, and its --report written", () => {
    mkdirSync(out, { recursive: true });
    const report = join(out, "fuzz-report.html");
    const args = ["--runs", "2", "--seed", "1", "--out", join(out, "fuzz-flags"), "--report", report];
    const result = quorumlab("fuzz", "raft", ...args, "--liveness", "--liveness-deadline", "500ms");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(readFileSync(report, "utf8")).toContain("<html");
  });

  it.each([
    [
      ["verify", "--filter", "no-such-scenario"],
      "--filter: no built-in scenario's name contains 'no-such-scenario' (see 'quorumlab list')",
    ],
    [
      ["bench", "--only", "no-such-bench", "--json"],
      "--only: no benchmark matches 'no-such-bench' (benchmarks: kernel, linearizability, linearizability.hard, txn, protocols.raft, protocols.paxos-family, protocols.consistent-hashing, protocols.commit, protocols.sharded-kv, fuzz, explore, lab, or fuzz-rare: the rare-bug benchmark, under fuzz.rare)",
    ],
    [
      ["bench", "--only", "kernal"],
      "--only: no benchmark matches 'kernal'; did you mean 'kernel'? (benchmarks: kernel, linearizability, linearizability.hard, txn, protocols.raft, protocols.paxos-family, protocols.consistent-hashing, protocols.commit, protocols.sharded-kv, fuzz, explore, lab, or fuzz-rare: the rare-bug benchmark, under fuzz.rare)",
    ],
  ])("2 for %j: a filter that matches nothing is a mistake, not a pass", (args, message) => {
    const result = quorumlab(...args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe(stoppedOutput(args, message));
    expect(result.stderr.trim()).toBe(`error: ${message}`);
  });

  it("0 for verify --filter that matches a scenario", () => {
    const result = quorumlab("verify", "--filter", "2pc-no-vote-lost");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("1 of 1 scenarios met their expectations");
  });

  it("verify checks the scenario files and folders it is given: 0 when met, 1 when not, 2 for a bad file", () => {
    const folder = join(out, "verify-own");
    mkdirSync(folder, { recursive: true });
    const met = join(folder, "met.yaml");
    writeFileSync(met, "protocol: raft\nduration: 500ms\nexpect: {safe: true, leader: {by: 400ms}}\n");
    const unmet = join(out, "verify-unmet.yaml");
    writeFileSync(
      unmet,
      "name: never-leader\nprotocol: raft\nnodes: 3\nduration: 500ms\nexpect: {neverLeader: [n1, n2, n3]}\n",
    );
    const bad = join(out, "verify-bad.yaml");
    writeFileSync(bad, "protocol: raft\nduraton: 500ms\n");

    const ok = quorumlab("verify", folder);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("1 of 1 scenarios met their expectations");
    const failed = quorumlab("verify", met, unmet);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/✗ never-leader .*n\d never leader \(n\d became leader\)/);
    expect(failed.stdout).toContain("1 of 2 scenarios met their expectations");
    const refused = quorumlab("verify", bad, met);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("verify-bad.yaml:2:1: duraton: unknown field; did you mean 'duration'?");
    const missing = quorumlab("verify", join(out, "no-such.yaml"));
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toMatch(/^error: .*no-such\.yaml: no such file or folder$/);
  });

  it.each([
    [["explore", "raft", "--depth", "2", "--nodes"], "--nodes"],
    [["explore", "raft", "--time", "--depth", "2"], "--time"],
    [["explore", "raft", "--depth", "2", "--out", ""], "--out"],
    [["explore", "raft", "--depth", "2", "--bug"], "--bug"],
    [["run", "raft-basic", "--seed=", "--json"], "--seed"],
    [["fuzz", "raft", "--runs", "1", "--shard", "--json"], "--shard"],
  ])("2 for %j: a flag given no value is refused, not left at its default", (args, flag) => {
    const result = quorumlab(...args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe(stoppedOutput(args, `${flag}: expected a value after it`));
    expect(result.stderr.trim()).toBe(`error: ${flag}: expected a value after it`);
  });

  it("switches (--json, --no-hints, --quiet-timeouts=false) take no value", () => {
    const args = [
      "explore",
      "raft",
      "--depth",
      "2",
      "--quiet-timeouts=false",
      "--no-prompt-replies",
      "--json",
    ];
    const result = quorumlab(...args);
    expect(result.code).toBe(3);
    expect(JSON.parse(result.stdout)).toMatchObject({ quietTimeouts: false, promptReplies: false });
  });

  it("0 for a safe run, with the same trace hash in --json for the same seed", () => {
    const first = quorumlab("run", "raft-basic", "--json", "--seed", "7");
    expect(first.code).toBe(0);
    const parsed = JSON.parse(first.stdout) as Record<string, unknown>;
    expect(parsed).toMatchObject({
      schemaVersion: 1,
      scenario: "raft-basic",
      protocol: "raft",
      seed: "0x7",
      ok: true,
    });
    expect(parsed.traceHash).toMatch(/^[0-9a-f]{64}$/);
    const second = JSON.parse(quorumlab("run", "raft-basic", "--json", "--seed", "0x7").stdout) as Record<
      string,
      unknown
    >;
    expect(second.traceHash).toBe(parsed.traceHash);
  });

  it("1 for a run that violates an invariant, with the replay command", () => {
    const result = quorumlab("run", "raft-figure-8-bug");
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("SAFETY VIOLATION");
    expect(result.stdout).toContain("replay: npx quorumlab run raft-figure-8-bug --seed");
    // The two writes were still unanswered when the run stopped: counted, so that the history's
    // "2 operations" adds up.
    expect(result.stdout).toContain("operations ok 0 / fail 0 / info 0 / pending 2");
    expect(result.stdout).toContain("linearizable (2 operations)");
  });

  it("run --quiet prints the verdict line, and after a violation the replay command alone", () => {
    const violated = quorumlab("run", "raft-figure-8-bug", "--quiet");
    expect(violated.code).toBe(1);
    expect(violated.stdout.trimEnd().split("\n")).toEqual([
      "✗ SAFETY VIOLATION raft.leader-completeness at t=72ms (event 88)",
      "  replay: npx quorumlab run raft-figure-8-bug --seed 0x1 --trace trace.jsonl --report report.html",
    ]);
    const safe = quorumlab("run", "raft-figure-8", "--quiet");
    expect(safe.code).toBe(0);
    expect(safe.stdout.trimEnd().split("\n")).toEqual([expect.stringMatching(/^✓ safe: /)]);
  });

  it("1 for a run whose liveness invariant fails under --liveness, shown with a replay that checks it", () => {
    // The coordinator crashes before it has every vote and never comes back: every participant
    // voted Yes and stays undecided (AC5 fails), while no safety rule is broken.
    mkdirSync(out, { recursive: true });
    const file = join(out, "blocked-2pc.yaml");
    writeFileSync(
      file,
      [
        "name: blocked-2pc",
        "protocol: two-phase-commit",
        "nodes: 4",
        "duration: 3s",
        "options: {transactions: {count: 1}, voteNoProbability: 0}",
        "network: {latency: 1ms, links: [{from: n4, to: n1, latency: 10ms}]}",
        "faults: [{at: 3ms, crash: n1}]",
        "",
      ].join("\n"),
    );
    const report = join(out, "blocked-2pc.html");
    const checked = quorumlab("run", file, "--liveness", "--quiet", "--report", report);
    expect(checked.code).toBe(1);
    const lines = checked.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^✓ safe: every safety invariant held \(\d+ events\)$/);
    expect(lines[1]).toMatch(/^✗ LIVENESS VIOLATION commit\.ac5-termination at t=3s \(event \d+\)$/);
    const replay = `npx quorumlab run ${file} --liveness --seed 0x1 --trace trace.jsonl --report report.html`;
    // --quiet: the verdict lines and the replay command alone.
    expect(lines.slice(2)).toEqual([`  replay: ${replay}`]);
    // The report's replay command checks liveness too.
    expect(readFileSync(report, "utf8")).toContain(replay);
    // Without --liveness the same run checks safety alone, and that holds.
    const unchecked = quorumlab("run", file, "--quiet");
    expect(unchecked.code).toBe(0);
    expect(unchecked.stdout.trim()).toMatch(/^✓ safe: every safety invariant held \(\d+ events\)$/);
  });

  it("1 for the replay of a fuzzed Raft liveness counterexample, whose command asks no --liveness of run", () => {
    const folder = join(out, "fuzz-liveness");
    const fuzzed = quorumlab(
      "fuzz",
      "raft",
      "--bug",
      "fixed-election-timeout",
      "--liveness",
      "--seed",
      "1",
      "--runs",
      "5",
      "--out",
      folder,
    );
    expect(fuzzed.code).toBe(1);
    const replay = /replay: npx quorumlab run (\S+)$/m.exec(fuzzed.stdout);
    expect(replay?.[1]).toMatch(/raft-liveness\.leader-0x[0-9a-f]+\.yaml$/);
    const replayed = quorumlab("run", replay?.[1] as string, "--quiet");
    expect(replayed.code).toBe(1);
    expect(replayed.stdout).toContain("✗ expectations not met: leader by");
  });

  it("2 for run --liveness on a protocol with no liveness invariant, which would check nothing more", () => {
    const result = quorumlab("run", "raft-split-vote-fixed-timeout", "--liveness");
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      "error: --liveness: raft declares no liveness invariant (all 7 of its invariants are safety invariants), so the run would check nothing more; fuzz --liveness checks that a leader is elected after healing",
    );
  });

  it("2 for a lab longer than a page can hold, before anything is simulated", () => {
    const result = quorumlab("lab", "raft", "--duration", "2h", "--out", join(out, "too-long-lab.html"));
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      "error: --duration: a lab page holds its whole run and simulates it again in the browser, so it takes at most 600s, got '2h' (a longer run: quorumlab run FILE --trace trace.jsonl)",
    );
    expect(existsSync(join(out, "too-long-lab.html"))).toBe(false);
  });

  it("takes - for standard output in report --out alone, and refuses it elsewhere", () => {
    mkdirSync(out, { recursive: true });
    const trace = join(out, "dash-out.jsonl");
    expect(quorumlab("run", "raft-basic", "--quiet", "--trace", trace).code).toBe(0);
    const written = quorumlab("report", trace, "--format", "text");
    for (const args of [["--out", "-"], ["--out=-"]]) {
      const dashed = quorumlab("report", trace, "--format", "text", ...args);
      expect(dashed.code).toBe(0);
      expect(dashed.stdout).toBe(written.stdout);
      expect(dashed.stderr).toBe("");
    }
    expect(written.stdout).toContain("quorumlab report: raft-basic");
    for (const args of [
      ["explore", "paxos", "--out", "-"],
      ["run", "raft-basic", "--trace=-"],
    ]) {
      const refused = quorumlab(...args);
      expect(refused.code).toBe(2);
      const flag = (args[2] as string).split("=")[0];
      expect(refused.stderr.trim()).toBe(
        `error: ${flag}: '-' (standard output) is taken only by report --out`,
      );
    }
    expect(existsSync("-")).toBe(false);
  });

  it("takes a value that starts with a minus as the flag's value: --out -x.html names a file, not flags", () => {
    const folder = join(out, "dash-values");
    rmSync(folder, { recursive: true, force: true });
    mkdirSync(folder, { recursive: true });
    const ran = quorumlabIn(
      folder,
      "run",
      "raft-basic",
      "--quiet",
      "--trace",
      "-t.jsonl",
      "--report",
      "-r.html",
    );
    expect(ran.stderr).toBe("");
    expect(ran.code).toBe(0);
    // The trace itself, an argument and no flag's value, still needs ./ (or a path), as the usage error says.
    const reported = quorumlabIn(folder, "report", "-t.jsonl", "--out", "-x.html");
    expect(reported.code).toBe(2);
    expect(reported.stderr.split("\n")[0]).toBe(
      "usage error: report: expected a trace file (.jsonl), or - to read one from standard input ('-t.jsonl' was read as flags: name a file that starts with - as ./-t.jsonl)",
    );
    const report = quorumlabIn(folder, "report", "./-t.jsonl", "--out", "-x.html");
    expect(report.stderr).toBe("report written to -x.html\n");
    expect(report.code).toBe(0);
    expect(quorumlabIn(folder, "lab", "raft", "--duration", "1s", "--out", "-lab.html").code).toBe(0);
    for (const file of ["-t.jsonl", "-r.html", "-x.html", "-lab.html"])
      expect(existsSync(join(folder, file)), file).toBe(true);
    expect(existsSync(join(folder, "x.html"))).toBe(false);
    // A folder: the command that replays what explore saved in it names it ./-cx, which run takes.
    const explored = quorumlabIn(folder, "explore", "paxos", "--bug", "adopt-first-value", "--out", "-cx");
    expect(explored.code).toBe(1);
    const replay = /^replay {2}npx quorumlab run (\S+)$/m.exec(explored.stdout)?.[1] ?? "";
    expect(replay).toMatch(/^\.\/-cx\/paxos-p2c-justified-adopt-first-value-explored-\w+\.yaml$/);
    expect(quorumlabIn(folder, "run", replay, "--quiet").code).toBe(1);
    // A word that starts with -- stays a flag of its own.
    expect(quorumlabIn(folder, "report", "./-t.jsonl", "--out", "--x.html").stderr.split("\n")[0]).toBe(
      "usage error: unknown flag --x.html",
    );
  });

  it("reads - as standard input in check and report", () => {
    mkdirSync(out, { recursive: true });
    const trace = join(out, "piped.jsonl");
    expect(quorumlab("run", "raft-basic", "--quiet", "--trace", trace).code).toBe(0);
    const fromFile = quorumlab("report", trace, "--format", "text");
    const piped = quorumlabFed(readFileSync(trace, "utf8"), "report", "-", "--format", "text");
    expect(piped.code).toBe(0);
    expect(piped.stdout).toBe(fromFile.stdout);
    const notTrace = quorumlabFed("not json\n", "report", "-");
    expect(notTrace.code).toBe(2);
    expect(notTrace.stderr.trim()).toMatch(/^error: \/dev\/stdin:1: not JSON/);

    const history = readFileSync(join(corpus, "porcupine", "kv", "c01-bad.txt"), "utf8");
    const checked = quorumlabFed(history, "check", "-", "--json");
    expect(checked.code).toBe(1);
    expect(JSON.parse(checked.stdout)).toMatchObject({ file: "/dev/stdin", result: "not-linearizable" });
    // After a switch, `-` is still standard input (it used to be taken as the switch's value).
    const afterSwitch = quorumlabFed(history, "check", "--json", "-");
    expect(afterSwitch.code).toBe(1);
    expect(JSON.parse(afterSwitch.stdout)).toMatchObject({ file: "/dev/stdin", result: "not-linearizable" });
  });

  it.each([
    [["run", "raft-basic", "--seed", "1", "--seed=2"], "--seed: given twice ('1', then '2'); give it once"],
    [
      ["check", "-", "--timeout", "1s", "--timeout", "2s"],
      "--timeout: given twice ('1s', then '2s'); give it once",
    ],
  ])("2 for a one-value flag given twice: %j", (args, message) => {
    const result = quorumlabFed("", ...args);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(`error: ${message}`);
  });

  it.each([
    ["check", "-", "--json=maybe"],
    ["check", "-", "--json=-"],
    ["fuzz", "raft", "--runs", "1", "--liveness=yes"],
  ])("2 for a switch given a value: %j", (...args) => {
    const result = quorumlabFed("", ...args);
    expect(result.code).toBe(2);
    const flag = (args.find((arg) => arg.includes("=")) as string).split("=");
    expect(result.stderr.trim()).toBe(
      `error: ${flag[0]}: a switch takes no value (or =true, =false), got '${flag[1]}'`,
    );
  });

  it("lists the exit codes in --help", () => {
    const result = quorumlab("--help");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("70  internal error");
    expect(result.stdout).toContain(
      "1   an invariant was violated, a history is not linearizable, or an expectation was not met",
    );
    expect(result.stdout).toContain(
      "130 run, fuzz, explore or mutants interrupted (Ctrl-C; 143 for SIGTERM)",
    );
  });

  it("2 for standard input that holds nothing, which a producer that failed leaves; [] and an empty file are empty histories", () => {
    // Before, `check - </dev/null` passed: `✓ linearizable /dev/stdin 0 ops`.
    const message = "error: /dev/stdin: empty input: no history to check (an empty history is written [])\n";
    for (const input of ["", " \n\t\n"]) {
      const result = quorumlabFed(input, "check", "-");
      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toBe(message);
    }
    const file = join(out, "empty-history.edn");
    mkdirSync(out, { recursive: true });
    writeFileSync(file, "\n");
    const emptyFile = quorumlab("check", file);
    expect(emptyFile.code).toBe(0);
    expect(emptyFile.stdout).toContain("0 ops");
    const json = quorumlabFed("", "check", "--json", "-");
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({
      schemaVersion: 2,
      file: "/dev/stdin",
      result: "error",
      error: "empty input: no history to check (an empty history is written [])",
      line: null,
      column: null,
    });
    const empty = quorumlabFed("[]\n", "check", "-");
    expect(empty.code).toBe(0);
    expect(empty.stdout).toMatch(/^✓ linearizable \/dev\/stdin 0 ops, 0 partitions/);
  });

  it("prints the same --help from the headings alone as with every command loaded", () => {
    // `--help` alone loads no command; with a `--` after it, every command module is loaded.
    const headings = quorumlab("--help");
    const loaded = quorumlab("--help", "--");
    expect(loaded.code).toBe(0);
    expect(headings.code).toBe(0);
    expect(headings.stdout).toContain("quorumlab explore <target>");
    expect(headings.stdout).toBe(loaded.stdout);
  });

  it("prints the package's version for --version", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    const result = quorumlab("--version");
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(pkg.version);
  });
});
