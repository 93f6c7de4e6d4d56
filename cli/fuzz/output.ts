/** What `fuzz` prints: the header line, the outcome for people, and the stable `--json` shape. */
import type { ChalkInstance } from "chalk";
import { ExitCode } from "../../sim/errors.js";
import { describeNondeterminism } from "../../sim/fuzz/determinism.js";
import type { FuzzSettings } from "../../sim/fuzz/plan.js";
import { defaultSettings } from "../../sim/fuzz/settings.js";
import type { Protocol } from "../../sim/node.js";
import { formatSeed } from "../../sim/random.js";
import { formatDuration } from "../../sim/time.js";
import { colours, counted } from "../output.js";
import type { Counterexample } from "../shared/counterexample-file.js";
import type { FuzzOutcome } from "../shared/fuzz-campaign.js";
import { knownLimitNote, knownLimitOf } from "../shared/known-limit.js";
import { compact } from "../shared/progress.js";
import { oversubscribed } from "../shared/workers.js";
import type { CampaignBudget } from "./flags.js";

/** A shard as the campaign counts it: 0-based index and count. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/**
 * The notes printed before a campaign or a rebuilt run (each after `note: `): worker threads
 * beyond the cores, and a liveness bug switched on without `--liveness`, which no run can show.
 * `--json` gives them in `notes`, with the outcome's.
 */
export function campaignNotes(workers: number, protocol: Protocol, settings: FuzzSettings): string[] {
  const notes: string[] = [];
  const crowded = oversubscribed(workers);
  if (crowded !== undefined) notes.push(crowded);
  if (!settings.liveness) {
    for (const bug of protocol.bugs) {
      if (bug.kind === "liveness" && settings.bugs.includes(bug.name))
        notes.push(
          `--bug ${bug.name} is a liveness bug (it breaks ${bug.breaks.join(", ")}): only --liveness can find it`,
        );
    }
  }
  return notes;
}

/**
 * The notes on what a campaign's runs reached, printed after its outcome: for a protocol that
 * declares leading roles, that fewer than half the runs saw a leader, when nothing was found.
 * Such runs end before an election (raft: `--duration 100ms`; the few leaders come from forced
 * timeouts) and check little; with runs of 300 ms or more, nine in ten runs of every built-in
 * protocol see one. `--json` gives the notes in `notes` too.
 */
export function outcomeNotes(outcome: FuzzOutcome, protocol?: Protocol): string[] {
  const stats = outcome.stats;
  const leading = protocol?.roles?.leading ?? [];
  if (stats === undefined || stats.runs === 0 || leading.length === 0) return [];
  if (outcome.counterexample !== undefined || outcome.nondeterminism !== undefined) return [];
  if (stats.leaderRuns * 2 >= stats.runs) return [];
  const share =
    stats.leaderRuns === 0
      ? stats.runs === 1
        ? "the run had no leader"
        : `none of the ${stats.runs.toLocaleString("en-US")} runs had a leader`
      : `only ${stats.leaderRuns.toLocaleString("en-US")} of ${counted(stats.runs, "run")} (${Math.round((stats.leaderRuns * 100) / stats.runs)} %) had a leader`;
  const length = formatDuration(outcome.settings.durationMs * 1_000);
  const standard = formatDuration(defaultSettings.durationMs * 1_000);
  return [
    `${share} (a node in a leading role: ${leading.join(", ")}): runs of ${length} may end before ${protocol?.name} elects one, and check little of it; give a longer --duration (default ${standard})`,
  ];
}

