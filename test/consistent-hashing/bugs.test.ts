/**
 * Goal: every deliberate bug (M24, M25a, M25b) is caught by a ring property. Method: run the same
 * property that holds in ring.test.ts with the bug switched on, under a fixed seed, and require
 * `fc.check` to report a failure; the counterexample is printed for the curious.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hashKey } from "../../protocols/consistent-hashing/hash.js";
import type { RingBug } from "../../protocols/consistent-hashing/ring.js";
import { buildRing, owner, preferenceList } from "../../protocols/consistent-hashing/ring.js";
import {
  determinismProperty,
  joinMovesOnlyToNewcomerProperty,
  leaveMovesOnlyLeaverKeysProperty,
  preferenceListProperty,
  successorProperty,
  vnodeBalanceProperty,
} from "./properties.js";

const SEED = 42;

function expectCaught(property: fc.IProperty<unknown[]>, numRuns = 100): void {
  const details = fc.check(property, { seed: SEED, numRuns });
  expect(details.failed, "the property should have caught the bug").toBe(true);
  // A property that threw would also "fail"; require a genuine violation.
  expect(String(details.errorInstance)).toContain("returning false");
}

function expectHolds(property: fc.IProperty<unknown[]>, numRuns = 100): void {
  const details = fc.check(property, { seed: SEED, numRuns });
  expect(details.failed, `unexpected failure: ${JSON.stringify(details.counterexample)}`).toBe(false);
}

describe("M24 mod-n-placement", () => {
  const bugs: RingBug[] = ["mod-n-placement"];
  it("is caught by join-moves-only-to-newcomer", () => expectCaught(joinMovesOnlyToNewcomerProperty(bugs)));
  it("is caught by leave-moves-only-leaver-keys", () => expectCaught(leaveMovesOnlyLeaverKeysProperty(bugs)));
  it("is caught by the successor property", () => expectCaught(successorProperty(bugs)));
  it("stays deterministic: the bug is about movement, not purity", () =>
    expectHolds(determinismProperty(bugs)));
});

describe("M25a no-wrap-around", () => {
  const bugs: RingBug[] = ["no-wrap-around"];
  it("is caught by the successor property (keys above the largest token)", () =>
    expectCaught(successorProperty(bugs)));
  it("is caught by the preference-list property (walks stop at the array end)", () =>
    expectCaught(preferenceListProperty(bugs)));
  it("misplaces exactly the keys above the largest token", () => {
    const membership = { nodes: ["A", "B", "C", "D"], vnodesPerNode: 1 };
    const correct = buildRing(membership);
    const buggy = buildRing(membership, { bugs });
    const lastIndex = correct.tokens.length - 1;
    const largest = correct.tokens[lastIndex]!;
    const largestOwner = correct.nodes[correct.tokenOwnerIndexes[lastIndex]!]!;
    const keys = Array.from({ length: 5000 }, (_, index) => `k${index}`);
    const keysAbove = keys.filter((key) => hashKey(key) > largest);
    expect(keysAbove.length).toBeGreaterThan(0);
    for (const key of keys) {
      const expected = hashKey(key) > largest ? largestOwner : owner(correct, key);
      expect(owner(buggy, key)).toBe(expected);
    }
    expect(preferenceList(correct, keysAbove[0]!, 4)).toHaveLength(4);
    expect(preferenceList(buggy, keysAbove[0]!, 4)).toHaveLength(1);
  });
});

describe("M25b sequential-vnode-tokens", () => {
  const bugs: RingBug[] = ["sequential-vnode-tokens"];
  it("is caught by the vnode balance property (100 tokens act like one)", () =>
    expectCaught(vnodeBalanceProperty(bugs), 30));
  it("is caught by the successor property (tokens are not hash(`n#i`))", () =>
    expectCaught(successorProperty(bugs)));
  it("still moves keys minimally: the damage is balance, not movement", () =>
    expectHolds(joinMovesOnlyToNewcomerProperty(bugs)));
});
