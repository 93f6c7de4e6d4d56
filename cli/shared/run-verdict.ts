/**
 * What a finished run's verdict says at the terminal, and its exit code: shared by `run` and by
 * `fuzz --replay`, which both run one scenario file and answer the same way.
 */
import type { ChalkInstance } from "chalk";
import { ExitCode } from "../../sim/errors.js";
import { formatSeed } from "../../sim/random.js";
import type { RunResult } from "../../sim/run.js";
import { formatDuration } from "../../sim/time.js";

/** How much `verdictLines` says. */
export interface VerdictOptions {
  /** The command that replays the run; none when undefined. */
  readonly replay: string | undefined;
  /**
   * Only the verdict (`run --quiet`, for CI logs): one line for safe or for each violation, the
   * replay command after a violation, and the expectations not met; no message, witnesses or seed.
   */
  readonly quiet?: boolean;
}

/**
 * Safe, or each violation (safety first, then liveness) with the command that replays the run;
 * then the expectations the run did not meet.
 */
export function verdictLines(result: RunResult, c: ChalkInstance, options: VerdictOptions): string[] {
  const { replay, quiet = false } = options;
  const out: string[] = [];
  const safety = result.violations.filter((violation) => violation.kind === "safety");
  const liveness = result.violations.filter((violation) => violation.kind === "liveness");
  if (safety.length === 0) {
    out.push(`${c.green("✓ safe")}: every safety invariant held (${result.events} events)`);
  }
  for (const violation of [...safety, ...liveness]) {
    const what =
      violation.kind === "safety" ? c.red.bold("✗ SAFETY VIOLATION") : c.yellow.bold("✗ LIVENESS VIOLATION");
    out.push(
      `${what} ${c.bold(violation.invariant)} at t=${formatDuration(violation.timeUs)} (event ${violation.event})`,
    );
    if (quiet) continue;
    out.push(`  ${violation.message}`);
    if (violation.frame !== undefined) out.push(c.dim(`  thrown at ${violation.frame}`));
    else if (violation.witnesses !== undefined && violation.invariant !== "kv.linearizable") {
      out.push(c.dim(`  witnesses: ${JSON.stringify(violation.witnesses)}`));
    }
  }
  if (result.violations.length > 0) {
    if (!quiet) out.push(`  seed=${formatSeed(result.seed)} scenario=${result.scenario.name}`);
    if (replay !== undefined) out.push(`  replay: ${replay}`);
  }
  const unmet = result.expectations.filter((expectation) => !expectation.met);
  if (unmet.length > 0) {
    out.push(
      `${c.red("✗ expectations not met")}: ${unmet.map((expectation) => expectation.expectation).join(", ")}`,
    );
  }
  return out;
}

/**
 * docs/cli.md: 1 for a violation (of a liveness invariant too, when liveness was checked) or an
 * unmet expectation, 3 when the history checker ran out of budget, else 0.
 */
export function runExitCode(result: RunResult): number {
  if (result.violations.length > 0 || !result.expectationsMet) return ExitCode.violation;
  if (result.historyVerdict?.result === "unknown") return ExitCode.inconclusive;
  return ExitCode.ok;
}
