/**
 * The verdict of a run as the lab page shows it (`window.quorumlab.verdict()`): plain data, so
 * the CLI can embed the verdict of the run it reports and the page can show it without running
 * the scenario again. No DOM here: the CLI imports it too.
 */
import type { RunResult } from "../../sim/run.js";

export interface Verdict {
  readonly ok: boolean;
  readonly violations: ReadonlyArray<{
    readonly invariant: string;
    readonly kind: string;
    readonly timeUs: number;
    readonly event: number;
    readonly message: string;
  }>;
  readonly linearizable: boolean | null;
  readonly expectations: ReadonlyArray<{
    readonly expectation: string;
    readonly met: boolean;
    readonly detail: string;
  }>;
  readonly expectationsMet: boolean;
  /** The kernel's figures and the protocol's own (numbers, booleans and small records). */
  readonly figures: Readonly<Record<string, unknown>>;
}

/** The verdict of `result`, as plain data (a JSON round trip keeps it equal). */
export function verdictOf(result: RunResult): Verdict {
  return {
    ok: result.ok,
    violations: result.violations.map((violation) => ({
      invariant: violation.invariant,
      kind: violation.kind,
      timeUs: violation.timeUs,
      event: violation.event,
      message: violation.message,
    })),
    linearizable: result.linearizable,
    expectations: result.expectations.map(({ expectation, met, detail }) => ({ expectation, met, detail })),
    expectationsMet: result.expectationsMet,
    figures: JSON.parse(JSON.stringify(result.figures)) as Record<string, unknown>,
  };
}
