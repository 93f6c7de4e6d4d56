/**
 * The search's array pool: arrays come back zero-filled and at least as long as asked, an array
 * given back twice is handed out once, very large arrays are not kept, and a verdict does not
 * depend on what earlier searches left in the pool.
 */
import { describe, expect, it } from "vitest";
import { giveInt32, takeInt32 } from "../../sim/check/buffers.js";
import { checkHistory } from "../../sim/check/linearizability.js";
import { modelByName } from "../../sim/check/models/index.js";
import type { HistoryEvent } from "../../sim/history.js";

describe("search buffers", () => {
  it("hands out zero-filled arrays of a power-of-two size at least as long as asked", () => {
    const first = takeInt32(100);
    expect(first.length).toBe(128);
    first.fill(7);
    giveInt32(first);
    const again = takeInt32(100);
    expect(again).toBe(first);
    expect(again.every((value) => value === 0)).toBe(true);
  });

  it("hands an array given back twice out only once", () => {
    const array = takeInt32(4096);
    giveInt32(array, array);
    const one = takeInt32(4096);
    const two = takeInt32(4096);
    expect(one).toBe(array);
    expect(two).not.toBe(array);
  });

  it("does not keep arrays above 4 MB", () => {
    const huge = takeInt32((1 << 20) + 1);
    giveInt32(huge);
    // Compared as a boolean: vitest formats both 8 MB arrays for the message otherwise (a minute).
    expect(takeInt32((1 << 20) + 1) === huge).toBe(false);
  });

  it("gives the same verdicts whatever earlier searches left in the pool", () => {
    const event = (type: HistoryEvent["type"], process: number, f: string, value: unknown, timeUs: number) =>
      ({ type, process, f, key: null, value, timeUs }) as HistoryEvent;
    // A write of 1 completes before a read that returns 2: not linearizable.
    const bad = [
      event("invoke", 0, "write", 1, 0),
      event("ok", 0, "write", 1, 1),
      event("invoke", 1, "read", null, 2),
      event("ok", 1, "read", 2, 3),
    ];
    const good = [
      event("invoke", 0, "write", 1, 0),
      event("invoke", 1, "read", null, 1),
      event("ok", 0, "write", 1, 2),
      event("ok", 1, "read", 1, 3),
    ];
    const model = modelByName("register");
    const verdicts = () => [good, bad, good, bad].map((history) => checkHistory(history, model).result);
    const before = verdicts();
    // Leave dirty arrays of many sizes in the pool, then check again.
    for (let size = 16; size <= 1 << 14; size *= 2) {
      const array = takeInt32(size);
      array.fill(-1);
      giveInt32(array);
    }
    expect(verdicts()).toEqual(before);
    expect(before).toEqual(["linearizable", "not-linearizable", "linearizable", "not-linearizable"]);
  });
});
