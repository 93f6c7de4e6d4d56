/**
 * What a finished run's verdict says at the terminal, and its exit code: shared by `run` and by
 * `fuzz --replay`, which both run one scenario file and answer the same way.
 */
import type { ChalkInstance } from "chalk";
import { ExitCode } from "../../sim/errors.js";
import { formatSeed } from "../../sim/random.js";
import type { RunResult } from "../../sim/run.js";
import { formatDuration } from "../../sim/time.js";

/**
 * Safe, or each violation (safety first, then liveness) with `replay`, the command that replays
 * the run (none when undefined); then the expectations the run did not meet.
 */
export function verdictLines(result: RunResult, replay: string | undefined, c: ChalkInstance): string[] {
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
    out.push(`  ${violation.message}`);
    if (violation.frame !== undefined) out.push(c.dim(`  thrown at ${violation.frame}`));
    else if (violation.witnesses !== undefined && violation.invariant !== "kv.linearizable") {
      out.push(c.dim(`  witnesses: ${JSON.stringify(violation.witnesses)}`));
    }
  }
  if (result.violations.length > 0) {
    out.push(`  seed=${formatSeed(result.seed)} scenario=${result.scenario.name}`);
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
