/**
 * NodeSet, the bit set of node indexes that Multi-Paxos's slot-agreement monitor counts voters
 * with: membership and size agree with a plain Set for any cluster size, including the 101-node
 * clusters the protocols run (past 53 nodes, a single float of bits can no longer hold them).
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { NodeSet } from "../../protocols/shared/node-set.js";

describe("NodeSet", () => {
  test("agrees with a Set on membership, size and members, for indexes up to 100", () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 100 }), { maxLength: 200 }), (indexes) => {
        const set = new NodeSet();
        const reference = new Set<number>();
        for (const index of indexes) {
          expect(set.add(index)).toBe(!reference.has(index));
          reference.add(index);
        }
        expect(set.size).toBe(reference.size);
        expect(set.indexes()).toEqual([...reference].sort((left, right) => left - right));
        for (let index = 0; index <= 100; index++) expect(set.has(index)).toBe(reference.has(index));
      }),
    );
  });

  test("a copy keeps its members when the original grows", () => {
    const set = new NodeSet();
    set.add(31);
    set.add(99);
    const copy = set.copy();
    set.add(0);
    expect(copy.indexes()).toEqual([31, 99]);
    expect(copy.size).toBe(2);
    expect(set.indexes()).toEqual([0, 31, 99]);
  });

  test("refuses an index that is not a natural number", () => {
    expect(() => new NodeSet().add(-1)).toThrow(/natural number/);
    expect(() => new NodeSet().add(1.5)).toThrow(/natural number/);
  });
});
