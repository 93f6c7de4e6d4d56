/**
 * Writing a report file: `report --out`, `run --report` and the fuzzer's counterexample reports.
 * `reports/` renders; this file does the I/O.
 */
import { writeFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { protocols } from "../../protocols/index.js";
import { shellWord } from "../../reports/escape.js";
import {
  displayOf,
  formatForPath,
  type HtmlPage,
  type ModelOptions,
  type ReportFormat,
  renderReport,
} from "../../reports/index.js";
import { runSteps } from "../../reports/page/run-steps.js";
import { verdictOf } from "../../reports/page/verdict.js";
import { InputError } from "../../sim/errors.js";
import type { Protocol } from "../../sim/node.js";
import { parseSeed } from "../../sim/random.js";
import { type RunResult, runScenario } from "../../sim/run.js";
import { copyScenario } from "../../sim/scenario/load.js";
import type { Scenario } from "../../sim/scenario/schema.js";
import { writeScenario } from "../../sim/scenario/write.js";
import type { TraceLine } from "../../sim/trace.js";
import { loadScenario, packageVersion, scenarioFiles } from "../files.js";
import { historyChecker } from "../history-check.js";
import { modulePageBundle, pageBundle, viewerBundle } from "./page-bundle.js";
import { replayCommand } from "./run-scenario.js";

export interface WriteReportOptions {
  /** Default: from the file name (`.md`, `.txt`, `.edn`, `.log`, `.mmd`), else HTML. */
  readonly format?: ReportFormat;
  /** The command that replays the run, shown in the header. */
  readonly replay?: string;
  /** Default: this package's version. */
  readonly version?: string;
  /**
   * The scenario (with the run's seed) that replays the trace: an HTML report then embeds the
   * simulator and becomes a lab that forks the run and re-simulates it (built-in protocols, and
   * those of `modules`).
   */
  readonly scenario?: Scenario;
  /**
   * The run of `scenario` that made the trace: the timeline tells its scenario's notes and the
   * steps that leave no record (`runSteps`), and the lab shows its verdict; without it, the
   * scenario is run once more for its verdict (built-in protocols only).
   */
  readonly result?: RunResult;
  /** The module files the run loaded protocols from (`--module`): the lab bundles them. */
  readonly modules?: readonly string[];
  /**
   * The trace's protocol, for what the report shows of its roles, leaders and logs; default: the
   * built-in protocol of the trace's name (a module's protocol is none of those).
   */
  readonly protocol?: Protocol | undefined;
  /** The run checked liveness invariants too (`--liveness`): the lab's runs check them as well. */
  readonly liveness?: boolean;
}

/** Writes a report of `records` (a whole trace, header first) to `path`. */
export function writeReport(
  records: readonly TraceLine[],
  path: string,
  options: WriteReportOptions = {},
): void {
  const format = options.format ?? formatForPath(path);
  const text = renderReport(records, format, reportOptions(format, options, records));
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw new InputError(`cannot write the report: ${(error as Error).message}`, { file: path });
  }
}

/** What `renderReport` needs: the model's options, and the lab for an HTML page of a scenario. */
export function reportOptions(
  format: ReportFormat,
  options: WriteReportOptions,
  records: readonly TraceLine[],
): ModelOptions & { page?: HtmlPage } {
  const page = format === "html" ? htmlPage(options) : undefined;
  return { ...modelOptions(options, records), ...(page === undefined ? {} : { page }) };
}

/** gzip at the highest level, in base64: what an HTML page embeds its data as. */
export function gzipBase64(text: string): string {
  return gzipSync(text, { level: 9 }).toString("base64");
}

/**
 * The script of an HTML page: a lab for a scenario of a built-in protocol (the page draws the
 * run from its data and simulates only when the reader forks), the viewer otherwise.
 */
function htmlPage(options: WriteReportOptions): HtmlPage {
  const scenario = options.scenario;
  const viewer = { bundle: viewerBundle(), gzipBase64 };
  const modules = options.modules ?? [];
  if (scenario === undefined) return viewer;
  const lab = (verdict: RunResult) => ({
    scenarioYaml: writeScenario(labScenario(scenario, modules)),
    verdict: verdictOf(verdict),
    ...(options.liveness === true ? { liveness: true } : {}),
  });
  if (modules.length > 0 && options.result !== undefined) {
    try {
      const bundle = modulePageBundle({ protocol: scenario.protocol, modules });
      return { bundle, gzipBase64, lab: lab(options.result) };
    } catch (error) {
      // The report still shows the run; only forking in the page is lost.
      process.stderr.write(
        `note: the report is not a lab: the protocol module could not be bundled for the page (${(error as Error).message.split("\n")[0]})\n`,
      );
      return viewer;
    }
  }
  if (modules.length > 0 || !protocols.has(scenario.protocol)) return viewer;
  const run = options.result ?? runScenario(scenario, protocols, { checkHistory: historyChecker() });
  return { bundle: pageBundle({ protocol: scenario.protocol }), gzipBase64, lab: lab(run) };
}

/**
 * The scenario a lab page forks and downloads. A protocol module's run names its one module by
 * absolute path (`module:`): the reader saves the downloaded file wherever they choose, where a
 * path relative to the original scenario's folder, or a `--module` the scenario never named,
 * would not find it.
 */
