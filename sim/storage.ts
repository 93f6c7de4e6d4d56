/**
 * Durable storage: one in-memory store per node that survives the node's crashes.
 *
 * The model is a synchronous write-ahead disk: a write is durable when the call returns (as if
 * fsynced), and nothing a node keeps outside this store survives a crash. Values are copied on
 * write and on read, so a node cannot change stored state by mutating an object it stored; a
 * frozen object or array cannot be mutated, so it is stored and handed back as it is (freeze with
 * `freezeDeep`, which freezes everything inside too).
 */
import type { DurableStorage } from "./node.js";

export class MemoryStorage implements DurableStorage {
  private readonly values = new Map<string, unknown>();
  private readonly lists = new Map<string, unknown[]>();
  /** Number of write calls, a figure for reports (persist operations per run). */
  writes = 0;

  get<T>(key: string): T | undefined {
    const value = this.values.get(key);
    return value === undefined ? undefined : (copy(value) as T);
  }

  set(key: string, value: unknown): void {
    this.writes++;
    this.values.set(key, copy(value));
  }

  delete(key: string): void {
    this.writes++;
    this.values.delete(key);
    this.lists.delete(key);
  }

  append(key: string, ...items: unknown[]): void {
    this.writes++;
    let list = this.lists.get(key);
    if (list === undefined) {
      list = [];
      this.lists.set(key, list);
    }
    for (const item of items) list.push(copy(item));
  }

  truncate(key: string, length: number): void {
    this.writes++;
    const list = this.lists.get(key);
    if (list !== undefined && list.length > length) list.length = Math.max(0, length);
  }

  list<T>(key: string): readonly T[] {
    return (this.lists.get(key) ?? []) as T[];
  }

  /** A snapshot of everything stored, keys in sorted order (for traces and tests). */
  snapshot(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of [...this.values.keys(), ...this.lists.keys()].sort()) {
      out[key] = this.values.has(key) ? this.values.get(key) : this.lists.get(key);
    }
    return out;
  }
}

/**
 * A deep copy of JSON-like data. Plain objects and arrays are copied by hand (several times
 * faster than `structuredClone`, and storage writes sit on every protocol's hot path); anything
 * else (Map, Set, typed arrays, Date) falls back to `structuredClone`.
 */
function copy(value: unknown): unknown {
  if (value === null || typeof value !== "object" || Object.isFrozen(value)) return value;
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let index = 0; index < value.length; index++) out[index] = copy(value[index]);
    return out;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return structuredClone(value);
  // for-in walks the object's cached key list; Object.keys would allocate an array per object.
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key in source) if (Object.hasOwn(source, key)) out[key] = copy(source[key]);
  return out;
}
