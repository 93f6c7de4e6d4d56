/**
 * The ring's fast-check properties, each built for a list of deliberate bugs so the same property
 * proves the correct ring (no bugs: it must hold) and catches a mutant (bug on: it must fail).
 *
 * Sources: Karger et al. STOC 1997 (minimal movement); Chord SIGCOMM 2001 §4.2 (successor);
 * Dynamo SOSP 2007 §4.2–4.3 (virtual nodes, preference lists); Mirrokni, Thorup, Zadimoghaddam
 * arXiv 1608.01350 (bounded loads).
 */

import fc from "fast-check";
import { hashKey } from "../../protocols/consistent-hashing/hash.js";
import type { RingBug } from "../../protocols/consistent-hashing/ring.js";
import {
  assignBounded,
  buildRing,
  owner,
  ownershipShares,
  preferenceList,
  tokenLabel,
} from "../../protocols/consistent-hashing/ring.js";

/** Node names: short strings, `#` included, so token labels of different nodes could look alike. */
export const nodeNameArbitrary = fc.string({ minLength: 1, maxLength: 6 });

/** A membership of 1–8 distinct nodes with 1–16 tokens each. */
export const membershipArbitrary = fc.record({
  nodes: fc.uniqueArray(nodeNameArbitrary, { minLength: 1, maxLength: 8 }),
  vnodesPerNode: fc.integer({ min: 1, max: 16 }),
});

/** 200 scenario-style keys plus up to 50 arbitrary strings, so every run probes many ring points. */
export const keysArbitrary = fc
  .array(fc.string({ maxLength: 12 }), { maxLength: 50 })
  .map((extra) => [...Array.from({ length: 200 }, (_, index) => `k${index}`), ...extra]);

/**
 * Reference successor, written from Chord's definition with a linear scan and no shared code with
 * ring.ts: the node of the smallest token ≥ hash, else of the smallest token overall; equal tokens
 * go to the node whose name sorts first.
 */
export function referenceOwner(nodes: readonly string[], vnodesPerNode: number, key: string): string {
  const hash = hashKey(key);
  let bestAbove: { token: number; node: string } | undefined;
  let bestOverall: { token: number; node: string } | undefined;
  const better = (candidate: { token: number; node: string }, current?: { token: number; node: string }) =>
    current === undefined ||
    candidate.token < current.token ||
    (candidate.token === current.token && candidate.node < current.node);
  for (const node of nodes) {
    for (let vnodeIndex = 0; vnodeIndex < vnodesPerNode; vnodeIndex++) {
      const candidate = { token: hashKey(tokenLabel(node, vnodeIndex)), node };
      if (better(candidate, bestOverall)) bestOverall = candidate;
      if (candidate.token >= hash && better(candidate, bestAbove)) bestAbove = candidate;
    }
  }
  return (bestAbove ?? bestOverall)!.node;
}

/** Ownership is a pure function of (key, membership as a set): rebuilding or reordering changes nothing. */
export function determinismProperty(bugs: readonly RingBug[] = []) {
  return fc.property(membershipArbitrary, keysArbitrary, (membership, keys) => {
    const ring = buildRing(membership, { bugs });
    const reordered = buildRing({ ...membership, nodes: [...membership.nodes].reverse() }, { bugs });
    const rebuilt = buildRing(membership, { bugs });
    return keys.every((key) => {
      const expected = owner(ring, key);
      return expected === owner(reordered, key) && expected === owner(rebuilt, key);
    });
  });
}

/** Chord §4.2: a key belongs to the node of the first token clockwise from its hash, wrapping around. */
export function successorProperty(bugs: readonly RingBug[] = []) {
  return fc.property(membershipArbitrary, keysArbitrary, (membership, keys) => {
    const ring = buildRing(membership, { bugs });
    return keys.every(
      (key) => owner(ring, key) === referenceOwner(membership.nodes, membership.vnodesPerNode, key),
    );
  });
}

