/**
 * `quorumlab fuzz <protocol|module.js>`: generate scenarios with fast-check, run them, and on the
 * first violation shrink it and save it as an ordinary scenario file that `quorumlab run FILE`
 * replays exactly. docs/fuzzing.md is the user's guide.
 *
 * The work is in sim/fuzz/ (arbitraries, deterministic campaigns, counterexamples) and
 * cli/shared/fuzz-campaign.ts (the worker pool, shrinking and the files); this file parses flags
 * and prints the outcome.
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { CommandModule } from "yargs";
import { ExitCode, InputError } from "../sim/errors.js";
import { shrinkWithSeed } from "../sim/fuzz/campaign.js";
import { describeNondeterminism } from "../sim/fuzz/determinism.js";
import { fuzzSettings, type SettingsInput } from "../sim/fuzz/settings.js";
import type { Protocol } from "../sim/node.js";
import { formatSeed, parseSeed } from "../sim/random.js";
import { parseScenario } from "../sim/scenario/load.js";
import { formatDuration, parseDurationUs } from "../sim/time.js";
import { readText } from "./files.js";
import { colours, runCommand } from "./output.js";
import { writeCampaignReport } from "./shared/campaign-report.js";
import {
  type FuzzOutcome,
  fuzzCampaign,
  replay,
  resolveTarget,
  saveCounterexample,
} from "./shared/fuzz-campaign.js";
import { fuzzRunner } from "./shared/fuzz-worker.js";
import { compact, progressBar } from "./shared/progress.js";
import { runJson } from "./shared/run-scenario.js";

// ---- command line ---------------------------------------------------------------------------

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
  replay?: string;
  swarm: boolean;
  hints: boolean;
  corpus?: string;
  report?: string;
}

function durationMs(flag: string, text: string): number {
  const us = parseDurationUs(text);
  if (us === undefined || us <= 0)
    throw new InputError(`--${flag}: expected a duration such as 60s, got '${text}'`);
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

/** The stable `--json` shape of a campaign (documented in docs/fuzzing.md). */
export function fuzzJson(
  outcome: FuzzOutcome,
  shard?: { index: number; count: number },
): Record<string, unknown> {
  const cx = outcome.counterexample;
  return {
    schemaVersion: 1,
    protocol: outcome.protocol,
    bugs: outcome.bugs,
    seed: formatSeed(outcome.seed),
    ...(shard === undefined ? {} : { shard: `${shard.index + 1}/${shard.count}` }),
    runs: outcome.runs,
    evaluated: outcome.evaluated,
    runsPerSec: Math.round(outcome.runsPerSec * 10) / 10,
    eventsPerSec: Math.round(outcome.eventsPerSec),
    wallMs: Math.round(outcome.wallMs),
    searchMs: Math.round(outcome.searchMs),
    violations: cx === undefined ? 0 : 1,
    ...campaignFields(outcome),
    counterexample:
      cx === undefined
        ? null
        : {
            file: cx.file ?? null,
            trace: cx.traceFile ?? null,
            invariant: cx.invariant,
            kind: cx.kind,
            message: cx.message,
            faultActions: cx.faultActions,
            replay: cx.replay,
            traceHash: cx.traceHash,
            reproduced: cx.reproduced,
            run: cx.runIndex,
            fastCheck: cx.fcSeed === null ? null : { seed: cx.fcSeed, path: cx.fcPath },
            shrinkSteps: cx.shrinkSteps,
            shrinkMs: Math.round(cx.shrinkMs),
          },
  };
}

/** The guided-search fields of `--json`: search mode, coverage, corpus, probes, nondeterminism. */
function campaignFields(outcome: FuzzOutcome): Record<string, unknown> {
  const stats = outcome.stats;
  const found = outcome.nondeterminism;
  return {
    search: outcome.settings.swarm === true ? "guided" : "uniform",
    ...(stats === undefined
      ? {}
      : {
          coverage: stats.coverage,
          corpus: stats.corpus,
          corpusLoaded: stats.corpusLoaded,
          corpusSaved: outcome.corpusSaved ?? 0,
          mutants: stats.mutants,
          sampled: stats.sampled,
          probes: Object.keys(stats.probes).sort(),
        }),
    nondeterminism: found === undefined ? null : { run: found.run, ...found.found },
  };
}

