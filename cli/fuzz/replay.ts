/** The two ways `fuzz` replays instead of searching: `--fc-seed/--fc-path` and `--replay FILE`. */
import { performance } from "node:perf_hooks";
import { InputError } from "../../sim/errors.js";
import { shrinkWithSeed } from "../../sim/fuzz/campaign.js";
import type { ScenarioRunner } from "../../sim/fuzz/property.js";
import { fuzzSettings } from "../../sim/fuzz/settings.js";
import { formatSeed } from "../../sim/random.js";
import { parseScenario } from "../../sim/scenario/load.js";
import { formatSpan } from "../../sim/time.js";
import { readText } from "../files.js";
import { colours, counted } from "../output.js";
import { replay, saveCounterexample } from "../shared/counterexample-file.js";
import { type FuzzOutcome, replayedNondeterminism } from "../shared/fuzz-campaign.js";
import { resolveTarget } from "../shared/fuzz-target.js";
import { fuzzRunner } from "../shared/fuzz-worker.js";
import { runJson } from "../shared/run-scenario.js";
import { runExitCode, verdictLines } from "../shared/run-verdict.js";
import { type FuzzArgs, settingsInput } from "./flags.js";

/**
 * `--fc-seed/--fc-path`: rebuild one shrunk plan without a campaign. `seed`, the campaign's seed
 * (`--seed`, null without it), is what the counterexample's description names, so a rebuild with
 * the command that description gives writes the same file, with the same trace hash.
 */
export async function replayFastCheck(args: FuzzArgs, seed: bigint | null): Promise<FuzzOutcome> {
  const { source, protocol } = await resolveTarget(args.target);
  const settings = fuzzSettings(protocol, settingsInput(args));
  const fuzzRun = await fuzzRunner(source, settings);
  let evaluated = 0;
  let events = 0;
  const runner: ScenarioRunner = (scenario, ask) => {
    const verdict = fuzzRun(scenario, ask);
    evaluated++;
    events += verdict.events;
    return verdict;
  };
  const started = performance.now();
  const shrink = rebuild(
    () =>
      shrinkWithSeed(settings, args["fc-seed"] as number, runner, {
        ...(args["fc-path"] === undefined ? {} : { path: args["fc-path"] }),
        ...(args["last-pass-runs"] === undefined ? {} : { lastPassRuns: args["last-pass-runs"] }),
      }),
    args,
  );
  const searchMs = performance.now() - started;
  const base = {
    protocol: protocol.name,
    bugs: settings.bugs,
    seed,
    settings,
    runs: 1,
    evaluated,
    events,
    searchMs,
    runsPerSec: searchMs > 0 ? (evaluated * 1000) / searchMs : 0,
    eventsPerSec: searchMs > 0 ? (events * 1000) / searchMs : 0,
  };
  if (shrink === undefined) return { ...base, wallMs: performance.now() - started };
  const info = { shrink, campaignSeed: seed, runIndex: null };
  try {
    const counterexample = await saveCounterexample({
      source,
      settings,
      info,
      outDir: args.out,
      shrinkMs: 0,
    });
    return { ...base, wallMs: performance.now() - started, counterexample };
  } catch (error) {
    const found = replayedNondeterminism(error, null, shrink.failure.invariant);
    if (found === undefined) throw error;
    return { ...base, wallMs: performance.now() - started, nondeterminism: found };
  }
}

/**
 * Runs fast-check's replay; a path with a shrink step that the run of this seed (and these
 * settings) does not have is the user's input, not an internal error.
 */
function rebuild<T>(replay: () => T, args: FuzzArgs): T {
  try {
    return replay();
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("Unable to replay"))
      throw new InputError(
        `--fc-path: the run of --fc-seed ${args["fc-seed"]} with these settings has no shrink path '${args["fc-path"]}' (give the path printed with the counterexample, and the same flags)`,
      );
    throw error;
  }
}

/**
 * `--replay FILE`: runs a counterexample file against the target (for protocol modules) and answers
 * as `run` does: the verdict at the terminal, or one JSON object with `--json`; the same exit code.
 */
export async function replayFile(args: FuzzArgs): Promise<number> {
  const { source, protocol } = await resolveTarget(args.target);
  const file = args.replay as string;
  const scenario = parseScenario(readText(file), file);
  if (scenario.protocol !== protocol.name)
    throw new InputError(
      `--replay: ${file} is a scenario of ${scenario.protocol}, not of ${protocol.name}, the protocol fuzz was given`,
    );
  const started = performance.now();
  const result = await replay(source, scenario, { liveness: args.liveness, keepTrace: false });
  const wallMs = performance.now() - started;
  if (args.json) {
    process.stdout.write(`${JSON.stringify(runJson(result, wallMs))}\n`);
  } else {
    const c = colours(process.stdout);
    const header = `${c.bold(scenario.name)}  ${c.dim(`${result.protocol}, ${counted(result.kernel.nodeIds.length, "node")}, seed ${formatSeed(result.seed)}; ${result.events} events in ${formatSpan(result.simulatedUs)} simulated, ${wallMs.toFixed(0)} ms wall; trace ${result.traceHash.slice(0, 16)}`)}`;
    process.stdout.write(`${[header, ...verdictLines(result, c, { replay: undefined })].join("\n")}\n`);
  }
  return runExitCode(result);
}
