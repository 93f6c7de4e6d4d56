/** The `fuzz` command's flags: their yargs definition and their parsing into campaign options. */
import type { Argv } from "yargs";
import { InputError } from "../../sim/errors.js";
import type { SettingsInput } from "../../sim/fuzz/settings.js";
import { parseDurationUs } from "../../sim/time.js";
import { workerCount, workersMax } from "../shared/workers.js";

export interface FuzzArgs {
  target: string;
  time?: string;
  runs?: number;
  seed?: string;
  workers: number;
  shard?: string;
  bug?: string[];
  out: string;
  json: boolean;
  liveness: boolean;
  nodes?: string;
  duration?: string;
  "fault-phase"?: string;
  "liveness-deadline"?: string;
  "shrink-time": string;
  "fc-seed"?: number;
  "fc-path"?: string;
  "last-pass-runs"?: number;
  replay?: string;
  swarm: boolean;
  coverage?: boolean;
  hints: boolean;
  corpus?: string;
  report?: string;
}

/** The yargs definition of every flag, with the examples `--help` shows. */
export function fuzzFlags(yargs: Argv): Argv<FuzzArgs> {
  return yargs
    .positional("target", { type: "string", demandOption: true, describe: "protocol name or module path" })
    .option("time", { type: "string", describe: "time budget, e.g. 60s (default 60s unless --runs)" })
    .option("runs", { type: "number", describe: "number of runs (per shard)" })
    .option("seed", {
      type: "string",
      describe: "campaign seed, decimal or 0x-hex (default: random, printed)",
    })
    .option("workers", { type: "number", default: 1, describe: `worker threads (1 to ${workersMax})` })
    .option("shard", { type: "string", describe: "this machine's share of the campaign, i/n" })
    .option("bug", { type: "string", array: true, describe: "switch on a deliberate bug (repeatable)" })
    .option("out", { type: "string", default: "quorumlab-out", describe: "folder for counterexamples" })
    .option("json", { type: "boolean", default: false, describe: "print one JSON object" })
    .option("liveness", {
      type: "boolean",
      default: false,
      describe: "also check liveness (leader after healing)",
    })
    .option("nodes", {
      type: "string",
      describe: "cluster sizes, N or MIN..MAX (default 3..protocol default)",
    })
    .option("duration", {
      type: "string",
      describe:
        "simulated length of each run (default 3s; a campaign whose runs mostly end before a leader is elected says so)",
    })
    .option("fault-phase", {
      type: "string",
      describe: "faults happen before this time (default 2/3 of the run)",
    })
    .option("liveness-deadline", {
      type: "string",
      describe: "a leader must be up this long after healing (default 1s)",
    })
    .option("shrink-time", { type: "string", default: "60s", describe: "wall-time budget for shrinking" })
    .option("fc-seed", {
      type: "number",
      describe: "rebuild one run from its fast-check seed (with --fc-path)",
    })
    .option("fc-path", { type: "string", describe: "fast-check shrink path printed with a counterexample" })
    .option("last-pass-runs", {
      type: "number",
      describe:
        "with --fc-path: stop the last pass of shrinking after this many runs, where the shrink budget stopped it",
    })
    .option("replay", { type: "string", describe: "run a counterexample file against a protocol module" })
    .option("swarm", {
      type: "boolean",
      default: true,
      describe: "swarm testing and coverage-guided search (--no-swarm: uniform search)",
    })
    .option("coverage", {
      type: "boolean",
      describe:
        "record each run's coverage (default: with the guided search, which steers by it; --no-swarm --coverage measures it in the uniform search)",
    })
    .option("hints", {
      type: "boolean",
      default: true,
      describe: "use the deliberate bugs' fuzz hints (--no-hints: the protocol's own only)",
    })
    .option("corpus", {
      type: "string",
      describe: "load and save the corpus in this folder (resumes campaigns)",
    })
    .option("report", { type: "string", describe: "write the campaign report (HTML) to this file" })
    .example("$0 fuzz raft --time 60s", "fuzz correct Raft for a minute")
    .example(
      "$0 fuzz raft --bug commit-previous-term --time 30s",
      "find a deliberate bug (stops at the first)",
    )
    .example("$0 fuzz raft --runs 2000 --shard 2/4 --json", "one machine's quarter of a campaign")
    .example("$0 fuzz ./my-protocol.js --time 30s", "fuzz your own protocol module") as Argv<FuzzArgs>;
}

export function durationMs(flag: string, text: string): number {
  const us = parseDurationUs(text);
  if (us === undefined || us <= 0)
    throw new InputError(`--${flag}: expected a positive duration such as 60s, got '${text}'`);
  return us / 1_000;
}

/** Parses `--shard i/n` (1-based i) into a 0-based index and a count. */
export function parseShard(text: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (match === null || !(count >= 1) || !(index >= 1) || index > count) {
    throw new InputError(`--shard: expected i/n with 1 <= i <= n, got '${text}'`);
  }
  return { index: index - 1, count };
}

function parseNodes(text: string): { nodesMin: number; nodesMax: number } {
  const match = /^(\d+)(?:\.\.(\d+))?$/.exec(text.trim());
  if (match === null) throw new InputError(`--nodes: expected N or MIN..MAX, got '${text}'`);
  const nodesMin = Number(match[1]);
  return { nodesMin, nodesMax: match[2] === undefined ? nodesMin : Number(match[2]) };
}

