/**
 * The guide of a campaign: decides what each run of a batch is (a fresh plan from its seed, or a
 * mutant of a corpus entry), which runs are sampled for the determinism check, and takes each
 * batch's reports back to grow the coverage map and the corpus and to keep the campaign's
 * statistics (for the campaign report).
 *
 * Same results for any worker count. Batches have a fixed size whatever the worker count, the
 * reports of a batch are taken in run order, and the runs of batch `b` draw their parents only
 * from corpus entries found in batches up to `b - 2`: a pipelined campaign hands batch `b` out
 * while batch `b - 1` is still running, and an unpipelined one must not see more than that. The
 * decision for run `i` draws from its own stream, seeded by (campaign seed, i).
 */
import { type Rng, randomStream } from "../random.js";
import type { CorpusEntry } from "./corpus.js";
import { CoverageMap, mapSize } from "./coverage.js";
import type { Nondeterminism } from "./determinism.js";
import type { PlanShape, RunJob, RunReport } from "./jobs.js";
import { mutatePlan } from "./mutate.js";
import type { FuzzPlan, FuzzSettings } from "./plan.js";
import { faultKinds } from "./swarm.js";

export interface GuideOptions {
  readonly settings: FuzzSettings;
  readonly seed: bigint;
  /** Mutate corpus entries (coverage-guided search). Off: every run is fresh, as uniform search. */
  readonly mutate: boolean;
  /** Share of runs that are mutants once the corpus has entries. Default 0.25. */
  readonly mutantShare?: number;
  /**
   * One run in this many (the shard's own runs 0, N, 2N, ...) is run twice more to check
   * determinism (0: none). Default 512.
   */
  readonly sampleEvery?: number;
  /**
   * This machine's share of the campaign (./campaign.ts), 0-based; default 0 of 1. Samples count
   * the shard's runs, so that every shard checks its first run, whatever the shard count.
   */
  readonly shard?: { readonly index: number; readonly count: number };
  /** Entries loaded from a saved corpus. */
  readonly corpus?: readonly CorpusEntry[];
  /** Regenerates the plan of fresh run `index` (to keep it in the corpus). */
  readonly planOf: (index: number) => FuzzPlan;
}

/** One point of the coverage curve. */
export interface CoveragePoint {
  readonly runs: number;
  readonly elapsedMs: number;
  readonly coverage: number;
  readonly corpus: number;
}

/** What a campaign did, for its report. Plain data. */
export interface CampaignStats {
  readonly runs: number;
  readonly mutants: number;
  /** Covered (slot, bucket) pairs; null when the runs did not record coverage (`settings.coverage`). */
  readonly coverage: number | null;
  readonly corpus: number;
  /** Loaded from a saved corpus at the start. */
  readonly corpusLoaded: number;
  readonly timeline: readonly CoveragePoint[];
  /** Runs with at least one step of each fault kind. */
  readonly faultKinds: Readonly<Record<string, number>>;
  /** Runs by number of fault steps. */
  readonly planSizes: Readonly<Record<string, number>>;
  /** Generated runs by swarm theme. */
  readonly themes: Readonly<Record<string, number>>;
  /** Per probe reached: runs that reached it and the first such run. */
  readonly probes: Readonly<Record<string, { runs: number; firstRun: number }>>;
  /** Corpus entries, by what made them: fresh runs and mutants. */
  readonly newCoverageBy: { readonly fresh: number; readonly mutant: number };
  readonly sampled: number;
  /** Runs that saw a leader: a node entered a leading role the protocol declares. */
  readonly leaderRuns: number;
  readonly nondeterminism?: { readonly run: number; readonly found: Nondeterminism };
}

