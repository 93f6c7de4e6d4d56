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

/**
 * One object's recorded contents: the object, its kind and a shallow copy of what it held (for
 * plain objects and class instances, its field names in `keys` and their values in `copy`).
 */
interface Recorded {
  readonly object: object;
  readonly kind: number;
  readonly keys: readonly string[] | undefined;
  readonly copy: readonly unknown[] | TypedArray;
}

/** A saved state: every mutable object reachable then, with its contents then. */
export type Snapshot = readonly Recorded[];

/** What the walk knows of an object: its latest record, or that it is skipped (opaque, frozen). */
interface Known {
  /** The capture that last met it (each object is recorded once per capture). */
  epoch: number;
  recorded: Recorded | undefined;
  /** For the root of a part (`capturePart`), the part's number; else -1. */
  part: number;
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
  /** Set once the walk met an object whose state it cannot copy (a WeakMap, a Promise...). */
  hidden = false;

  constructor(private readonly opaque: ReadonlySet<object>) {
    this.remember();
  }

  private remember(): void {
    this.known = new Map();
    for (const object of this.opaque) this.known.set(object, { epoch: -1, recorded: undefined, part: -1 });
  }

  /** Records the state of everything reachable from `roots`. */
  capture(roots: readonly object[]): Snapshot {
    this.begin();
    return this.capturePart(roots, -1);
  }

  /**
   * Starts a capture made of parts (`capturePart`): an object two parts reach is recorded by
   * the first only.
   */
  begin(): void {
    if (this.known.size > knownMax) {
      this.remember();
      for (const [root, part] of this.partRoots) this.mark(root, part);
    }
    this.epoch++;
  }

  /** Part roots, with their part numbers (kept across `remember`). */
  private readonly partRoots = new Map<object, number>();

  private mark(root: object, part: number): void {
    let known = this.known.get(root);
    if (known === undefined) {
      known = { epoch: -1, recorded: undefined, part };
      this.known.set(root, known);
    }
    known.part = part;
  }

  /**
   * Records what is reachable from `roots` without entering the roots of other parts: part
   * `part` of a state, saved on its own so that a part that did not change is shared between
   * states (`World.save`). `part` -1: the rest, which enters no part's root.
   */
  capturePart(roots: readonly object[], part: number): Snapshot {
    this.out = [];
    for (const root of roots) {
      if (part >= 0 && this.partRoots.get(root) !== part) {
        this.partRoots.set(root, part);
        this.mark(root, part);
      }
      this.visit(root, part);
    }
    return this.out;
  }

  private visit(value: unknown, part: number): void {
    if (value === null || typeof value !== "object") return;
    let known = this.known.get(value);
    if (known !== undefined) {
      // Another part's root, something met already in this capture, or something skipped.
      if (known.part >= 0 && known.part !== part) return;
      if (known.epoch === this.epoch) return;
      if (known.recorded === undefined && known.part < 0) return;
    } else {
      if (Object.isFrozen(value)) {
        this.known.set(value, { epoch: -1, recorded: undefined, part: -1 });
        return;
      }
      known = { epoch: this.epoch, recorded: undefined, part: -1 };
      this.known.set(value, known);
    }
    known.epoch = this.epoch;
    // Each kind compares the object with its last record first and copies it only if it changed:
    // copying every object into a scratch list to compare cost a third of the walk (Paxos).
    const last = known.recorded;
    let recorded: Recorded;
    if (Array.isArray(value)) {
      recorded =
        last !== undefined && sameItems(last.copy as unknown[], value)
          ? last
          : { object: value, kind: kindArray, keys: undefined, copy: value.slice() };
    } else if (value instanceof Map) {
      recorded =
        last !== undefined && sameMap(value, last.copy as unknown[])
          ? last
          : { object: value, kind: kindMap, keys: undefined, copy: flattenMap(value) };
    } else if (value instanceof Set) {
      recorded =
        last !== undefined && sameSet(value, last.copy as unknown[])
          ? last
          : { object: value, kind: kindSet, keys: undefined, copy: [...value] };
    } else if (ArrayBuffer.isView(value)) {
      const typed = value as TypedArray;
      recorded =
        last !== undefined && sameTyped(last.copy as TypedArray, typed)
          ? last
          : { object: value, kind: kindTyped, keys: undefined, copy: typed.slice() };
      known.recorded = recorded;
      this.out.push(recorded);
      return;
    } else if (value instanceof WeakMap || value instanceof WeakSet || value instanceof Promise) {
      this.hidden = true;
      return;
    } else {
      // Object.keys and Object.values read V8's cached field list; for-in and a keyed read per
      // field measured about twice as slow on the objects of a Paxos state.
      const keys = Object.keys(value);
      const values = Object.values(value);
      recorded =
        last !== undefined &&
        sameItems(last.keys as string[], keys) &&
        sameItems(last.copy as unknown[], values)
          ? last
          : { object: value, kind: kindObject, keys, copy: values };
    }
    known.recorded = recorded;
    this.out.push(recorded);
    // Items, values, and a Map's keys and values alike.
    const copy = recorded.copy as readonly unknown[];
    for (let index = 0; index < copy.length; index++) this.visit(copy[index], part);
  }
}

