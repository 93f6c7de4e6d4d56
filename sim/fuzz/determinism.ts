/**
 * Determinism checked by re-running: the same scenario run twice must give the same trace hash.
 * When it does not, the first trace line where the two runs part says where the protocol (or the
 * simulator) reached for something outside the run's seed. Used on every fuzz counterexample and
 * on a sample of ordinary fuzz runs.
 */
import type { TraceLine } from "../trace.js";

/** One traced run: its hash and its kept trace lines. */
export interface TracedRun {
  readonly traceHash: string;
  readonly records: readonly TraceLine[];
}

/** Two runs of one scenario that differ, and where. */
export interface Nondeterminism {
  readonly hashes: readonly [string, string];
  /** Position of the first differing trace line (0-based). */
  readonly line: number;
  /** Kernel event number of that line, when it has one. */
  readonly event: number | null;
  /** The two lines as JSON (`null` when one run's trace ended there). */
  readonly first: string | null;
  readonly second: string | null;
}

function lineText(line: TraceLine | undefined): string | null {
  if (line === undefined) return null;
  return JSON.stringify(line, (_, value) => (typeof value === "bigint" ? value.toString() : value));
}

/** Compares two runs of the same scenario; undefined when they agree. */
export function compareRuns(first: TracedRun, second: TracedRun): Nondeterminism | undefined {
  if (first.traceHash === second.traceHash) return undefined;
  const length = Math.max(first.records.length, second.records.length);
  let line = 0;
  while (line < length && lineText(first.records[line]) === lineText(second.records[line])) line++;
  const at = first.records[line] ?? second.records[line];
  const event = at !== undefined && "e" in at && typeof at.e === "number" ? at.e : null;
  return {
    hashes: [first.traceHash, second.traceHash],
    line,
    event,
    first: lineText(first.records[line]),
    second: lineText(second.records[line]),
  };
}

/** Runs a scenario twice through `run` (which must keep and hash its trace) and compares. */
export function rerunAndCompare(run: () => TracedRun): { run: TracedRun; nondeterminism?: Nondeterminism } {
  const first = run();
  const second = run();
  const nondeterminism = compareRuns(first, second);
  return nondeterminism === undefined ? { run: first } : { run: first, nondeterminism };
}

/** One line for the terminal: where two runs of one scenario parted. */
export function describeNondeterminism(found: Nondeterminism): string {
  const where =
    found.event === null ? `trace line ${found.line}` : `event ${found.event} (trace line ${found.line})`;
  return `nondeterminism: two runs of the same scenario differ first at ${where}: ${found.first ?? "(end of trace)"} vs ${found.second ?? "(end of trace)"}`;
}