export function settingsInput(args: FuzzArgs): SettingsInput {
  return {
    bugs: args.bug ?? [],
    liveness: args.liveness,
    swarm: args.swarm,
    ...(args.coverage === undefined ? {} : { coverage: args.coverage }),
    noHints: !args.hints,
    ...(args.nodes === undefined ? {} : parseNodes(args.nodes)),
    ...(args.duration === undefined ? {} : { durationMs: durationMs("duration", args.duration) }),
    ...(args["fault-phase"] === undefined
      ? {}
      : { faultPhaseMs: durationMs("fault-phase", args["fault-phase"]) }),
    ...(args["liveness-deadline"] === undefined
      ? {}
      : { livenessDeadlineMs: durationMs("liveness-deadline", args["liveness-deadline"]) }),
  };
}

/**
 * Refuses the flags that the chosen mode would ignore: `--fc-path` without `--fc-seed`,
 * `--last-pass-runs` without `--fc-path`,
 * `--liveness-deadline` without `--liveness`, `--corpus` with `--no-swarm`, `--no-coverage` without it, a campaign's flags when one run is rebuilt
 * (`--fc-seed`) or a file replayed (`--replay`), and the search's flags beside `--replay`.
 * A flag with a default counts as given when its value is not the default.
 */
export function checkModeFlags(args: FuzzArgs): void {
  if (args["fc-path"] !== undefined && args["fc-seed"] === undefined)
    throw new InputError("--fc-path: only with --fc-seed, whose shrink path it is");
  if (args["last-pass-runs"] !== undefined && args["fc-path"] === undefined)
    throw new InputError("--last-pass-runs: only with --fc-path, whose last pass it stops");
  checkFastCheckFlags(args);
  if (args["liveness-deadline"] !== undefined && !args.liveness)
    throw new InputError("--liveness-deadline: only with --liveness, whose deadline it is");
  if (args.coverage === false && args.swarm)
    throw new InputError(
      "--no-coverage: only with the uniform search (--no-swarm); the guided search steers by coverage",
    );
  if (args.corpus !== undefined && !args.swarm)
    throw new InputError(
      "--corpus: only with the guided search; the uniform search (--no-swarm) neither mutates nor saves a corpus",
    );
  const given = (flags: ReadonlyArray<readonly [string, boolean]>): string[] =>
    flags.filter(([, isGiven]) => isGiven).map(([flag]) => flag);
  const campaign = given([
    ["--time", args.time !== undefined],
    ["--runs", args.runs !== undefined],
    ["--workers", args.workers !== 1],
    ["--shard", args.shard !== undefined],
    ["--corpus", args.corpus !== undefined],
    ["--coverage", args.coverage === true],
    ["--report", args.report !== undefined],
    ["--shrink-time", args["shrink-time"] !== "60s"],
  ]);
  if (args.replay !== undefined) {
    const search = given([
      ["--seed", args.seed !== undefined],
      ["--bug", args.bug !== undefined],
      ["--nodes", args.nodes !== undefined],
      ["--duration", args.duration !== undefined],
      ["--fault-phase", args["fault-phase"] !== undefined],
      ["--fc-seed", args["fc-seed"] !== undefined],
      ["--out", args.out !== "quorumlab-out"],
      ["--no-swarm", !args.swarm],
      ["--no-hints", !args.hints],
    ]);
    const ignored = [...campaign, ...search];
    if (ignored.length > 0)
      throw new InputError(
        `--replay: runs the file as it is, without a campaign, so it takes no ${ignored.join(", ")}`,
      );
    return;
  }
  if (args["fc-seed"] !== undefined && campaign.length > 0)
    throw new InputError(
      `--fc-seed: rebuilds one run without a campaign, so it takes no ${campaign.join(", ")}`,
    );
}

/** Largest fast-check seed a campaign gives a run (`runSeed` in sim/fuzz/campaign.ts). */
const fcSeedMax = 0x7fff_ffff;

/**
 * `--fc-seed` is a run's fast-check seed, a whole number; `--fc-path` its shrink path as fast-check
 * prints it for a one-run check: `0`, then one index per shrink step (`0:3:3:1`).
 */
function checkFastCheckFlags(args: FuzzArgs): void {
  const seed = args["fc-seed"];
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed <= fcSeedMax))
    throw new InputError(
      `--fc-seed: expected a whole number from 0 to ${fcSeedMax} (the fast-check seed printed with a counterexample), got ${seed}`,
    );
  const runs = args["last-pass-runs"];
  if (runs !== undefined && !(Number.isInteger(runs) && runs >= 0))
    throw new InputError(
      `--last-pass-runs: expected a whole number of runs (as a counterexample's rebuild command gives it), got ${runs}`,
    );
  const path = args["fc-path"];
  if (path !== undefined && !/^0(:\d{1,9})*$/.test(path))
    throw new InputError(
      `--fc-path: expected a shrink path such as 0:3:3:1 (0, then one index per shrink step, as printed with a counterexample), got '${path}'`,
    );
}

/** How long a campaign may go on: `--runs`, `--time`, or 60 s when neither is given. */
export interface CampaignBudget {
  readonly runs?: number;
  readonly budgetMs?: number;
}

/** Checks `--runs` and `--workers`, and reads the campaign's budget. */
export function campaignBudget(args: FuzzArgs): CampaignBudget {
  if (args.runs !== undefined && !(Number.isInteger(args.runs) && args.runs >= 1)) {
    throw new InputError(`--runs: expected a positive integer, got ${args.runs}`);
  }
  workerCount(args.workers);
  const budgetMs =
    args.time !== undefined ? durationMs("time", args.time) : args.runs === undefined ? 60_000 : undefined;
  return {
    ...(args.runs === undefined ? {} : { runs: args.runs }),
    ...(budgetMs === undefined ? {} : { budgetMs }),
  };
}