function flattenMap(map: Map<unknown, unknown>): unknown[] {
  const out: unknown[] = [];
  for (const [key, entry] of map) out.push(key, entry);
  return out;
}

function sameItems(left: readonly unknown[], right: readonly unknown[]): boolean {
  if (left.length !== right.length) return false;
  for (let index = 0; index < left.length; index++) if (left[index] !== right[index]) return false;
  return true;
}

function sameTyped(left: TypedArray, right: TypedArray): boolean {
  if (left.length !== right.length) return false;
  for (let index = 0; index < left.length; index++) if (left[index] !== right[index]) return false;
  return true;
}

/** Writes a snapshot's contents back into its objects (those that changed since). */
export function restoreSnapshot(snapshot: Snapshot): void {
  for (let index = 0; index < snapshot.length; index++) {
    const { object: target, kind, keys, copy } = snapshot[index] as Recorded;
    switch (kind) {
      case kindObject:
        restoreObject(target as Record<string, unknown>, keys as readonly string[], copy as unknown[]);
        break;
      case kindArray: {
        const array = target as unknown[];
        const items = copy as unknown[];
        if (sameItems(array, items)) break;
        array.length = items.length;
        for (let item = 0; item < items.length; item++) array[item] = items[item];
        break;
      }
      case kindMap: {
        const map = target as Map<unknown, unknown>;
        const items = copy as unknown[];
        if (sameMap(map, items)) break;
        map.clear();
        for (let item = 0; item < items.length; item += 2) map.set(items[item], items[item + 1]);
        break;
      }
      case kindSet: {
        const set = target as Set<unknown>;
        const items = copy as unknown[];
        if (sameSet(set, items)) break;
        set.clear();
        for (let item = 0; item < items.length; item++) set.add(items[item]);
        break;
      }
      case kindTyped:
        (target as TypedArray).set(copy as TypedArray);
        break;
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

function restoreObject(target: Record<string, unknown>, keys: readonly string[], values: unknown[]): void {
  const liveKeys = Object.keys(target);
  if (sameItems(keys, liveKeys)) {
    const liveValues = Object.values(target);
    if (sameItems(values, liveValues)) return;
    try {
      for (let item = 0; item < keys.length; item++) {
        if (liveValues[item] !== values[item]) target[keys[item] as string] = values[item];
      }
    } catch (error) {
      // Frozen since the snapshot: a message built in one step and sent in a later one. It is
      // taken to have kept the contents it was built with (a node does not edit a message it
      // has built; docs/node-api.md).
      if (!Object.isFrozen(target)) throw error;
    }
    return;
  }
  if (Object.isFrozen(target)) return;
  // A field was added or removed since: remove the fields the snapshot does not have.
  const kept = new Set<string>(keys);
  for (const key of liveKeys) if (!kept.has(key)) delete target[key];
  for (let item = 0; item < keys.length; item++) target[keys[item] as string] = values[item];
}