function printOutcome(outcome: FuzzOutcome, protocol?: Protocol): void {
  const c = colours(process.stdout);
  const out: string[] = [];
  const stats = outcome.stats;
  if (stats !== undefined) {
    const probes = Object.keys(stats.probes).length;
    const declared = protocol?.probes?.length;
    out.push(
      c.dim(
        `${outcome.settings.swarm === true ? "guided" : "uniform"} search: coverage ${stats.coverage}, corpus ${stats.corpus}${stats.corpusLoaded > 0 ? ` (${stats.corpusLoaded} loaded)` : ""}, ${stats.mutants} mutant runs, probes reached ${probes}${declared === undefined ? "" : ` of ${declared} declared`}, ${stats.sampled} runs re-run for determinism`,
      ),
    );
  }
  const found = outcome.nondeterminism;
  if (found !== undefined) {
    out.push(c.red.bold(`✗ NONDETERMINISM in run ${found.run}`));
    out.push(`  ${describeNondeterminism(found.found)}`);
  }
  const rate = `${outcome.runsPerSec.toFixed(0)} runs/s, ${compact(outcome.eventsPerSec)} events/s`;
  const cx = outcome.counterexample;
  if (cx === undefined) {
    out.push(
      `${c.green("✓ no violation")} in ${outcome.runs} runs (${(outcome.wallMs / 1000).toFixed(1)} s, ${rate})`,
    );
  } else {
    const what = cx.kind === "liveness" ? c.yellow.bold("✗ LIVENESS") : c.red.bold("✗ VIOLATION");
    out.push(
      `${what} ${c.bold(cx.invariant)} in run ${cx.runIndex} (after ${outcome.runs} runs, ${(outcome.searchMs / 1000).toFixed(1)} s, ${rate})`,
    );
    out.push(`  ${cx.message}`);
    out.push(
      `  shrunk to ${cx.faultActions} fault action${cx.faultActions === 1 ? "" : "s"} in ${cx.shrinkSteps} steps (${cx.shrinkRuns} runs, ${(cx.shrinkMs / 1000).toFixed(1)} s)`,
    );
    if (cx.file !== undefined) out.push(`  counterexample: ${cx.file}`);
    if (cx.traceFile !== undefined)
      out.push(`  trace:          ${cx.traceFile} (${cx.traceHash.slice(0, 16)})`);
    if (cx.reportFile !== undefined) out.push(`  report:         ${cx.reportFile}`);
    if (cx.fcSeed !== null) out.push(`  fast-check:     { seed: ${cx.fcSeed}, path: "${cx.fcPath}" }`);
    if (!cx.reproduced)
      out.push(c.yellow("  warning: the saved scenario did not reproduce the failure when re-run"));
    out.push(`replay: ${cx.replay}`);
    const limit = protocol?.knownLimits?.find((known) => known.invariant === cx.invariant);
    if (limit !== undefined && outcome.bugs.length === 0) {
      out.push(
        c.yellow(
          `note: this is a known limit of ${protocol?.name}, not a bug: it breaks ${limit.invariant} under ${limit.when} (${limit.source})`,
        ),
      );
    }
  }
  process.stdout.write(`${out.join("\n")}\n`);
}

/** `--fc-seed/--fc-path`: rebuild one shrunk plan without a campaign. */
async function replayFastCheck(args: FuzzArgs, seed: bigint): Promise<FuzzOutcome> {
  const { source, protocol } = await resolveTarget(args.target);
  const settings = fuzzSettings(protocol, settingsInput(args));
  const runner = await fuzzRunner(source, settings.liveness);
  const started = performance.now();
  const shrink = shrinkWithSeed(settings, args["fc-seed"] as number, runner, {
    ...(args["fc-path"] === undefined ? {} : { path: args["fc-path"] }),
  });
  const base = {
    protocol: protocol.name,
    bugs: settings.bugs,
    seed,
    settings,
    runs: 1,
    evaluated: 1,
    events: 0,
    searchMs: 0,
    runsPerSec: 0,
    eventsPerSec: 0,
  };
  if (shrink === undefined) return { ...base, wallMs: performance.now() - started };
  const info = { shrink, campaignSeed: seed, runIndex: 0 };
  const counterexample = await saveCounterexample(source, settings, info, args.out, 0);
  return { ...base, wallMs: performance.now() - started, counterexample };
}

