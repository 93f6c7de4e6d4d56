/**
 * Goal: the ring's hash is exactly MurmurHash3 x86_32 over UTF-8. Method: published test vectors,
 * then a property against a byte-at-a-time reference fed by TextEncoder, over arbitrary UTF-16
 * strings including lone surrogates.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hashKey, murmur3X86Hash32 } from "../../protocols/consistent-hashing/hash.js";

/** Straightforward byte-array MurmurHash3 x86_32, written from the algorithm description. */
function referenceMurmur3(bytes: Uint8Array, seed: number): number {
  let hash = seed >>> 0;
  const scramble = (value: number) => {
    value = Math.imul(value, 0xcc9e2d51);
    value = (value << 15) | (value >>> 17);
    return Math.imul(value, 0x1b873593);
  };
  const blockCount = Math.floor(bytes.length / 4);
  for (let block = 0; block < blockCount; block++) {
    const offset = block * 4;
    const word =
      bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24);
    hash ^= scramble(word);
    hash = (hash << 13) | (hash >>> 19);
    hash = (Math.imul(hash, 5) + 0xe6546b64) | 0;
  }
  let tail = 0;
  for (let index = bytes.length - 1; index >= blockCount * 4; index--) tail = (tail << 8) | bytes[index]!;
  if (bytes.length % 4 !== 0) hash ^= scramble(tail);
  hash ^= bytes.length;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

describe("murmur3X86Hash32", () => {
  it("matches the published test vectors", () => {
    const vectors: [string, number, number][] = [
      ["", 0, 0x00000000],
      ["", 1, 0x514e28b7],
      ["", 0xffffffff, 0x81f16f39],
      ["test", 0, 0xba6bd213],
      ["test", 0x9747b28c, 0x704b81dc],
      ["Hello, world!", 0, 0xc0363e43],
      ["Hello, world!", 0x9747b28c, 0x24884cba],
      ["The quick brown fox jumps over the lazy dog", 0, 0x2e4ff723],
      ["The quick brown fox jumps over the lazy dog", 0x9747b28c, 0x2fa826cd],
      ["aaaa", 0x9747b28c, 0x5a97808a],
    ];
    for (const [text, seed, expected] of vectors) {
      expect(murmur3X86Hash32(text, seed), `${JSON.stringify(text)} seed ${seed}`).toBe(expected);
    }
  });

  it("hashes UTF-8 bytes exactly as TextEncoder produces them (lone surrogates become U+FFFD)", () => {
    const encoder = new TextEncoder();
    const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));
    const codePoint = fc.integer({ min: 0, max: 0x10ffff }).map((code) => String.fromCodePoint(code));
    const text = fc.oneof(
      fc.string({ unit: codeUnit, maxLength: 24 }),
      fc.string({ unit: codePoint, maxLength: 24 }),
      fc.string({ maxLength: 24 }),
    );
    fc.assert(
      fc.property(text, fc.integer({ min: 0, max: 0xffffffff }), (value, seed) => {
        return murmur3X86Hash32(value, seed) === referenceMurmur3(encoder.encode(value), seed);
      }),
      { numRuns: 2000 },
    );
  });

  it("uses seed 0 for the ring and returns unsigned 32-bit integers", () => {
    expect(hashKey("test")).toBe(0xba6bd213);
    fc.assert(
      fc.property(fc.string(), (value) => {
        const hash = hashKey(value);
        return Number.isInteger(hash) && hash >= 0 && hash <= 0xffffffff;
      }),
    );
  });
});
