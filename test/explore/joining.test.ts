/**
 * `explore --workers auto` (cli/shared/explore-pool.ts, `joiningPool`): breadth-first search that
 * starts in this thread and hands its runs to worker threads once they are all ready. The workers
 * here are stand-ins in this thread that, like real ones, say they are ready only through an
 * event: the search must let events run while it waits for them, take their answers in order and
 * end with the result of one thread.
 */
import { describe, expect, it } from "vitest";
import { type ExplorePool, joiningPool, yieldingPool } from "../../cli/shared/explore-pool.js";
import { protocols } from "../../protocols/index.js";
import { InputError } from "../../sim/errors.js";
import {
  exploreByLevels,
  exploreInParallel,
  FrontierExpander,
  inThreadPool,
} from "../../sim/explore/parallel.js";
import { type ExploreInput, exploreSetup } from "../../sim/explore/settings.js";
import type { WorldSetup } from "../../sim/explore/world.js";
import type { Protocol } from "../../sim/node.js";
import { sameSearch, searchSettings } from "./support.js";

/** Stand-in workers: expanders in this thread, ready only once an event has run. */
function standInWorkers(setup: WorldSetup) {
  const made = { pools: 0, runs: 0, closed: 0 };
  const start = (workers: number): ExplorePool => {
    made.pools++;
    const expanders = Array.from(
      { length: workers },
      () => new FrontierExpander(setup, { oneOrder: setup.promptReplies !== true }),
    );
    let ready = 0;
    setImmediate(() => {
      ready = workers;
    });
    let turn = 0;
    return {
      parallelism: workers,
      get ready() {
        return ready;
      },
      expand(paths, depth, states) {
        made.runs++;
        const answer = (expanders[turn++ % workers] as FrontierExpander).expand(paths, depth, states);
        return new Promise((done) => setTimeout(() => done(answer), turn % 3));
      },
      async close() {
        made.closed++;
      },
    };
  };
  return { made, start };
}

/** A clock that moves `tickMs` each time it is read. */
function tickingClock(tickMs = 1): () => number {
  let now = 0;
  return () => {
    now += tickMs;
    return now;
  };
}

async function searchBoth(
  name: string,
  input: ExploreInput,
  options: {
    workers: number;
    afterMs: number;
    workMs?: number;
    timeMs?: number;
    tickMs?: number;
    start?: (workers: number) => ExplorePool;
  },
) {
  const { setup } = exploreSetup(protocols.get(name) as Protocol, input);
  const settings = searchSettings({});
  const alone = await exploreByLevels(setup, settings);
  const standIn = standInWorkers(setup);
  const pool = joiningPool(inThreadPool(setup, settings), options.start ?? standIn.start, {
    workers: options.workers,
    afterMs: options.afterMs,
    workMs: options.workMs ?? 0,
    timeMs: options.timeMs ?? Number.POSITIVE_INFINITY,
    now: tickingClock(options.tickMs),
  });
  const joined = await exploreInParallel(setup, settings, pool);
  await pool.close();
  return { alone, joined, pool, made: standIn.made };
}