export class CampaignGuide {
  readonly map = new CoverageMap();
  readonly entries: CorpusEntry[] = [];
  /** Corpus size after each batch (index = batch number). */
  private readonly sizeAfterBatch: number[] = [];
  private readonly loaded: number;
  private readonly mutantShare: number;
  private readonly sampleEvery: number;
  /** Jobs handed out and not yet absorbed, by run index. */
  private readonly pending = new Map<number, RunJob>();
  private runs = 0;
  private mutants = 0;
  private sampled = 0;
  private leaderRuns = 0;
  private readonly timeline: CoveragePoint[] = [];
  private readonly kindCounts: Record<string, number> = {};
  private readonly sizeCounts: Record<string, number> = {};
  private readonly themeCounts: Record<string, number> = {};
  private readonly probeCounts: Record<string, { runs: number; firstRun: number }> = {};
  private readonly newBy = { fresh: 0, mutant: 0 };
  private nondeterminism: CampaignStats["nondeterminism"];
  private rarityCache: Float64Array | undefined;
  /** The jobs of failing runs, by run index (a mutant's plan is only known here). */
  private readonly failed = new Map<number, RunJob>();

  constructor(private readonly options: GuideOptions) {
    this.mutantShare = options.mutantShare ?? 0.25;
    this.sampleEvery = options.sampleEvery ?? 512;
    for (const entry of options.corpus ?? []) {
      this.map.add(entry.edges);
      this.entries.push(entry);
    }
    this.loaded = this.entries.length;
    this.timeline.push({ runs: 0, elapsedMs: 0, coverage: this.map.size, corpus: this.entries.length });
  }

  /** The position of global run `index` among this shard's runs. */
  private localIndex(index: number): number {
    const shard = this.options.shard;
    return shard === undefined ? index : (index - shard.index) / shard.count;
  }

  /** Corpus entries usable by batch `batch`: those found up to batch `batch - 2`. */
  private usable(batch: number): number {
    if (batch < 2) return this.loaded;
    return this.sizeAfterBatch[batch - 2] ?? this.entries.length;
  }

  /** The jobs of batch `batch`, whose global run indices are `indices`. */
  jobs(indices: readonly number[], batch: number): RunJob[] {
    const usable = this.usable(batch);
    return indices.map((index) => {
      // From run 0 on: a short campaign gets one check too, and the traced runs come before the
      // kernel's hot functions are optimized. A first trace at run 511 sent 36 of them back to
      // the interpreter to be optimized again (--trace-deopt, uniform Raft campaign of 2,000 runs:
      // 62 deoptimizations against 26 with no sample, 45 with the samples from run 0).
      const sample = this.sampleEvery > 0 && this.localIndex(index) % this.sampleEvery === 0;
      let job: RunJob = sample ? { index, sample } : { index };
      if (this.options.mutate && usable > 0) {
        const random = randomStream(this.options.seed, `fuzz/guide/${index}`);
        if (random.chance(this.mutantShare)) {
          const parent = this.pickParent(usable, random);
          const entry = this.entries[parent] as CorpusEntry;
          job = { ...job, plan: mutatePlan(this.options.settings, entry.plan, random).plan };
        }
      }
      this.pending.set(index, job);
      return job;
    });
  }

  /**
   * A parent for a mutant among the first `usable` entries. A third of the time one of the 32
   * newest (new coverage tends to lead on); half the time by rarity (AFL's favoured entries):
   * each entry weighs the sum, over its coverage pairs, of one over the number of entries that
   * cover the pair, so an entry that alone reached a probe or a rare role sequence is mutated far
   * more often than one of a hundred that reached the common ones; otherwise any entry.
   */
  private pickParent(usable: number, random: Rng): number {
    const draw = random.next();
    if (draw < 1 / 3) return usable - 1 - random.int(0, Math.min(usable, 32) - 1);
    if (draw < 5 / 6) {
      const cumulative = this.rarity(usable);
      const total = cumulative[cumulative.length - 1] as number;
      if (total > 0) {
        const target = random.next() * total;
        let low = 0;
        let high = cumulative.length - 1;
        while (low < high) {
          const middle = (low + high) >>> 1;
          if ((cumulative[middle] as number) > target) high = middle;
          else low = middle + 1;
        }
        return low;
      }
    }
    return random.int(0, usable - 1);
  }

