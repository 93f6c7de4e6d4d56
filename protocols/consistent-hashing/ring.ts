/**
 * Consistent hashing on a 32-bit ring, as pure functions of (key, membership).
 *
 * Algorithm (Karger et al., STOC 1997; Chord, SIGCOMM 2001 §4.2): every physical node places
 * `vnodesPerNode` tokens on the ring [0, 2^32); token i of node `n` is `hashKey(`${n}#${i}`)`
 * (see hash.ts). A key is owned by the node of the first token clockwise from the key's hash: the
 * smallest token ≥ hashKey(key), wrapping past 2^32 − 1 to the smallest token (Chord's
 * "successor"). A join therefore takes keys only from the arcs its tokens split, and a leave hands
 * only the leaver's arcs to the next tokens clockwise: no other key moves.
 *
 * Replica lists (Dynamo, SOSP 2007 §4.3 "preference list") walk clockwise from the key and keep
 * the first `replicas` distinct physical nodes, skipping further tokens of nodes already chosen.
 *
 * Bounded loads (Mirrokni, Thorup and Zadimoghaddam, arXiv 1608.01350): with K keys, N nodes and
 * c ≥ 1, each node holds at most ceil(c·K/N) keys; a key whose successor is full walks clockwise
 * to the first node that is not.
 *
 * Canonical form: a ring stores its nodes sorted by UTF-16 code units, so ownership depends on
 * the membership as a set, not on the order it was listed in. Equal tokens (a 32-bit collision)
 * are ordered by node, so the earlier node in sorted order owns the shared point.
 *
 * Deliberate bugs (mutants M24/M25 of the reference catalogue), selected by `RingOptions.bugs`:
 *
 * | Bug | One-line change | Breaks | Source |
 * |---|---|---|---|
 * | `mod-n-placement` (M24) | `owner = nodes[hash(key) mod N]` instead of the ring successor | minimal movement: ≈ N/(N+1) of keys move on a join (≈80% in H1) | Karger et al. 1997 §1 (why mod-N hashing fails) |
 * | `no-wrap-around` (M25a) | successor index past the end is clamped to the last token instead of wrapping to 0; preference walks stop at the end | ownership of keys above the largest token (they go to the largest token's node); short replica lists | Chord §4.2 successor definition; Dynamo §4.2 ring |
 * | `sequential-vnode-tokens` (M25b) | token i of node n = hash(n) + i instead of hash(`n#i`) | balance: a node's tokens sit together, so V tokens act like one and max/mean stays at the V=1 level | Dynamo §4.2 (virtual nodes spread load); Karger et al. §4 |
 *
 * Nothing here reads a clock, random source or I/O; a `Ring` is never mutated after `buildRing`.
 */

import { hashKey } from "./hash.js";

/** Who is in the ring: distinct non-empty node names and the number of tokens each places. */
export interface Membership {
  readonly nodes: readonly string[];
  /** Tokens (virtual nodes) per physical node; an integer ≥ 1. */
  readonly vnodesPerNode: number;
}

/** Every deliberate bug a ring can be built with; see the module comment. */
export const RING_BUGS = ["mod-n-placement", "no-wrap-around", "sequential-vnode-tokens"] as const;

/** A deliberate bug: `mod-n-placement` (M24), `no-wrap-around` (M25a), `sequential-vnode-tokens` (M25b). */
export type RingBug = (typeof RING_BUGS)[number];

/** Options of `buildRing`; by default no bug is enabled. */
export interface RingOptions {
  readonly bugs?: readonly RingBug[];
}

/** An immutable ring. Build it with `buildRing`; treat the typed arrays as read-only. */
export interface Ring {
  /** Distinct node names, sorted by UTF-16 code units. Owner indexes point into this list. */
  readonly nodes: readonly string[];
  readonly vnodesPerNode: number;
  /** All tokens, ascending; length nodes.length × vnodesPerNode. */
  readonly tokens: Uint32Array;
  /** `tokenOwnerIndexes[i]` is the index in `nodes` of the node that placed `tokens[i]`. */
  readonly tokenOwnerIndexes: Uint32Array;
  /**
   * Search index: `bucketStarts[b]` is the index of the first token ≥ b · 2^bucketShift, for
   * b in [0, 2^(32 − bucketShift)], the last entry being tokens.length. A lookup binary-searches
   * only between bucketStarts[b] and bucketStarts[b + 1], about one token.
   */
  readonly bucketStarts: Uint32Array;
  /** 32 minus the number of hash bits that pick a bucket; between 16 and 31. */
  readonly bucketShift: number;
  /** The deliberate bugs this ring was built with, in `RING_BUGS` order. */
  readonly bugs: readonly RingBug[];
  readonly modNPlacement: boolean;
  readonly noWrapAround: boolean;
}