describe("--workers auto: worker threads join a long search", () => {
  it("hands the runs to the workers once they are ready, with the result of one thread", async () => {
    const { alone, joined, pool, made } = await searchBoth(
      "paxos",
      { faults: { timeouts: 1 } },
      { workers: 2, afterMs: 5 },
    );
    expect(alone.verdict).toBe("complete");
    sameSearch(joined, alone);
    expect(made.pools).toBe(1);
    expect(made.runs).toBeGreaterThan(0);
    expect(made.closed).toBe(1);
    expect(pool.joined).toBe(2);
    // The runs before the workers were ready ran in this thread: they joined after it had begun.
    expect(pool.joinedAtMs).toBeGreaterThan(5);
  }, 60_000);

  it("finds the same shortest counterexample after the workers joined", async () => {
    const { alone, joined, pool } = await searchBoth(
      "primary-backup",
      { bugs: ["ack-before-backup"] },
      { workers: 3, afterMs: 2 },
    );
    expect(alone.verdict).toBe("violation");
    sameSearch(joined, alone);
    expect(pool.joined).toBe(3);
  }, 60_000);

  it("sends the workers runs this thread would expand in about a quarter of a second", async () => {
    // Each reading of the clock 50 ms after the last: a run of up to 256 states took this thread
    // 50 ms, so runs are cut far below the most states a run may hold (2,048).
    const { alone, joined, pool } = await searchBoth(
      "primary-backup",
      { bugs: ["ack-before-backup"] },
      { workers: 2, afterMs: 0, tickMs: 50 },
    );
    sameSearch(joined, alone);
    expect(pool.joined).toBe(2);
    expect(pool.runMax).toBeGreaterThanOrEqual(16);
    expect(pool.runMax).toBeLessThan(2048);
  }, 60_000);

  it("stays in this thread with one core, before its time, near its time bound, or while its levels are quick", async () => {
    const oneCore = await searchBoth("paxos", { faults: { timeouts: 1 } }, { workers: 1, afterMs: 0 });
    sameSearch(oneCore.joined, oneCore.alone);
    expect(oneCore.made.pools).toBe(0);
    expect(oneCore.pool.joined).toBe(0);
    expect(oneCore.pool.joinedAtMs).toBeUndefined();
    const early = await searchBoth("paxos", { faults: { timeouts: 1 } }, { workers: 2, afterMs: 1e9 });
    sameSearch(early.joined, early.alone);
    expect(early.made.pools).toBe(0);
    const ending = await searchBoth(
      "paxos",
      { faults: { timeouts: 1 } },
      { workers: 2, afterMs: 0, workMs: 10, timeMs: 5 },
    );
    sameSearch(ending.joined, ending.alone);
    expect(ending.made.pools).toBe(0);
    const small = await searchBoth(
      "paxos",
      { faults: { timeouts: 1 } },
      { workers: 2, afterMs: 0, workMs: 1e9 },
    );
    sameSearch(small.joined, small.alone);
    expect(small.made.pools).toBe(0);
  }, 60_000);

  it("stays in this thread when no compiled worker can be started, and fails on any other error", async () => {
    const missing = await searchBoth(
      "paxos",
      { faults: { timeouts: 1 } },
      {
        workers: 2,
        afterMs: 0,
        start: () => {
          throw new InputError("--workers above 1 needs the compiled worker: run `npm run build`");
        },
      },
    );
    sameSearch(missing.joined, missing.alone);
    expect(missing.pool.joined).toBe(0);
    await expect(
      searchBoth(
        "paxos",
        { faults: { timeouts: 1 } },
        {
          workers: 2,
          afterMs: 0,
          start: () => {
            throw new Error("out of threads");
          },
        },
      ),
    ).rejects.toThrow("out of threads");
  }, 60_000);
});

describe("a search in this thread lets events run now and then", () => {
  it("lets a pending event run while it searches, with the same result", async () => {
    const { setup } = exploreSetup(protocols.get("paxos") as Protocol, { faults: { timeouts: 1 } });
    const settings = searchSettings({});
    const alone = await exploreByLevels(setup, settings);
    let ran = 0;
    let runs = 0;
    const counted = inThreadPool(setup, settings);
    const pool = yieldingPool(
      {
        ...counted,
        expand(paths, depth, states) {
          runs++;
          return counted.expand(paths, depth, states);
        },
      },
      // 40 ms a reading: each answer waits for the events pending.
      tickingClock(40),
    );
    const event = () => {
      ran++;
      if (runs < 1e9) setImmediate(event);
    };
    setImmediate(event);
    const result = await exploreInParallel(setup, settings, pool);
    runs = 1e9;
    sameSearch(result, alone);
    expect(ran).toBeGreaterThan(1);
  }, 60_000);

  it("ends as bounded by an interrupt at the next run, every state of its depth explored", async () => {
    const { setup } = exploreSetup(protocols.get("paxos") as Protocol, { faults: { timeouts: 1 } });
    const full = await exploreByLevels(setup, searchSettings({}));
    let asked = 0;
    const interrupted = () => ++asked > 5;
    const result = await exploreInParallel(
      setup,
      searchSettings({ interrupted }),
      yieldingPool(inThreadPool(setup, searchSettings({})), tickingClock(40)),
    );
    expect(result.verdict).toBe("bounded");
    expect(result.boundedBy).toBe("interrupted");
    expect(result.uniqueStates).toBeLessThan(full.uniqueStates);
    // The levels up to its depth were explored in full: a search to that depth has no more states
    // than were reached.
    const shallower = await exploreByLevels(setup, searchSettings({ depthMax: result.depth }));
    expect(shallower.uniqueStates).toBeLessThanOrEqual(result.uniqueStates);
  }, 60_000);
});
