/**
 * Durable storage: one in-memory store per node that survives the node's crashes.
 *
 * The model is a disk with a write cache. A write is visible to reads at once, and becomes
 * durable when the node calls `sync()`. An ordinary crash keeps every write (the cache reached the
 * disk); a crash that loses unsynced writes (`crash: {node, loseUnsynced: true}`, a fault the
 * scenario or the fuzzer chooses) rolls the store back to its state at the last `sync()`, as a
 * power loss does. Nothing a node keeps outside this store survives a crash. Values are copied on
 * write and on read, so a node cannot change stored state by mutating an object it stored; a
 * frozen object or array cannot be mutated, so it is stored and handed back as it is (freeze with
 * `freezeDeep`, which freezes everything inside too).
 *
 * Lists are handed out as they are stored, not copied on every read: a node reads its log on
 * restart, and a commit site reads its decision log after each step. Guarded storage (a protocol
 * module's, `KernelConfig.guardData`) keeps its list items frozen and hands out a frozen copy of
 * a list, made on the first read after a write to it, so that a module that pushes to the list it
 * read, or changes an item of it, fails at that line instead of changing durable state past the
 * writes a crash that loses unsynced writes rolls back. Freezing cannot reach a Map's or a Set's
 * entries: an item holding one is handed out as a copy, made on every read.
 */
import { copyData, uncopyable } from "./freeze.js";
import type { DurableStorage } from "./node.js";

export class MemoryStorage implements DurableStorage {
  private readonly values = new Map<string, unknown>();
  private readonly lists = new Map<string, unknown[]>();
  /** Guarded storage: each list as last handed out, a frozen copy (see the header). */
  private readonly handedOut: Map<string, readonly unknown[]> | undefined;
  /**
   * What each key touched since the last sync held at that sync, recorded at its first write
   * after it: enough to roll back, without copying a whole list on every sync (Raft syncs after
   * nearly every append; copying its log each time would make a run quadratic). A record counts
   * only if it carries the current `epoch`: a sync moves to the next epoch instead of clearing
   * the maps, since a cleared Map reallocates its table and Raft syncs on most steps.
   */
  private readonly syncedValues = new Map<string, SyncedValue>();
  private readonly syncedLists = new Map<string, SyncedList>();
  /** Counts syncs (and rollbacks) that changed anything: the records of older epochs are spent. */
  private epoch = 0;
  /** Guarded storage: a list item was stored that freezing could not reach all through (`list`). */
  private holdsLooseItems = false;
  /** Number of write calls, a figure for reports (persist operations per run). */
  writes = 0;
  /** Number of `sync` calls. */
  syncs = 0;
  /** Write calls since the last sync: what a crash that loses unsynced writes would lose. */
  unsyncedWrites = 0;

  /** `guarded`: freeze list items, and hand out lists as frozen copies (see the header). */
  constructor(options: { readonly guarded?: boolean } = {}) {
    this.handedOut = options.guarded === true ? new Map() : undefined;
  }

  get<T>(key: string): T | undefined {
    const value = this.values.get(key);
    return value === undefined ? undefined : (copyData(value, false) as T);
  }

  set(key: string, value: unknown): void {
    const stored = storedCopy(value, "set", key);
    this.wrote();
    this.rememberValue(key);
    this.values.set(key, stored);
  }

  delete(key: string): void {
    this.wrote();
    this.rememberValue(key);
    this.rememberList(key);
    this.values.delete(key);
    this.lists.delete(key);
    this.handedOut?.delete(key);
  }

  append(key: string, ...items: unknown[]): void {
    // Copied first (into the call's own array), so that an item storage refuses writes nothing.
    const frozen = this.handedOut !== undefined;
    for (let index = 0; index < items.length; index++) {
      const item = storedCopy(items[index], "append", key, frozen);
      if (frozen && !frozenThrough(item)) {
        looseItems.add(item as object);
        this.holdsLooseItems = true;
      }
      items[index] = item;
    }
    this.wrote();
    this.rememberList(key);
    let list = this.lists.get(key);
    if (list === undefined) {
      list = [];
      this.lists.set(key, list);
    }
    for (const item of items) list.push(item);
    this.handedOut?.delete(key);
  }

  truncate(key: string, length: number): void {
    this.wrote();
    this.rememberList(key);
    const list = this.lists.get(key);
    if (list === undefined || list.length <= length) return;
    const kept = Math.max(0, length);
    const synced = this.syncedLists.get(key) as SyncedList;
    if (synced.list === list && kept < synced.length) {
      // Items below `synced.length` are still as synced: keep the ones being cut.
      synced.tail = list.slice(kept, synced.length).concat(synced.tail);
      synced.length = kept;
    }
    list.length = kept;
    this.handedOut?.delete(key);
  }

  list<T>(key: string): readonly T[] {
    const list = this.lists.get(key) ?? [];
    const handedOut = this.handedOut;
    if (handedOut === undefined) return list as T[];
    let copy = handedOut.get(key);
    if (copy === undefined) {
      let copied = false;
      const items = list.slice();
      // An item that freezing cannot reach all through (a Map or Set in it) is copied on every
      // read, as a value is, so that changing it changes no stored state.
      if (this.holdsLooseItems) {
        for (let index = 0; index < items.length; index++) {
          if (looseItems.has(items[index] as object)) {
            items[index] = structuredClone(items[index]);
            copied = true;
          }
        }
      }
      copy = Object.freeze(items);
      if (!copied) handedOut.set(key, copy);
    }
    return copy as T[];
  }

  /** Makes every write so far durable. */
  sync(): void {
    this.syncs++;
    if (this.unsyncedWrites === 0) return;
    this.unsyncedWrites = 0;
    this.epoch++;
  }

