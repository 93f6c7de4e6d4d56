/**
 * Generic snapshot and restore of a running system, in place.
 *
 * A snapshot walks everything reachable from its roots (the kernel, the clients, the history)
 * and records, for each mutable object, the object itself and a shallow copy of its contents:
 * the own enumerable fields of plain objects and class instances (prototypes are never touched),
 * the items of arrays and typed arrays, the entries of Maps and Sets. Restoring writes those
 * contents back into the very same objects, so every reference (a node's context, a closure a
 * client scheduled, a monitor's tracker) still points where it pointed when the snapshot was
 * taken, and objects created since are simply no longer reachable.
 *
 * What the walk skips, and why:
 * - objects the caller marks constant (`opaque`): the protocol, its options, the node contexts;
 * - frozen objects: messages and log entries are immutable once frozen (docs/node-api.md);
 * - functions: their closures cannot be read; state reachable only from a closure is out of
 *   sight (`hidden` says when an object the walk met cannot be copied, such as a WeakMap).
 *
 * Restoring state this way replaced replaying each state's path from the initial state, which
 * cost a path's length in steps for every state explored (about 3,500 states per CPU-second on
 * Paxos, 3 nodes).
 */

const kindObject = 0;
const kindArray = 1;
const kindMap = 2;
const kindSet = 3;
const kindTyped = 4;

/** One object's recorded contents: the object, its kind and a shallow copy of what it held. */
interface Recorded {
  readonly object: object;
  readonly kind: number;
  readonly copy: readonly unknown[];
}

/** A saved state: every mutable object reachable then, with its contents then. */
export type Snapshot = readonly Recorded[];

/** What the walk knows of an object: its latest record, or that it is skipped (opaque, frozen). */
interface Known {
  /** The capture that last met it (each object is recorded once per capture). */
  epoch: number;
  recorded: Recorded | undefined;
}

type TypedArray = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array;

/** Objects remembered before the table is cleared (a memory bound). */
const knownMax = 1 << 16;

export class Snapshotter {
  /**
   * Per object, its latest record: a snapshot reuses a record while the object has not changed,
   * and most objects do not change in one step. One table serves as the walk's visited set too,
   * and remembers what is skipped. Fresh copies of every object of every state made garbage
   * collection a quarter of exploration time, and a WeakMap here half of the walk's (Paxos).
   */
  private known = new Map<object, Known>();
  private epoch = 0;
  private out: Recorded[] = [];
  private readonly scratch: unknown[] = [];
  /** Set once the walk met an object whose state it cannot copy (a WeakMap, a Promise...). */
  hidden = false;

  constructor(private readonly opaque: ReadonlySet<object>) {
    this.remember();
  }

  private remember(): void {
    this.known = new Map();
    for (const object of this.opaque) this.known.set(object, { epoch: -1, recorded: undefined });
  }

  /** Records the state of everything reachable from `roots`. */
  capture(roots: readonly object[]): Snapshot {
    if (this.known.size > knownMax) this.remember();
    this.epoch++;
    this.out = [];
    for (const root of roots) this.visit(root);
    return this.out;
  }

