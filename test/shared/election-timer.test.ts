/**
 * The lazy election timer: hearing from the leader moves the deadline without queuing a timer,
 * an early firing re-arms for the remainder, and a forced firing counts as expired.
 */
import { describe, expect, it } from "vitest";
import { LazyElectionTimer } from "../../protocols/shared/election-timer.js";
import type { NodeContext } from "../../sim/node.js";

/** A context with a clock and one timer slot per name, recording each timer set. */
function fakeContext() {
  const timers = new Map<string, number>();
  const set: Array<[name: string, delayUs: number]> = [];
  const clock = { nowUs: 0 };
  const ctx = {
    now: () => clock.nowUs,
    hasTimer: (name: string) => timers.has(name),
    setTimer: (name: string, delayUs: number) => {
      timers.set(name, clock.nowUs + delayUs);
      set.push([name, delayUs]);
    },
  } as unknown as NodeContext;
  /** Fires the timer: the clock moves to its due time and the slot empties. */
  const fire = (name: string): void => {
    clock.nowUs = timers.get(name) as number;
    timers.delete(name);
  };
  return { ctx, set, clock, timers, fire };
}

describe("lazy election timer", () => {
  it("queues one timer for a stream of resets and re-arms for the rest when it fires early", () => {
    const { ctx, set, clock, fire } = fakeContext();
    const timer = new LazyElectionTimer(ctx, "election");
    timer.reset(150);
    for (const at of [50, 100, 140]) {
      clock.nowUs = at;
      timer.reset(150);
    }
    expect(set).toEqual([["election", 150]]);
    fire("election");
    expect(clock.nowUs).toBe(150);
    expect(timer.expired()).toBe(false);
    expect(set[1]).toEqual(["election", 140]);
    fire("election");
    expect(clock.nowUs).toBe(290);
    expect(timer.expired()).toBe(true);
  });

  it("sets the timer again when a reset brings the deadline forward", () => {
    const { ctx, set, clock } = fakeContext();
    const timer = new LazyElectionTimer(ctx, "election");
    timer.reset(300);
    clock.nowUs = 10;
    timer.reset(100);
    expect(set).toEqual([
      ["election", 300],
      ["election", 100],
    ]);
  });

  it("counts a firing before the timer's due time as a forced timeout", () => {
    const { ctx, clock } = fakeContext();
    const timer = new LazyElectionTimer(ctx, "election");
    timer.reset(300);
    clock.nowUs = 20;
    expect(timer.expired()).toBe(true);
  });
});
