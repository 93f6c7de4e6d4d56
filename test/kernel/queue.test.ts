import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventQueue } from "../../sim/queue.js";

describe("event queue", () => {
  it("pops events by time, and events at the same time in insertion order", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 300 }), (times) => {
        const queue = new EventQueue<number>();
        for (const [index, time] of times.entries()) queue.push(time, index);
        const popped: Array<[number, number]> = [];
        while (queue.size > 0) {
          const time = queue.peekTime();
          popped.push([time, queue.pop() as number]);
        }
        const expected = times.map((time, index): [number, number] => [time, index]);
        expected.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        expect(popped).toEqual(expected);
      }),
    );
  });

  it("keeps the order when pushes and pops interleave", () => {
    const queue = new EventQueue<string>();
    queue.push(5, "a");
    queue.push(1, "b");
    expect(queue.pop()).toBe("b");
    queue.push(5, "c");
    queue.push(3, "d");
    expect([queue.pop(), queue.pop(), queue.pop()]).toEqual(["d", "a", "c"]);
    expect(queue.pop()).toBeUndefined();
    expect(queue.peekTime()).toBe(Number.POSITIVE_INFINITY);
  });
});
