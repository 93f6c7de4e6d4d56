/**
 * Determinism checked by re-running, during a campaign: a sample of ordinary runs is run twice
 * more with its trace kept, and the two traces must hash the same. Where they part is found by
 * the same comparison that checks every counterexample (`firstDivergence` in sim/divergence.ts):
 * the first differing trace line says where the protocol (or the simulator) reached for something
 * outside the run's seed.
 */
import { type Divergence, describeDivergence, firstDivergence } from "../divergence.js";
import type { TraceLine } from "../trace.js";

/** One traced run: its hash and its kept trace lines. */
export interface TracedRun {
  readonly traceHash: string;
  readonly records: readonly TraceLine[];
}

/** Two runs of one scenario that differ, and where (plain data: it crosses from workers). */
export interface Nondeterminism {
  readonly hashes: readonly [string, string];
  /** 0-based index of the first differing trace line. */
  readonly line: number;
  /** Kernel event of that line, when it has one. */
  readonly event: number | null;
  readonly timeUs: number | null;
  /** The two lines as JSON (`(end of trace)` when one run's trace ended there). */
  readonly first: string;
  readonly second: string;
}

/** Compares two runs of the same scenario; undefined when they agree. */
export function compareRuns(first: TracedRun, second: TracedRun): Nondeterminism | undefined {
  if (first.traceHash === second.traceHash) return undefined;
  const divergence: Divergence = firstDivergence(first.records, second.records) ?? {
    line: Math.min(first.records.length, second.records.length),
    event: undefined,
    timeUs: undefined,
    first: "(same lines, different hash)",
    second: "(same lines, different hash)",
  };
  return {
    hashes: [first.traceHash, second.traceHash],
    line: divergence.line,
    event: divergence.event ?? null,
    timeUs: divergence.timeUs ?? null,
    first: divergence.first,
    second: divergence.second,
  };
}

/** One line for the terminal: where two runs of one scenario parted. */
export function describeNondeterminism(found: Nondeterminism): string {
  const divergence: Divergence = {
    line: found.line,
    event: found.event ?? undefined,
    timeUs: found.timeUs ?? undefined,
    first: found.first,
    second: found.second,
  };
  return `nondeterminism: two runs of the same scenario and seed differ at ${describeDivergence(divergence)}`;
}