  /**
   * Cumulative rarity weights (see `pickParent`) of a prefix of the first `usable` entries: they
   * are recomputed from those entries alone once the corpus has grown by an eighth, so that the
   * cost stays a small share of the runs and the choice never depends on how far later batches
   * have got (the sequence of `usable` values is the same for any worker count).
   */
  private rarity(usable: number): Float64Array {
    const cached = this.rarityCache;
    if (cached !== undefined && usable < cached.length + Math.ceil(cached.length / 8)) return cached;
    const counts = new Uint16Array(mapSize * 8);
    for (let index = 0; index < usable; index++) {
      for (const edge of (this.entries[index] as CorpusEntry).edges) {
        counts[edge] = Math.min(0xffff, (counts[edge] as number) + 1);
      }
    }
    const cumulative = new Float64Array(usable);
    let sum = 0;
    for (let index = 0; index < usable; index++) {
      let weight = 0;
      for (const edge of (this.entries[index] as CorpusEntry).edges) weight += 1 / (counts[edge] as number);
      sum += weight;
      cumulative[index] = sum;
    }
    this.rarityCache = cumulative;
    return cumulative;
  }

  /** Takes a batch's reports back, in run order. */
  absorb(reports: readonly RunReport[], batch: number, elapsedMs: number): void {
    const ordered = [...reports].sort((a, b) => a.index - b.index);
    for (const report of ordered) {
      const job = this.pending.get(report.index);
      this.pending.delete(report.index);
      this.runs++;
      if (job?.plan !== undefined) this.mutants++;
      if (job?.sample === true) this.sampled++;
      if ((report.leaders ?? 0) > 0) this.leaderRuns++;
      if (report.shape !== undefined) this.countShape(report.shape);
      for (const probe of report.probes ?? []) {
        const seen = this.probeCounts[probe];
        if (seen === undefined) this.probeCounts[probe] = { runs: 1, firstRun: report.index };
        else seen.runs++;
      }
      if (report.nondeterminism !== undefined && this.nondeterminism === undefined) {
        this.nondeterminism = { run: report.index, found: report.nondeterminism };
      }
      if (report.failure !== undefined && job !== undefined) this.failed.set(report.index, job);
      if (report.edges === undefined || report.failure !== undefined) continue;
      if (this.map.add(report.edges) === 0) continue;
      const mutant = job?.plan !== undefined;
      if (mutant) this.newBy.mutant++;
      else this.newBy.fresh++;
      if (!this.options.mutate) continue;
      this.entries.push({
        plan: job?.plan ?? report.plan ?? this.options.planOf(report.index),
        edges: report.edges,
        probes: report.probes ?? [],
        run: report.index,
        batch,
      });
    }
    this.sizeAfterBatch[batch] = this.entries.length;
    this.timeline.push({ runs: this.runs, elapsedMs, coverage: this.map.size, corpus: this.entries.length });
  }

  private countShape(shape: PlanShape): void {
    faultKinds.forEach((kind, bit) => {
      if ((shape.kinds & (1 << bit)) !== 0) this.kindCounts[kind] = (this.kindCounts[kind] ?? 0) + 1;
    });
    const size = String(shape.steps);
    this.sizeCounts[size] = (this.sizeCounts[size] ?? 0) + 1;
    if (shape.theme !== undefined) this.themeCounts[shape.theme] = (this.themeCounts[shape.theme] ?? 0) + 1;
  }

  /** The job of failing run `index`. */
  failedJob(index: number): RunJob | undefined {
    return this.failed.get(index);
  }

  /** The first nondeterminism a sampled run showed, if any. */
  get firstNondeterminism(): CampaignStats["nondeterminism"] {
    return this.nondeterminism;
  }

  /** Entries found by this campaign (not loaded). */
  get found(): readonly CorpusEntry[] {
    return this.entries.slice(this.loaded);
  }

  stats(): CampaignStats {
    return {
      runs: this.runs,
      mutants: this.mutants,
      coverage: this.options.settings.coverage === true ? this.map.size : null,
      corpus: this.entries.length,
      corpusLoaded: this.loaded,
      timeline: [...this.timeline],
      faultKinds: { ...this.kindCounts },
      planSizes: { ...this.sizeCounts },
      themes: { ...this.themeCounts },
      probes: { ...this.probeCounts },
      newCoverageBy: { ...this.newBy },
      sampled: this.sampled,
      leaderRuns: this.leaderRuns,
      ...(this.nondeterminism === undefined ? {} : { nondeterminism: this.nondeterminism }),
    };
  }
}
