/** The set of operations a search has linearized, with its hash kept up to date at each change. */
import { giveInt32, takeInt32 } from "../buffers.js";
import { mix32 } from "./hash.js";

/**
 * The linearized operations: completed ones in the bitset `bits`, indeterminate ones by rank in
 * `crashedBits`, and `hash`, the XOR of a random (Zobrist) word per linearized operation of
 * either kind. The bits of indeterminate operations are always set in `bits`, so that its
 * trimmed form stays short: the words before `fullWords` are all ones and those after `highWord`
 * all zeros, and the cache stores only the words between (see `ConfigurationCache.remember`).
 * `highWord` may stay above the last non-zero word after a removal; the next addition lowers it.
 */
export class LinearizedSet {
  readonly bits: Int32Array<ArrayBuffer>;
  readonly crashedBits: Int32Array<ArrayBuffer>;
  readonly wordCount: number;
  readonly crashedWordCount: number;
  hash = 0;
  fullWords = 0;
  highWord: number;
  private readonly zobrist: Int32Array<ArrayBuffer>;
  /** 1 for an indeterminate operation (EntryList.crashed). */
  private readonly crashed: Int32Array<ArrayBuffer>;
  /** Each indeterminate operation's rank by call. */
  private readonly crashedRank: Int32Array<ArrayBuffer>;

  constructor(options: {
    crashed: Int32Array<ArrayBuffer>;
    crashedRank: Int32Array<ArrayBuffer>;
    crashedCount: number;
    operationCount: number;
  }) {
    const { crashed, operationCount } = options;
    this.crashed = crashed;
    this.crashedRank = options.crashedRank;
    this.crashedWordCount = (options.crashedCount + 31) >>> 5;
    this.crashedBits = takeInt32(this.crashedWordCount);
    const wordCount = (operationCount + 31) >>> 5;
    this.wordCount = wordCount;
    const bits = takeInt32(wordCount);
    const zobrist = takeInt32(operationCount);
    for (let index = 0; index < operationCount; index++) {
      zobrist[index] = mix32(Math.imul(index + 1, 0x9e3779b9) ^ 0x5bd1e995);
      if (crashed[index] === 1) bits[index >>> 5]! |= 1 << (index & 31);
    }
    this.bits = bits;
    this.zobrist = zobrist;
    while (this.fullWords < wordCount && bits[this.fullWords] === -1) this.fullWords++;
    let highWord = wordCount - 1;
    while (highWord >= 0 && bits[highWord] === 0) highWord--;
    this.highWord = highWord;
  }

  has(operation: number): boolean {
    if (this.crashed[operation] !== 1) return (this.bits[operation >>> 5]! & (1 << (operation & 31))) !== 0;
    const rank = this.crashedRank[operation]!;
    return (this.crashedBits[rank >>> 5]! & (1 << (rank & 31))) !== 0;
  }

  add(operation: number): void {
    this.hash ^= this.zobrist[operation]!;
    if (this.crashed[operation] === 1) {
      const rank = this.crashedRank[operation]!;
      this.crashedBits[rank >>> 5]! |= 1 << (rank & 31);
      return;
    }
    const bits = this.bits;
    const word = operation >>> 5;
    bits[word]! |= 1 << (operation & 31);
    if (word > this.highWord) this.highWord = word;
    if (word === this.fullWords)
      while (this.fullWords < this.wordCount && bits[this.fullWords] === -1) this.fullWords++;
    while (this.highWord >= 0 && bits[this.highWord] === 0) this.highWord--;
  }

  remove(operation: number): void {
    this.hash ^= this.zobrist[operation]!;
    if (this.crashed[operation] === 1) {
      const rank = this.crashedRank[operation]!;
      this.crashedBits[rank >>> 5]! &= ~(1 << (rank & 31));
      return;
    }
    const word = operation >>> 5;
    this.bits[word]! &= ~(1 << (operation & 31));
    if (word < this.fullWords) this.fullWords = word;
  }

  /** How many words of `bits` the cache stores, from `fullWords` on. */
  storedWords(): number {
    return this.highWord >= this.fullWords ? this.highWord - this.fullWords + 1 : 0;
  }

  /** Gives the arrays back to the pool (not `crashed` and `crashedRank`, which the search owns). */
  release(): void {
    giveInt32(this.bits, this.zobrist, this.crashedBits);
  }
}
