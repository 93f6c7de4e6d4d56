/**
 * The configurations of the read-write sweep (../read-write-sweep.ts): what one holds, a set of
 * them, and the slot masks they are made of.
 */
import { mix32 } from "../search.js";

/** Completed operations running at once at most (two 32-bit masks). */
export const slotsMax = 64;

/** A trail of placed operations, newest first, shared between configurations. */
export interface Trail {
  readonly operation: number;
  /** The state after it (for a hidden write: the state where it is put back, see `unwind`). */
  readonly state: number;
  /** The sweep event at which it was placed. */
  readonly event: number;
  /** A write placed where it changes nothing seen (see `Configuration.hideLow`). */
  readonly hidden: boolean;
  readonly previous: Trail | undefined;
}

/** One configuration of the frontier. */
export interface Configuration {
  readonly state: number;
  /** Linearized running completed operations, by slot (slots 0-31 and 32-63). */
  readonly low: number;
  readonly high: number;
  /**
   * Running completed writes not linearized that could have been, unseen: a write was placed
   * since their call (they go just before it, overwritten at once), or the state was their value
   * at their call (they go there, changing nothing). At their return they may be placed so.
   */
  readonly hideLow: number;
  readonly hideHigh: number;
  /** Indeterminate writes used, per state, one character each, and its hash. */
  readonly used: string;
  readonly usedHash: number;
  readonly trail: Trail | undefined;
}

/** A hash of a configuration (of everything but its trail). */
export function hashOf(configuration: Configuration): number {
  let h = mix32(configuration.state * 0x9e3779b1 + configuration.low);
  h = mix32(h + configuration.high);
  h = mix32(h + configuration.hideLow);
  h = mix32(h + configuration.hideHigh);
  return mix32(h + configuration.usedHash);
}

/** Whether two configurations are equal but for their trails. */
export function sameConfiguration(left: Configuration, right: Configuration): boolean {
  return (
    left.state === right.state &&
    left.low === right.low &&
    left.high === right.high &&
    left.hideLow === right.hideLow &&
    left.hideHigh === right.hideHigh &&
    left.used === right.used
  );
}

/**
 * A set of configurations, equal ones (but for their trails) kept once, the first added, listed
 * in the order added. Keyed by a number rather than a text key: building a text per
 * configuration took most of the sweep's time on the many-clients register histories. And the
 * numbers are kept in an open-addressing table of typed arrays rather than a Map: with 32-bit
 * hashes as keys (mostly heap numbers, not small integers) the Map's lookups and garbage took a
 * fifth of the sweep's time on register-many-clients-1-stale.
 */
export class ConfigurationSet {
  private readonly items: Configuration[] = [];
  /** Each item's hash, by its index in `items`. */
  private hashes = new Int32Array(8);
  /** Linear-probing table of item index + 1 (0: empty), at most half full. */
  private table = new Int32Array(16);

  get size(): number {
    return this.items.length;
  }

  /** Adds `configuration` unless an equal one is present; true when added. */
  add(configuration: Configuration): boolean {
    const hash = hashOf(configuration);
    const table = this.table;
    const mask = table.length - 1;
    let at = hash & mask;
    for (let entry = table[at]!; entry !== 0; entry = table[at]!) {
      if (this.hashes[entry - 1] === hash && sameConfiguration(this.items[entry - 1]!, configuration))
        return false;
      at = (at + 1) & mask;
    }
    const index = this.items.length;
    this.items.push(configuration);
    if (index === this.hashes.length) {
      const hashes = new Int32Array(index * 2);
      hashes.set(this.hashes);
      this.hashes = hashes;
    }
    this.hashes[index] = hash;
    table[at] = index + 1;
    if (2 * this.items.length > table.length) this.rehash(table.length * 2);
    return true;
  }

  /** The configurations, in the order added. */
  values(): IterableIterator<Configuration> {
    return this.items.values();
  }

  /** Moves every item to a table of `length` entries. */
  private rehash(length: number): void {
    const table = new Int32Array(length);
    const mask = length - 1;
    for (let index = 0; index < this.items.length; index++) {
      let at = this.hashes[index]! & mask;
      while (table[at] !== 0) at = (at + 1) & mask;
      table[at] = index + 1;
    }
    this.table = table;
  }
}

/** Number of set bits of a 32-bit word. */
export function bitCount(word: number): number {
  let count = word - ((word >>> 1) & 0x55555555);
  count = (count & 0x33333333) + ((count >>> 2) & 0x33333333);
  return (Math.imul((count + (count >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** Index of the lowest set bit of a 32-bit word (which must not be 0). */
export function lowestBit(word: number): number {
  return 31 - Math.clz32(word & -word);
}

/** The bit of `slot` in the low mask (slots 0-31), else 0. */
export function lowBitOf(slot: number): number {
  return slot < 32 ? 1 << slot : 0;
}

/** The bit of `slot` in the high mask (slots 32-63), else 0. */
export function highBitOf(slot: number): number {
  return slot < 32 ? 0 : 1 << (slot - 32);
}

/** Whether every bit of `inner` is set in `outer`. */
export function covers(outer: number, inner: number): boolean {
  return (outer & inner) === inner;
}