/** The stable `--json` shape of a campaign (documented in docs/fuzzing.md). */
export function fuzzJson(
  outcome: FuzzOutcome,
  { shard, protocol, notes = [] }: { shard?: Shard; protocol?: Protocol; notes?: readonly string[] } = {},
): Record<string, unknown> {
  const cx = outcome.counterexample;
  const limit =
    cx === undefined ? undefined : knownLimitOf(protocol, cx.invariant, outcome.bugs, cx.scenario.options);
  const limitNote =
    limit === undefined ? [] : [knownLimitNote(protocol?.name ?? "", limit).replace(/^note: /, "")];
  return {
    schemaVersion: 1,
    protocol: outcome.protocol,
    bugs: outcome.bugs,
    seed: outcome.seed === null ? null : formatSeed(outcome.seed),
    ...(shard === undefined ? {} : { shard: `${shard.index + 1}/${shard.count}` }),
    runs: outcome.runs,
    evaluated: outcome.evaluated,
    runsPerSec: Math.round(outcome.runsPerSec * 10) / 10,
    eventsPerSec: Math.round(outcome.eventsPerSec),
    wallMs: Math.round(outcome.wallMs),
    searchMs: Math.round(outcome.searchMs),
    violations: cx === undefined ? 0 : 1,
    inconclusiveRuns: outcome.inconclusiveRuns ?? 0,
    interrupted: outcome.interrupted === true,
    ...campaignFields(outcome),
    counterexample:
      cx === undefined
        ? null
        : {
            file: cx.file ?? null,
            trace: cx.traceFile ?? null,
            report: cx.reportFile ?? null,
            invariant: cx.invariant,
            kind: cx.kind,
            message: cx.message,
            faultActions: cx.faultActions,
            faultActionsRemoved: cx.faultActionsRemoved,
            faultActionsSimplified: cx.faultActionsSimplified,
            clients: cx.clients,
            operations: cx.operations,
            durationUs: cx.durationUs,
            beforeLastPass: cx.beforeLastPass,
            lastPassComplete: cx.lastPassComplete,
            replay: cx.replay,
            traceHash: cx.traceHash,
            reproduced: cx.reproduced,
            run: cx.runIndex,
            fastCheck: cx.fcSeed === null ? null : { seed: cx.fcSeed, path: cx.fcPath },
            shrinkSteps: cx.shrinkSteps,
            shrinkMs: Math.round(cx.shrinkMs),
            knownLimit:
              limit === undefined
                ? null
                : { invariant: limit.invariant, when: limit.when, source: limit.source },
          },
    notes: [...notes, ...limitNote, ...outcomeNotes(outcome, protocol)],
  };
}

/**
 * The guided-search fields of `--json`: search mode, coverage, corpus, probes, nondeterminism. A
 * run rebuilt with `--fc-seed` has no campaign: what it did not measure (coverage, corpus, probes)
 * is null, what it did not do (corpus files, mutants, determinism samples) 0.
 */
function campaignFields(outcome: FuzzOutcome): Record<string, unknown> {
  const stats = outcome.stats;
  const found = outcome.nondeterminism;
  return {
    search: outcome.settings.swarm === true ? "guided" : "uniform",
    coverage: stats?.coverage ?? null,
    corpus: stats?.corpus ?? null,
    corpusLoaded: stats?.corpusLoaded ?? 0,
    corpusSaved: outcome.corpusSaved ?? 0,
    mutants: stats?.mutants ?? 0,
    sampled: stats?.sampled ?? 0,
    probes: stats === undefined ? null : Object.keys(stats.probes).sort(),
    nondeterminism:
      found === undefined
        ? null
        : {
            run: found.run,
            kind: found.kind,
            invariant: found.invariant ?? null,
            file: found.file ?? null,
            ...found.found,
          },
  };
}

/** The first line of a campaign: the seed and every option drawn from it, so that it can be rerun. */
export function printHeader({
  protocol,
  seed,
  settings,
  budget,
  workers,
  shard,
  notes,
}: {
  readonly protocol: Protocol;
  readonly seed: bigint;
  readonly settings: FuzzSettings;
  readonly budget: CampaignBudget;
  readonly workers: number;
  readonly shard?: Shard;
  readonly notes: readonly string[];
}): void {
  const c = colours(process.stdout);
  const limits = [
    budget.runs === undefined ? undefined : counted(budget.runs, "run"),
    budget.budgetMs === undefined ? undefined : formatBudget(budget.budgetMs),
  ].filter((part) => part !== undefined);
  process.stdout.write(
    `${c.bold(`fuzz ${protocol.name}`)} ${c.dim(`seed ${formatSeed(seed)}, bugs [${settings.bugs.join(", ")}], ${settings.nodesMin}..${settings.nodesMax} nodes, runs of ${formatDuration(settings.durationMs * 1000)}, ${limits.join(" or ")}, ${counted(workers, "worker")}${shard === undefined ? "" : `, shard ${shard.index + 1}/${shard.count}`}${settings.liveness ? ", liveness" : ""}`)}\n`,
  );
  printNotes(notes);
}

/** Notes, one line each: `note: …`. */
export function printNotes(notes: readonly string[]): void {
  const c = colours(process.stdout);
  for (const note of notes) process.stdout.write(`${c.yellow("note")}: ${note}\n`);
}

