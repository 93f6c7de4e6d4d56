/**
 * Seeded random streams.
 *
 * One run seed (a 64-bit unsigned integer, given in decimal or 0x-hex) is combined with a stream
 * name ("network", "node/n3", "workload", "faults") to seed an independent generator per
 * subsystem, so that a change in one stream (say, one more fault) never shifts another (say,
 * a node's election timeouts). Generators are Alea (Baagøe's, as seedrandom ships it), which passes
 * BigCrush.
 */
import { InputError } from "./errors.js";

/** A deterministic source of randomness handed to nodes, the network, the workload and faults. */
export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [minInclusive, maxInclusive]. */
  int(minInclusive: number, maxInclusive: number): number;
  /** True with probability `probability`. */
  chance(probability: number): boolean;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** An exponentially distributed number with the given mean. */
  exponential(mean: number): number;
}

const seedMax = (1n << 64n) - 1n;

/**
 * Parses a seed written in decimal or 0x-hex into an unsigned 64-bit integer; errors name it as
 * `name` (the flag, `--seed`, or a file's field).
 */
export function parseSeed(text: string | number | bigint, name = "seed"): bigint {
  const raw = typeof text === "string" ? text.trim() : String(text);
  const problem = seedProblem(raw);
  if (problem !== undefined) throw new InputError(`${name}: ${problem}`);
  return BigInt(raw);
}

/** What is wrong with a seed's text (trimmed), or undefined when `parseSeed` takes it. */
export function seedProblem(raw: string): string | undefined {
  if (!/^(0[xX][0-9a-fA-F]+|\d+)$/.test(raw)) {
    return `expected a decimal or 0x-hex unsigned integer, got '${raw}'`;
  }
  return BigInt(raw) > seedMax ? `expected a seed that fits in 64 bits, got '${raw}'` : undefined;
}

/** The canonical way a seed is printed: 0x-hex. */
export function formatSeed(seed: bigint): string {
  return `0x${seed.toString(16)}`;
}

/**
 * seedrandom's Alea, stepped here with its state in the object's own typed array: seedrandom keeps
 * it in a closure, out of reach of exploration's generic snapshot and restore of a state
 * (sim/explore/snapshot.ts). Its seeding is `seedAlea` below; the numbers drawn are the same as
 * seedrandom's, bit for bit.
 *
 * The state is a Float64Array rather than four number fields: writing a fraction into an object
 * field allocated a heap number on every step, which made each draw about 2.4 times slower than
 * seedrandom's own closure (a micro-benchmark of ten million draws) and was a twentieth of what
 * a uniform Raft fuzz campaign allocated.
 */
class AleaRng implements Rng {
  /** Alea's s0, s1, s2 and carry c, in that order. */
  private readonly state = new Float64Array(4);
  /** Numbers drawn so far: with the seed, it identifies the stream's state (state fingerprints). */
  draws = 0;

  constructor(seedText: string) {
    seedAlea(seedText, this.state);
  }

  /** One step of Alea: a float in [0, 1) with 32 random bits. */
  private step(): number {
    const state = this.state;
    const t = 2091639 * (state[0] as number) + (state[3] as number) * 2.3283064365386963e-10; // 2^-32
    state[0] = state[1] as number;
    state[1] = state[2] as number;
    const carry = t | 0;
    state[3] = carry;
    state[2] = t - carry;
    return t - carry;
  }

  private double(): number {
    this.draws++;
    return this.step() + ((this.step() * 0x200000) | 0) * 1.1102230246251565e-16; // 2^-53
  }

  next(): number {
    return this.double();
  }

  int(minInclusive: number, maxInclusive: number): number {
    return minInclusive + Math.floor(this.double() * (maxInclusive - minInclusive + 1));
  }

  chance(probability: number): boolean {
    return probability > 0 && this.double() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from an empty array");
    return items[Math.floor(this.double() * items.length)] as T;
  }

  exponential(mean: number): number {
    return -mean * Math.log(1 - this.double());
  }
}

/**
 * Alea's seeding, as seedrandom's `alea(seedText)` does it, into `state` (s0, s1, s2, c): each
 * of s0, s1 and s2 starts from Baagøe's Mash hash of a space and has the Mash hash of the seed
 * text subtracted (modulo 1), and the carry starts at 1. Written here because seedrandom keeps
 * Mash's running value in a closure, where every step of its loop allocates a heap number: a
 * stream took 1.6 µs to seed, and a fuzz run seeds a dozen (about 3% of a uniform Raft campaign's
 * runs). This loop keeps the value in a local and takes about a tenth of that. The states are
 * the same, bit for bit (test/kernel/random.test.ts compares them with seedrandom's).
 */
function seedAlea(seedText: string, state: Float64Array): void {
  let running = mashOfSpaces.running;
  for (let slot = 0; slot < 3; slot++) {
    for (let index = 0; index < seedText.length; index++) {
      running = mashStep(running, seedText.charCodeAt(index));
    }
    const value = (mashOfSpaces.values[slot] as number) - (running >>> 0) * 2.3283064365386963e-10; // 2^-32
    state[slot] = value < 0 ? value + 1 : value;
  }
  state[3] = 1;
}

/** One character of Mash: the running value after adding character code `code`. */
function mashStep(running: number, code: number): number {
  let value = running + code;
  let hash = 0.02519603282416938 * value;
  value = hash >>> 0;
  hash -= value;
  hash *= value;
  value = hash >>> 0;
  hash -= value;
  return value + hash * 0x100000000; // 2^32
}

/** Mash's first three values (of a space each), the same for every seed, and its running value after them. */
const mashOfSpaces = (() => {
  let running = 0xefc8249d;
  const values: number[] = [];
  for (let index = 0; index < 3; index++) {
    running = mashStep(running, " ".charCodeAt(0));
    values.push((running >>> 0) * 2.3283064365386963e-10); // 2^-32
  }
  return { values, running };
})();

/**
 * How many numbers a stream of `randomStream` has drawn: two streams of one seed and name that
 * drew equally many are in the same state.
 */
export function randomDraws(random: Rng): number {
  return random instanceof AleaRng ? random.draws : 0;
}

/** The generator for stream `name` of run `seed`. */
export function randomStream(seed: bigint, name: string): Rng {
  return new AleaRng(`${seed.toString(10)}/${name}`);
}
