/**
 * The visited set: 64-bit fingerprints in one open-addressing table of typed arrays, with a
 * small number per entry (the depth it was first reached at, for depth-bounded search).
 *
 * Hand-written rather than a JS `Set` of strings or bigints: 10 million states would cost several
 * gigabytes as JS values, and about 160 MB here (two 32-bit halves plus a 16-bit depth per slot,
 * at most half full before the table doubles).
 */

const emptyLow = 0;

export class FingerprintSet {
  private high: Uint32Array;
  private low: Uint32Array;
  private depths: Uint16Array;
  private mask: number;
  private count = 0;

  constructor(capacityPowerOfTwo = 16) {
    const capacity = 1 << capacityPowerOfTwo;
    this.high = new Uint32Array(capacity);
    this.low = new Uint32Array(capacity);
    this.depths = new Uint16Array(capacity);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.high.byteLength + this.low.byteLength + this.depths.byteLength;
  }

  /**
   * Adds a fingerprint reached at `depth`. Returns true when it is new, or when it was known only
   * at a greater depth (the depth is then lowered): either way, the state is worth expanding.
   */
  visit(high: number, low: number, depth = 0): boolean {
    // A low half of 0 marks an empty slot, so 0 is stored as 1 (one more rare collision).
    const lowKey = low === emptyLow ? 1 : low;
    let slot = this.slot(high, lowKey);
    if (this.low[slot] === emptyLow) {
      if ((this.count + 1) * 2 > this.high.length) {
        this.grow();
        slot = this.slot(high, lowKey);
      }
      this.high[slot] = high;
      this.low[slot] = lowKey;
      this.depths[slot] = depth;
      this.count++;
      return true;
    }
    if (depth < (this.depths[slot] as number)) {
      this.depths[slot] = depth;
      return true;
    }
    return false;
  }

  has(high: number, low: number): boolean {
    const lowKey = low === emptyLow ? 1 : low;
    return this.low[this.slot(high, lowKey)] !== emptyLow;
  }

  /** The slot holding the fingerprint, or the empty slot where it would go. */
  private slot(high: number, lowKey: number): number {
    const mask = this.mask;
    let slot = (high ^ Math.imul(lowKey, 0x9e3779b1)) & mask;
    while (true) {
      const stored = this.low[slot] as number;
      if (stored === emptyLow || (stored === lowKey && this.high[slot] === high)) return slot;
      slot = (slot + 1) & mask;
    }
  }

  private grow(): void {
    const oldHigh = this.high;
    const oldLow = this.low;
    const oldDepths = this.depths;
    const capacity = oldHigh.length * 2;
    this.high = new Uint32Array(capacity);
    this.low = new Uint32Array(capacity);
    this.depths = new Uint16Array(capacity);
    this.mask = capacity - 1;
    for (let index = 0; index < oldHigh.length; index++) {
      const lowKey = oldLow[index] as number;
      if (lowKey === emptyLow) continue;
      const high = oldHigh[index] as number;
      const slot = this.slot(high, lowKey);
      this.high[slot] = high;
      this.low[slot] = lowKey;
      this.depths[slot] = oldDepths[index] as number;
    }
  }
}
