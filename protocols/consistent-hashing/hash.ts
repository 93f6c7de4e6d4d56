/**
 * The ring's hash: MurmurHash3 x86_32 (Austin Appleby, public domain algorithm), seed 0, over the
 * UTF-8 bytes of a string.
 *
 * Why this hash: the ring needs a fixed, documented 32-bit function whose output bits all depend
 * on every input byte, because tokens are hashes of near-identical labels (`A#0`, `A#1`, …) and
 * keys are near-identical too (`k0`, `k1`, …). MurmurHash3's finalizer ("fmix") avalanches every
 * input bit; 32-bit FNV-1a, the other common choice, spreads a change in the last byte only
 * towards the high bits. The value is a pure function of the string: no platform, locale or
 * process state enters it.
 *
 * Exact function, for anyone reimplementing it:
 * - Input bytes: the string's UTF-8 encoding, exactly as `new TextEncoder().encode(text)` gives
 *   it. A lone UTF-16 surrogate encodes as U+FFFD (bytes EF BF BD), as in TextEncoder.
 * - Body: each 4-byte block, read little-endian as k: k *= 0xcc9e2d51; k = rotl32(k, 15);
 *   k *= 0x1b873593; h ^= k; h = rotl32(h, 13); h = h * 5 + 0xe6546b64 (all mod 2^32).
 * - Tail: the last 1–3 bytes, little-endian, mixed like k above and xored into h.
 * - Finalize: h ^= byteLength; h ^= h >>> 16; h *= 0x85ebca6b; h ^= h >>> 13; h *= 0xc2b2ae35;
 *   h ^= h >>> 16. The result is an unsigned 32-bit integer.
 *
 * Test vectors (seed 0 unless stated; checked in test/consistent-hashing/hash.test.ts):
 * `""` → 0x00000000, `""` seed 1 → 0x514e28b7, `"test"` → 0xba6bd213,
 * `"Hello, world!"` → 0xc0363e43, `"The quick brown fox jumps over the lazy dog"` → 0x2e4ff723.
 *
 * The implementation streams UTF-8 bytes straight from `charCodeAt` into the 4-byte block, so a
 * lookup allocates nothing. Hand-written for this project.
 */

const BLOCK_MULTIPLIER_1 = 0xcc9e2d51;
const BLOCK_MULTIPLIER_2 = 0x1b873593;
const STATE_ADDEND = 0xe6546b64;
const FINAL_MULTIPLIER_1 = 0x85ebca6b;
const FINAL_MULTIPLIER_2 = 0xc2b2ae35;
const REPLACEMENT_CHARACTER = 0xfffd;

/** Scrambles one little-endian 32-bit block (or the zero-padded tail) before it enters the state. */
function scrambleBlock(block: number): number {
  block = Math.imul(block, BLOCK_MULTIPLIER_1);
  block = (block << 15) | (block >>> 17);
  return Math.imul(block, BLOCK_MULTIPLIER_2);
}

/** Folds one full 4-byte block into the running state. */
function mixBlock(state: number, block: number): number {
  state ^= scrambleBlock(block);
  state = (state << 13) | (state >>> 19);
  return (Math.imul(state, 5) + STATE_ADDEND) | 0;
}

/**
 * MurmurHash3 x86_32 of the UTF-8 encoding of `text`, as an unsigned 32-bit integer.
 *
 * `seed` defaults to 0, the ring's seed; other seeds exist only to check published vectors.
 */
export function murmur3X86Hash32(text: string, seed = 0): number {
  let state = seed | 0;
  let block = 0; // Pending bytes, little-endian.
  let blockBitCount = 0; // 0, 8, 16 or 24 bits pending in `block`.
  let byteLength = 0;
  const length = text.length;
  for (let index = 0; index < length; index++) {
    let code = text.charCodeAt(index);
    if (code < 0x80) {
      // ASCII fast path: one byte.
      block |= code << blockBitCount;
      blockBitCount += 8;
      byteLength += 1;
      if (blockBitCount === 32) {
        state = mixBlock(state, block);
        block = 0;
        blockBitCount = 0;
      }
      continue;
    }
    // Pack the UTF-8 bytes of this code point little-endian into `packed`.
    let packed: number;
    let packedByteCount: number;
    const next = index + 1 < length ? text.charCodeAt(index + 1) : 0;
    if (code < 0x800) {
      packed = 0xc0 | (code >>> 6) | ((0x80 | (code & 0x3f)) << 8);
      packedByteCount = 2;
    } else if (code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      const codePoint = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
      index += 1;
      packed =
        0xf0 |
        (codePoint >>> 18) |
        ((0x80 | ((codePoint >>> 12) & 0x3f)) << 8) |
        ((0x80 | ((codePoint >>> 6) & 0x3f)) << 16) |
        ((0x80 | (codePoint & 0x3f)) << 24);
      packedByteCount = 4;
    } else {
      if (code >= 0xd800 && code <= 0xdfff) {
        code = REPLACEMENT_CHARACTER; // NB: a lone surrogate, encoded as TextEncoder does.
      }
      packed = 0xe0 | (code >>> 12) | ((0x80 | ((code >>> 6) & 0x3f)) << 8) | ((0x80 | (code & 0x3f)) << 16);
      packedByteCount = 3;
    }
    byteLength += packedByteCount;
    for (let byteIndex = 0; byteIndex < packedByteCount; byteIndex++) {
      block |= ((packed >>> (8 * byteIndex)) & 0xff) << blockBitCount;
      blockBitCount += 8;
      if (blockBitCount === 32) {
        state = mixBlock(state, block);
        block = 0;
        blockBitCount = 0;
      }
    }
  }
  if (blockBitCount !== 0) {
    state ^= scrambleBlock(block);
  }
  state ^= byteLength;
  state ^= state >>> 16;
  state = Math.imul(state, FINAL_MULTIPLIER_1);
  state ^= state >>> 13;
  state = Math.imul(state, FINAL_MULTIPLIER_2);
  state ^= state >>> 16;
  return state >>> 0;
}

/** The ring's hash of a key or token label: `murmur3X86Hash32(text, 0)`. */
export function hashKey(text: string): number {
  return murmur3X86Hash32(text, 0);
}
