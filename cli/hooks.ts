/**
 * What the CLI adds around a run: extra figures computed from the trace (for example blocking
 * time for commit protocols) and steps after a run (for example writing an HTML report).
 */
import type { FigureHook, RunResult } from "../sim/run.js";
import { reportAfterRun } from "./report.js";

/** Figures computed from the trace at the end of every run, merged into `figures`. */
export const figureHooks: FigureHook[] = [];

/** Steps after a run; `reportPath` is the `--report` file, when given. */
export const afterRunHooks: Array<(result: RunResult, options: { reportPath: string | undefined }) => void> =
  [];

// `run --report FILE` writes the HTML (or Markdown, text...) report of the run.
afterRunHooks.push(reportAfterRun);
