/**
 * What the CLI adds after a run: for example writing an HTML report.
 */
import type { RunResult } from "../sim/run.js";
import { reportAfterRun } from "./report.js";

/** Steps after a run; `reportPath` is the `--report` file, when given. */
export const afterRunHooks: Array<(result: RunResult, options: { reportPath: string | undefined }) => void> =
  [];

// `run --report FILE` writes the HTML (or Markdown, text...) report of the run.
afterRunHooks.push(reportAfterRun);
