/**
 * Writing a report file: `report --out`, `run --report` and the fuzzer's counterexample reports.
 * `reports/` renders; this file does the I/O.
 */
import { writeFileSync } from "node:fs";
import { protocols } from "../../protocols/index.js";
import {
  displayOf,
  formatForPath,
  type ModelOptions,
  type ReportFormat,
  renderReport,
} from "../../reports/index.js";
import { InputError } from "../../sim/errors.js";
import type { RunResult } from "../../sim/run.js";
import type { TraceLine } from "../../sim/trace.js";
import { packageVersion } from "../files.js";
import { replayCommand } from "./run-scenario.js";

export interface WriteReportOptions {
  /** Default: from the file name (`.md`, `.txt`, `.edn`, `.log`, `.mmd`), else HTML. */
  readonly format?: ReportFormat;
  /** The command that replays the run, shown in the header. */
  readonly replay?: string;
  /** Default: this package's version. */
  readonly version?: string;
}

/** Writes a report of `records` (a whole trace, header first) to `path`. */
export function writeReport(
  records: readonly TraceLine[],
  path: string,
  options: WriteReportOptions = {},
): void {
  const format = options.format ?? formatForPath(path);
  const text = renderReport(records, format, modelOptions(options, records));
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw new InputError(`cannot write the report: ${(error as Error).message}`, { file: path });
  }
}

/** The model options, with what the trace's protocol declares (if it is a built-in one). */
export function modelOptions(options: WriteReportOptions, records: readonly TraceLine[]): ModelOptions {
  const header = records[0];
  const protocol = header?.kind === "header" ? protocols.get(header.protocol) : undefined;
  return {
    version: options.version ?? packageVersion(),
    ...(options.replay === undefined ? {} : { replay: options.replay }),
    ...(protocol === undefined ? {} : { display: displayOf(protocol) }),
  };
}

/** The `--report FILE` step after a run (of `run`, and of a fuzz counterexample). */
export function reportAfterRun(
  result: RunResult,
  options: { reportPath: string | undefined; modules?: readonly string[] },
): void {
  if (options.reportPath === undefined) return;
  if (result.records.length === 0) throw new Error("a report needs the run's trace (keepTrace)");
  writeReport(result.records, options.reportPath, {
    replay: replayCommand(result.scenario, result.seed, options.modules),
  });
}
