/** The cache of configurations a search has seen (see `ConfigurationCache`). */
import { giveInt32, takeInt32 } from "../buffers.js";
import { mix32 } from "./hash.js";

const recordSize = 4;
const tagBits = 5;
/** Most entries: the entry number and its tag share one 32-bit slot. */
const entryCountMax = 2 ** (32 - tagBits) - 2;

/**
 * The cache of seen configurations: the sets of linearized completed and indeterminate
 * operations, and the state. Each entry is one record of four integers (its
 * hash, state, first stored bitset word and where its words start in `words`; its length is
 * where the next entry's words start), so that a lookup touches one cache line for the record.
 * The open-addressing slots hold the entry's number and five bits of its hash, so that most
 * probes of other entries never touch their records. Measured on the long kv histories of the
 * hard benchmark, this layout against five separate arrays per field: see
 * docs/linearizability.md, "Hard histories".
 */
export class ConfigurationCache {
  /** Entries stored. */
  entryCount = 0;
  /** Set once a configuration was left out for want of memory. */
  full = false;
  private slotCapacity = 64;
  private slotMask: number;
  private slots: Int32Array<ArrayBuffer>;
  private entryCapacity: number;
  private records: Int32Array<ArrayBuffer>;
  private words: Int32Array<ArrayBuffer>;
  private wordsUsed = 0;
  /** The search's bitsets, read in place at each lookup. */
  private readonly bits: Int32Array<ArrayBuffer>;
  private readonly crashedBits: Int32Array<ArrayBuffer>;
  private readonly crashedWordCount: number;
  /** Whether the search may hold `extraBytes` more within its memory budget. */
  private readonly fits: (extraBytes: number) => boolean;

  constructor(options: {
    bits: Int32Array<ArrayBuffer>;
    crashedBits: Int32Array<ArrayBuffer>;
    crashedWordCount: number;
    operationCount: number;
    fits: (extraBytes: number) => boolean;
  }) {
    this.bits = options.bits;
    this.crashedBits = options.crashedBits;
    this.crashedWordCount = options.crashedWordCount;
    this.fits = options.fits;
    while (this.slotCapacity < options.operationCount * 16 && this.slotCapacity < 1 << 16)
      this.slotCapacity *= 2;
    this.slotMask = this.slotCapacity - 1;
    this.slots = takeInt32(this.slotCapacity);
    this.entryCapacity = this.slotCapacity >>> 1;
    this.records = takeInt32(this.entryCapacity * recordSize);
    this.words = takeInt32(this.entryCapacity * 2);
  }

  /** Bytes of the cache's arrays. */
  bytes(): number {
    return 4 * (this.slots.length + this.records.length + this.words.length);
  }

  /** Gives the arrays back to the pool; the cache must not be used afterwards. */
  release(): void {
    giveInt32(this.slots, this.records, this.words);
  }

  /**
   * Adds the configuration (bits, crashedBits, state) to the cache and returns true, or returns
   * false when it was there; with `insert` false, only looks. Words of `bits` below `low` are all
   * ones and words from `low + length` on are all zeros; `bitsHash` covers both sets.
   *
   * Tried and left: a configuration with a superset of a cached one's indeterminate operations
   * (and the same completed ones and state) is dominated by it, since an indeterminate operation
   * may be left out. Looking for subsets means leaving the indeterminate operations out of the
   * hash, and on the etcd logs (up to 19 crashed operations) the probe chains that made took
   * twice the time the pruning saved (docs/linearizability.md, "Hard histories").
   */
  remember(bitsHash: number, state: number, low: number, length: number, insert: boolean): boolean {
    const hash = mix32(bitsHash ^ Math.imul(state + 1, 0x27d4eb2f));
    const tag = hash >>> (32 - tagBits);
    const stored = length + this.crashedWordCount;
    let at = this.freeSlotFor(hash, state, low, length);
    if (at < 0) return false;
    if (!insert) return true;
    if (
      this.entryCount === this.entryCapacity ||
      (this.entryCount + 1) * 2 > this.slotCapacity ||
      this.wordsUsed + stored > this.words.length
    ) {
      if (!this.makeRoom(stored)) {
        // Not caching a configuration is always sound (only slower); the search stops at its
        // next budget check with the verdict unknown (memory).
        this.full = true;
        return true;
      }
      at = hash & this.slotMask;
      while (this.slots[at] !== 0) at = (at + 1) & this.slotMask;
    }
    const { bits, crashedBits, words, wordsUsed } = this;
    for (let word = 0; word < length; word++) words[wordsUsed + word] = bits[low + word]!;
    for (let word = 0; word < this.crashedWordCount; word++)
      words[wordsUsed + length + word] = crashedBits[word]!;
    const record = this.entryCount * recordSize;
    this.records[record] = hash;
    this.records[record + 1] = state;
    this.records[record + 2] = low;
    this.records[record + 3] = wordsUsed;
    this.wordsUsed += stored;
    this.entryCount++;
    this.slots[at] = (this.entryCount << tagBits) | tag;
    return true;
  }

