/**
 * Where two runs of the same scenario part ways. Two runs of one scenario and seed must give the
 * same trace; when they do not, the protocol depends on something outside the simulation (state
 * kept between runs at module level, say), and the first differing trace line is where to look.
 */
import { formatDuration } from "./time.js";
import type { TraceLine } from "./trace.js";

export interface Divergence {
  /** 0-based index of the first differing trace line. */
  readonly line: number;
  /** The kernel event of that line in the first run, when it has one. */
  readonly event: number | undefined;
  readonly timeUs: number | undefined;
  /** The two lines as JSON (or `(end of trace)`). */
  readonly first: string;
  readonly second: string;
}

/** The first line where two traces differ, or undefined when they are the same. */
export function firstDivergence(
  first: readonly TraceLine[],
  second: readonly TraceLine[],
): Divergence | undefined {
  const length = Math.max(first.length, second.length);
  for (let line = 0; line < length; line++) {
    const a = first[line];
    const b = second[line];
    const textA = a === undefined ? "(end of trace)" : JSON.stringify(a);
    const textB = b === undefined ? "(end of trace)" : JSON.stringify(b);
    if (textA === textB) continue;
    const at = (a ?? b) as Partial<{ e: number; t: number }>;
    return {
      line,
      event: typeof at.e === "number" ? at.e : undefined,
      timeUs: typeof at.t === "number" ? at.t : undefined,
      first: textA,
      second: textB,
    };
  }
  return undefined;
}

/** One line for people: `event 12 (t=1.2s): first run {…}, second run {…}`. */
export function describeDivergence(divergence: Divergence): string {
  const where =
    divergence.event === undefined
      ? `trace line ${divergence.line + 1}`
      : `event ${divergence.event}${divergence.timeUs === undefined ? "" : ` (t=${formatDuration(divergence.timeUs)})`}`;
  const clip = (text: string) => (text.length > 160 ? `${text.slice(0, 157)}...` : text);
  return `${where}: first run ${clip(divergence.first)}, second run ${clip(divergence.second)}`;
}