/** The outcome for people: search statistics, then the verdict and where the counterexample is. */
export function printOutcome(outcome: FuzzOutcome, protocol?: Protocol): void {
  const c = colours(process.stdout);
  const out: string[] = [];
  const stats = searchLine(c, outcome, protocol);
  if (stats !== undefined) out.push(stats);
  const found = outcome.nondeterminism;
  const run = found === undefined || found.run === null ? "the rebuilt run" : `run ${runNumber(found.run)}`;
  if (found !== undefined) {
    const where = found.kind === "counterexample" ? `the counterexample of ${run}` : run;
    out.push(c.red.bold(`✗ NONDETERMINISM in ${where}`));
    out.push(`  ${describeNondeterminism(found.found)}`);
    if (found.file !== undefined) out.push(`  counterexample: ${found.file} (it does not replay)`);
  }
  const rate = `${outcome.runsPerSec.toFixed(0)} runs/s, ${compact(outcome.eventsPerSec)} events/s`;
  const cx = outcome.counterexample;
  if (found?.kind === "counterexample") {
    // A violation that does not replay proves nothing either: no replay command for it.
    out.push(
      `violation of ${found.invariant ?? "an invariant"} in ${run} (after ${counted(outcome.runs, "run")}, ${(outcome.searchMs / 1000).toFixed(1)} s, ${rate}), which says nothing while the same run can differ`,
    );
  } else if (cx === undefined && found !== undefined) {
    // Runs that do not replay prove nothing: no check mark for them.
    out.push(
      `no violation in ${counted(outcome.runs, "run")} (${(outcome.wallMs / 1000).toFixed(1)} s, ${rate}), which says nothing while the same run can differ`,
    );
  } else if (cx === undefined && outcome.interrupted === true) {
    // Cut short: the runs passed, but the campaign did not run its budget.
    out.push(
      `${c.yellow("interrupted")}: no violation in ${counted(outcome.runs, "run")} before it stopped (${(outcome.wallMs / 1000).toFixed(1)} s, ${rate})`,
    );
  } else if (cx === undefined && (outcome.inconclusiveRuns ?? 0) > 0) {
    // Runs whose history was not decided prove less than a pass: no check mark for them.
    out.push(
      `${c.yellow("inconclusive")}: no violation in ${counted(outcome.runs, "run")} (${(outcome.wallMs / 1000).toFixed(1)} s, ${rate})`,
    );
  } else if (cx === undefined) {
    out.push(
      `${c.green("✓ no violation")} in ${counted(outcome.runs, "run")} (${(outcome.wallMs / 1000).toFixed(1)} s, ${rate})`,
    );
  } else {
    const what = cx.kind === "liveness" ? c.yellow.bold("✗ LIVENESS") : c.red.bold("✗ VIOLATION");
    out.push(
      `${what} ${c.bold(cx.invariant)}${cx.runIndex === null ? "" : ` in run ${runNumber(cx.runIndex)}`} (after ${counted(outcome.runs, "run")}, ${(outcome.searchMs / 1000).toFixed(1)} s, ${rate})`,
    );
    out.push(...counterexampleLines(c, cx));
    const limit = knownLimitOf(protocol, cx.invariant, outcome.bugs, cx.scenario.options);
    if (limit !== undefined) out.push(c.yellow(knownLimitNote(protocol?.name ?? "", limit)));
  }
  const unknown = inconclusiveLine(outcome);
  if (unknown !== undefined) out.push(`  ${c.yellow(unknown)}`);
  for (const note of outcomeNotes(outcome, protocol)) out.push(`${c.yellow("note")}: ${note}`);
  process.stdout.write(`${out.join("\n")}\n`);
}

/**
 * The runs that passed with their history check undecided, when there were any: `3 runs' history
 * checks were inconclusive (checker budget)`.
 */
export function inconclusiveLine(outcome: Pick<FuzzOutcome, "inconclusiveRuns">): string | undefined {
  const count = outcome.inconclusiveRuns ?? 0;
  if (count === 0) return undefined;
  return count === 1
    ? "1 run's history check was inconclusive (checker budget)"
    : `${count.toLocaleString("en-US")} runs' history checks were inconclusive (checker budget)`;
}

/**
 * A campaign's exit code: a violation 1, nondeterminism 2, a signal its own code (`interrupted`),
 * and no violation with inconclusive history checks 3, since those runs decided nothing.
 */
export function campaignExitCode(
  outcome: Pick<FuzzOutcome, "nondeterminism" | "counterexample" | "interrupted" | "inconclusiveRuns">,
  interrupted: () => number,
): number {
  if (outcome.nondeterminism !== undefined) return ExitCode.usage;
  if (outcome.counterexample !== undefined) return ExitCode.violation;
  if (outcome.interrupted === true) return interrupted();
  return (outcome.inconclusiveRuns ?? 0) > 0 ? ExitCode.inconclusive : ExitCode.ok;
}