  /**
   * Where the configuration with this `hash` would be stored (see `remember`): the free slot its
   * probe reaches, or -1 when it is stored already.
   */
  private freeSlotFor(hash: number, state: number, low: number, length: number): number {
    const { slots, records, words, bits, crashedBits, crashedWordCount } = this;
    const tag = hash >>> (32 - tagBits);
    const stored = length + crashedWordCount;
    let at = hash & this.slotMask;
    for (; slots[at] !== 0; at = (at + 1) & this.slotMask) {
      const slot = slots[at]!;
      if ((slot & ((1 << tagBits) - 1)) !== tag) continue;
      const entry = (slot >>> tagBits) - 1;
      const record = entry * recordSize;
      if (records[record] !== hash || records[record + 1] !== state || records[record + 2] !== low) continue;
      const start = records[record + 3]!;
      const end = entry + 1 < this.entryCount ? records[record + recordSize + 3]! : this.wordsUsed;
      if (end - start !== stored) continue;
      let same = true;
      for (let word = 0; word < length; word++) {
        if (words[start + word] !== bits[low + word]) {
          same = false;
          break;
        }
      }
      for (let word = 0; same && word < crashedWordCount; word++) {
        if (words[start + length + word] !== crashedBits[word]) same = false;
      }
      if (same) return -1;
    }
    return at;
  }

  /**
   * Grows the cache's arrays so that one more entry of `length` words fits, unless that would
   * take the search past the memory budget; returns whether it fits.
   */
  private makeRoom(length: number): boolean {
    if (this.entryCount >= entryCountMax) return false;
    const growEntries = this.entryCount === this.entryCapacity;
    const growSlots = (this.entryCount + 1) * 2 > this.slotCapacity;
    const { words, wordsUsed } = this;
    const wordsWanted =
      wordsUsed + length > words.length ? Math.max(words.length * 2, wordsUsed + length) : 0;
    let extraBytes = 4 * wordsWanted;
    if (growEntries) extraBytes += 4 * recordSize * this.entryCapacity * 2;
    if (growSlots) extraBytes += 4 * this.slotCapacity * 2;
    if (!this.fits(extraBytes)) return false;
    if (growEntries) this.growEntries();
    if (growSlots) this.growSlots();
    if (wordsWanted > 0) {
      const grown = takeInt32(wordsWanted);
      grown.set(words.subarray(0, wordsUsed));
      giveInt32(words);
      this.words = grown;
    }
    return true;
  }

  private growSlots(): void {
    this.slotCapacity *= 2;
    this.slotMask = this.slotCapacity - 1;
    giveInt32(this.slots);
    const slots = takeInt32(this.slotCapacity);
    this.slots = slots;
    for (let entry = 0; entry < this.entryCount; entry++) {
      const hash = this.records[entry * recordSize]!;
      let at = hash & this.slotMask;
      while (slots[at] !== 0) at = (at + 1) & this.slotMask;
      slots[at] = ((entry + 1) << tagBits) | (hash >>> (32 - tagBits));
    }
  }

  private growEntries(): void {
    this.entryCapacity *= 2;
    const grown = takeInt32(this.entryCapacity * recordSize);
    grown.set(this.records);
    giveInt32(this.records);
    this.records = grown;
  }
}
