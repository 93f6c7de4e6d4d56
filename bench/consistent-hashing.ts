/**
 * Benchmark of the consistent-hashing ring: key lookups per second on a ring of 100 nodes × 100
 * virtual nodes (target: at least 5 million per second), plus the H1 and H2 placement figures.
 *
 * Method: 2^16 distinct keys (`key-0` … `key-65535`) are made up front; each round looks up
 * LOOKUP_COUNT_PER_ROUND keys cycling through them, so string creation is outside the timed loop
 * but hashing is inside it. The first rounds warm the JIT; the reported rate is the median of the
 * timed rounds (the best is reported too). The owners are folded into a checksum so the loop
 * cannot be optimised away.
 *
 * Run: `npm run build && node dist/bench/consistent-hashing.js` prints the JSON.
 */

import { pathToFileURL } from "node:url";
import { runHashRingJoinLeave, runHashRingVnodesBounded } from "../protocols/consistent-hashing/figures.js";
import { hashKey } from "../protocols/consistent-hashing/hash.js";
import type { Ring } from "../protocols/consistent-hashing/ring.js";
import { buildRing, ownerIndexOfHash, preferenceList } from "../protocols/consistent-hashing/ring.js";

const NODE_COUNT = 100;
const VNODES_PER_NODE = 100;
const KEY_COUNT = 1 << 16;
const LOOKUP_COUNT_PER_ROUND = 2_000_000;
const ROUND_COUNT_WARMUP = 2;
const ROUND_COUNT_TIMED = 7;
const LOOKUPS_PER_SECOND_TARGET = 5_000_000;

interface RateFigures {
  readonly perSecondMedian: number;
  readonly perSecondBest: number;
  readonly checksum: number;
}

/** Runs `round` (which does `operationCount` operations) repeatedly and reports rates. */
function measureRate(operationCount: number, round: () => number): RateFigures {
  let checksum = 0;
  for (let index = 0; index < ROUND_COUNT_WARMUP; index++) checksum ^= round();
  const rates: number[] = [];
  for (let index = 0; index < ROUND_COUNT_TIMED; index++) {
    const startMs = performance.now();
    checksum ^= round();
    const elapsedMs = performance.now() - startMs;
    rates.push(operationCount / (elapsedMs / 1000));
  }
  rates.sort((left, right) => left - right);
  return {
    perSecondMedian: Math.round(rates[Math.floor(rates.length / 2)]!),
    perSecondBest: Math.round(rates[rates.length - 1]!),
    checksum,
  };
}

function lookupKeysRound(ring: Ring, keys: readonly string[]): number {
  let checksum = 0;
  const mask = keys.length - 1;
  for (let index = 0; index < LOOKUP_COUNT_PER_ROUND; index++) {
    checksum = (checksum + ownerIndexOfHash(ring, hashKey(keys[index & mask]!))) | 0;
  }
  return checksum;
}

function lookupHashesRound(ring: Ring, hashes: Uint32Array): number {
  let checksum = 0;
  const mask = hashes.length - 1;
  for (let index = 0; index < LOOKUP_COUNT_PER_ROUND; index++) {
    checksum = (checksum + ownerIndexOfHash(ring, hashes[index & mask]!)) | 0;
  }
  return checksum;
}

function hashOnlyRound(keys: readonly string[]): number {
  let checksum = 0;
  const mask = keys.length - 1;
  for (let index = 0; index < LOOKUP_COUNT_PER_ROUND; index++) {
    checksum = (checksum + hashKey(keys[index & mask]!)) | 0;
  }
  return checksum;
}

/** Lookup rates on a 100 × 100 ring and the H1/H2 figures, as JSON-ready data. */
export async function benchConsistentHashing(): Promise<Record<string, unknown>> {
  const nodes = Array.from({ length: NODE_COUNT }, (_, index) => `node-${index}`);
  const buildStartMs = performance.now();
  const ring = buildRing({ nodes, vnodesPerNode: VNODES_PER_NODE });
  const buildMs = performance.now() - buildStartMs;
  const keys = Array.from({ length: KEY_COUNT }, (_, index) => `key-${index}`);
  const hashes = Uint32Array.from(keys, (key) => hashKey(key));

  const lookups = measureRate(LOOKUP_COUNT_PER_ROUND, () => lookupKeysRound(ring, keys));
  const lookupsOfHashes = measureRate(LOOKUP_COUNT_PER_ROUND, () => lookupHashesRound(ring, hashes));
  const hashing = measureRate(LOOKUP_COUNT_PER_ROUND, () => hashOnlyRound(keys));
  const preferenceListCount = 200_000;
  const preferenceLists = measureRate(preferenceListCount, () => {
    let checksum = 0;
    for (let index = 0; index < preferenceListCount; index++) {
      checksum = (checksum + preferenceList(ring, keys[index & (KEY_COUNT - 1)]!, 3).length) | 0;
    }
    return checksum;
  });

  const h1StartMs = performance.now();
  const h1 = runHashRingJoinLeave();
  const h1Ms = performance.now() - h1StartMs;
  const h2StartMs = performance.now();
  const h2 = runHashRingVnodesBounded();
  const h2Ms = performance.now() - h2StartMs;

  return {
    benchmark: "consistent-hashing",
    node: process.version,
    ring: { nodeCount: NODE_COUNT, vnodesPerNode: VNODES_PER_NODE, tokenCount: ring.tokens.length, buildMs },
    lookupsPerSecond: lookups.perSecondMedian,
    lookupsPerSecondBest: lookups.perSecondBest,
    lookupsPerSecondTarget: LOOKUPS_PER_SECOND_TARGET,
    lookupsMeetTarget: lookups.perSecondMedian >= LOOKUPS_PER_SECOND_TARGET,
    lookupsOfPrecomputedHashPerSecond: lookupsOfHashes.perSecondMedian,
    hashesPerSecond: hashing.perSecondMedian,
    preferenceListsOfThreePerSecond: preferenceLists.perSecondMedian,
    checksum: lookups.checksum ^ lookupsOfHashes.checksum ^ hashing.checksum ^ preferenceLists.checksum,
    method: `median of ${ROUND_COUNT_TIMED} rounds of ${LOOKUP_COUNT_PER_ROUND} lookups over ${KEY_COUNT} keys after ${ROUND_COUNT_WARMUP} warm-up rounds`,
    figures: { h1Ms, h2Ms, h1, h2 },
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await benchConsistentHashing();
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
