/**
 * The fuzzer end to end, against the compiled package (built here first, as `npm run build`
 * does): two worker threads find the same first counterexample as one in-process worker, and the
 * counterexample file written by `quorumlab fuzz` replays under `quorumlab run` to the trace hash
 * the fuzzer reported.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseShard } from "../../cli/fuzz/flags.js";
import { fuzzCampaign } from "../../cli/shared/fuzz-campaign.js";

const root = join(import.meta.dirname, "..", "..");
const cli = join(root, "dist", "cli", "main.js");
let out = "";

beforeAll(() => {
  // Build so that the worker threads run the same code as this process (type errors elsewhere in
  // the tree do not stop tsc from emitting).
  spawnSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root, stdio: "ignore" });
  out = mkdtempSync(join(tmpdir(), "quorumlab-fuzz-"));
});

afterAll(() => {
  if (out !== "") rmSync(out, { recursive: true, force: true });
});

describe("quorumlab fuzz", () => {
  test("--shard i/n is 1-based on the command line and 0-based inside", () => {
    expect(parseShard("2/4")).toEqual({ index: 1, count: 4 });
    expect(() => parseShard("0/4")).toThrow(/shard/);
    expect(() => parseShard("5/4")).toThrow(/shard/);
  });

  test("two worker threads perform the same runs and find the same counterexample as one", async () => {
    expect(existsSync(join(root, "dist", "cli", "shared", "fuzz-worker.js"))).toBe(true);
    const common = {
      target: "raft",
      settings: { bugs: ["no-up-to-date-check"] },
      seed: 21n,
      runs: 64,
      batchSize: 16,
      shrinkBudgetMs: 60_000,
    };
    const one = await fuzzCampaign({ ...common, workers: 1 });
    const two = await fuzzCampaign({ ...common, workers: 2 });
    expect(one.counterexample).toBeDefined();
    expect(two.runs).toBe(one.runs);
    expect(two.counterexample?.runIndex).toBe(one.counterexample?.runIndex);
    expect(two.counterexample?.fcPath).toBe(one.counterexample?.fcPath);
    expect(two.counterexample?.traceHash).toBe(one.counterexample?.traceHash);
    expect(two.counterexample?.text).toBe(one.counterexample?.text);
  });

  test("the counterexample file replays under `quorumlab run` to the reported trace hash", () => {
    const fuzz = spawnSync(
      "node",
      [
        cli,
        "fuzz",
        "raft",
        "--bug",
        "no-up-to-date-check",
        "--runs",
        "300",
        "--seed",
        "1",
        "--out",
        out,
        "--json",
      ],
      { cwd: root, encoding: "utf8" },
    );
    expect(fuzz.status).toBe(1);
    const report = JSON.parse(fuzz.stdout) as {
      violations: number;
      counterexample: {
        file: string;
        trace: string;
        traceHash: string;
        faultActions: number;
        replay: string;
      };
    };
    expect(report.violations).toBe(1);
    const { file, trace, traceHash, faultActions, replay } = report.counterexample;
    expect(faultActions).toBeLessThanOrEqual(8);
    expect(replay).toContain(file);
    expect(readFileSync(trace, "utf8")).toContain(traceHash);
    const run = spawnSync("node", [cli, "run", file, "--json"], { cwd: root, encoding: "utf8" });
    expect(run.status).toBe(1);
    expect((JSON.parse(run.stdout) as { traceHash: string }).traceHash).toBe(traceHash);
  });

  test("the counterexample's message is the saved file's own: in --json, in its description and when run", () => {
    const folder = join(out, "message");
    const fuzz = spawnSync(
      "node",
      [
        cli,
        "fuzz",
        "raft",
        "--bug",
        "commit-previous-term",
        "--runs",
        "600",
        "--seed",
        "1",
        "--out",
        folder,
        "--json",
      ],
      { cwd: root, encoding: "utf8" },
    );
    expect(fuzz.status).toBe(1);
    const { file, message } = (
      JSON.parse(fuzz.stdout) as { counterexample: { file: string; message: string } }
    ).counterexample;
    const run = spawnSync("node", [cli, "run", file, "--json"], { cwd: root, encoding: "utf8" });
    const violations = (JSON.parse(run.stdout) as { violations: Array<{ message: string }> }).violations;
    // The run found first (before shrinking) broke leader completeness at another leader and term.
    expect(violations[0]?.message).toBe(message);
    expect(readFileSync(file, "utf8")).toContain(`\n    ${message}\n`);
  });

  test("the last pass of shrinking removes the same fault actions with one worker or two, and its file replays and rebuilds", () => {
    const fuzz = (folder: string, args: string[]) => {
      const result = spawnSync("node", [cli, "fuzz", ...args, "--out", join(out, folder), "--json"], {
        cwd: root,
        encoding: "utf8",
      });
      expect(result.status).toBe(1);
      return (
        JSON.parse(result.stdout) as {
          counterexample: {
            file: string;
            traceHash: string;
            faultActions: number;
            faultActionsRemoved: number;
          };
        }
      ).counterexample;
    };
    const campaign = ["raft", "--bug", "no-up-to-date-check", "--runs", "64", "--seed", "1"];
    const one = fuzz("last-pass-1", campaign);
    const two = fuzz("last-pass-2", [...campaign, "--workers", "2"]);
    // Seed 1 finds it with 7 fault actions, 3 of which the violation does not need.
    expect(one.faultActionsRemoved).toBeGreaterThan(0);
    expect(two.faultActionsRemoved).toBe(one.faultActionsRemoved);
    expect(two.faultActions).toBe(one.faultActions);
    const text = readFileSync(one.file, "utf8");
    expect(readFileSync(two.file, "utf8")).toBe(text);
    expect(two.traceHash).toBe(one.traceHash);
    expect(text).toContain(`A last pass then removed ${one.faultActionsRemoved} of the`);
    const run = spawnSync("node", [cli, "run", one.file, "--json"], { cwd: root, encoding: "utf8" });
    expect(run.status).toBe(1);
    expect((JSON.parse(run.stdout) as { traceHash: string }).traceHash).toBe(one.traceHash);
    // The rebuild command gives the plan before the pass and takes the same pass: the same file.
    const command = /^ {4}quorumlab fuzz (.+)$/m.exec(text)?.[1];
    const rebuilt = fuzz("last-pass-rebuilt", (command ?? "").split(" "));
    expect(readFileSync(rebuilt.file, "utf8")).toBe(text);
    expect(rebuilt.traceHash).toBe(one.traceHash);
  });

  test("a shrink budget that runs out before the last pass ends gives a rebuild command that writes the same file", () => {
    const fuzz = (folder: string, args: string[]) => {
      const result = spawnSync("node", [cli, "fuzz", ...args, "--out", join(out, folder), "--json"], {
        cwd: root,
        encoding: "utf8",
      });
      expect(result.status).toBe(1);
      return (
        JSON.parse(result.stdout) as {
          counterexample: { file: string; traceHash: string; lastPassComplete: boolean };
        }
      ).counterexample;
    };
    // 5 ms runs out while fast-check shrinks, or in the last pass: the rebuild stops where it stopped.
    const args = ["raft", "--bug", "commit-previous-term", "--runs", "600", "--seed", "1"];
    const found = fuzz("budget-cut", [...args, "--shrink-time", "5ms"]);
    expect(found.lastPassComplete).toBe(false);
    const text = readFileSync(found.file, "utf8");
    const command = /^ {4}quorumlab fuzz (.+)$/m.exec(text)?.[1];
    expect(command).toMatch(/ --last-pass-runs \d+$/);
    const rebuilt = fuzz("budget-cut-rebuilt", (command ?? "").split(" "));
    expect(rebuilt.lastPassComplete).toBe(false);
    expect(readFileSync(rebuilt.file, "utf8")).toBe(text);
    expect(rebuilt.traceHash).toBe(found.traceHash);
  });

  test("the text numbers the failing run from 1, as it counts the runs; --json gives its 0-based index", () => {
    const args = [cli, "fuzz", "paxos", "--bug", "reuse-ballots", "--runs", "40", "--seed", "0x2a"];
    const text = spawnSync("node", [...args, "--out", join(out, "numbered-text")], {
      cwd: root,
      encoding: "utf8",
    });
    const json = spawnSync("node", [...args, "--out", join(out, "numbered-json"), "--json"], {
      cwd: root,
      encoding: "utf8",
    });
    const found = /✗ VIOLATION \S+ in run (\d+) \(after (\d+) runs?,/.exec(text.stdout);
    expect(found).not.toBeNull();
    expect(found?.[1]).toBe(found?.[2]);
    const report = JSON.parse(json.stdout) as { runs: number; counterexample: { run: number } };
    expect(report.runs).toBe(Number(found?.[2]));
    expect(report.counterexample.run).toBe(report.runs - 1);
  });

  test("the rebuild command in a counterexample's description writes the same file, to the same trace hash", () => {
    const fuzz = (folder: string, args: string[]) => {
      const result = spawnSync("node", [cli, "fuzz", ...args, "--out", join(out, folder), "--json"], {
        cwd: root,
        encoding: "utf8",
      });
      expect(result.status).toBe(1);
      return (JSON.parse(result.stdout) as { counterexample: { file: string; traceHash: string } })
        .counterexample;
    };
    const found = fuzz("rebuild-1", ["paxos", "--bug", "reuse-ballots", "--runs", "40", "--seed", "0x2a"]);
    const text = readFileSync(found.file, "utf8");
    const command = /^ {4}quorumlab fuzz (.+)$/m.exec(text)?.[1];
    expect(command).toContain("--seed 0x2a");
    const rebuilt = fuzz("rebuild-2", (command ?? "").split(" "));
    expect(readFileSync(rebuilt.file, "utf8")).toBe(text);
    expect(rebuilt.traceHash).toBe(found.traceHash);
  });

  test("--json carries the notes the text prints: worker threads beyond the cores", () => {
    const workers = String(availableParallelism() + 1);
    const fuzz = (...extra: string[]) =>
      spawnSync(
        "node",
        [cli, "fuzz", "paxos", "--runs", "2", "--seed", "1", "--workers", workers, "--out", out, ...extra],
        {
          cwd: root,
          encoding: "utf8",
        },
      );
    const note = `--workers ${workers} is more than this machine's`;
    expect(fuzz().stdout).toContain(`note: ${note}`);
    const json = JSON.parse(fuzz("--json").stdout) as { notes: string[] };
    expect(json.notes).toEqual([expect.stringContaining(note)]);
  });

  test("a liveness bug without --liveness is noted, in the text and in --json", () => {
    const fuzz = (...extra: string[]) =>
      spawnSync(
        "node",
        [
          cli,
          "fuzz",
          "raft",
          "--bug",
          "fixed-election-timeout",
          "--runs",
          "2",
          "--seed",
          "1",
          "--out",
          out,
          ...extra,
        ],
        { cwd: root, encoding: "utf8" },
      );
    const note =
      "--bug fixed-election-timeout is a liveness bug (it breaks liveness.leader): only --liveness can find it";
    expect(fuzz().stdout).toContain(`note: ${note}`);
    expect((JSON.parse(fuzz("--json").stdout) as { notes: string[] }).notes).toEqual([note]);
    const checked = JSON.parse(fuzz("--json", "--liveness").stdout) as { notes: string[] };
    expect(checked.notes).toEqual([]);
  });

  test("a shard without --seed says that it drew its own seed, in the text and in --json; one with it does not", () => {
    const fuzz = (...extra: string[]) =>
      spawnSync("node", [cli, "fuzz", "paxos", "--runs", "2", "--shard", "2/3", "--out", out, ...extra], {
        cwd: root,
        encoding: "utf8",
      });
    const text = fuzz();
    expect(text.status).toBe(0);
    const seed = /^fuzz paxos seed (0x[0-9a-f]+),/.exec(text.stdout)?.[1];
    expect(seed).toBeDefined();
    const note = (drawn: string) =>
      `--shard 2/3 without --seed: this shard drew the seed ${drawn} and every other shard draws its own, so together they are not one campaign; give every shard the same --seed`;
    expect(text.stdout).toContain(`note: ${note(seed ?? "")}`);
    const json = JSON.parse(fuzz("--json").stdout) as { seed: string; notes: string[] };
    expect(json.notes).toEqual([note(json.seed)]);
    expect((JSON.parse(fuzz("--json", "--seed", "7").stdout) as { notes: string[] }).notes).toEqual([]);
  });

  test("runs too short for an election are told so, after the outcome and in --json; runs of the default length are not", () => {
    const fuzz = (...extra: string[]) =>
      spawnSync("node", [cli, "fuzz", "raft", "--runs", "40", "--seed", "1", "--out", out, ...extra], {
        cwd: root,
        encoding: "utf8",
      });
    const short = fuzz("--duration", "100ms");
    expect(short.status).toBe(0);
    const lines = short.stdout.trimEnd().split("\n");
    // The few leaders come from the timeouts the fuzzer forces.
    expect(lines.at(-1)).toMatch(
      /^note: only \d+ of 40 runs \(\d+ %\) had a leader \(a node in a leading role: leader\): runs of 100ms may end before raft elects one, and check little of it; give a longer --duration \(default 3s\)$/,
    );
    expect(lines.at(-2)).toMatch(/no violation in 40 runs/);
    const json = JSON.parse(fuzz("--duration", "100ms", "--json").stdout) as { notes: string[] };
    expect(json.notes).toEqual([lines.at(-1)?.replace(/^note: /, "")]);
    const usual = fuzz("--json");
    expect((JSON.parse(usual.stdout) as { notes: string[] }).notes).toEqual([]);
    // Paxos declares no leading role: nothing to say of its leaders.
    const paxos = spawnSync(
      "node",
      [cli, "fuzz", "paxos", "--runs", "20", "--seed", "1", "--duration", "100ms", "--out", out, "--json"],
      { cwd: root, encoding: "utf8" },
    );
    expect((JSON.parse(paxos.stdout) as { notes: string[] }).notes).toEqual([]);
  });

  test("a violation that is the protocol's known limit says so, in --json and in the text; a bug's is not one", () => {
    const fuzz = (...extra: string[]) =>
      spawnSync(
        "node",
        [cli, "fuzz", "three-phase-commit", "--runs", "60", "--seed", "1", "--out", out, ...extra],
        { cwd: root, encoding: "utf8" },
      );
    const json = fuzz("--json");
    expect(json.status).toBe(1);
    const report = JSON.parse(json.stdout) as {
      counterexample: {
        invariant: string;
        knownLimit: { invariant: string; when: string; source: string } | null;
      };
    };
    expect(report.counterexample.invariant).toBe("commit.ac1-agreement");
    expect(report.counterexample.knownLimit).toMatchObject({
      invariant: "commit.ac1-agreement",
      source: expect.stringContaining("Skeen"),
    });
    expect(fuzz().stdout).toContain("note: this is a known limit of three-phase-commit, not a bug");
    expect((JSON.parse(json.stdout) as { notes: string[] }).notes).toEqual([
      expect.stringMatching(
        /^this is a known limit of three-phase-commit, not a bug: it breaks commit.ac1-agreement/,
      ),
    ]);
    const bug = fuzz("--bug", "wait-commits-on-timeout", "--json");
    expect(bug.status).toBe(1);
    expect(
      (JSON.parse(bug.stdout) as { counterexample: { knownLimit: unknown } }).counterexample.knownLimit,
    ).toBeNull();
  });

  test("the text output names where the corpus and the campaign report went", () => {
    const corpus = join(out, "named-corpus");
    const page = join(out, "named-campaign.html");
    const fuzz = spawnSync(
      "node",
      [
        cli,
        "fuzz",
        "paxos",
        "--runs",
        "40",
        "--seed",
        "3",
        "--out",
        out,
        "--corpus",
        corpus,
        "--report",
        page,
      ],
      { cwd: root, encoding: "utf8" },
    );
    expect(fuzz.status).toBe(0);
    const lines = fuzz.stdout.trimEnd().split("\n");
    expect(lines.at(-2)).toBe(`corpus written to ${corpus}: ${readdirSync(corpus).length} new plans`);
    expect(lines.at(-1)).toBe(`campaign report written to ${page}`);
    expect(existsSync(page)).toBe(true);
  });

  test("--corpus saves what a campaign found and the next campaign resumes from it; --report writes the campaign page", () => {
    const corpus = join(out, "corpus");
    const page = join(out, "campaign.html");
    const fuzz = (extra: string[]) =>
      spawnSync(
        "node",
        [cli, "fuzz", "paxos", "--runs", "192", "--seed", "3", "--out", out, "--json", ...extra],
        {
          cwd: root,
          encoding: "utf8",
        },
      );
    // Guided search is the default.
    const first = fuzz(["--corpus", corpus, "--report", page]);
    expect(first.status).toBe(0);
    const one = JSON.parse(first.stdout) as Record<string, unknown>;
    expect(one.search).toBe("guided");
    expect(one.corpusLoaded).toBe(0);
    expect(one.corpusSaved).toBe(one.corpus);
    expect(one.nondeterminism).toBeNull();
    expect(readdirSync(corpus).length).toBe(one.corpus);
    // Each file is written aside and renamed into place: no partial file is left.
    expect(readdirSync(corpus).filter((name) => !name.endsWith(".json"))).toEqual([]);
    expect(readFileSync(page, "utf8")).toContain("Coverage by runs");
    const second = JSON.parse(fuzz(["--corpus", corpus]).stdout) as Record<string, unknown>;
    expect(second.corpusLoaded).toBe(one.corpus);
    // The same plans are found again: nothing new to write for them.
    expect(Number(second.corpus)).toBeGreaterThanOrEqual(Number(one.corpus));
    expect(readdirSync(corpus).length).toBe(Number(one.corpus) + Number(second.corpusSaved));
    const uniform = JSON.parse(fuzz(["--no-swarm"]).stdout) as Record<string, unknown>;
    expect(uniform.search).toBe("uniform");
    expect(uniform.mutants).toBe(0);
  });
});
