/**
 * Fingerprints are canonical: equal states give equal fingerprints whatever the objects'
 * identities and plain objects' key order; states that differ in anything a node can observe
 * (a field, a Map's order, a class) give different ones.
 */
import { describe, expect, it } from "vitest";
import { fingerprintOf, formatFingerprint } from "../../sim/explore/fingerprint.js";
import { FingerprintSet } from "../../sim/explore/visited.js";

const print = (value: unknown, opaque?: ReadonlySet<object>) =>
  formatFingerprint(fingerprintOf(value, opaque));

class Acceptor {
  promised = 0;
  accepted: { ballot: number; value: string } | null = null;
  constructor(readonly peers: readonly string[]) {}
}

class Cached {
  cache = new Map<string, number>();
  constructor(readonly term: number) {}
  fingerprint(): unknown {
    return { term: this.term };
  }
}

describe("state fingerprints", () => {
  it("ignore object identity and the key order of plain objects", () => {
    const a = { ballot: 3, value: "x", voters: new Set(["n1", "n2"]) };
    const b = { voters: new Set(["n1", "n2"]), value: "x", ballot: 3 };
    expect(print(a)).toBe(print(b));
    const first = new Acceptor(["n2", "n3"]);
    const second = new Acceptor(["n2", "n3"]);
    first.accepted = { ballot: 1, value: "v" };
    second.accepted = { value: "v", ballot: 1 };
    expect(print(first)).toBe(print(second));
  });

  it("tell apart values that differ in a field, a type, an order or a class", () => {
    const base = print({ ballot: 3, value: "x" });
    expect(print({ ballot: 4, value: "x" })).not.toBe(base);
    expect(print({ ballot: "3", value: "x" })).not.toBe(base);
    expect(print([1, 2])).not.toBe(print([2, 1]));
    expect(
      print(
        new Map([
          ["a", 1],
          ["b", 2],
        ]),
      ),
    ).not.toBe(
      print(
        new Map([
          ["b", 2],
          ["a", 1],
        ]),
      ),
    );
    expect(print(new Set([1]))).not.toBe(print([1]));
    expect(print(new Set([1, 2]))).not.toBe(print(new Set([1, 3])));
    expect(print(new Set([1, 2]))).not.toBe(print(new Set([1, 2, 3])));
    expect(print(new Acceptor([]))).not.toBe(print({ promised: 0, accepted: null, peers: [] }));
    expect(print(null)).not.toBe(print(undefined));
    expect(print(1.5)).not.toBe(print(1));
  });

  it("read a Set as a set: its order does not count, its elements do", () => {
    expect(print({ votes: new Set(["n1", "n2", "n3"]) })).toBe(print({ votes: new Set(["n3", "n1", "n2"]) }));
    expect(print(new Set([new Set([1, 2]), 3]))).toBe(print(new Set([3, new Set([2, 1])])));
  });

  it("treat -0 as 0 and every NaN alike", () => {
    expect(print({ x: -0 })).toBe(print({ x: 0 }));
    expect(print(Number.NaN)).toBe(print(0 / 0));
  });

  it("survive cycles, and encode them by position", () => {
    const a: Record<string, unknown> = { name: "a" };
    a.self = a;
    const b: Record<string, unknown> = { name: "a" };
    b.self = b;
    expect(print(a)).toBe(print(b));
    const c: Record<string, unknown> = { name: "a", self: { name: "a" } };
    expect(print(a)).not.toBe(print(c));
  });

  it("use a node's own fingerprint() and skip opaque objects", () => {
    const one = new Cached(2);
    const two = new Cached(2);
    two.cache.set("hot", 1);
    expect(print(one)).toBe(print(two));
    expect(print(new Cached(3))).not.toBe(print(one));
    const context = { send: () => {} };
    const other = { send: () => {} };
    expect(print({ ctx: context, term: 1 }, new Set([context]))).toBe(
      print({ ctx: other, term: 1 }, new Set([other])),
    );
  });
});

describe("the visited set", () => {
  it("keeps every fingerprint across growth and remembers the least depth", () => {
    const set = new FingerprintSet(4);
    for (let index = 0; index < 10_000; index++)
      expect(set.visit(index * 7919, index ^ 0x5bd1e995, 5)).toBe(true);
    expect(set.size).toBe(10_000);
    for (let index = 0; index < 10_000; index++) expect(set.has(index * 7919, index ^ 0x5bd1e995)).toBe(true);
    expect(set.has(1, 1)).toBe(false);
    expect(set.visit(0, 0x5bd1e995, 5)).toBe(false);
    expect(set.visit(0, 0x5bd1e995, 3)).toBe(true);
    expect(set.visit(0, 0x5bd1e995, 4)).toBe(false);
    expect(set.visit(9, 0, 1)).toBe(true);
    expect(set.visit(9, 0, 1)).toBe(false);
  });
});
