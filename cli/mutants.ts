/**
 * `quorumlab mutants`: lists the protocols' deliberate bugs, or fuzzes each one until the first
 * violation and prints what was found, how fast, and how small the counterexample is. The
 * correct protocols get the same budget and must show no violation.
 *
 * A liveness-only bug (for example Raft's fixed election timeout) is fuzzed with the liveness
 * check on; every other bug with safety only, the way `quorumlab fuzz` runs by default.
 */
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import Table from "cli-table3";
import type { CommandModule } from "yargs";
import { protocols } from "../protocols/index.js";
import { shellWord } from "../reports/escape.js";
import { ExitCode, InputError } from "../sim/errors.js";
import {
  defaultDriftRate,
  type ExploreInput,
  explore,
  exploreHints,
  exploreSetup,
  formatDriftRate,
  formatFaultBudget,
  parseFaultBudget,
  type Strategy,
  smallestCluster,
  type WorldSetup,
} from "../sim/explore/index.js";
import type { CampaignProgress } from "../sim/fuzz/campaign.js";
import { describeNondeterminism } from "../sim/fuzz/determinism.js";
import type { DeliberateBug, Protocol } from "../sim/node.js";
import { parseSeed } from "../sim/random.js";
import { historyInvariantOf } from "../sim/scenario/validate.js";
import { didYouMean } from "../sim/suggest.js";
import { parseDurationUs } from "../sim/time.js";
import { checkOutputFolder, displayPath } from "./files.js";
import { historyChecker } from "./history-check.js";
import { colours, counted, runCommand } from "./output.js";
import { commandHeadings } from "./shared/command-headings.js";
import { searchBreadthFirst, searchesInWorker, searchInWorker } from "./shared/explore-pool.js";
import { type FuzzOptions, type FuzzOutcome, fuzzCampaign } from "./shared/fuzz-campaign.js";
import { resolveTarget } from "./shared/fuzz-target.js";
import type { ProtocolSource } from "./shared/fuzz-worker.js";
import { type Interrupt, listenForInterrupt } from "./shared/interrupt.js";
import { knownLimitOf } from "./shared/known-limit.js";
import { progressBar } from "./shared/progress.js";
import { isModulePath } from "./shared/protocol-module.js";
import { parseWorkers, workerCount, workersMax } from "./shared/workers.js";

export interface MutantRow {
  readonly protocol: string;
  /** The bug's name, or null for the correct protocol. */
  readonly bug: string | null;
  readonly id: string | null;
  readonly kind: "safety" | "liveness";
  /** For a bug: a violation was found. For the correct protocol: none was (the expected outcome). */
  readonly detected: boolean;
  readonly invariant: string | null;
  readonly wallMs: number;
  readonly searchMs: number;
  readonly runs: number;
  readonly faultActions: number | null;
  readonly file: string | null;
  /** For the correct protocol: the violation found is one of its documented known limits. */
  readonly knownLimit: string | null;
  /** Whether the bug has fuzz hints of its own. */
  readonly hinted: boolean;
  /** What the bug declares it breaks (`DeliberateBug.breaks`); empty for the correct protocol. */
  readonly breaks: readonly string[];
  /**
   * With `--no-hints`: the same bug fuzzed without its own fuzz hints (for a bug without hints,
   * the same campaign as above).
   */
  readonly unhinted?: {
    readonly detected: boolean;
    readonly invariant: string | null;
    readonly wallMs: number;
    readonly searchMs: number;
    readonly runs: number;
  };
}

export interface MutantsOptions {
  readonly protocol?: string;
  /** A user's protocol module to take the bugs from, instead of the built-in protocols. */
  readonly module?: string;
  readonly timePerMs: number;
  readonly seed: bigint;
  readonly workers: number;
  readonly outDir?: string;
  /** Also fuzz each protocol without bugs (default true). */
  readonly correct?: boolean;
  /** Also fuzz each bug without its own fuzz hints (`--no-hints`); the table shows both. */
  readonly noHints?: boolean;
  /** Swarm testing and coverage guidance (default true); false gives uniform search (`--no-swarm`). */
  readonly swarm?: boolean;
  readonly onStart?: (protocol: string, bug: string | null) => void;
  readonly onProgress?: (progress: CampaignProgress) => void;
  /**
   * Ctrl-C or SIGTERM: the campaign under way stops between batches (its row is kept only if it
   * found its bug, or, for a correct protocol, a violation) and no further campaign starts.
   */
  readonly interrupt?: Pick<Interrupt, "signal">;
}

function selected(protocolName: string | undefined): string[] {
  const names = [...protocols.keys()].sort();
  if (protocolName === undefined) return names;
  if (!protocols.has(protocolName)) {
    throw new InputError(
      `unknown protocol '${protocolName}'${didYouMean(protocolName, names)} (known: ${names.join(", ")})`,
    );
  }
  return [protocolName];
}

/** What to fuzz: each protocol with the target a campaign names it by (its name, or its module). */
async function targets(options: {
  protocol?: string;
  module?: string;
}): Promise<Array<{ target: string; source: ProtocolSource; protocol: Protocol }>> {
  if (options.module !== undefined) {
    const { source, protocol } = await resolveTarget(options.module);
    return [{ target: options.module, source, protocol }];
  }
  return selected(options.protocol).map((name) => ({
    target: name,
    source: { name },
    protocol: protocols.get(name) as Protocol,
  }));
}

