/**
 * Durable storage copies what it keeps, so a node cannot change stored state behind its back;
 * frozen values cannot change, so they are kept as they are.
 */
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
});
