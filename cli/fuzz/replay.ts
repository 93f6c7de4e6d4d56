/** The two ways `fuzz` replays instead of searching: `--fc-seed/--fc-path` and `--replay FILE`. */
import { performance } from "node:perf_hooks";
import { ExitCode } from "../../sim/errors.js";
import { shrinkWithSeed } from "../../sim/fuzz/campaign.js";
import { fuzzSettings } from "../../sim/fuzz/settings.js";
import { parseScenario } from "../../sim/scenario/load.js";
import { readText } from "../files.js";
import { replay, saveCounterexample } from "../shared/counterexample-file.js";
import type { FuzzOutcome } from "../shared/fuzz-campaign.js";
import { resolveTarget } from "../shared/fuzz-target.js";
import { fuzzRunner } from "../shared/fuzz-worker.js";
import { runJson } from "../shared/run-scenario.js";
import { type FuzzArgs, settingsInput } from "./flags.js";

/** `--fc-seed/--fc-path`: rebuild one shrunk plan without a campaign. */
export async function replayFastCheck(args: FuzzArgs, seed: bigint): Promise<FuzzOutcome> {
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
  const counterexample = await saveCounterexample({ source, settings, info, outDir: args.out, shrinkMs: 0 });
  return { ...base, wallMs: performance.now() - started, counterexample };
}

/** `--replay FILE`: runs a counterexample file against the target (for protocol modules). */
export async function replayFile(args: FuzzArgs): Promise<number> {
  const { source } = await resolveTarget(args.target);
  const file = args.replay as string;
  const scenario = parseScenario(readText(file), file);
  const started = performance.now();
  const result = await replay(source, scenario, { liveness: args.liveness, keepTrace: false });
  process.stdout.write(`${JSON.stringify(runJson(result, performance.now() - started))}\n`);
  return result.ok ? ExitCode.ok : ExitCode.violation;
}
