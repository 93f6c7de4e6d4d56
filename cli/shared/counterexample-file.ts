/**
 * Counterexample files: a shrunk failing run saved as an ordinary scenario file (with its trace
 * and report), run back the way `quorumlab run FILE` runs it to prove that it replays.
 */
import { writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { pathWord, shellWord } from "../../reports/escape.js";
import { InputError } from "../../sim/errors.js";
import {
  type CounterexampleInfo,
  counterexampleName,
  counterexampleScenario,
  counterexampleText,
  faultActionCount,
} from "../../sim/fuzz/counterexample.js";
import { compareRuns, describeNondeterminism, type Nondeterminism } from "../../sim/fuzz/determinism.js";
import type { ScenarioSize } from "../../sim/fuzz/minimize.js";
import type { FuzzSettings } from "../../sim/fuzz/plan.js";
import type { RunFailure } from "../../sim/fuzz/property.js";
import { type RunResult, runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";
import type { Scenario } from "../../sim/scenario/schema.js";
import { displayPath, makeOutputFolder } from "../files.js";
import { historyChecker } from "../history-check.js";
import { type ProtocolSource, registryFor } from "./fuzz-worker.js";
import { reportAfterRun } from "./report-file.js";
import { executeScenario, FileSink } from "./run-scenario.js";

export interface Counterexample {
  readonly file?: string;
  readonly traceFile?: string;
  readonly reportFile?: string;
  readonly invariant: string;
  readonly kind: RunFailure["kind"];
  readonly message: string;
  readonly faultActions: number;
  /** Fault actions the last pass of shrinking removed from the shrunk plan's (sim/fuzz/minimize.ts). */
  readonly faultActionsRemoved: number;
  /** Fault actions the last pass kept but made earlier, shorter or smaller. */
  readonly faultActionsSimplified: number;
  /** The saved scenario's workload clients (0 without a workload), the operations they invoked in its run, and its length. */
  readonly clients: number;
  readonly operations: number;
  readonly durationUs: number;
  /** The same sizes of the shrunk plan's scenario, before the last pass. */
  readonly beforeLastPass: ScenarioSize;
  /** False when the shrink budget stopped the last pass before it had finished. */
  readonly lastPassComplete: boolean;
  readonly replay: string;
  readonly traceHash: string;
  /** True when the saved scenario, run as `quorumlab run` runs it, fails the same way. */
  readonly reproduced: boolean;
  /** The campaign's run that failed; null for a run rebuilt with `--fc-seed`. */
  readonly runIndex: number | null;
  /** Null for a corpus mutant (fast-check did not generate it). */
  readonly fcSeed: number | null;
  readonly fcPath: string | null;
  readonly shrinkSteps: number;
  readonly shrinkRuns: number;
  readonly shrinkMs: number;
  readonly scenario: Scenario;
  readonly text: string;
}

/**
 * A counterexample whose two runs gave two traces: it would not replay. Thrown by
 * `saveCounterexample` after the file is written; a campaign (and `fuzz --fc-seed`) reports it
 * as its outcome's nondeterminism, as it reports a sampled run's.
 */
export class CounterexampleNondeterminism extends InputError {
  /** Where the two runs part. */
  readonly found: Nondeterminism;
  /** The scenario file written before the runs, when there was a folder to write it to. */
  readonly scenarioFile: string | undefined;

  constructor(found: Nondeterminism, location: { file?: string; scenarioFile?: string }) {
    super(describeNondeterminism(found), location.file === undefined ? {} : { file: location.file });
    this.name = "CounterexampleNondeterminism";
    this.found = found;
    this.scenarioFile = location.scenarioFile;
  }
}

/** Runs a scenario exactly as `quorumlab run` would (built-in) or against the user's module. */
export async function replay(
  source: ProtocolSource,
  scenario: Scenario,
  options: { tracePath?: string; liveness: boolean; keepTrace: boolean },
): Promise<RunResult> {
  if (source.module === undefined) {
    return executeScenario(scenario, {
      keepTrace: options.keepTrace,
      liveness: options.liveness,
      ...(options.tracePath === undefined ? {} : { tracePath: options.tracePath }),
    }).result;
  }
  const sink = options.tracePath === undefined ? undefined : new FileSink(options.tracePath);
  try {
    return runScenario(scenario, await registryFor(source), {
      keepTrace: options.keepTrace,
      checkHistory: historyChecker(),
      checkLiveness: options.liveness,
      // As the module's runs were run (`KernelConfig.guardData`).
      guardData: true,
      ...(sink === undefined ? {} : { traceSink: sink }),
    });
  } finally {
    sink?.close();
  }
}

/** The command that replays a counterexample file. */
export function replayLine(source: ProtocolSource, file: string, liveness: boolean): string {
  const flags = liveness ? " --liveness" : "";
  return source.module === undefined
    ? `npx quorumlab run ${pathWord(file)}${flags}`
    : `npx quorumlab run ${pathWord(file)} --module ${shellWord(displayPath(source.module))}${flags}`;
}

/**
 * Writes a shrunk failure as a scenario file, its trace and its report into `outDir` (nothing is
 * written without one), then runs the file twice the way `quorumlab run FILE` would: the two
 * traces must agree, and `reproduced` says whether it fails the same way.
 */
export async function saveCounterexample({
  source,
  settings,
  info,
  outDir,
  shrinkMs,
}: {
  readonly source: ProtocolSource;
  readonly settings: FuzzSettings;
  readonly info: CounterexampleInfo;
  readonly outDir?: string;
  /** Wall time the shrink took (reported, not used). */
  readonly shrinkMs: number;
}): Promise<Counterexample> {
  const name = counterexampleName(settings, info);
  const file = outDir === undefined ? undefined : join(outDir, `${name}.yaml`);
  const traceFile = outDir === undefined ? undefined : join(outDir, `${name}.trace.jsonl`);
  const reportFile = outDir === undefined ? undefined : join(outDir, `${name}.html`);
  const module =
    source.module === undefined
      ? undefined
      : {
          target: displayPath(source.module),
          fromScenario: relative(dirname(resolve(file ?? `${name}.yaml`)), source.module)
            .split(sep)
            .join("/"),
        };
  const text = counterexampleText(counterexampleScenario(settings, info, module));
  if (outDir !== undefined) makeOutputFolder(outDir, "--out");
  if (file !== undefined) writeFileSync(file, text);
  // Run what the file says, parsed back, the way `quorumlab run FILE` runs it.
  const scenario = parseScenario(text, file === undefined ? `${name}.yaml` : displayPath(file));
  const failure = info.shrink.failure;
  const result = await replayTwice({
    source,
    scenario,
    liveness: settings.liveness,
    ...(traceFile === undefined ? {} : { tracePath: traceFile }),
    ...(file === undefined ? {} : { scenarioFile: displayPath(file) }),
  });
  const reproduced = reproduces(result, failure, settings.liveness);
  const pass = info.shrink.lastPass;
  const size = {
    clients: scenario.workload?.clients ?? 0,
    operations: result.history.filter((event) => event.type === "invoke").length,
    durationUs: scenario.durationUs,
  };
  // `run --liveness` checks the protocol's liveness invariants (and refuses a protocol with none);
  // the fuzzer's own check, a leader after healing, fails the saved file's `expect` without it.
  const protocol = (await registryFor(source)).get(scenario.protocol);
  const liveness =
    settings.liveness && (protocol?.invariants.some(({ kind }) => kind === "liveness") ?? false);
  // A module's report is a lab as `run --report` makes it: the page bundles the module.
  if (reportFile !== undefined)
    reportAfterRun(result, {
      reportPath: reportFile,
      liveness,
      protocol,
      protocolModules: source.module === undefined ? [] : [displayPath(source.module)],
    });
  return {
    ...(file === undefined ? {} : { file: displayPath(file) }),
    ...(traceFile === undefined ? {} : { traceFile: displayPath(traceFile) }),
    ...(reportFile === undefined ? {} : { reportFile: displayPath(reportFile) }),
    invariant: failure.invariant,
    kind: failure.kind,
    message: replayedMessage(result, failure),
    faultActions: faultActionCount(scenario),
    faultActionsRemoved: pass.removed,
    faultActionsSimplified: pass.simplified,
    ...size,
    // A pass the budget left no run changed nothing, and counted no operations: the file's are those.
    beforeLastPass: pass.runs === 0 ? { faultActions: faultActionCount(scenario), ...size } : pass.before,
    lastPassComplete: !pass.budgetExhausted,
    replay: replayLine(source, file === undefined ? `${name}.yaml` : displayPath(file), liveness),
    traceHash: result.traceHash,
    reproduced,
    runIndex: info.runIndex,
    fcSeed: info.shrink.fcSeed,
    fcPath: info.shrink.fcPath,
    shrinkSteps: info.shrink.shrinkSteps,
    shrinkRuns: info.shrink.shrinkRuns,
    shrinkMs,
    scenario,
    text,
  };
}

/**
 * Runs a saved counterexample twice: the two traces must be the same, or the counterexample would
 * not replay (`CounterexampleNondeterminism`). Returns the first run, whose trace is written to
 * `tracePath`.
 */
async function replayTwice({
  source,
  scenario,
  liveness,
  tracePath,
  scenarioFile,
}: {
  readonly source: ProtocolSource;
  readonly scenario: Scenario;
  readonly liveness: boolean;
  readonly tracePath?: string;
  readonly scenarioFile?: string;
}): Promise<RunResult> {
  const result = await replay(source, scenario, {
    liveness,
    keepTrace: true,
    ...(tracePath === undefined ? {} : { tracePath }),
  });
  const again = await replay(source, scenario, { liveness, keepTrace: true });
  const found = compareRuns(result, again);
  if (found !== undefined) {
    const file = source.module === undefined ? scenario.file : displayPath(source.module);
    throw new CounterexampleNondeterminism(found, {
      ...(file === undefined ? {} : { file }),
      ...(scenarioFile === undefined ? {} : { scenarioFile }),
    });
  }
  return result;
}

/**
 * The message of the saved file's own run: its violation of the failing invariant (what `quorumlab
 * run FILE` prints), else the shrunk run's (an exception, or a liveness deadline its `expect` states).
 */
function replayedMessage(result: RunResult, failure: RunFailure): string {
  return result.violations.find((v) => v.invariant === failure.invariant)?.message ?? failure.message;
}

/** The saved scenario fails the way the campaign's run did. */
function reproduces(result: RunResult, failure: RunFailure, liveness: boolean): boolean {
  if (failure.kind === "safety") return result.violations.some((v) => v.invariant === failure.invariant);
  if (failure.kind === "liveness") {
    return (
      (liveness && result.violations.some((v) => v.invariant === failure.invariant)) ||
      result.expectations.some((e) => !e.met)
    );
  }
  return false;
}
