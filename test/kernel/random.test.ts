/**
 * Goal: the simulator's random streams are seedrandom's Alea, bit for bit. Method: seed streams
 * for many run seeds and stream names, compare the seeded state with seedrandom's, and compare
 * the numbers drawn.
 */
import seedrandom from "seedrandom";
import { describe, expect, test } from "vitest";
import { randomStream } from "../../sim/random.js";

const names = [
  "network",
  "workload",
  "faults",
  "node/n1",
  "node/n12",
  "client/c3",
  "fuzz/run/511",
  "",
  "é/ü/✓",
];
const seeds = [0n, 1n, 42n, 0xdeadbeefn, (1n << 64n) - 1n, 12_345_678_901_234_567n];

describe("random streams", () => {
  test("are seeded as seedrandom's Alea seeds them", () => {
    let compared = 0;
    for (const seed of [
      ...seeds,
      ...Array.from({ length: 200 }, (_, index) => BigInt(index) * 7_919n + 3n),
    ]) {
      for (const name of names) {
        const text = `${seed.toString(10)}/${name}`;
        const expected = seedrandom.alea(text, { state: true }).state();
        const state = (randomStream(seed, name) as unknown as { state: Float64Array }).state;
        expect([...state]).toEqual([expected.s0, expected.s1, expected.s2, expected.c]);
        compared++;
      }
    }
    expect(compared).toBe((seeds.length + 200) * names.length);
  });

  test("draw the numbers seedrandom's Alea draws", () => {
    for (const seed of seeds) {
      const ours = randomStream(seed, "node/n1");
      const theirs = seedrandom.alea(`${seed.toString(10)}/node/n1`);
      for (let draw = 0; draw < 1_000; draw++) expect(ours.next()).toBe(theirs.double());
    }
  });
});