export function labScenario(scenario: Scenario, modules: readonly string[]): Scenario {
  const module = modules.length === 1 ? modules[0] : undefined;
  return module === undefined ? scenario : copyScenario(scenario, { module: resolve(module) });
}

/**
 * The built-in scenario a trace came from, when re-running it (with the trace's seed) gives
 * the trace's very hash; undefined otherwise.
 */
export function scenarioOfTrace(records: readonly TraceLine[]): Scenario | undefined {
  return runOfTrace(records)?.scenario;
}

/** `scenarioOfTrace`, with the run that replayed the trace. */
export function runOfTrace(
  records: readonly TraceLine[],
): { scenario: Scenario; result: RunResult; liveness?: true } | undefined {
  const header = records[0];
  const end = records[records.length - 1];
  if (header?.kind !== "header" || end?.kind !== "end" || !protocols.has(header.protocol)) return undefined;
  const liveness = checkedLiveness(records);
  let scenario: Scenario;
  try {
    // A copy, not a spread: it keeps the check of the names of a file without `nodes`, made once
    // the protocol's cluster size is known, as `run` makes it.
    scenario = copyScenario(loadScenario(header.scenario), { seed: parseSeed(header.seed) });
  } catch {
    return undefined;
  }
  let result: RunResult;
  try {
    result = runScenario(scenario, protocols, { checkHistory: historyChecker(), checkLiveness: liveness });
  } catch (error) {
    // A scenario `run` refuses (a node name its cluster lacks, say) did not make this trace.
    if (error instanceof InputError) return undefined;
    throw error;
  }
  if (result.traceHash !== end.traceHash) return undefined;
  return liveness ? { scenario, result, liveness: true } : { scenario, result };
}

/**
 * The model options, with what the trace's protocol declares (if it is a built-in one) and what
 * the run that made it tells of its scenario's steps (if it is given).
 */
export function modelOptions(options: WriteReportOptions, records: readonly TraceLine[]): ModelOptions {
  const header = records[0];
  const protocol =
    options.protocol ?? (header?.kind === "header" ? protocols.get(header.protocol) : undefined);
  return {
    version: options.version ?? packageVersion(),
    ...(options.replay === undefined ? replayOfTrace(records) : { replay: options.replay }),
    ...(protocol === undefined ? {} : { display: displayOf(protocol) }),
    ...(options.result === undefined ? {} : { steps: runSteps(options.result) }),
  };
}

/**
 * The replay command of a trace read back (`quorumlab report`), whose header names its scenario
 * but not the scenario's file: a built-in scenario replays by its name (the report's default);
 * any other needs its file, which the header does not record: the command says so plainly, with a
 * placeholder no one takes for a file name (a run that writes its own report passes the command
 * with the file in it).
 */
function replayOfTrace(records: readonly TraceLine[]): { replay?: string } {
  const header = records[0];
  if (header?.kind !== "header") return {};
  const scenarioName = header.scenario;
  if (scenarioFiles().some((file) => basename(file).replace(/\.ya?ml$/, "") === scenarioName)) return {};
  const liveness = checkedLiveness(records) ? " --liveness" : "";
  return {
    replay: `npx quorumlab run <scenario file>${liveness} --seed ${header.seed} --trace trace.jsonl --report report.html   # the trace does not name its scenario file: give the file of scenario ${shellWord(scenarioName)}`,
  };
}

/**
 * Whether the run that wrote a trace checked liveness (`--liveness`): its trace holds a violation
 * of an invariant its header declares a liveness one. (A run that checked liveness and found no
 * violation wrote the very trace a run without the check writes.)
 */
export function checkedLiveness(records: readonly TraceLine[]): boolean {
  const header = records[0];
  if (header?.kind !== "header") return false;
  const liveness = new Set(
    header.invariants.filter((invariant) => invariant.kind === "liveness").map((invariant) => invariant.name),
  );
  return records.some((record) => record.kind === "violation" && liveness.has(record.invariant));
}

/** The `--report FILE` step after a run (of `run`, and of a fuzz counterexample). */
export function reportAfterRun(
  result: RunResult,
  options: {
    reportPath: string | undefined;
    /** The `--module` flags, for the replay command. */
    modules?: readonly string[];
    /** The module files the run's protocols came from (default: `modules`). */
    protocolModules?: readonly string[];
    /** The run checked liveness too (`--liveness`), so the replay command asks for it. */
    liveness?: boolean;
    /** The run's protocol (`WriteReportOptions.protocol`), a module's included. */
    protocol?: Protocol | undefined;
  },
): void {
  if (options.reportPath === undefined) return;
  if (result.records.length === 0) throw new Error("a report needs the run's trace (keepTrace)");
  writeReport(result.records, options.reportPath, {
    replay: replayCommand(result.scenario, result.seed, options.modules, options.liveness),
    scenario: copyScenario(result.scenario, { seed: result.seed }),
    result,
    modules: options.protocolModules ?? options.modules ?? [],
    protocol: options.protocol,
    ...(options.liveness === true ? { liveness: true } : {}),
  });
}
