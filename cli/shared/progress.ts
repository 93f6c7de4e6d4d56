/**
 * The fuzzer's progress bar (on stderr, only when it is a terminal), shared by `fuzz` and
 * `mutants`.
 */
import cliProgress from "cli-progress";
import type { CampaignProgress } from "../../sim/fuzz/campaign.js";

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
      format: `${label} [{bar}] {runs} runs | {rate} runs/s | {eventRate} events/s | {elapsed} | {violations} violations`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
      barsize: 24,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { runs: 0, rate: "0", eventRate: "0", elapsed: "0s", violations: 0 });
  return {
    update(progress) {
      const seconds = progress.elapsedMs / 1000;
      bar.update(unit === "runs" ? progress.runs : Math.min(total, seconds), {
        runs: progress.runs,
        rate: seconds > 0 ? (progress.runs / seconds).toFixed(0) : "0",
        eventRate: seconds > 0 ? compact(progress.events / seconds) : "0",
        elapsed: `${seconds.toFixed(1)}s`,
        violations: progress.violations,
      });
    },
    stop: () => bar.stop(),
  };
}

export function compact(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(0)}k`;
  return value.toFixed(0);
}