/** Keys assigned to owners: `owners[i]` owns the i-th key of the list the assignment was made for. */
export interface Assignment {
  /** The membership the keys were assigned over, sorted. */
  readonly nodes: readonly string[];
  readonly owners: readonly string[];
}

/** A bounded-load assignment: no node owns more than `capacity` keys. */
export interface BoundedAssignment extends Assignment {
  /** ceil(c · K / N). */
  readonly capacity: number;
  /** Keys that did not land on their ring successor because it was full. */
  readonly overflowKeyCount: number;
}

/** Node count limit: owner indexes are packed with tokens into 52-bit integers while sorting. */
const NODE_COUNT_MAX = 1 << 20;
const TOKEN_COUNT_MAX = 1 << 24;
const HASH_SPACE_SIZE = 2 ** 32;
/** At most 2^16 buckets (256 KiB of index); at least 2, so the shift stays below 32. */
const BUCKET_BITS_MAX = 16;

/** The label hashed to make token `vnodeIndex` of `node`: `${node}#${vnodeIndex}`. */
export function tokenLabel(node: string, vnodeIndex: number): string {
  return `${node}#${vnodeIndex}`;
}

function assertMembership(membership: Membership): void {
  const { nodes, vnodesPerNode } = membership;
  if (nodes.length === 0) throw new RangeError("membership needs at least one node");
  if (nodes.length > NODE_COUNT_MAX) throw new RangeError(`at most ${NODE_COUNT_MAX} nodes`);
  if (!Number.isInteger(vnodesPerNode)) throw new RangeError("vnodesPerNode must be an integer");
  if (vnodesPerNode < 1) throw new RangeError("vnodesPerNode must be at least 1");
  if (nodes.length * vnodesPerNode > TOKEN_COUNT_MAX)
    throw new RangeError(`at most ${TOKEN_COUNT_MAX} tokens`);
}

/** Sorts node names by UTF-16 code units and rejects empty or duplicate names. */
export function canonicalNodes(nodes: readonly string[]): string[] {
  const sorted = [...nodes].sort((left, right) => (left < right ? -1 : left > right ? 1 : 0));
  for (let index = 0; index < sorted.length; index++) {
    if (sorted[index] === "") throw new RangeError("node names must be non-empty");
    if (index > 0 && sorted[index] === sorted[index - 1]) {
      throw new RangeError(`duplicate node ${JSON.stringify(sorted[index])}`);
    }
  }
  return sorted;
}

/** Builds the ring of `membership`. Pure: equal memberships (as sets) give equal rings. */
export function buildRing(membership: Membership, options: RingOptions = {}): Ring {
  assertMembership(membership);
  const requested = options.bugs ?? [];
  for (const bug of requested) {
    if (!RING_BUGS.includes(bug)) throw new RangeError(`unknown ring bug ${JSON.stringify(bug)}`);
  }
  const bugs = RING_BUGS.filter((bug) => requested.includes(bug));
  const sequentialTokens = bugs.includes("sequential-vnode-tokens");
  const nodes = canonicalNodes(membership.nodes);
  const { vnodesPerNode } = membership;
  // Pack (token, owner index) into one exact double so a numeric sort orders by token, then node.
  const packed = new Float64Array(nodes.length * vnodesPerNode);
  for (let nodeIndex = 0; nodeIndex < nodes.length; nodeIndex++) {
    const node = nodes[nodeIndex]!;
    const base = sequentialTokens ? hashKey(node) : 0;
    for (let vnodeIndex = 0; vnodeIndex < vnodesPerNode; vnodeIndex++) {
      // M25b: hash(node) + i puts all of a node's tokens side by side.
      const token = sequentialTokens ? (base + vnodeIndex) >>> 0 : hashKey(tokenLabel(node, vnodeIndex));
      packed[nodeIndex * vnodesPerNode + vnodeIndex] = token * NODE_COUNT_MAX + nodeIndex;
    }
  }
  packed.sort();
  const tokens = new Uint32Array(packed.length);
  const tokenOwnerIndexes = new Uint32Array(packed.length);
  for (let index = 0; index < packed.length; index++) {
    const value = packed[index]!;
    const ownerIndex = value % NODE_COUNT_MAX;
    tokens[index] = (value - ownerIndex) / NODE_COUNT_MAX;
    tokenOwnerIndexes[index] = ownerIndex;
  }
  const { bucketStarts, bucketShift } = buildBucketIndex(tokens);
  return {
    nodes,
    vnodesPerNode,
    tokens,
    tokenOwnerIndexes,
    bucketStarts,
    bucketShift,
    bugs,
    modNPlacement: bugs.includes("mod-n-placement"),
    noWrapAround: bugs.includes("no-wrap-around"),
  };
}

