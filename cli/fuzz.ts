/**
 * `quorumlab fuzz <protocol|module.js>`: generate scenarios with fast-check, run them, and on the
 * first violation shrink it and save it as an ordinary scenario file that `quorumlab run FILE`
 * replays exactly. docs/fuzzing.md is the user's guide.
 *
 * The work is in sim/fuzz/ (arbitraries, deterministic campaigns, counterexamples) and
 * cli/shared/ (the campaign, its worker pool, the counterexample files); cli/fuzz/ holds this
 * command's flags, its output and its two replay modes. This file ties them together.
 */
import { randomBytes } from "node:crypto";
import type { CommandModule } from "yargs";
import { ExitCode } from "../sim/errors.js";
import { fuzzSettings } from "../sim/fuzz/settings.js";
import { formatSeed, parseSeed } from "../sim/random.js";
import { checkOutputFile, checkOutputFolder } from "./files.js";
import {
  campaignBudget,
  checkModeFlags,
  durationMs,
  type FuzzArgs,
  fuzzFlags,
  parseShard,
  settingsInput,
} from "./fuzz/flags.js";
import {
  campaignExitCode,
  campaignNotes,
  fuzzJson,
  printHeader,
  printNotes,
  printOutcome,
} from "./fuzz/output.js";
import { replayFastCheck, replayFile } from "./fuzz/replay.js";
import { runCommand } from "./output.js";
import { writeCampaignReport } from "./shared/campaign-report.js";
import { commandHeadings } from "./shared/command-headings.js";
import { type FuzzOutcome, fuzzCampaign } from "./shared/fuzz-campaign.js";
import { resolveTarget } from "./shared/fuzz-target.js";
import { listenForInterrupt } from "./shared/interrupt.js";
import { inModule } from "./shared/module-registry.js";
import { progressBar } from "./shared/progress.js";
import { isModulePath } from "./shared/protocol-module.js";

export const fuzzCommand: CommandModule<object, FuzzArgs> = {
  ...commandHeadings.fuzz,
  builder: fuzzFlags,
  handler: (args) => runCommand(() => fuzz(args)),
};

/** The command: a replay when asked for one, else a campaign. Returns the exit code. */
async function fuzz(args: FuzzArgs): Promise<number> {
  checkModeFlags(args);
  const given = args.seed === undefined ? undefined : parseSeed(args.seed, "--seed");
  if (args.replay !== undefined)
    return replayFile(args).catch((error: unknown) => {
      throw inModule(error, isModulePath(args.target) ? args.target : undefined);
    });
  if (args["fc-seed"] !== undefined) {
    const outcome = await replayFastCheck(args, given ?? null);
    const { protocol } = await resolveTarget(args.target);
    const notes = campaignNotes(1, protocol, outcome.settings);
    if (args.json) process.stdout.write(`${JSON.stringify(fuzzJson(outcome, { protocol, notes }))}\n`);
    else {
      printNotes(notes);
      printOutcome(outcome, protocol);
    }
    if (outcome.nondeterminism !== undefined) return ExitCode.usage;
    return outcome.counterexample === undefined ? ExitCode.ok : ExitCode.violation;
  }
  return campaign(args, given ?? BigInt(`0x${randomBytes(4).toString("hex")}`), given !== undefined);
}

/**
 * The note for `--shard` without `--seed`: each machine draws its own seed, so its shard is a
 * share of a campaign no other machine runs.
 */
function unseededShardNote(shard: { index: number; count: number }, seed: bigint): string {
  return `--shard ${shard.index + 1}/${shard.count} without --seed: this shard drew the seed ${formatSeed(seed)} and every other shard draws its own, so together they are not one campaign; give every shard the same --seed`;
}

/**
 * A campaign with a progress bar, its report file, and its outcome printed; `seedGiven` false
 * when the seed was drawn here.
 */
async function campaign(args: FuzzArgs, seed: bigint, seedGiven: boolean): Promise<number> {
  const budget = campaignBudget(args);
  const shard = args.shard === undefined ? undefined : parseShard(args.shard);
  const { protocol } = await resolveTarget(args.target);
  checkOutputFolder(args.out, "--out");
  if (args.corpus !== undefined) checkOutputFolder(args.corpus, "--corpus");
  if (args.report !== undefined) checkOutputFile(args.report, "--report");
  const shrinkBudgetMs = durationMs("shrink-time", args["shrink-time"]);
  const settings = fuzzSettings(protocol, settingsInput(args));
  const notes = campaignNotes(args.workers, protocol, settings);
  if (shard !== undefined && !seedGiven) notes.push(unseededShardNote(shard, seed));
  if (!args.json) {
    printHeader({
      protocol,
      seed,
      settings,
      budget,
      workers: args.workers,
      ...(shard === undefined ? {} : { shard }),
      notes,
    });
  }
  const bar = progressBar(
    `fuzz ${protocol.name}`,
    budget.runs ?? Math.ceil((budget.budgetMs as number) / 1000),
    budget.runs === undefined ? "s" : "runs",
  );
  // Ctrl-C or SIGTERM ends the search between batches, with the summary and the corpus saved.
  const interrupt = listenForInterrupt();
  let outcome: FuzzOutcome;
  try {
    outcome = await fuzzCampaign({
      target: args.target,
      settings: settingsInput(args),
      seed,
      ...budget,
      workers: args.workers,
      ...(shard === undefined ? {} : { shard }),
      outDir: args.out,
      shrinkBudgetMs,
      onProgress: (progress) => bar.update(progress),
      ...(args.corpus === undefined ? {} : { corpusDir: args.corpus }),
      signal: interrupt.signal,
      // Shrinking runs in this thread without a break: from then on a signal stops it at once.
      onSearchEnd: () => interrupt.release(),
    }).catch((error: unknown) => {
      throw inModule(error, isModulePath(args.target) ? args.target : undefined);
    });
  } finally {
    interrupt.release();
    bar.stop();
  }
  if (args.report !== undefined) writeCampaignReport(args.report, outcome, protocol);
  if (args.json) {
    const json = fuzzJson(outcome, { ...(shard === undefined ? {} : { shard }), protocol, notes });
    process.stdout.write(`${JSON.stringify(json)}\n`);
  } else {
    printOutcome(outcome, protocol);
    // Where what outlives the command went.
    if (args.corpus !== undefined) {
      const saved = outcome.corpusSaved ?? 0;
      process.stdout.write(`corpus written to ${args.corpus}: ${saved} new plan${saved === 1 ? "" : "s"}\n`);
    }
    if (args.report !== undefined) process.stdout.write(`campaign report written to ${args.report}\n`);
  }
  // A sampled run, or the counterexample before it was saved, gave two traces: exit 2.
  return campaignExitCode(outcome, () => interrupt.exitCode());
}
