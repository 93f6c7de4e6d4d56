/** Hash mixing shared by the linearizability searches' open-addressing tables and exploration's fingerprints. */

/** A 32-bit mixer (the finalizer of MurmurHash3). */
export function mix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}