/**
 * Buckets the hash space by its top bits, about one bucket per token, so a lookup's binary search
 * covers one bucket instead of the whole ring (10,000 tokens: ~1 step instead of ~14).
 */
function buildBucketIndex(tokens: Uint32Array): { bucketStarts: Uint32Array; bucketShift: number } {
  const bucketBits = Math.min(BUCKET_BITS_MAX, Math.max(1, Math.ceil(Math.log2(tokens.length))));
  const bucketShift = 32 - bucketBits;
  const bucketCount = 2 ** bucketBits;
  const bucketStarts = new Uint32Array(bucketCount + 1);
  let tokenIndex = 0;
  for (let bucket = 0; bucket < bucketCount; bucket++) {
    const bucketLow = bucket * 2 ** bucketShift;
    while (tokenIndex < tokens.length && tokens[tokenIndex]! < bucketLow) tokenIndex += 1;
    bucketStarts[bucket] = tokenIndex;
  }
  bucketStarts[bucketCount] = tokens.length;
  return { bucketStarts, bucketShift };
}

/**
 * Index in `ring.tokens` of the successor of `hash`: the smallest token ≥ hash, wrapping to 0 when
 * `hash` is above every token. The bucket of `hash` bounds a binary search; if no token of the
 * bucket is ≥ hash, the answer is the first token of a later bucket, which is `high`.
 */
export function successorTokenIndex(ring: Ring, hash: number): number {
  const tokens = ring.tokens;
  const bucket = hash >>> ring.bucketShift;
  let low = ring.bucketStarts[bucket]!;
  let high = ring.bucketStarts[bucket + 1]!;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (tokens[middle]! < hash) low = middle + 1;
    else high = middle;
  }
  if (low === tokens.length) {
    // M25a: clamping instead of wrapping hands the top arc to the largest token's node.
    return ring.noWrapAround ? tokens.length - 1 : 0;
  }
  return low;
}

/** Index in `ring.nodes` of the owner of a key whose hash is `hash`. */
export function ownerIndexOfHash(ring: Ring, hash: number): number {
  if (ring.modNPlacement) return hash % ring.nodes.length; // M24.
  return ring.tokenOwnerIndexes[successorTokenIndex(ring, hash)]!;
}

/** The node that owns `key`: the node of the first token clockwise from hashKey(key). */
export function owner(ring: Ring, key: string): string {
  return ring.nodes[ownerIndexOfHash(ring, hashKey(key))]!;
}

/**
 * The contrast placement: `nodes[hashKey(key) mod N]`, indexing the list as given. Pass the
 * sorted list (`canonicalNodes`) to make it a function of the membership as a set.
 */
export function modNOwner(nodes: readonly string[], key: string): string {
  if (nodes.length === 0) throw new RangeError("mod-N placement needs at least one node");
  return nodes[hashKey(key) % nodes.length]!;
}

/**
 * Dynamo-style preference list: the first `replicas` distinct physical nodes met walking clockwise
 * from the key's successor token. `replicas` is an integer in [1, nodes.length]; the first entry is
 * `owner(ring, key)`.
 */
export function preferenceList(ring: Ring, key: string, replicas: number): string[] {
  const nodeCount = ring.nodes.length;
  if (!Number.isInteger(replicas) || replicas < 1) throw new RangeError("replicas must be an integer ≥ 1");
  if (replicas > nodeCount) throw new RangeError(`replicas ${replicas} exceeds node count ${nodeCount}`);
  const hash = hashKey(key);
  const chosen: number[] = [];
  if (ring.modNPlacement) {
    for (let offset = 0; offset < replicas; offset++) chosen.push((hash + offset) % nodeCount);
    return chosen.map((index) => ring.nodes[index]!);
  }
  const tokenCount = ring.tokens.length;
  let tokenIndex = successorTokenIndex(ring, hash);
  // Every node has a token, so one lap finds `replicas` distinct nodes; the bound caps the walk.
  for (let step = 0; step < tokenCount && chosen.length < replicas; step++) {
    const ownerIndex = ring.tokenOwnerIndexes[tokenIndex]!;
    if (!chosen.includes(ownerIndex)) chosen.push(ownerIndex);
    tokenIndex += 1;
    if (tokenIndex === tokenCount) {
      if (ring.noWrapAround) break; // M25a: the walk falls off the end of the array.
      tokenIndex = 0;
    }
  }
  return chosen.map((index) => ring.nodes[index]!);
}

