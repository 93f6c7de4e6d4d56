/**
 * The fuzzer's progress bar (on stderr, only when it is a terminal), shared by `fuzz` and
 * `mutants`, and the progress line of a long `run`.
 */
import cliProgress from "cli-progress";
import type { CampaignProgress } from "../../sim/fuzz/campaign.js";
import { counted } from "../output.js";

/** A progress bar on stderr when it is a terminal; nothing otherwise. */
export function progressBar(
  label: string,
  total: number,
  unit: "runs" | "s",
): {
  update(progress: CampaignProgress): void;
  stop(): void;
} {
  if (process.stderr.isTTY !== true) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {runs} | {rate} runs/s | {eventRate} events/s | {elapsed} | {violations}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
      barsize: 24,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, progressFields({ runs: 0, events: 0, violations: 0, elapsedMs: 0 }));
  return {
    update(progress) {
      const seconds = progress.elapsedMs / 1000;
      bar.update(unit === "runs" ? progress.runs : Math.min(total, seconds), progressFields(progress));
    },
    stop: () => bar.stop(),
  };
}

/** The bar's fields: counts with their nouns in the right number ("1 violation", "2,000 runs"). */
export function progressFields(
  progress: Pick<CampaignProgress, "runs" | "events" | "violations" | "elapsedMs">,
): Record<string, string> {
  const seconds = progress.elapsedMs / 1000;
  return {
    runs: counted(progress.runs, "run"),
    rate: seconds > 0 ? (progress.runs / seconds).toFixed(0) : "0",
    eventRate: seconds > 0 ? compact(progress.events / seconds) : "0",
    elapsed: `${seconds.toFixed(1)}s`,
    violations: counted(progress.violations, "violation"),
  };
}

export function compact(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(0)}k`;
  return value.toFixed(0);
}

/** How far a run has gone, for its progress line. */
export interface RunReached {
  readonly timeUs: number;
  readonly endUs: number;
  readonly events: number;
}

/** Wall time a run takes before its progress line shows: a short run draws none. */
const runProgressAfterMs = 2_000;
/** How often the line is redrawn. */
const runProgressEveryMs = 250;

/**
 * The progress line of a long `run` (on stderr, only when it is a terminal): drawn once the run has
 * taken about 2 s of wall time, redrawn a few times a second, and cleared by `clear`, so that the
 * output that follows is what it would be without it.
 */
export function runProgressLine(
  name: string,
  stream: NodeJS.WriteStream = process.stderr,
): { update(reached: RunReached, wallMs: number): void; checking(): void; clear(): void } {
  if (stream.isTTY !== true) return { update: () => {}, checking: () => {}, clear: () => {} };
  let drawnAtMs: number | undefined;
  const draw = (text: string) => {
    const width = stream.columns ?? 80;
    stream.write(`\r${text.length >= width ? `${text.slice(0, width - 2)}…` : text}\u001b[K`);
  };
  return {
    update(reached, wallMs) {
      if (wallMs < runProgressAfterMs) return;
      if (drawnAtMs !== undefined && wallMs - drawnAtMs < runProgressEveryMs) return;
      drawnAtMs = wallMs;
      draw(`${name}: ${runProgressText(reached, wallMs)}`);
    },
    /** The run reached its end: a line already drawn says the end-of-run checks are under way. */
    checking() {
      if (drawnAtMs !== undefined) draw(`${name}: at the end; checking invariants and history`);
    },
    clear() {
      if (drawnAtMs !== undefined) stream.write("\r\u001b[K");
      drawnAtMs = undefined;
    },
  };
}

/**
 * `1h02m of 100h simulated (1.0%), 1,234,567 events, 12s wall, about 19m left`: the estimate
 * assumes the rest of the run goes as fast, in virtual time per wall second, as what ran so far.
 */
export function runProgressText(reached: RunReached, wallMs: number): string {
  const share = reached.endUs > 0 ? reached.timeUs / reached.endUs : 1;
  const left =
    reached.timeUs > 0
      ? `, about ${longDuration(((reached.endUs - reached.timeUs) / reached.timeUs) * wallMs * 1_000)} left`
      : "";
  return `${longDuration(reached.timeUs)} of ${longDuration(reached.endUs)} simulated (${(share * 100).toFixed(1)}%), ${counted(reached.events, "event")}, ${longDuration(wallMs * 1_000)} wall${left}`;
}

/** A duration for a progress line: `850ms`, `12.3s`, `2m05s`, `1h02m`, `100h`. */
export function longDuration(timeUs: number): string {
  if (timeUs < 1_000_000) return `${Math.floor(timeUs / 1_000)}ms`;
  if (timeUs < 60_000_000) return `${(Math.floor(timeUs / 100_000) / 10).toFixed(1)}s`;
  const seconds = Math.floor(timeUs / 1_000_000);
  const hours = Math.floor(seconds / 3_600);
  const minutes = Math.floor((seconds % 3_600) / 60);
  const two = (value: number) => String(value).padStart(2, "0");
  if (hours > 0) return minutes === 0 ? `${hours}h` : `${hours}h${two(minutes)}m`;
  return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${two(seconds % 60)}s`;
}
