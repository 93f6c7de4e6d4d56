/**
 * Durable storage copies what it keeps, so a node cannot change stored state behind its back;
 * frozen values cannot change, so they are kept as they are.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { freezeDeep } from "../../sim/freeze.js";
import { MemoryStorage } from "../../sim/storage.js";

describe("durable storage", () => {
  it("copies plain values on write and on read", () => {
    const storage = new MemoryStorage();
    const value = { term: 3, votedFor: "n2", nested: { list: [1, 2] } };
    storage.set("hard", value);
    value.nested.list.push(3);
    value.term = 4;
    const read = storage.get<typeof value>("hard");
    expect(read).toEqual({ term: 3, votedFor: "n2", nested: { list: [1, 2] } });
    if (read !== undefined) read.nested.list.push(9);
    expect(storage.get("hard")).toEqual({ term: 3, votedFor: "n2", nested: { list: [1, 2] } });

    const entry = { term: 1, command: { kind: "kv", value: [null, 1] } };
    storage.append("log", entry);
    entry.command.value[1] = 7;
    expect(storage.list("log")).toEqual([{ term: 1, command: { kind: "kv", value: [null, 1] } }]);
    expect(storage.list("log")[0]).not.toBe(entry);
  });

  it("keeps deeply frozen values without a copy, and freezeDeep freezes every level", () => {
    const storage = new MemoryStorage();
    const entry = freezeDeep({ term: 2, command: { kind: "kv", value: [null, { x: 1 }] } });
    expect(Object.isFrozen(entry.command)).toBe(true);
    expect(Object.isFrozen(entry.command.value)).toBe(true);
    expect(Object.isFrozen(entry.command.value[1])).toBe(true);
    expect(() => {
      (entry.command.value as unknown[]).push(3);
    }).toThrow(TypeError);
    storage.append("log", entry);
    expect(storage.list("log")[0]).toBe(entry);
    storage.set("last", entry);
    expect(storage.get("last")).toBe(entry);
  });

  it("refuses a function, a symbol or an object it cannot copy, naming the call and where, and keeps what it had", () => {
    const storage = new MemoryStorage();
    storage.set("state", { term: 1 });
    expect(() => storage.set("state", { term: 2, onCommit: () => {} })).toThrow(
      /^ctx\.storage\.set\("state", …\): the value holds a function at \.onCommit, and storage keeps only data$/,
    );
    expect(() => storage.append("log", { term: 1 }, { term: 2, tag: Symbol("x") })).toThrow(
      /^ctx\.storage\.append\("log", …\): the value holds a symbol at \.tag/,
    );
    const cyclic: { term: number; self?: unknown } = { term: 3 };
    cyclic.self = cyclic;
    expect(() => storage.set("state", cyclic)).toThrow(
      /^ctx\.storage\.set\("state", …\): the value holds a cycle at \.self, which refers back to its top, and storage keeps only data$/,
    );
    class Entry {
      constructor(readonly apply: () => void) {}
    }
    expect(() => storage.set("entries", [new Entry(() => {})])).toThrow(
      /^ctx\.storage\.set\("entries", …\): the value holds a Entry that cannot be copied at \[0\]/,
    );
    expect(storage.get("state")).toEqual({ term: 1 });
    expect(storage.writes).toBe(1);
    // Class instances of data are copied (without their methods), as a disk would keep them.
    class Vote {
      constructor(readonly term: number) {}
    }
    storage.set("vote", new Vote(3));
    expect(storage.get("vote")).toEqual({ term: 3 });
  });

  it("a power loss keeps exactly what was synced", () => {
    const storage = new MemoryStorage();
    storage.set("term", 1);
    storage.append("log", "a", "b");
    storage.sync();
    storage.set("term", 2);
    storage.set("vote", "n2");
    storage.truncate("log", 1);
    storage.append("log", "c");
    expect(storage.snapshot()).toEqual({ term: 2, vote: "n2", log: ["a", "c"] });
    expect(storage.loseUnsynced()).toBe(4);
    expect(storage.snapshot()).toEqual({ term: 1, log: ["a", "b"] });
    expect(storage.loseUnsynced()).toBe(0);
  });

  it("guarded (a module's), hands out each list as a frozen copy with frozen items", () => {
    const storage = new MemoryStorage({ guarded: true });
    const entry = { term: 1, command: { key: "x" } };
    storage.append("log", entry);
    entry.term = 9;
    const first = storage.list<typeof entry>("log");
    expect(first).toEqual([{ term: 1, command: { key: "x" } }]);
    // A read hands out the same view until the list is written again.
    expect(storage.list("log")).toBe(first);
    expect(() => (first as (typeof entry)[]).push({ term: 2, command: { key: "y" } })).toThrow(TypeError);
    expect(() => {
      (first[0] as typeof entry).term = 5;
    }).toThrow(TypeError);
    expect(() => {
      (first[0] as typeof entry).command.key = "z";
    }).toThrow(TypeError);
    storage.sync();
    storage.append("log", { term: 2, command: { key: "y" } });
    const second = storage.list<typeof entry>("log");
    expect(second.map((item) => item.term)).toEqual([1, 2]);
    expect(first).toHaveLength(1);
    // A power loss takes back the unsynced append, and the next read shows it.
    storage.loseUnsynced();
    expect(storage.list<typeof entry>("log").map((item) => item.term)).toEqual([1]);
    storage.truncate("log", 0);
    expect(storage.list("log")).toEqual([]);
    // Unguarded (the built-in protocols'), a read is the list itself, as fast as a field read.
    const plain = new MemoryStorage();
    plain.append("log", 1);
    expect(Object.isFrozen(plain.list("log"))).toBe(false);
  });

  it("guarded, copies on every read a list item freezing cannot reach (a Map or Set in it)", () => {
    const storage = new MemoryStorage({ guarded: true });
    storage.append("log", { term: 1, votes: new Map([["n1", true]]) }, { term: 2 });
    const first = storage.list<{ term: number; votes?: Map<string, boolean> }>("log");
    // The Map inside a frozen item can still be changed: what was read is a copy.
    first[0]?.votes?.set("n2", true);
    const again = storage.list<{ term: number; votes?: Map<string, boolean> }>("log");
    expect([...(again[0]?.votes?.keys() ?? [])]).toEqual(["n1"]);
    expect(again).not.toBe(first);
    // Items freezing reaches all through are handed out as stored.
    expect(again[1]).toBe(first[1]);
    storage.sync();
    storage.append("sets", new Set([1]));
    storage.list<Set<number>>("sets")[0]?.add(2);
    expect([...(storage.list<Set<number>>("sets")[0] ?? [])]).toEqual([1]);
    // A power loss rolls back to what was stored, not to what a read changed.
    storage.loseUnsynced();
    expect(storage.list("sets")).toEqual([]);
    expect(storage.list<{ votes?: Map<string, boolean> }>("log")[0]?.votes?.size).toBe(1);
  });

  it.each([
    ["plain", false],
    ["guarded", true],
  ])("rolls any sequence of writes back to the last sync (checked against a model, %s)", (_, guarded) => {
    const key = fc.constantFrom("a", "b");
    const operation = fc.oneof(
      fc.record({ op: fc.constant("set" as const), key, value: fc.integer({ min: 0, max: 9 }) }),
      fc.record({ op: fc.constant("delete" as const), key }),
      fc.record({ op: fc.constant("append" as const), key, items: fc.array(fc.integer(), { maxLength: 3 }) }),
      fc.record({ op: fc.constant("truncate" as const), key, length: fc.integer({ min: 0, max: 4 }) }),
      fc.record({ op: fc.constant("sync" as const) }),
      fc.record({ op: fc.constant("lose" as const) }),
      fc.record({ op: fc.constant("list" as const), key }),
    );
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 40 }), (operations) => {
        const storage = new MemoryStorage({ guarded });
        let synced = storage.snapshot();
        for (const operation of operations) {
          switch (operation.op) {
            case "set":
              storage.set(operation.key, operation.value);
              break;
            case "delete":
              storage.delete(operation.key);
              break;
            case "append":
              storage.append(operation.key, ...operation.items);
              break;
            case "truncate":
              storage.truncate(operation.key, operation.length);
              break;
            case "sync":
              storage.sync();
              synced = structuredClone(storage.snapshot());
              break;
            case "lose":
              storage.loseUnsynced();
              expect(storage.snapshot()).toEqual(synced);
              break;
            case "list": {
              // A key that holds a value shows the value in a snapshot: its list is not seen there.
              const stored = storage.snapshot()[operation.key];
              if (storage.get(operation.key) === undefined)
                expect(storage.list(operation.key)).toEqual(Array.isArray(stored) ? stored : []);
              expect(Object.isFrozen(storage.list(operation.key))).toBe(guarded);
              break;
            }
          }
        }
        storage.loseUnsynced();
        expect(storage.snapshot()).toEqual(synced);
      }),
      { seed: 17, numRuns: 500 },
    );
  });
});
