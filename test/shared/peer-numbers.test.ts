/**
 * PeerNumbers, a Raft leader's match indexes: after any sequence of writes, `shown` lists exactly
 * what a plain Map holds (0 for a peer never set), in the peers' order; it hands out the same
 * record while nothing changed and a new one after any change.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { PeerNumbers } from "../../protocols/shared/peer-numbers.js";

const peers = ["n2", "n3", "n4", "n5"] as const;

describe("PeerNumbers", () => {
  test("shows what a Map holds, in the peers' order, after any writes", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...peers), fc.nat({ max: 5 })), { maxLength: 40 }),
        (writes) => {
          const numbers = new PeerNumbers();
          const reference = new Map<string, number>();
          let shownBefore = numbers.shown(peers);
          for (const [peer, value] of writes) {
            const changes = (reference.get(peer) ?? 0) !== value || !reference.has(peer);
            numbers.set(peer, value);
            reference.set(peer, value);
            const shown = numbers.shown(peers);
            expect(Object.keys(shown)).toEqual([...peers]);
            for (const other of peers) {
              expect(shown[other]).toBe(reference.get(other) ?? 0);
              expect(numbers.get(other)).toBe(reference.get(other));
            }
            if (!changes) expect(shown).toBe(shownBefore);
            shownBefore = shown;
          }
        },
      ),
    );
  });

  test("shows what a Map holds when asked after any batch of writes", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.tuple(fc.constantFrom(...peers, "n6"), fc.nat({ max: 3 })), { maxLength: 4 })),
        (batches) => {
          const numbers = new PeerNumbers();
          const reference = new Map<string, number>();
          for (const batch of batches) {
            for (const [peer, value] of batch) {
              numbers.set(peer, value);
              reference.set(peer, value);
            }
            expect(numbers.shown(peers)).toEqual(
              Object.fromEntries(peers.map((peer) => [peer, reference.get(peer) ?? 0])),
            );
            expect(Object.keys(numbers.shown(peers))).toEqual([...peers]);
          }
        },
      ),
    );
  });

  test("a write of a new number gives a new record; the same number keeps the record", () => {
    const numbers = new PeerNumbers();
    numbers.set("n2", 3);
    const first = numbers.shown(peers);
    expect(numbers.shown(peers)).toBe(first);
    numbers.set("n2", 3);
    expect(numbers.shown(peers)).toBe(first);
    numbers.set("n3", 1);
    const second = numbers.shown(peers);
    expect(second).not.toBe(first);
    expect(second).toEqual({ n2: 3, n3: 1, n4: 0, n5: 0 });
    expect(first).toEqual({ n2: 3, n3: 0, n4: 0, n5: 0 });
  });
});