function row(
  protocol: Protocol,
  bug: { name: string; id?: string; fuzz?: unknown; breaks: readonly string[] } | null,
  kind: "safety" | "liveness",
  outcome: FuzzOutcome,
): MutantRow {
  const cx = outcome.counterexample;
  const limit =
    bug === null && cx !== undefined
      ? knownLimitOf(protocol, cx.invariant, outcome.bugs, cx.scenario.options)
      : undefined;
  return {
    protocol: protocol.name,
    bug: bug?.name ?? null,
    id: bug?.id ?? null,
    kind,
    knownLimit: limit === undefined ? null : `${limit.invariant} under ${limit.when}`,
    detected: bug === null ? cx === undefined || limit !== undefined : cx !== undefined,
    invariant: cx?.invariant ?? null,
    wallMs: Math.round(outcome.wallMs),
    searchMs: Math.round(outcome.searchMs),
    runs: outcome.runs,
    faultActions: cx?.faultActions ?? null,
    file: cx?.file ?? null,
    hinted: bug?.fuzz !== undefined,
    breaks: bug?.breaks ?? [],
  };
}

/** Fuzzes every deliberate bug (and each correct protocol) with the same budget. */
export async function runMutants(options: MutantsOptions): Promise<MutantRow[]> {
  const rows: MutantRow[] = [];
  const swarm = options.swarm ?? true;
  const { interrupt } = options;
  /**
   * A campaign that stops when interrupted. The table keeps listening while a campaign shrinks
   * (which does not stop between steps), so that a signal then still ends with the table, once
   * the shrink is done.
   */
  const fuzz = async (campaign: FuzzOptions): Promise<FuzzOutcome> => {
    const outcome = await fuzzCampaign(
      interrupt === undefined ? campaign : { ...campaign, signal: interrupt.signal },
    );
    // A detection whose counterexample does not replay proves nothing: the table stops there.
    const found = outcome.nondeterminism;
    if (found?.kind === "counterexample") {
      const file = isModulePath(campaign.target)
        ? displayPath(campaign.target)
        : (found.file ?? campaign.target);
      throw new InputError(describeNondeterminism(found.found), { file });
    }
    return outcome;
  };
  const stopped = (): boolean => interrupt?.signal.aborted === true;
  /** Whether the last campaign was cut short, so that its row says nothing. */
  const cutShort = (outcome: FuzzOutcome): boolean =>
    outcome.interrupted === true && outcome.counterexample === undefined;
  for (const { target, protocol } of await targets(options)) {
    if (stopped()) break;
    const name = protocol.name;
    if (protocol.bugs.length === 0) continue;
    const common = {
      target,
      seed: options.seed,
      budgetMs: options.timePerMs,
      workers: options.workers,
      ...(options.outDir === undefined ? {} : { outDir: options.outDir }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    };
    for (const bug of protocol.bugs) {
      if (stopped()) break;
      const kind = bug.kind ?? "safety";
      options.onStart?.(name, bug.name);
      const outcome = await fuzz({
        ...common,
        // One folder per bug: two bugs may break the same invariant with the same seed.
        ...(options.outDir === undefined ? {} : { outDir: join(options.outDir, name, bug.name) }),
        settings: { bugs: [bug.name], liveness: kind === "liveness", swarm },
      });
      if (cutShort(outcome)) break;
      const hinted = row(protocol, bug, kind, outcome);
      if (options.noHints !== true) {
        rows.push(hinted);
        continue;
      }
      let unhinted = hinted;
      if (bug.fuzz !== undefined) {
        options.onStart?.(name, `${bug.name} (no hints)`);
        const bare = await fuzz({
          ...common,
          ...(options.outDir === undefined
            ? {}
            : { outDir: join(options.outDir, name, `${bug.name}-no-hints`) }),
          settings: { bugs: [bug.name], liveness: kind === "liveness", swarm, noHints: true },
        });
        if (cutShort(bare)) break;
        unhinted = row(protocol, bug, kind, bare);
      }
      const { detected, invariant, wallMs, searchMs, runs } = unhinted;
      rows.push({ ...hinted, unhinted: { detected, invariant, wallMs, searchMs, runs } });
    }
    if ((options.correct ?? true) && !stopped()) {
      options.onStart?.(name, null);
      const outcome = await fuzz({
        ...common,
        ...(options.outDir === undefined ? {} : { outDir: join(options.outDir, name, "correct") }),
        settings: { bugs: [], swarm },
      });
      if (!cutShort(outcome)) rows.push(row(protocol, null, "safety", outcome));
    }
  }
  return rows;
}

export function mutantsJson(rows: readonly MutantRow[]): Record<string, unknown> {
  const bugs = rows.filter((r) => r.bug !== null);
  return {
    schemaVersion: 1,
    mutants: bugs.map(
      ({
        protocol,
        bug,
        id,
        kind,
        detected,
        invariant,
        wallMs,
        runs,
        faultActions,
        file,
        hinted,
        unhinted,
      }) => ({
        protocol,
        bug,
        id,
        kind,
        detected,
        invariant,
        wallMs,
        runs,
        faultActions,
        file,
        hinted,
        unhinted: unhinted ?? null,
      }),
    ),
    detected: bugs.filter((r) => r.detected).length,
    ...(bugs.some((r) => r.unhinted !== undefined)
      ? { detectedWithoutHints: bugs.filter((r) => r.unhinted?.detected === true).length }
      : {}),
    total: bugs.length,
    correct: rows
      .filter((r) => r.bug === null)
      .map(({ protocol, detected, invariant, wallMs, runs, file, knownLimit }) => ({
        protocol,
        clean: detected && knownLimit === null,
        knownLimit,
        invariant,
        wallMs,
        runs,
        file,
      })),
  };
}

/** One deliberate safety bug explored breadth first, then by novelty walks (`mutants --explore`). */
export interface ExploreMutantRow {
  readonly protocol: string;
  readonly bug: string;
  readonly id: string | null;
  readonly found: boolean;
  readonly verdict: string;
  readonly invariant: string | null;
  /**
   * The strategy of the search that found the bug, else of the last: `bfs`, `novelty` once
   * breadth-first search found nothing, or a declared `cells` that breadth-first search could not
   * follow in the time left.
   */
  readonly strategy: Strategy;
  /** Steps of the counterexample: the shortest one under `bfs`, a shortened one under `novelty`. */
  readonly steps: number | null;
  /** Whether `steps` is proven shortest (breadth-first search). */
  readonly shortest: boolean;
  /**
   * Every state this many steps from the start was explored without a violation (breadth first;
   * for a bug found by `cells`, by the breadth-first search after it).
   */
  readonly depth: number;
  /** The setting of the last search: nodes, clients, the fault budget, and the bug's own bounds. */
  readonly nodes: number;
  readonly clients: number;
  readonly faults: string;
  /**
   * The bounds beyond the budget (timers, ordered links, quiet timeouts), or null for none: every
   * timer's firing a choice, unordered links, no quiet or prompt timeouts, no prompt replies (not
   * the protocol's default bounds, which the generic settings leave out).
   */
  readonly bounds: string | null;
  /** The `quorumlab explore` command that runs the row's search again: every bound spelt out. */
  readonly command: string;
  /** Over every setting tried. */
  readonly statesVisited: number;
  readonly uniqueStates: number;
  readonly wallMs: number;
}

/**
 * The settings each bug is explored in, smallest first, each with an equal share of the time:
 * fewer clients and timer firings make a much smaller space, and most bugs show there already.
 * A bug that declares its own explore bounds is explored in those alone. The first setting that
 * finds the bug gives its shortest counterexample in that setting. Breadth-first search has half
 * of the time; when it finds nothing, novelty walks (sim/explore/novelty.ts) search the last
 * setting for the other half, for bugs too deep for it, and their schedule is short, not shortest.
 */
export const exploreMutantSettings: ReadonlyArray<{ readonly clients: number; readonly faults: string }> = [
  { clients: 0, faults: "crash=1,timeouts=2" },
  { clients: 1, faults: "crash=1,timeouts=3" },
];

/**
 * The setting of a bug that breaks only the client history's check (`kv.linearizable`,
 * `txn.strict-serializable`) and declares no bounds of its own: one client that writes, then
 * reads. Writes alone pass that check in every schedule, so the generic settings, with no
 * operation or one, could never show it.
 */
export const historyOnlySetting = { clients: 1, operations: 2, faults: "crash=1,timeouts=3" } as const;

/** Whether every invariant `bug` breaks is the check of the protocol's client history. */
function breaksOnlyHistory(protocol: Protocol, bug: DeliberateBug): boolean {
  const model = protocol.client?.model;
  if (model === undefined) return false;
  const checked = historyInvariantOf(model);
  return bug.breaks.length > 0 && bug.breaks.every((invariant) => invariant === checked);
}

/** The bounds of a setup beyond its budget, as the explore command prints them. */
function boundsOf(setup: WorldSetup): string | null {
  const parts = [
    ...(setup.timers === undefined ? [] : [`timers ${setup.timers.join(",")}`]),
    ...(setup.network === "ordered" ? ["ordered links"] : setup.network === "fifo" ? ["FIFO links"] : []),
    ...(setup.quietTimeouts === true ? ["quiet timeouts"] : []),
    ...(setup.promptTimeouts === true ? ["prompt timeouts"] : []),
    ...(setup.promptReplies === true ? ["prompt replies"] : []),
    ...((setup.budget.drift ?? 0) > 0
      ? [`clock drift ±${formatDriftRate(setup.driftRate ?? defaultDriftRate).slice(1)}`]
      : []),
    ...(setup.workload.some((operations) => operations.some((operation) => operation.node !== undefined))
      ? ["first nodes spread"]
      : []),
  ];
  return parts.length === 0 ? null : parts.join(", ");
}

/**
 * The `quorumlab explore` command of one search: the bug, the cluster, the workload, the budget
 * and every bound of `setup` spelt out, so that neither the bug's nor the protocol's defaults
 * stand in for them, and the strategy and its time.
 */
function exploreCommandOf(
  target: string,
  bug: string,
  setup: WorldSetup,
  search: { readonly strategy: Strategy; readonly timeMs: number },
): string {
  const clients = setup.workload.length;
  const spread = setup.workload.some((operations) =>
    operations.some((operation) => operation.node !== undefined),
  );
  const flags = [
    `--bug ${bug}`,
    `--nodes ${setup.nodes}`,
    `--clients ${clients}`,
    ...(clients === 0
      ? []
      : [`--ops ${setup.workload[0]?.length ?? 0}`, `--first-nodes ${spread ? "spread" : "guess"}`]),
    `--faults ${formatFaultBudget(setup.budget)}`,
    `--timers ${setup.timers === undefined ? "all" : setup.timers.join(",")}`,
    `--network ${setup.network ?? "unordered"}`,
    `--quiet-timeouts=${setup.quietTimeouts === true}`,
    `--prompt-timeouts=${setup.promptTimeouts === true}`,
    `--prompt-replies=${setup.promptReplies === true}`,
    ...((setup.budget.drift ?? 0) > 0 ? [`--drift-rate ${setup.driftRate ?? defaultDriftRate}`] : []),
    `--strategy ${search.strategy}`,
    `--time ${Math.max(1, Math.ceil(search.timeMs / 1000))}s`,
  ];
  return `quorumlab explore ${target} ${flags.join(" ")}`;
}

/**
 * Explores every deliberate safety bug (of the built-in protocols, one of them, or the user's
 * module) breadth first on 3 nodes (or the smallest larger cluster the protocol runs on), with the
 * same time each.
 */
export async function runExploreMutants(options: {
  protocol?: string;
  module?: string;
  timePerMs: number;
  /**
   * Threads each breadth-first search shares its levels among (1: none started; `auto`: worker
   * threads join a search when it pays, as `explore` does by default). Default 1.
   */
  workers?: number | "auto";
  onStart?: (protocol: string, bug: string) => void;
  /** Ctrl-C or SIGTERM: the bug being explored ends soon after (its row kept if found), and no other starts. */
  interrupt?: Pick<Interrupt, "signal">;
}): Promise<ExploredMutants> {
  const rows: ExploreMutantRow[] = [];
  const interrupted = (): boolean => options.interrupt?.signal.aborted === true;
  const all = await targets(options);
  const safety = (bug: DeliberateBug): boolean => (bug.kind ?? "safety") === "safety";
  // Counted up front, so that an interrupted table can say how many it did not reach.
  const total = all.reduce((sum, { protocol }) => sum + protocol.bugs.filter(safety).length, 0);
  for (const { source, protocol } of all) {
    const name = protocol.name;
    for (const bug of protocol.bugs) {
      if (interrupted()) return { rows, total };
      if (!safety(bug)) continue;
      options.onStart?.(name, bug.name);
      // The built-in protocols' table is on 3 nodes, or the smallest cluster above 3 a protocol
      // runs on (sharded-kv: 6); a module's bugs on the cluster its explore bounds declare, else
      // its default size (a module may not work on 3 nodes at all).
      const nodes =
        options.module === undefined
          ? smallestCluster(protocol, [bug.name], 3)
          : (exploreHints(protocol, [bug.name]).nodes ?? protocol.defaultNodes);
      const row = await exploreBug(
        name,
        protocol,
        bug,
        options.timePerMs,
        nodes,
        { source, workers: options.workers ?? 1 },
        options.interrupt === undefined ? {} : { signal: options.interrupt.signal },
      );
      if (row !== undefined) rows.push(row);
    }
  }
  return { rows, total };
}

/** The rows of `mutants --explore`, and how many safety bugs it was to explore. */
export interface ExploredMutants {
  readonly rows: ExploreMutantRow[];
  /** The deliberate safety bugs of the protocols explored: more than the rows when interrupted. */
  readonly total: number;
}

/** One of the generic settings `mutants --explore` tries (a bug's declared bounds are `{}`). */
type ExploreMutantSetting = {
  readonly clients?: number;
  readonly operations?: number;
  readonly faults?: string;
};

/** One search `mutants --explore` runs for a bug, and the share of the bug's time it gets. */
interface ExploreMutantSearch {
  readonly setting: ExploreMutantSetting;
  readonly strategy: Strategy;
  /** Its share, or what the searches before it left of the bug's time. */
  readonly timeMs: number | "rest";
  /** Run even when a search before it found the bug: breadth first, to prove the shortest schedule. */
  readonly forShortest?: true;
}

/**
 * The searches tried on one bug, in order, until one finds it: a bug that declares its strategy
 * (`cells`: it finds the bug in a fraction of breadth-first search's time) gets it first, in its
 * declared bounds, then breadth-first search there with the time left, even after a find, for
 * the shortest schedule; any other bug gets breadth-first search in each generic setting (or in
 * its declared bounds), then novelty walks in the last.
 */
function exploreSearches(protocol: Protocol, bug: DeliberateBug, timePerMs: number): ExploreMutantSearch[] {
  const declared = bug.explore?.strategy;
  if (declared !== undefined && declared !== "bfs")
    return [
      { setting: {}, strategy: declared, timeMs: timePerMs },
      { setting: {}, strategy: "bfs", timeMs: "rest", forShortest: true },
    ];
  // A protocol without clients has one setting fewer to try.
  const generic = exploreMutantSettings.filter(
    (setting, index) => protocol.client !== undefined || setting.clients === 0 || index === 0,
  );
  // A bug's declared bounds (its `explore`) replace the generic settings; a bug that only the
  // history's check can show needs a read.
  const settings: readonly ExploreMutantSetting[] =
    bug.explore !== undefined ? [{}] : breaksOnlyHistory(protocol, bug) ? [historyOnlySetting] : generic;
  return [
    ...settings.map((setting) => ({
      setting,
      strategy: "bfs" as const,
      timeMs: timePerMs / 2 / settings.length,
    })),
    { setting: settings[settings.length - 1] ?? {}, strategy: "novelty" as const, timeMs: timePerMs / 2 },
  ];
}

/** Explores one bug on `nodes` nodes; the row of the search that found it, or of the last tried. */
export async function exploreBug(
  name: string,
  protocol: Protocol,
  bug: DeliberateBug,
  timePerMs: number,
  nodes: number,
  threads: { readonly source: ProtocolSource; readonly workers: number | "auto" } = {
    source: { name },
    workers: 1,
  },
  limits: {
    /** The most states each search may visit (a search stops at whichever of time and states ends first). */
    readonly statesMax?: number;
    /**
     * Ctrl-C or SIGTERM: the bug's searches end soon after. Breadth first stops between runs of
     * states; the other strategies search in a worker thread that hears it (run from the
     * compiled package; from the sources, in this thread, they end when done).
     */
    readonly signal?: AbortSignal;
  } = {},
): Promise<ExploreMutantRow | undefined> {
  const interrupted = (): boolean => limits.signal?.aborted === true;
  // The generic settings explore every schedule: no bound of the protocol's applies.
  const unbounded = { timers: "all", network: "unordered", quietTimeouts: false } as const;
  let row: ExploreMutantRow | undefined;
  let statesVisited = 0;
  let uniqueStates = 0;
  let wallMs = 0;
  for (const { setting, strategy, timeMs: share, forShortest } of exploreSearches(protocol, bug, timePerMs)) {
    if (row?.found === true && forShortest !== true) break;
    const timeMs = share === "rest" ? timePerMs - wallMs : share;
    if (timeMs <= 0 || interrupted()) break;
    const input: ExploreInput = {
      bugs: [bug.name],
      nodes,
      ...(setting.clients === undefined ? {} : { clients: setting.clients }),
      ...(setting.operations === undefined ? {} : { operations: setting.operations }),
      ...(setting.faults === undefined ? {} : { faults: parseFaultBudget(setting.faults), ...unbounded }),
      // A module's messages travel as frozen copies, and more (`KernelConfig.guardData`).
      ...(threads.source.module === undefined ? {} : { guardData: true }),
    };
    const { setup } = exploreSetup(protocol, input, historyChecker());
    const breadthFirst = strategy === "bfs" || strategy === "cells";
    const settings = {
      strategy,
      depthMax: breadthFirst ? Number.POSITIVE_INFINITY : 60,
      timeMs,
      statesMax: limits.statesMax ?? 20_000_000,
      now: () => performance.now(),
      interrupted,
    };
    const signal = limits.signal;
    const result =
      strategy === "bfs"
        ? (await searchBreadthFirst(setup, settings, { ...threads, input })).result
        : signal !== undefined && searchesInWorker()
          ? await searchInWorker(settings, { source: threads.source, input, signal })
          : explore(setup, settings);
    statesVisited += result.statesVisited;
    uniqueStates += result.uniqueStates;
    wallMs += result.wallMs;
    const target = threads.source.module === undefined ? name : shellWord(displayPath(threads.source.module));
    // The time a search had, or for one with the time left, the bug's whole time: a figure that
    // does not depend on how fast the searches before it ran.
    const command = exploreCommandOf(target, bug.name, setup, {
      strategy,
      timeMs: share === "rest" ? timePerMs : share,
    });
    if (row?.found === true && result.verdict !== "violation") {
      // Breadth-first search ran out of time: the find stands, with the depth it covered.
      row = { ...row, depth: result.depth, statesVisited, uniqueStates, wallMs: Math.round(wallMs) };
      break;
    }
    row = {
      protocol: name,
      bug: bug.name,
      id: bug.id ?? null,
      found: result.verdict === "violation",
      verdict: result.verdict,
      invariant: result.counterexample?.finding.invariant ?? null,
      strategy,
      steps: result.counterexample?.steps.length ?? null,
      shortest: result.counterexample?.shortest ?? false,
      // Under novelty walks, the depth breadth-first search covered before them.
      depth: strategy === "bfs" ? result.depth : (row?.depth ?? 0),
      nodes: setup.nodes,
      clients: setup.workload.length,
      faults: formatFaultBudget(setup.budget),
      bounds: boundsOf(setup),
      command,
      statesVisited,
      uniqueStates,
      wallMs: Math.round(wallMs),
    };
  }
  // Cut short before it found the bug: no row, rather than one that reads as a search that could not.
  if (interrupted() && row?.found !== true) return undefined;
  return row;
}

/** `--workers` for fuzzing campaigns: a whole number from 1 to 64, 1 when not given. */
function fuzzWorkers(text: string | undefined): number {
  if (text === undefined) return 1;
  if (text === "auto")
    throw new InputError(
      `--workers auto: only with --explore; fuzzing campaigns take a whole number from 1 to ${workersMax}`,
    );
  return workerCount(text);
}

function printExploreRows({ rows, total }: ExploredMutants, interrupted: boolean): void {
  const c = colours(process.stdout);
  const out = table(
    [
      "protocol",
      "bug",
      "found",
      "invariant",
      "steps",
      "clients, faults, bounds",
      "states visited",
      "wall time",
    ],
    c.level === 0,
  );
  for (const r of rows) {
    out.push([
      r.protocol,
      `${r.id === null ? "" : `${r.id} `}${r.bug}`,
      r.found
        ? c.green(r.shortest ? "bfs (shortest)" : `${r.strategy} (short)`)
        : c.red(`no (bfs to depth ${r.depth}, then ${r.strategy})`),
      r.invariant ?? "",
      r.steps === null ? "" : String(r.steps),
      `${counted(r.clients, "client")}, ${r.faults}, ${r.bounds ?? "all timers, unordered links"}`,
      r.statesVisited.toLocaleString("en-US"),
      `${(r.wallMs / 1000).toFixed(1)} s`,
    ]);
  }
  process.stdout.write(`${out.toString()}
`);
  const found = rows.filter((r) => r.found).length;
  const where = `on ${clusterSizes(rows)} (${rows.filter((r) => r.found && r.shortest).length} breadth first, with a shortest schedule)`;
  // Interrupted, the rows are not every bug: say how many of all were explored.
  process.stdout.write(
    interrupted
      ? `${rows.length} of ${total} deliberate safety bugs explored before the interruption, ${found} of them found by exploration ${where}\n`
      : `${found} of ${rows.length} deliberate safety bugs found by exploration ${where}\n`,
  );
  if (rows.length === 0) return;
  process.stdout.write("each row's search again (the setting that found the bug, else the last tried):\n");
  for (const r of rows) process.stdout.write(`  ${r.id === null ? "" : `${r.id} `}${r.bug}: ${r.command}\n`);
}

/** `3 nodes`, or `1 or 3 nodes` or `3, 6 or 12 nodes` when the rows differ. */
function clusterSizes(rows: readonly ExploreMutantRow[]): string {
  const sizes = [...new Set(rows.map((row) => row.nodes))].sort((a, b) => a - b);
  if (sizes.length === 0) return "3 nodes";
  const listed =
    sizes.length <= 2 ? sizes.join(" or ") : `${sizes.slice(0, -1).join(", ")} or ${sizes.at(-1)}`;
  return `${listed} node${sizes.length === 1 && sizes[0] === 1 ? "" : "s"}`;
}

function table(head: string[], plain: boolean, colWidths?: number[]): Table.Table {
  return new Table({
    head,
    ...(plain ? { style: { head: [], border: [] } } : {}),
    ...(colWidths === undefined ? {} : { colWidths, wordWrap: true }),
  });
}

function printRows(rows: readonly MutantRow[], module: string | undefined): void {
  const c = colours(process.stdout);
  const plain = c.level === 0;
  const both = rows.some((r) => r.unhinted !== undefined);
  const out = table(
    both
      ? ["protocol", "bug", "detected", "invariant", "wall time", "runs", "fault actions", "no hints", "runs"]
      : ["protocol", "bug", "detected", "invariant", "wall time", "runs", "fault actions"],
    plain,
  );
  for (const r of rows) {
    const label = r.bug === null ? c.dim("(correct)") : `${r.id === null ? "" : `${r.id} `}${r.bug}`;
    const detected =
      r.bug === null
        ? r.knownLimit !== null
          ? c.yellow("known limit")
          : r.detected
            ? c.green("clean")
            : c.red("VIOLATION")
        : r.detected
          ? c.green(r.kind === "liveness" ? "yes (liveness)" : "yes")
          : c.red("no");
    out.push([
      r.protocol,
      label,
      detected,
      r.invariant ?? "",
      `${(r.wallMs / 1000).toFixed(1)} s`,
      String(r.runs),
      r.faultActions === null ? "" : String(r.faultActions),
      ...(both ? unhintedCells(r, c) : []),
    ]);
  }
  const bugs = rows.filter((r) => r.bug !== null);
  process.stdout.write(`${out.toString()}\n`);
  process.stdout.write(
    `${bugs.filter((r) => r.detected).length} of ${bugs.length} deliberate bugs detected\n`,
  );
  if (both) {
    process.stdout.write(
      `${bugs.filter((r) => r.unhinted?.detected === true).length} of ${bugs.length} detected without fuzz hints\n`,
    );
  }
  for (const r of rows) {
    if (r.bug !== null || r.detected || r.knownLimit !== null) continue;
    process.stdout.write(`${c.red("✗")} ${notClean(r, module)}\n`);
  }
  for (const r of rows) {
    const undeclared = undeclaredDetection(r, rows);
    if (undeclared !== undefined) process.stdout.write(`${c.yellow("note:")} ${undeclared}\n`);
  }
}

/**
 * A bug detected by an invariant it does not declare it breaks: its `breaks` leaves out what it
 * does, or the run shows another fault. Not said where the correct protocol breaks that invariant
 * too, which `notClean` tells.
 */
function undeclaredDetection(r: MutantRow, rows: readonly MutantRow[]): string | undefined {
  if (r.bug === null || !r.detected || r.invariant === null || r.breaks.includes(r.invariant))
    return undefined;
  const correct = rows.find((other) => other.bug === null && other.protocol === r.protocol);
  if (correct !== undefined && !correct.detected && correct.invariant === r.invariant) return undefined;
  const where = r.file === null ? "" : ` (${r.file})`;
  return `${r.id === null ? "" : `${r.id} `}${r.bug} was detected by ${r.invariant}${where}, which is not among the invariants it declares it breaks (${r.breaks.join(", ")}): its \`breaks\` leaves something out, or the run shows another fault`;
}

/**
 * What a correct protocol with a violation means for the table: its bugs' detections show nothing
 * until it is clean, and where to find the run that breaks it.
 */
function notClean(row: MutantRow, module: string | undefined): string {
  const broken = `the correct ${row.protocol} breaks ${row.invariant ?? "an invariant"} itself`;
  const detections = `so a bug detected by ${row.invariant === null ? "it" : "that invariant"} shows nothing until it is fixed`;
  const where =
    row.file === null
      ? `\`npx quorumlab fuzz ${module === undefined ? row.protocol : displayPath(module)}\` finds and saves a run that breaks it`
      : `the run that breaks it: ${row.file}`;
  return `${broken}, ${detections}; ${where}`;
}

/** The `no hints` columns: wall time (or `not found`) and runs; `=` marks a bug without hints. */
function unhintedCells(r: MutantRow, c: ReturnType<typeof colours>): string[] {
  if (r.unhinted === undefined) return ["", ""];
  const time = `${(r.unhinted.wallMs / 1000).toFixed(1)} s${r.hinted ? "" : " ="}`;
  return [r.unhinted.detected ? time : c.red("not found"), String(r.unhinted.runs)];
}

/**
 * A module with no deliberate bugs has no mutant table: say so, and where bugs are declared. With
 * `--explore`, which explores safety bugs only, a module whose bugs are all liveness bugs has none.
 */
async function requireBugs(module: string, explore: boolean): Promise<void> {
  const { protocol } = await resolveTarget(module);
  if (protocol.bugs.length === 0) {
    throw new InputError(
      `${protocol.name} declares no deliberate bugs: add them to its \`bugs\` (docs/node-api.md, "Deliberate bugs")`,
      { file: displayPath(module) },
    );
  }
  if (explore && protocol.bugs.every((bug) => bug.kind === "liveness")) {
    throw new InputError(
      `--explore: ${protocol.name} declares liveness bugs only (${protocol.bugs.map((bug) => bug.name).join(", ")}), and exploration checks safety: \`quorumlab mutants ${shellWord(displayPath(module))}\` fuzzes them with --liveness`,
    );
  }
}

/** The liveness bugs `mutants --explore` leaves out, in a line under its table (none: undefined). */
async function unexplored(options: { protocol?: string; module?: string }): Promise<string | undefined> {
  const skipped = (await targets(options)).flatMap(({ protocol }) =>
    protocol.bugs
      .filter((bug) => bug.kind === "liveness")
      .map((bug) => `${protocol.name} ${bug.id === undefined ? "" : `${bug.id} `}${bug.name}`),
  );
  if (skipped.length === 0) return undefined;
  return `not explored, as liveness bugs (exploration checks safety; \`quorumlab mutants\` fuzzes them with --liveness): ${skipped.join(", ")}`;
}

async function listBugs(options: { protocol?: string; module?: string }, json: boolean): Promise<void> {
  const entries = (await targets(options)).flatMap(({ protocol }) =>
    protocol.bugs.map((bug) => ({
      protocol: protocol.name,
      bug: bug.name,
      id: bug.id ?? null,
      kind: bug.kind ?? "safety",
      breaks: [...bug.breaks],
      change: bug.change,
      source: bug.source,
    })),
  );
  if (json) {
    process.stdout.write(`${JSON.stringify({ schemaVersion: 1, bugs: entries })}\n`);
    return;
  }
  if (entries.length === 0 && options.module !== undefined) {
    process.stdout.write(
      `${displayPath(options.module)} declares no deliberate bugs yet: add them to its \`bugs\` (docs/node-api.md, "Deliberate bugs")\n`,
    );
    return;
  }
  const c = colours(process.stdout);
  // Names are what `--bug`, `--protocol` and scenarios take: each column fits its longest, so
  // none is cut short, and each invariant a bug breaks has a line of its own. Only the change wraps.
  const names = (entry: (typeof entries)[number]) => [
    [entry.protocol],
    [entry.bug],
    [entry.id ?? ""],
    entry.breaks,
  ];
  const widths = ["protocol", "bug", "id", "breaks"].map(
    (header, column) =>
      Math.max(
        header.length,
        ...entries.flatMap((entry) => names(entry)[column] ?? []).map((name) => name.length),
      ) + 2,
  );
  const out = table(["protocol", "bug", "id", "breaks", "change"], c.level === 0, [...widths, 50]);
  for (const entry of entries) {
    out.push([entry.protocol, entry.bug, entry.id ?? "", entry.breaks.join("\n"), entry.change]);
  }
  process.stdout.write(`${out.toString()}\n`);
}

interface MutantsArgs {
  module?: string;
  list: boolean;
  protocol?: string;
  /** Default 60s (not a yargs default, so that `--list` can tell it was given). */
  "time-per"?: string;
  /** Default 1. */
  seed?: string;
  /** A whole number from 1 to 64; with --explore also `auto`, its default (else 1). */
  workers?: string;
  out?: string;
  /** Default true; `--no-correct` skips. */
  correct?: boolean;
  explore: boolean;
  json: boolean;
  /** Default true; `--no-hints` also fuzzes without them. */
  hints?: boolean;
  /** Default true; `--no-swarm` searches uniformly. */
  swarm?: boolean;
}

/**
 * The flags that would be ignored in the mode the others chose: every run flag with `--list`,
 * the fuzzing campaigns' flags with `--explore`, and `--protocol` beside a module. Each is
 * refused, so that no flag given is silently without effect.
 */
function checkFlagsFit(args: MutantsArgs): void {
  const given = (flags: ReadonlyArray<readonly [string, unknown]>): string[] =>
    flags.filter(([, value]) => value !== undefined).map(([flag]) => flag);
  const fuzzOnly = given([
    ["--seed", args.seed],
    ["--out", args.out],
    [args.correct === false ? "--no-correct" : "--correct", args.correct],
    [args.hints === false ? "--no-hints" : "--hints", args.hints],
    [args.swarm === false ? "--no-swarm" : "--swarm", args.swarm],
  ]);
  if (args.list) {
    const run = [
      ...given([
        ["--time-per", args["time-per"]],
        ["--workers", args.workers],
      ]),
      ...(args.explore ? ["--explore"] : []),
      ...fuzzOnly,
    ];
    if (run.length > 0)
      throw new InputError(`--list: lists the bugs without running them, so it takes no ${run.join(", ")}`);
  }
  if (args.explore && fuzzOnly.length > 0)
    throw new InputError(
      `--explore: explores each bug without fuzzing it, so it takes no ${fuzzOnly.join(", ")} (flags of the fuzzing campaigns)`,
    );
  if (args.module !== undefined && args.protocol !== undefined)
    throw new InputError(
      `--protocol: the bugs are ${displayPath(args.module)}'s, so it takes no --protocol ${args.protocol}`,
    );
}

export const mutantsCommand: CommandModule<object, MutantsArgs> = {
  ...commandHeadings.mutants,
  builder: (yargs) =>
    yargs
      .positional("module", {
        type: "string",
        describe: "your own protocol module (.js or .ts): fuzz its deliberate bugs",
      })
      .option("list", { type: "boolean", default: false, describe: "list the bugs without running them" })
      .option("protocol", { type: "string", describe: "only this protocol" })
      .option("time-per", {
        type: "string",
        describe: "time per bug (default 60s): its fuzzing campaign, and with --explore its searches",
      })
      .option("seed", { type: "string", describe: "campaign seed (default 1)" })
      .option("workers", {
        type: "string",
        describe: `worker threads (1 to ${workersMax}): fuzzing campaigns (default 1), or with --explore each breadth-first search's levels (default auto: worker threads join a search when it pays, as in explore)`,
      })
      .option("out", { type: "string", describe: "write each counterexample to this folder" })
      .option("correct", {
        type: "boolean",
        describe: "also fuzz each correct protocol (default; --no-correct to skip)",
      })
      .option("explore", {
        type: "boolean",
        default: false,
        describe: "explore each safety bug breadth first instead of fuzzing (time per bug: --time-per)",
      })
      .option("json", { type: "boolean", default: false, describe: "print one JSON object" })
      .option("hints", {
        type: "boolean",
        describe: "--no-hints: also fuzz each bug without its fuzz hints; the table shows both times",
      })
      .option("swarm", {
        type: "boolean",
        describe: "swarm testing and coverage-guided search (default; --no-swarm: uniform search)",
      })
      .example("$0 mutants --list", "the deliberate bugs")
      .example("$0 mutants --no-hints", "every bug with and without its fuzz hints")
      .example("$0 mutants --explore --protocol paxos --time-per 20s", "shortest counterexamples per bug")
      .example("$0 mutants --protocol raft --time-per 30s", "the Raft mutant table")
      .example("$0 mutants ./my-register.ts --time-per 10s", "the mutant table of your own protocol"),
  handler: (args) =>
    runCommand(async () => {
      checkFlagsFit(args);
      if (args.list) {
        await listBugs(
          {
            ...(args.protocol === undefined ? {} : { protocol: args.protocol }),
            ...(args.module === undefined ? {} : { module: args.module }),
          },
          args.json,
        );
        return ExitCode.ok;
      }
      if (args.module !== undefined) await requireBugs(args.module, args.explore);
      if (args.out !== undefined) checkOutputFolder(args.out, "--out");
      const timePer = args["time-per"] ?? "60s";
      const timePerUs = parseDurationUs(timePer);
      if (timePerUs === undefined || timePerUs <= 0) {
        throw new InputError(`--time-per: expected a duration such as 60s, got '${timePer}'`);
      }
      const workers = args.explore ? parseWorkers(args.workers ?? "auto") : fuzzWorkers(args.workers);
      if (args.explore) {
        const c = colours(process.stderr);
        // Ctrl-C or SIGTERM: the table of the bugs explored so far, exit code 130 or 143. The
        // search under way stops soon after the signal: breadth first between runs of states,
        // the other strategies in their worker thread.
        const interrupt = listenForInterrupt();
        const explored = await runExploreMutants({
          ...(args.protocol === undefined ? {} : { protocol: args.protocol }),
          ...(args.module === undefined ? {} : { module: args.module }),
          timePerMs: timePerUs / 1000,
          workers,
          onStart: (protocol, bug) => {
            if (!args.json && process.stderr.isTTY === true)
              process.stderr.write(c.dim(`exploring ${protocol} ${bug}\n`));
          },
          interrupt,
        }).finally(() => interrupt.release());
        const { rows, total } = explored;
        const interrupted = interrupt.signal.aborted;
        if (args.json)
          process.stdout.write(
            `${JSON.stringify({ schemaVersion: 1, explore: rows, total, interrupted })}\n`,
          );
        else {
          printExploreRows(explored, interrupted);
          if (interrupted) {
            process.stdout.write(
              `${colours(process.stdout).yellow("interrupted")}: the table holds the ${counted(rows.length, "bug")} explored before it stopped (a bug cut short before it was found has no row)\n`,
            );
          } else {
            const left = await unexplored({
              ...(args.protocol === undefined ? {} : { protocol: args.protocol }),
              ...(args.module === undefined ? {} : { module: args.module }),
            });
            if (left !== undefined) process.stdout.write(`${colours(process.stdout).dim(left)}\n`);
          }
        }
        if (interrupted) return interrupt.exitCode();
        return rows.every((r) => r.found) ? ExitCode.ok : ExitCode.violation;
      }
      let bar: ReturnType<typeof progressBar> | undefined;
      // Ctrl-C or SIGTERM: the table of the campaigns run so far, exit code 130 or 143.
      const interrupt = listenForInterrupt();
      const rows = await runMutants({
        ...(args.protocol === undefined ? {} : { protocol: args.protocol }),
        ...(args.module === undefined ? {} : { module: args.module }),
        timePerMs: timePerUs / 1000,
        seed: parseSeed(args.seed ?? "1", "--seed"),
        workers: workers as number,
        ...(args.out === undefined ? {} : { outDir: args.out }),
        correct: args.correct ?? true,
        noHints: args.hints === false,
        swarm: args.swarm ?? true,
        onStart: (protocol, bug) => {
          bar?.stop();
          bar = progressBar(`${protocol} ${bug ?? "(correct)"}`, Math.ceil(timePerUs / 1e6), "s");
        },
        onProgress: (progress) => bar?.update(progress),
        interrupt,
      }).finally(() => {
        interrupt.release();
        bar?.stop();
      });
      const interrupted = interrupt.signal.aborted;
      if (args.json) process.stdout.write(`${JSON.stringify({ ...mutantsJson(rows), interrupted })}\n`);
      else {
        printRows(rows, args.module);
        if (interrupted) {
          const c = colours(process.stdout);
          process.stdout.write(
            `${c.yellow("interrupted")}: the table holds the ${counted(rows.length, "campaign")} that ended before it stopped\n`,
          );
        }
      }
      if (interrupted) return interrupt.exitCode();
      const found = rows.every((r) => r.detected && (r.unhinted === undefined || r.unhinted.detected));
      return found ? ExitCode.ok : ExitCode.violation;
    }),
};
