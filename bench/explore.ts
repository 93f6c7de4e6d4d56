/**
 * Exploration throughput: unique states per wall-clock second (and per CPU second) of
 * breadth-first exploration, and whether the space was explored to completion, for
 * single-decree Paxos (3 nodes, proposers n1 and n2) and two-phase commit (coordinator and 3
 * participants) in the bounds they declare for \`quorumlab explore\` (one timer firing), Paxos
 * with both proposers' first ballots (2 timer firings), and Raft (3 nodes, 1 client, 1
 * operation, timeouts=3). Targets: 100,000 unique states per second for Paxos and two-phase
 * commit, 30,000 for Raft, Paxos and two-phase commit complete.
 *
 * Method: each configuration is explored breadth first in one thread, as \`quorumlab explore\`
 * does (the frontier kept as paths, sim/explore/parallel.ts), for at most TIME_PER_MS of wall time;
 * \`repeatable\` explores Paxos to depth REPEAT_DEPTH twice and says whether both counts agree.
 * \`paxos-workers2\` and \`paxos-two-ballots-workers2\` explore the same as \`paxos\` and
 * \`paxos-two-ballots\` with two worker threads (\`--workers 2\`; the compiled worker of dist/),
 * with the ratio of their wall-clock rates to the one-thread rates (\`speedup\`), and whether the
 * counts agree where both explorations are complete. \`paxos-two-ballots-auto\` and \`raft-auto\`
 * explore as \`quorumlab explore\` does by default (\`--workers auto\`: one thread, joined by one
 * worker thread per core once the search has run 2 s and its level has seconds of work left), with
 * the workers that joined, when, and the ratio to the one-thread rate.
 * The machine is shared: the CPU-second rate is the steadier figure; compare runs on the same
 * machine.
 *
 * Runnable directly: `npx tsx bench/explore.ts`.
 */
import { performance } from "node:perf_hooks";
import { historyChecker } from "../cli/history-check.js";
import { type BreadthFirstRun, explorePool, searchBreadthFirst } from "../cli/shared/explore-pool.js";
import { protocols } from "../protocols/index.js";
import { exploreByLevels, exploreInParallel } from "../sim/explore/parallel.js";
import type { SearchResult } from "../sim/explore/search.js";
import { type ExploreInput, exploreSetup } from "../sim/explore/settings.js";
import type { Protocol } from "../sim/node.js";

const TIME_PER_MS = Number(process.env.EXPLORE_BENCH_MS ?? 15_000);
const REPEAT_DEPTH = 6;

const configurations: ReadonlyArray<{ key: string; protocol: string; input: ExploreInput; target: number }> =
  [
    { key: "paxos", protocol: "paxos", input: { nodes: 3 }, target: 100_000 },
    {
      key: "paxos-two-ballots",
      protocol: "paxos",
      // Every schedule: none of the bounds Paxos declares for its default.
      input: { nodes: 3, faults: { timeouts: 2 }, network: "unordered", quietTimeouts: false },
      target: 100_000,
    },
    { key: "two-phase-commit", protocol: "two-phase-commit", input: { nodes: 4 }, target: 100_000 },
    { key: "raft", protocol: "raft", input: { nodes: 3, clients: 1, operations: 1 }, target: 30_000 },
  ];

/** Breadth first in one thread, as `quorumlab explore` searches: each level's frontier kept as paths. */
function measure(
  protocol: Protocol,
  input: ExploreInput,
  timeMs: number,
  depthMax = Number.POSITIVE_INFINITY,
): Promise<SearchResult> {
  const { setup } = exploreSetup(protocol, input, historyChecker());
  return exploreByLevels(setup, {
    strategy: "bfs",
    depthMax,
    timeMs,
    statesMax: 20_000_000,
    now: () => performance.now(),
  });
}

/** `measure` with the levels expanded by `workers` worker threads (their start included). */
async function measureWithWorkers(
  protocol: Protocol,
  input: ExploreInput,
  timeMs: number,
  workers: number,
): Promise<SearchResult> {
  const { setup } = exploreSetup(protocol, input, historyChecker());
  const started = performance.now();
  const pool = explorePool(
    { source: { name: protocol.name }, input, expander: { oneOrder: setup.promptReplies !== true } },
    workers,
  );
  try {
    const result = await exploreInParallel(
      setup,
      {
        strategy: "bfs",
        depthMax: Number.POSITIVE_INFINITY,
        timeMs: timeMs - (performance.now() - started),
        statesMax: 20_000_000,
        now: () => performance.now(),
      },
      pool,
    );
    return { ...result, wallMs: performance.now() - started };
  } finally {
    await pool.close();
  }
}