export const fuzzCommand: CommandModule<object, FuzzArgs> = {
  command: "fuzz <target>",
  describe:
    "Fuzz a protocol (built-in name or module.js) with generated fault plans; shrink and save the first violation",
  builder: (yargs) =>
    yargs
      .positional("target", { type: "string", demandOption: true, describe: "protocol name or module path" })
      .option("time", { type: "string", describe: "time budget, e.g. 60s (default 60s unless --runs)" })
      .option("runs", { type: "number", describe: "number of runs (per shard)" })
      .option("seed", {
        type: "string",
        describe: "campaign seed, decimal or 0x-hex (default: random, printed)",
      })
      .option("workers", { type: "number", default: 1, describe: "worker threads" })
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
      .option("duration", { type: "string", describe: "simulated length of each run (default 3s)" })
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
      .option("replay", { type: "string", describe: "run a counterexample file against a protocol module" })
      .option("swarm", {
        type: "boolean",
        default: true,
        describe: "swarm testing and coverage-guided search (--no-swarm: uniform search)",
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
      .example("$0 fuzz raft --bug commit-previous-term --runs 500 --seed 1", "find a deliberate bug")
      .example("$0 fuzz raft --runs 2000 --shard 2/4 --json", "one machine's quarter of a campaign")
      .example("$0 fuzz ./my-protocol.js --time 30s", "fuzz your own protocol module"),
  handler: (args) =>
    runCommand(async () => {
      const seed =
        args.seed === undefined ? BigInt(`0x${randomBytes(4).toString("hex")}`) : parseSeed(args.seed);
      if (args.replay !== undefined) return replayFile(args);
      if (args["fc-seed"] !== undefined) {
        const outcome = await replayFastCheck(args, seed);
        if (args.json) process.stdout.write(`${JSON.stringify(fuzzJson(outcome))}\n`);
        else printOutcome(outcome);
        return outcome.counterexample === undefined ? ExitCode.ok : ExitCode.violation;
      }
      if (args.runs !== undefined && !(Number.isInteger(args.runs) && args.runs >= 1)) {
        throw new InputError(`--runs: expected a positive integer, got ${args.runs}`);
      }
      if (!(Number.isInteger(args.workers) && args.workers >= 1)) {
        throw new InputError(`--workers: expected a positive integer, got ${args.workers}`);
      }
      const budgetMs =
        args.time !== undefined
          ? durationMs("time", args.time)
          : args.runs === undefined
            ? 60_000
            : undefined;
      const shard = args.shard === undefined ? undefined : parseShard(args.shard);
      const { protocol } = await resolveTarget(args.target);
      const settings = fuzzSettings(protocol, settingsInput(args));
      if (!args.json) {
        const c = colours(process.stdout);
        const budget = [
          args.runs === undefined ? undefined : `${args.runs} runs`,
          budgetMs === undefined ? undefined : formatDuration(budgetMs * 1000),
        ].filter((part) => part !== undefined);
        process.stdout.write(
          `${c.bold(`fuzz ${protocol.name}`)} ${c.dim(`seed ${formatSeed(seed)}, bugs [${settings.bugs.join(", ")}], ${settings.nodesMin}..${settings.nodesMax} nodes, runs of ${formatDuration(settings.durationMs * 1000)}, ${budget.join(" or ")}, ${args.workers} worker${args.workers === 1 ? "" : "s"}${shard === undefined ? "" : `, shard ${shard.index + 1}/${shard.count}`}${settings.liveness ? ", liveness" : ""}`)}\n`,
        );
      }
      const bar = progressBar(
        `fuzz ${protocol.name}`,
        args.runs ?? Math.ceil((budgetMs as number) / 1000),
        args.runs === undefined ? "s" : "runs",
      );
      let outcome: FuzzOutcome;
      try {
        outcome = await fuzzCampaign({
          target: args.target,
          settings: settingsInput(args),
          seed,
          ...(args.runs === undefined ? {} : { runs: args.runs }),
          ...(budgetMs === undefined ? {} : { budgetMs }),
          workers: args.workers,
          ...(shard === undefined ? {} : { shard }),
          outDir: args.out,
          shrinkBudgetMs: durationMs("shrink-time", args["shrink-time"]),
          onProgress: (progress) => bar.update(progress),
          ...(args.corpus === undefined ? {} : { corpusDir: args.corpus }),
        });
      } finally {
        bar.stop();
      }
      if (args.report !== undefined) writeCampaignReport(args.report, outcome, protocol);
      if (args.json) process.stdout.write(`${JSON.stringify(fuzzJson(outcome, shard))}\n`);
      else printOutcome(outcome, protocol);
      // A sampled run gave two traces (a counterexample that does so is an input error above).
      if (outcome.nondeterminism !== undefined) return ExitCode.usage;
      return outcome.counterexample === undefined ? ExitCode.ok : ExitCode.violation;
    }),
};

/** `--replay FILE`: runs a counterexample file against the target (for protocol modules). */
async function replayFile(args: FuzzArgs): Promise<number> {
  const { source } = await resolveTarget(args.target);
  const file = args.replay as string;
  const scenario = parseScenario(readText(file), file);
  const started = performance.now();
  const result = await replay(source, scenario, { liveness: args.liveness, keepTrace: false });
  process.stdout.write(`${JSON.stringify(runJson(result, performance.now() - started))}\n`);
  return result.ok ? ExitCode.ok : ExitCode.violation;
}