/** Assigns every key to `owner(ring, key)`. */
export function assignOwners(ring: Ring, keys: readonly string[]): Assignment {
  const owners = new Array<string>(keys.length);
  for (let index = 0; index < keys.length; index++) owners[index] = owner(ring, keys[index]!);
  return { nodes: ring.nodes, owners };
}

/** Assigns every key to `modNOwner(nodes, key)` over the sorted membership. */
export function assignModN(nodes: readonly string[], keys: readonly string[]): Assignment {
  const sorted = canonicalNodes(nodes);
  const owners = new Array<string>(keys.length);
  for (let index = 0; index < keys.length; index++) owners[index] = modNOwner(sorted, keys[index]!);
  return { nodes: sorted, owners };
}

/**
 * The per-node capacity ceil(c · K / N). A relative 1e-12 is taken off before rounding up so that
 * decimal factors such as 1.1 do not gain a slot from binary rounding (1.1 · 100 / 10 = 11.000…02).
 */
export function boundedCapacity(keyCount: number, nodeCount: number, loadFactor: number): number {
  return Math.ceil(((loadFactor * keyCount) / nodeCount) * (1 - 1e-12));
}

/**
 * Consistent hashing with bounded loads (Mirrokni, Thorup, Zadimoghaddam, arXiv 1608.01350 §2):
 * keys are placed in the order given; each goes to the first node clockwise from its hash whose
 * load is below ceil(c · K / N). With c ≥ 1 the capacities sum to at least K, so the walk always
 * ends within one lap. The assignment depends on key order, as in the paper.
 *
 * NB: this is the static assignment; a membership change recomputes it from scratch in the same
 * key order, rather than running the paper's incremental update.
 */
export function assignBounded(keys: readonly string[], ring: Ring, loadFactor: number): BoundedAssignment {
  if (!(loadFactor >= 1)) throw new RangeError("bounded loads need a load factor c ≥ 1");
  const nodeCount = ring.nodes.length;
  const capacity = boundedCapacity(keys.length, nodeCount, loadFactor);
  const loads = new Uint32Array(nodeCount);
  const owners = new Array<string>(keys.length);
  const tokenCount = ring.tokens.length;
  let overflowKeyCount = 0;
  for (let keyIndex = 0; keyIndex < keys.length; keyIndex++) {
    const hash = hashKey(keys[keyIndex]!);
    // With mod-N placement (M24) the "ring" is the node list itself.
    const positionCount = ring.modNPlacement ? nodeCount : tokenCount;
    let position = ring.modNPlacement ? hash % nodeCount : successorTokenIndex(ring, hash);
    let placedIndex = -1;
    for (let step = 0; step < positionCount; step++) {
      const candidate = ring.modNPlacement ? position : ring.tokenOwnerIndexes[position]!;
      if (loads[candidate]! < capacity) {
        placedIndex = candidate;
        if (step > 0) overflowKeyCount += 1;
        break;
      }
      position = position + 1 === positionCount ? 0 : position + 1;
    }
    if (placedIndex < 0) throw new Error("bounded walk found no free node: capacities sum below K");
    loads[placedIndex] = loads[placedIndex]! + 1;
    owners[keyIndex] = ring.nodes[placedIndex]!;
  }
  return { nodes: ring.nodes, owners, capacity, overflowKeyCount };
}

/**
 * The fraction of the hash space each node owns (the lengths of the arcs ending at its tokens,
 * over 2^32), in `ring.nodes` order. Exact: no keys are sampled. Sums to 1.
 */
export function ownershipShares(ring: Ring): number[] {
  const shares = new Array<number>(ring.nodes.length).fill(0);
  const tokenCount = ring.tokens.length;
  if (ring.modNPlacement) return shares.map(() => 1 / ring.nodes.length);
  for (let index = 0; index < tokenCount; index++) {
    const token = ring.tokens[index]!;
    let arcLength: number;
    if (index === 0) {
      // The first token also owns the arc above the last token, unless wrap-around is broken.
      const lastToken = ring.tokens[tokenCount - 1]!;
      arcLength = ring.noWrapAround ? token + 1 : token + 1 + (HASH_SPACE_SIZE - 1 - lastToken);
    } else {
      arcLength = token - ring.tokens[index - 1]!;
    }
    if (ring.noWrapAround && index === tokenCount - 1 && tokenCount > 0) {
      arcLength += HASH_SPACE_SIZE - 1 - token;
    }
    const ownerIndex = ring.tokenOwnerIndexes[index]!;
    shares[ownerIndex] = shares[ownerIndex]! + arcLength / HASH_SPACE_SIZE;
  }
  return shares;
}