  private visit(value: unknown): void {
    if (value === null || typeof value !== "object") return;
    let known = this.known.get(value);
    if (known !== undefined) {
      if (known.epoch === this.epoch || known.recorded === undefined) return;
    } else {
      if (Object.isFrozen(value)) {
        this.known.set(value, { epoch: -1, recorded: undefined });
        return;
      }
      known = { epoch: this.epoch, recorded: undefined };
      this.known.set(value, known);
    }
    known.epoch = this.epoch;
    const items = this.scratch;
    items.length = 0;
    let kind: number;
    if (Array.isArray(value)) {
      kind = kindArray;
      for (let index = 0; index < value.length; index++) items.push(value[index]);
    } else if (value instanceof Map) {
      kind = kindMap;
      for (const [key, entry] of value) items.push(key, entry);
    } else if (value instanceof Set) {
      kind = kindSet;
      for (const entry of value) items.push(entry);
    } else if (ArrayBuffer.isView(value)) {
      kind = kindTyped;
      const typed = value as TypedArray;
      for (let index = 0; index < typed.length; index++) items.push(typed[index]);
    } else if (value instanceof WeakMap || value instanceof WeakSet || value instanceof Promise) {
      this.hidden = true;
      return;
    } else {
      kind = kindObject;
      const record = value as Record<string, unknown>;
      // for-in walks the object's cached key list; Object.keys would allocate an array per object.
      for (const key in record) if (Object.hasOwn(record, key)) items.push(key, record[key]);
    }
    let recorded = known.recorded;
    if (recorded === undefined || !sameItems(recorded.copy, items)) {
      recorded = { object: value, kind, copy: items.slice() };
      known.recorded = recorded;
    }
    this.out.push(recorded);
    if (kind === kindTyped) return;
    const copy = recorded.copy;
    const stride = kind === kindObject ? 2 : 1;
    for (let index = stride - 1; index < copy.length; index += stride) this.visit(copy[index]);
  }
}

function sameItems(left: readonly unknown[], right: readonly unknown[]): boolean {
  if (left.length !== right.length) return false;
  for (let index = 0; index < left.length; index++) if (left[index] !== right[index]) return false;
  return true;
}

/** Writes a snapshot's contents back into its objects (those that changed since). */
export function restoreSnapshot(snapshot: Snapshot): void {
  for (let index = 0; index < snapshot.length; index++) {
    const { object: target, kind, copy } = snapshot[index] as Recorded;
    switch (kind) {
      case kindObject:
        restoreObject(target as Record<string, unknown>, copy);
        break;
      case kindArray: {
        const array = target as unknown[];
        if (sameItems(array, copy)) break;
        array.length = copy.length;
        for (let item = 0; item < copy.length; item++) array[item] = copy[item];
        break;
      }
      case kindMap: {
        const map = target as Map<unknown, unknown>;
        if (sameMap(map, copy)) break;
        map.clear();
        for (let item = 0; item < copy.length; item += 2) map.set(copy[item], copy[item + 1]);
        break;
      }
      case kindSet: {
        const set = target as Set<unknown>;
        if (sameSet(set, copy)) break;
        set.clear();
        for (let item = 0; item < copy.length; item++) set.add(copy[item]);
        break;
      }
      case kindTyped: {
        const typed = target as TypedArray;
        for (let item = 0; item < copy.length; item++) typed[item] = copy[item] as number;
        break;
      }
    }
  }
}

function sameMap(map: Map<unknown, unknown>, copy: readonly unknown[]): boolean {
  if (map.size * 2 !== copy.length) return false;
  let index = 0;
  for (const [key, entry] of map) {
    if (key !== copy[index] || entry !== copy[index + 1]) return false;
    index += 2;
  }
  return true;
}

function sameSet(set: Set<unknown>, copy: readonly unknown[]): boolean {
  if (set.size !== copy.length) return false;
  let index = 0;
  for (const entry of set) if (entry !== copy[index++]) return false;
  return true;
}

function restoreObject(target: Record<string, unknown>, copy: readonly unknown[]): void {
  let fields = 0;
  let same = true;
  for (const key in target) {
    if (!Object.hasOwn(target, key)) continue;
    if (same && (copy[fields * 2] !== key || copy[fields * 2 + 1] !== target[key])) same = false;
    fields++;
  }
  if (same && fields * 2 === copy.length) return;
  if (fields !== copy.length / 2) {
    // A field was added since: remove the fields the snapshot does not have.
    const kept = new Set<unknown>();
    for (let item = 0; item < copy.length; item += 2) kept.add(copy[item]);
    for (const key of Object.keys(target)) if (!kept.has(key)) delete target[key];
  }
  try {
    for (let item = 0; item < copy.length; item += 2) target[copy[item] as string] = copy[item + 1];
  } catch (error) {
    // Frozen since the snapshot: a message built in one step and sent in a later one. It is
    // taken to have kept the contents it was built with (a node does not edit a message it
    // has built; docs/node-api.md).
    if (!Object.isFrozen(target)) throw error;
  }
}