/** Karger et al. §1: after a join, every key that changed owner now belongs to the newcomer. */
export function joinMovesOnlyToNewcomerProperty(bugs: readonly RingBug[] = []) {
  return fc.property(membershipArbitrary, nodeNameArbitrary, keysArbitrary, (membership, newcomer, keys) => {
    fc.pre(!membership.nodes.includes(newcomer));
    const before = buildRing(membership, { bugs });
    const after = buildRing({ ...membership, nodes: [...membership.nodes, newcomer] }, { bugs });
    return keys.every((key) => {
      const ownerAfter = owner(after, key);
      return ownerAfter === owner(before, key) || ownerAfter === newcomer;
    });
  });
}

/** Karger et al. §1: after a leave, only keys the leaver owned changed owner. */
export function leaveMovesOnlyLeaverKeysProperty(bugs: readonly RingBug[] = []) {
  return fc.property(
    membershipArbitrary.filter((membership) => membership.nodes.length >= 2),
    fc.nat(),
    keysArbitrary,
    (membership, leaverSeed, keys) => {
      const leaver = membership.nodes[leaverSeed % membership.nodes.length]!;
      const before = buildRing(membership, { bugs });
      const after = buildRing(
        { ...membership, nodes: membership.nodes.filter((node) => node !== leaver) },
        { bugs },
      );
      return keys.every((key) => {
        const ownerBefore = owner(before, key);
        return ownerBefore === owner(after, key) || ownerBefore === leaver;
      });
    },
  );
}

/** Dynamo §4.3: a preference list has `replicas` distinct members, led by the owner. */
export function preferenceListProperty(bugs: readonly RingBug[] = []) {
  return fc.property(membershipArbitrary, fc.nat(), keysArbitrary, (membership, replicaSeed, keys) => {
    const ring = buildRing(membership, { bugs });
    const replicas = 1 + (replicaSeed % membership.nodes.length);
    return keys.every((key) => {
      const list = preferenceList(ring, key, replicas);
      return (
        list.length === replicas &&
        new Set(list).size === replicas &&
        list.every((node) => membership.nodes.includes(node)) &&
        list[0] === owner(ring, key)
      );
    });
  });
}

/** Mirrokni–Thorup–Zadimoghaddam: no node holds more than ceil(c·K/N) keys, and every key is placed. */
export function boundedLoadProperty(bugs: readonly RingBug[] = []) {
  return fc.property(
    membershipArbitrary,
    fc.integer({ min: 0, max: 2000 }),
    fc.double({ min: 1, max: 3, noNaN: true }),
    (membership, keyCount, loadFactor) => {
      const ring = buildRing(membership, { bugs });
      const keys = Array.from({ length: keyCount }, (_, index) => `k${index}`);
      const assignment = assignBounded(keys, ring, loadFactor);
      const loads = new Map<string, number>();
      for (const node of assignment.owners) loads.set(node, (loads.get(node) ?? 0) + 1);
      const capacityExact = (loadFactor * keyCount) / membership.nodes.length;
      return (
        assignment.owners.length === keyCount &&
        assignment.capacity >= capacityExact - 1e-6 &&
        assignment.capacity < capacityExact + 1 &&
        [...loads.values()].every((load) => load <= assignment.capacity)
      );
    },
  );
}

/**
 * Dynamo §4.2, Karger et al. §4: with 100 well-spread tokens per node, no node owns more than 1.6×
 * its fair share of the hash space (a share's relative spread is ≈ 1/√V = 10%, so 1.6 is ≈ 6σ).
 * Computed exactly from token arcs, so no key sampling noise.
 */
export function vnodeBalanceProperty(bugs: readonly RingBug[] = []) {
  return fc.property(fc.uniqueArray(nodeNameArbitrary, { minLength: 8, maxLength: 16 }), (nodes) => {
    const ring = buildRing({ nodes, vnodesPerNode: 100 }, { bugs });
    const shares = ownershipShares(ring);
    return Math.max(...shares) * nodes.length <= 1.6;
  });
}