  /**
   * Rolls the store back to the last sync, as a power loss would, and returns how many write
   * calls were lost.
   */
  loseUnsynced(): number {
    const lost = this.unsyncedWrites;
    const epoch = this.epoch;
    for (const [key, synced] of this.syncedValues) {
      if (synced.epoch !== epoch) continue;
      if (synced.value === absent) this.values.delete(key);
      else this.values.set(key, synced.value);
    }
    for (const [key, synced] of this.syncedLists) {
      if (synced.epoch !== epoch) continue;
      if (synced.list === undefined) {
        this.lists.delete(key);
        continue;
      }
      synced.list.length = synced.length;
      for (const item of synced.tail) synced.list.push(item);
      this.lists.set(key, synced.list);
    }
    this.handedOut?.clear();
    this.epoch++;
    this.unsyncedWrites = 0;
    return lost;
  }

  /** A snapshot of everything stored, keys in sorted order (for traces and tests). */
  snapshot(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of [...this.values.keys(), ...this.lists.keys()].sort()) {
      out[key] = this.values.has(key) ? this.values.get(key) : this.lists.get(key);
    }
    return out;
  }

  /**
   * Calls `visit` with every key and its value or list, in no defined order: for order-free state
   * hashes, which `snapshot()` (a new object with sorted keys) made a tenth of a fingerprint.
   */
  forEachEntry(visit: (key: string, value: unknown) => void): void {
    for (const [key, value] of this.values) visit(key, value);
    for (const [key, list] of this.lists) if (!this.values.has(key)) visit(key, list);
  }

  /**
   * What `loseUnsynced` would leave, in `snapshot()`'s form, without changing anything: state
   * fingerprints tell apart two stores that read the same but would roll back differently.
   */
  syncedSnapshot(): Record<string, unknown> {
    if (this.unsyncedWrites === 0) return this.snapshot();
    const epoch = this.epoch;
    const values = new Map(this.values);
    for (const [key, synced] of this.syncedValues) {
      if (synced.epoch !== epoch) continue;
      if (synced.value === absent) values.delete(key);
      else values.set(key, synced.value);
    }
    const lists = new Map<string, unknown[]>(this.lists);
    for (const [key, synced] of this.syncedLists) {
      if (synced.epoch !== epoch) continue;
      if (synced.list === undefined) lists.delete(key);
      else lists.set(key, [...synced.list.slice(0, synced.length), ...synced.tail]);
    }
    const out: Record<string, unknown> = {};
    for (const key of [...values.keys(), ...lists.keys()].sort()) {
      out[key] = values.has(key) ? values.get(key) : lists.get(key);
    }
    return out;
  }

  private wrote(): void {
    this.writes++;
    this.unsyncedWrites++;
  }

  private rememberValue(key: string): void {
    const synced = this.syncedValues.get(key);
    if (synced !== undefined && synced.epoch === this.epoch) return;
    // Stored values are never mutated (they are copies or frozen), so the reference suffices.
    const value = this.values.has(key) ? this.values.get(key) : absent;
    if (synced === undefined) this.syncedValues.set(key, { epoch: this.epoch, value });
    else {
      synced.epoch = this.epoch;
      synced.value = value;
    }
  }

  private rememberList(key: string): void {
    const synced = this.syncedLists.get(key);
    if (synced !== undefined && synced.epoch === this.epoch) return;
    const list = this.lists.get(key);
    const length = list?.length ?? 0;
    if (synced === undefined) this.syncedLists.set(key, { epoch: this.epoch, list, length, tail: [] });
    else {
      synced.epoch = this.epoch;
      synced.list = list;
      synced.length = length;
      if (synced.tail.length > 0) synced.tail = [];
    }
  }
}

/**
 * Stored list items of guarded stores that freezing could not reach all through. Kept outside the
 * stores, whose fields a state snapshot walks: a weak set there would count as state it cannot read.
 */
const looseItems = new WeakSet<object>();

/**
 * Whether nothing inside `value` can change: a stored item is frozen object by object, but a Map
 * or Set (or a class instance copied with `structuredClone`) is frozen only on the outside, and
 * its entries can still be changed.
 */
function frozenThrough(value: unknown): boolean {
  if (value === null || typeof value !== "object") return true;
  if (value instanceof Map || value instanceof Set) return false;
  if (!Object.isFrozen(value)) return false;
  if (Array.isArray(value)) {
    for (const item of value) if (!frozenThrough(item)) return false;
    return true;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  for (const field of Object.values(value)) if (!frozenThrough(field)) return false;
  return true;
}

/** Marks a key that held no value at the last sync. */
const absent = Symbol("absent");

/**
 * A list as it was at the last sync: its first `length` items are still those of `list` (writes
 * since then only appended past them or cut them), followed by `tail`, the synced items that a
 * truncation cut. `list` is undefined when the key held no list.
 */
interface SyncedList {
  epoch: number;
  list: unknown[] | undefined;
  length: number;
  tail: unknown[];
}

/** A value as it was at the last sync (`absent`: the key held none), valid in epoch `epoch`. */
interface SyncedValue {
  epoch: number;
  value: unknown;
}

/**
 * `value` copied for storage; a function or symbol in it (which a copy would keep by reference, so
 * that state would outlive a crash outside storage) is a TypeError naming the call and where.
 */
function storedCopy(value: unknown, call: "set" | "append", key: string, freeze = false): unknown {
  try {
    return copyData(value, freeze);
  } catch (error) {
    const reason = uncopyable(error, value);
    if (reason === undefined) throw error;
    throw new TypeError(
      `ctx.storage.${call}(${JSON.stringify(key)}, …): the value holds ${reason}, and storage keeps only data`,
    );
  }
}
