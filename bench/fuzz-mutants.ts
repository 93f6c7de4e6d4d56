/**
 * Deliberate bugs on several seeds: for every safety bug of the built-in protocols, the time to
 * the first violation with guided search (the default) and uniform search (`--no-swarm`), each
 * with and without the bug's own fuzz hints, one worker, seeds 1 to `QUORUMLAB_MUTANT_SEEDS`
 * (default 5), `QUORUMLAB_MUTANT_TIME` each (default 60s). `quorumlab mutants` measures one
 * seed; this measures the spread that one seed hides.
 *
 * `QUORUMLAB_MUTANT_RUNS` adds a run budget (runs to detection do not depend on the machine's
 * load). `QUORUMLAB_MUTANT_ONLY` keeps the bugs whose `protocol/bug` contains it (comma-separated
 * alternatives), `QUORUMLAB_MUTANT_MODES` the modes (`guided`, `uniform`, `guided-hints`,
 * `uniform-hints`; default all four). Modes alternate seed by seed, so a busy spell of a shared
 * machine hits all alike. Output: `{mutants: [{protocol, bug, mode, seeds, found, medianMs,
 * maxMs, ms}]}` plus, per mode, the median over every bug and seed; a seed that found nothing
 * counts as the budget.
 */
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { fuzzCampaign } from "../cli/shared/fuzz-campaign.js";
import { protocols } from "../protocols/index.js";
import { parseDurationUs } from "../sim/time.js";

type Mode = "guided" | "uniform" | "guided-hints" | "uniform-hints";
const allModes: readonly Mode[] = ["guided", "uniform", "guided-hints", "uniform-hints"];

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function attempt(options: {
  protocol: string;
  bug: string;
  seed: bigint;
  budgetMs: number;
  runs?: number;
  mode: Mode;
}) {
  const started = performance.now();
  const outcome = await fuzzCampaign({
    target: options.protocol,
    seed: options.seed,
    budgetMs: options.budgetMs,
    ...(options.runs === undefined ? {} : { runs: options.runs }),
    workers: 1,
    shrinkBudgetMs: 1,
    settings: {
      bugs: [options.bug],
      swarm: options.mode.startsWith("guided"),
      noHints: !options.mode.endsWith("hints"),
    },
  });
  const found = outcome.counterexample !== undefined;
  return {
    found,
    ms: found ? outcome.searchMs : options.budgetMs,
    runs: outcome.runs,
    wallMs: performance.now() - started,
  };
}

export async function benchMutants(): Promise<Record<string, unknown>> {
  const seeds = Number(process.env.QUORUMLAB_MUTANT_SEEDS ?? 5);
  const budgetMs = (parseDurationUs(process.env.QUORUMLAB_MUTANT_TIME ?? "60s") ?? 60_000_000) / 1_000;
  const only = process.env.QUORUMLAB_MUTANT_ONLY?.split(",");
  // A run budget as well: runs to detection do not depend on the machine's load, seconds do.
  const runs =
    process.env.QUORUMLAB_MUTANT_RUNS === undefined ? undefined : Number(process.env.QUORUMLAB_MUTANT_RUNS);
  const modes = (process.env.QUORUMLAB_MUTANT_MODES?.split(",") as Mode[] | undefined) ?? allModes;
  const rows: Array<Record<string, unknown>> = [];
  const perMode = new Map<Mode, number[]>();
  for (const name of [...protocols.keys()].sort()) {
    const protocol = protocols.get(name);
    if (protocol === undefined) continue;
    for (const bug of protocol.bugs) {
      if (bug.kind === "liveness") continue;
      const label = `${name}/${bug.name}`;
      if (only !== undefined && !only.some((part) => label.includes(part))) continue;
      const results = new Map<Mode, Array<Awaited<ReturnType<typeof attempt>>>>();
      for (let seed = 1; seed <= seeds; seed++) {
        for (const mode of modes) {
          const result = await attempt({
            protocol: name,
            bug: bug.name,
            seed: BigInt(seed),
            budgetMs,
            ...(runs === undefined ? {} : { runs }),
            mode,
          });
          results.set(mode, [...(results.get(mode) ?? []), result]);
          process.stderr.write(`${label} ${mode} seed ${seed}: ${JSON.stringify(result)}\n`);
        }
      }
      for (const mode of modes) {
        const each = results.get(mode) ?? [];
        const ms = each.map((one) => Math.round(one.ms));
        perMode.set(mode, [...(perMode.get(mode) ?? []), ...ms]);
        const row = {
          protocol: name,
          bug: bug.name,
          mode,
          seeds,
          found: each.filter((one) => one.found).length,
          medianMs: median(ms),
          maxMs: Math.max(...ms),
          ms,
          runs: each.map((one) => one.runs),
        };
        rows.push(row);
        process.stderr.write(`${JSON.stringify(row)}\n`);
      }
    }
  }
  const summary: Record<string, unknown> = {};
  for (const [mode, ms] of perMode) {
    summary[mode] = {
      medianMs: median(ms),
      maxMs: Math.max(...ms),
      missed: ms.filter((m) => m >= budgetMs).length,
    };
  }
  return { mutants: rows, summary, budgetMs };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  process.stdout.write(`${JSON.stringify(await benchMutants(), null, 2)}\n`);
}