/** `measure` as `quorumlab explore` searches by default (`--workers auto`). */
function measureAuto(protocol: Protocol, input: ExploreInput, timeMs: number): Promise<BreadthFirstRun> {
  const { setup } = exploreSetup(protocol, input, historyChecker());
  const settings = {
    strategy: "bfs" as const,
    depthMax: Number.POSITIVE_INFINITY,
    timeMs,
    statesMax: 20_000_000,
    now: () => performance.now(),
  };
  return searchBreadthFirst(setup, settings, { source: { name: protocol.name }, input, workers: "auto" });
}

const out: Record<string, unknown> = {};
for (const configuration of configurations) {
  const protocol = protocols.get(configuration.protocol) as Protocol;
  const cpu = process.cpuUsage();
  const result = await measure(protocol, configuration.input, TIME_PER_MS);
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  out[configuration.key] = {
    statesPerSec: Math.round((result.uniqueStates * 1000) / result.wallMs),
    statesPerCpuSec: Math.round((result.uniqueStates * 1000) / cpuMs),
    restore: result.restore,
    uniqueStates: result.uniqueStates,
    statesVisited: result.statesVisited,
    complete: result.verdict === "complete",
    verdict: result.verdict,
    depth: result.depth,
    wallMs: Math.round(result.wallMs),
    statesPerSecTarget: configuration.target,
  };
}
const paxos = protocols.get("paxos") as Protocol;
for (const key of ["paxos", "paxos-two-ballots"]) {
  const configuration = configurations.find((candidate) => candidate.key === key);
  if (configuration === undefined) continue;
  const result = await measureWithWorkers(paxos, configuration.input, TIME_PER_MS, 2);
  const one = out[key] as {
    statesPerSec: number;
    uniqueStates: number;
    statesVisited: number;
    complete: boolean;
  };
  const statesPerSec = Math.round((result.uniqueStates * 1000) / result.wallMs);
  const complete = result.verdict === "complete";
  out[`${key}-workers2`] = {
    workers: 2,
    statesPerSec,
    speedup: one.statesPerSec > 0 ? Math.round((statesPerSec / one.statesPerSec) * 100) / 100 : null,
    uniqueStates: result.uniqueStates,
    statesVisited: result.statesVisited,
    complete,
    sameCounts:
      complete && one.complete
        ? result.uniqueStates === one.uniqueStates && result.statesVisited === one.statesVisited
        : null,
    depth: result.depth,
    wallMs: Math.round(result.wallMs),
  };
}
// The default of `quorumlab explore`, `--workers auto`: one thread, joined by worker threads once
// the search has run a while and its level has seconds of work left (cli/shared/explore-pool.ts).
for (const key of ["paxos-two-ballots", "raft"]) {
  const configuration = configurations.find((candidate) => candidate.key === key);
  if (configuration === undefined) continue;
  const protocol = protocols.get(configuration.protocol) as Protocol;
  const { result, workers, joinedAtMs } = await measureAuto(protocol, configuration.input, TIME_PER_MS);
  const one = out[key] as { statesPerSec: number };
  const statesPerSec = Math.round((result.uniqueStates * 1000) / result.wallMs);
  out[`${key}-auto`] = {
    workers,
    joinedAtMs: joinedAtMs === undefined ? null : Math.round(joinedAtMs),
    statesPerSec,
    speedup: one.statesPerSec > 0 ? Math.round((statesPerSec / one.statesPerSec) * 100) / 100 : null,
    uniqueStates: result.uniqueStates,
    statesVisited: result.statesVisited,
    complete: result.verdict === "complete",
    depth: result.depth,
    wallMs: Math.round(result.wallMs),
  };
}
const first = await measure(paxos, { nodes: 3, faults: { timeouts: 2 } }, 600_000, REPEAT_DEPTH);
const second = await measure(paxos, { nodes: 3, faults: { timeouts: 2 } }, 600_000, REPEAT_DEPTH);
out.repeatable = {
  depth: REPEAT_DEPTH,
  uniqueStates: [first.uniqueStates, second.uniqueStates],
  same: first.uniqueStates === second.uniqueStates && first.statesVisited === second.statesVisited,
};
process.stdout.write(`${JSON.stringify(out)}\n`);
