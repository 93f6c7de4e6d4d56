/**
 * The fuzzer's progress bar (on stderr, only when it is a terminal), shared by `fuzz` and
 * `mutants`.
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