/** Coverage, corpus, mutants, probes and determinism re-runs, when the campaign counted them. */
function searchLine(c: ChalkInstance, outcome: FuzzOutcome, protocol?: Protocol): string | undefined {
  const stats = outcome.stats;
  if (stats === undefined) return undefined;
  const probes = Object.keys(stats.probes).length;
  const declared = protocol?.probes?.length;
  return c.dim(
    `${outcome.settings.swarm === true ? "guided" : "uniform"} search: coverage ${stats.coverage ?? "not measured (--coverage)"}, corpus ${stats.corpus}${stats.corpusLoaded > 0 ? ` (${stats.corpusLoaded} loaded)` : ""}, ${counted(stats.mutants, "mutant run")}, probes reached ${probes}${declared === undefined ? "" : ` of ${declared} declared`}, ${counted(stats.sampled, "run")} re-run for determinism`,
  );
}

/**
 * A run's number for people, counted from 1 as the run counts are (`after 379 runs`); `--json`
 * gives the 0-based index (`run`).
 */
function runNumber(index: number): number {
  return index + 1;
}

/** The counterexample's message, its shrink, its files and the line that replays it. */
function counterexampleLines(c: ChalkInstance, cx: Counterexample): string[] {
  const out = [
    `  ${cx.message}`,
    `  shrunk to ${counted(cx.faultActions, "fault action")} in ${counted(cx.shrinkSteps, "step")}${lastPassSummary(cx)} (${counted(cx.shrinkRuns, "run")}, ${(cx.shrinkMs / 1000).toFixed(1)} s)`,
  ];
  if (cx.file !== undefined) out.push(`  counterexample: ${cx.file}`);
  if (cx.traceFile !== undefined)
    out.push(`  trace:          ${cx.traceFile} (${cx.traceHash.slice(0, 16)})`);
  if (cx.reportFile !== undefined) out.push(`  report:         ${cx.reportFile}`);
  if (cx.fcSeed !== null) out.push(`  fast-check:     { seed: ${cx.fcSeed}, path: "${cx.fcPath}" }`);
  if (!cx.reproduced)
    out.push(c.yellow("  warning: the saved scenario did not reproduce the failure when re-run"));
  out.push(`replay: ${cx.replay}`);
  return out;
}

/**
 * What the last pass of shrinking did, after the steps: ` and a last pass that removed 7 more,
 * simplified 2, cut the workload to 1 client and 4 operations (from 3 and 41) and shortened the
 * run to 612ms (from 3s)`, naming only the workload's counts that changed (`cut the workload to 4
 * operations (from 11)`); nothing when it changed nothing.
 */
export function lastPassSummary(
  cx: Pick<
    Counterexample,
    | "beforeLastPass"
    | "faultActionsRemoved"
    | "faultActionsSimplified"
    | "clients"
    | "operations"
    | "durationUs"
    | "lastPassComplete"
  >,
): string {
  const before = cx.beforeLastPass;
  const changes: string[] = [];
  if (cx.faultActionsRemoved > 0) changes.push(`removed ${cx.faultActionsRemoved} more`);
  if (cx.faultActionsSimplified > 0) changes.push(`simplified ${cx.faultActionsSimplified}`);
  if (before.clients > 0 && cx.clients === 0) changes.push("removed the workload");
  else if (before.clients !== cx.clients || before.operations !== cx.operations) {
    // Only the counts that changed: `to 4 operations (from 11)` when the clients stayed.
    const to: string[] = [];
    const from: number[] = [];
    if (before.clients !== cx.clients) {
      to.push(counted(cx.clients, "client"));
      from.push(before.clients);
    }
    if (before.operations !== cx.operations) {
      to.push(counted(cx.operations, "operation"));
      from.push(before.operations);
    }
    changes.push(`cut the workload to ${to.join(" and ")} (from ${from.join(" and ")})`);
  }
  if (cx.durationUs < before.durationUs)
    changes.push(
      `shortened the run to ${formatDuration(cx.durationUs)} (from ${formatDuration(before.durationUs)})`,
    );
  if (changes.length === 0)
    return cx.lastPassComplete ? "" : "; the shrink budget ran out before the last pass";
  const said =
    changes.length === 1
      ? (changes[0] as string)
      : `${changes.slice(0, -1).join(", ")} and ${changes.at(-1)}`;
  return ` and a last pass that ${said}${cx.lastPassComplete ? "" : ", cut short by the shrink budget"}`;
}

/**
 * A campaign's time budget as `--time` would take it: whole hours and minutes as `1h` and `5m`
 * (a budget of an hour read `3600s`), anything else as a duration.
 */
export function formatBudget(budgetMs: number): string {
  if (budgetMs >= 3_600_000 && budgetMs % 3_600_000 === 0) return `${budgetMs / 3_600_000}h`;
  if (budgetMs >= 60_000 && budgetMs % 60_000 === 0) return `${budgetMs / 60_000}m`;
  return formatDuration(budgetMs * 1000);
}
