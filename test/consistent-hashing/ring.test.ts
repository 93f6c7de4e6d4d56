/**
 * Goal: the correct ring satisfies every consistent-hashing property. Method: the fast-check
 * properties of properties.ts with no bug enabled, plus a few worked examples and input checks.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hashKey } from "../../protocols/consistent-hashing/hash.js";
import {
  assignBounded,
  assignModN,
  boundedCapacity,
  buildRing,
  modNOwner,
  owner,
  ownershipShares,
  preferenceList,
  successorTokenIndex,
} from "../../protocols/consistent-hashing/ring.js";
import {
  boundedLoadProperty,
  determinismProperty,
  joinMovesOnlyToNewcomerProperty,
  leaveMovesOnlyLeaverKeysProperty,
  nodeNameArbitrary,
  preferenceListProperty,
  successorProperty,
  vnodeBalanceProperty,
} from "./properties.js";

describe("ring properties (no bugs)", () => {
  it("ownership is deterministic and independent of member order", () => {
    fc.assert(determinismProperty());
  });
  it("a key belongs to its clockwise successor token, with wrap-around", () => {
    fc.assert(successorProperty());
  });
  it("a join moves keys only to the newcomer", () => {
    fc.assert(joinMovesOnlyToNewcomerProperty());
  });
  it("a leave moves only the leaver's keys", () => {
    fc.assert(leaveMovesOnlyLeaverKeysProperty());
  });
  it("preference lists hold `replicas` distinct members, owner first", () => {
    fc.assert(preferenceListProperty());
  });
  it("bounded loads never exceed ceil(c·K/N)", () => {
    fc.assert(boundedLoadProperty(), { numRuns: 50 });
  });
  it("100 vnodes per node keep every node within 1.6× its fair share", () => {
    fc.assert(vnodeBalanceProperty(), { numRuns: 30 });
  });
});

describe("ring structure", () => {
  it("stores nodes sorted and tokens ascending, one token per (node, vnode)", () => {
    const ring = buildRing({ nodes: ["C", "A", "B"], vnodesPerNode: 4 });
    expect(ring.nodes).toEqual(["A", "B", "C"]);
    expect(ring.tokens.length).toBe(12);
    for (let index = 1; index < ring.tokens.length; index++) {
      expect(ring.tokens[index]!).toBeGreaterThanOrEqual(ring.tokens[index - 1]!);
    }
    const tokenOfA0 = hashKey("A#0");
    const indexOfA0 = ring.tokens.indexOf(tokenOfA0);
    expect(ring.tokenOwnerIndexes[indexOfA0]).toBe(0);
  });

  it("wraps keys above the largest token to the smallest token", () => {
    const ring = buildRing({ nodes: ["A", "B", "C"], vnodesPerNode: 1 });
    const largest = ring.tokens[ring.tokens.length - 1]!;
    expect(successorTokenIndex(ring, largest)).toBe(ring.tokens.length - 1);
    expect(successorTokenIndex(ring, largest + 1)).toBe(0);
    expect(successorTokenIndex(ring, 0xffffffff)).toBe(0);
    expect(successorTokenIndex(ring, 0)).toBe(0);
  });

  it("the bucket index finds the same successor as a plain binary search (100 × 100 ring)", () => {
    const nodes = Array.from({ length: 100 }, (_, index) => `node-${index}`);
    const ring = buildRing({ nodes, vnodesPerNode: 100 });
    const plainSuccessor = (hash: number) => {
      let low = 0;
      let high = ring.tokens.length;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (ring.tokens[middle]! < hash) low = middle + 1;
        else high = middle;
      }
      return low === ring.tokens.length ? 0 : low;
    };
    const edgeHashes = [0, 1, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
    for (const token of ring.tokens)
      edgeHashes.push(token, Math.max(0, token - 1), Math.min(0xffffffff, token + 1));
    const mismatches = edgeHashes.filter((hash) => successorTokenIndex(ring, hash) !== plainSuccessor(hash));
    expect(mismatches).toEqual([]);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        (hash) => successorTokenIndex(ring, hash) === plainSuccessor(hash),
      ),
      { numRuns: 2000 },
    );
  });

  it("shares of the hash space sum to 1", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(nodeNameArbitrary, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 8 }),
        (nodes, vnodesPerNode) => {
          const shares = ownershipShares(buildRing({ nodes, vnodesPerNode }));
          return Math.abs(shares.reduce((sum, share) => sum + share, 0) - 1) < 1e-9;
        },
      ),
    );
  });

  it("rejects empty, duplicate and malformed memberships", () => {
    expect(() => buildRing({ nodes: [], vnodesPerNode: 1 })).toThrow(RangeError);
    expect(() => buildRing({ nodes: ["A", "A"], vnodesPerNode: 1 })).toThrow(/duplicate/);
    expect(() => buildRing({ nodes: [""], vnodesPerNode: 1 })).toThrow(/non-empty/);
    expect(() => buildRing({ nodes: ["A"], vnodesPerNode: 0 })).toThrow(RangeError);
    expect(() => buildRing({ nodes: ["A"], vnodesPerNode: 1.5 })).toThrow(RangeError);
    const ring = buildRing({ nodes: ["A", "B"], vnodesPerNode: 2 });
    expect(() => preferenceList(ring, "k", 3)).toThrow(/exceeds/);
    expect(() => preferenceList(ring, "k", 0)).toThrow(RangeError);
    expect(() => assignBounded(["k"], ring, 0.9)).toThrow(/c ≥ 1/);
  });
});

describe("bounded loads", () => {
  it("computes ceil(c·K/N) without binary rounding surprises", () => {
    expect(boundedCapacity(10_000, 10, 1.25)).toBe(1250);
    expect(boundedCapacity(100, 10, 1.1)).toBe(11);
    expect(boundedCapacity(10, 3, 1)).toBe(4);
  });

  it("equals plain consistent hashing when the cap never binds", () => {
    const ring = buildRing({ nodes: ["A", "B", "C"], vnodesPerNode: 8 });
    const keys = Array.from({ length: 500 }, (_, index) => `k${index}`);
    const bounded = assignBounded(keys, ring, 3);
    expect(bounded.overflowKeyCount).toBe(0);
    expect(bounded.owners).toEqual(keys.map((key) => owner(ring, key)));
  });
});

describe("mod-N contrast", () => {
  it("moves about N/(N+1) of keys on a join and most keys on a leave (H1: ≈80%)", () => {
    const keys = Array.from({ length: 20_000 }, (_, index) => `k${index}`);
    const before = assignModN(["A", "B", "C", "D"], keys);
    const joined = assignModN(["A", "B", "C", "D", "E"], keys);
    const left = assignModN(["A", "C", "D", "E"], keys);
    const movedFraction = (from: readonly string[], to: readonly string[]) =>
      from.filter((node, index) => node !== to[index]).length / from.length;
    expect(movedFraction(before.owners, joined.owners)).toBeGreaterThan(0.75);
    expect(movedFraction(before.owners, joined.owners)).toBeLessThan(0.85);
    expect(movedFraction(joined.owners, left.owners)).toBeGreaterThan(0.75);
    expect(movedFraction(joined.owners, left.owners)).toBeLessThan(0.85);
  });

  it("breaks minimal movement for any membership of 3 or more (property)", () => {
    const keys = Array.from({ length: 2000 }, (_, index) => `k${index}`);
    fc.assert(
      fc.property(
        fc.uniqueArray(nodeNameArbitrary, { minLength: 3, maxLength: 10 }),
        nodeNameArbitrary,
        (nodes, newcomer) => {
          fc.pre(!nodes.includes(newcomer));
          const before = assignModN(nodes, keys);
          const after = assignModN([...nodes, newcomer], keys);
          const moved = keys.filter((_, index) => before.owners[index] !== after.owners[index]).length;
          return moved / keys.length > 0.6;
        },
      ),
      { numRuns: 50 },
    );
    expect(modNOwner(["A"], "anything")).toBe("A");
  });
});
