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

import { isReadOnlyView } from "../read-only.js";
import { hidesFields } from "./private-fields.js";
import { type FieldShape, fieldShape, sameFieldNames } from "./shape.js";

const kindObject = 0;
const kindArray = 1;
const kindMap = 2;
const kindSet = 3;
const kindTyped = 4;
/** An object whose contents cannot be copied (a WeakMap, a WeakSet, a Promise, #private fields). */
const kindHidden = 5;

/**
 * The kind of a walked object, found once per object (kept in its `Known`): the chain of
 * `instanceof` tests, run on every object of every capture, was the largest part of the walk
 * (Paxos, 3 nodes).
 */
function kindOf(value: object): number {
  if (Array.isArray(value)) return kindArray;
  if (value instanceof Map) return kindMap;
  if (value instanceof Set) return kindSet;
  if (ArrayBuffer.isView(value)) return kindTyped;
  if (value instanceof WeakMap || value instanceof WeakSet || value instanceof Promise) return kindHidden;
  // #private fields cannot be read or written back (private-fields.ts).
  if (hidesFields(value)) return kindHidden;
  return kindObject;
}

/**
 * One object's recorded contents: the object, its kind and a shallow copy of what it held (for
 * plain objects and class instances, its field names in `keys` and their values in `copy`).
 */
interface Recorded {
  readonly object: object;
  readonly kind: number;
  readonly keys: readonly string[] | undefined;
  readonly copy: readonly unknown[] | TypedArray;
  /** For plain objects and class instances, the comparator and writer of their fields (shape.ts). */
  readonly shape: FieldShape | undefined;
  /** The object's prototype chain had enumerable fields: its names are checked with Object.keys. */
  readonly inherits: boolean;
  /** What the walk knows of the object: a restore makes this record its latest. */
  readonly known: Known;
}

/** The record of an array, a Map, a Set or a typed array. */
function contents(
  object: object,
  known: Known,
  kind: number,
  copy: readonly unknown[] | TypedArray,
): Recorded {
  return { object, kind, keys: undefined, copy, shape: undefined, inherits: false, known };
}

/** A saved state: every mutable object reachable then, with its contents then. */
export type Snapshot = readonly Recorded[];

/** What the walk knows of an object: its latest record, or that it is skipped (opaque, frozen). */
interface Known {
  /** The snapshotter this belongs to (an object may meet the walks of several explorations). */
  readonly owner: Snapshotter;
  /** The capture that last met it (each object is recorded once per capture). */
  epoch: number;
  recorded: Recorded | undefined;
  /** For the root of a part (`capturePart`), the part's number; else -1. */
  part: number;
  /** Skipped by the walk (opaque). */
  readonly skipped: boolean;
  /** What kind of object it is (`kindOf`). */
  readonly kind: number;
}

type TypedArray = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array;

/**
 * The slot on each walked object that holds what the walk knows of it: a symbol-keyed field that
 * is not enumerable, so nothing that lists or copies the object's fields (Object.keys, spread,
 * JSON, the fingerprint) sees it. A Map from object to record cost a third of the walk (Paxos,
 * 3 nodes), mostly in its lookups, and had to be cleared now and then to bound its size; the
 * slot goes away with its object. Objects that take no new field (sealed), and the opaque ones,
 * are kept in a Map instead.
 */
const knownSlot: unique symbol = Symbol("quorumlab.snapshot");

type Slotted = { [knownSlot]?: Known };

export class Snapshotter {
  /**
   * Per object, its latest record (in the object's slot): a snapshot reuses a record while the
   * object has not changed, and most objects do not change in one step. The slot serves as the
   * walk's visited set too, and remembers what is skipped. Fresh copies of every object of every
   * state made garbage collection a quarter of exploration time (Paxos).
   */
  private readonly sealed = new Map<object, Known>();
  private epoch = 0;
  private out: Recorded[] = [];
  /** Set once the walk met an object whose state it cannot copy (a WeakMap, a Promise...). */
  hidden = false;

  constructor(opaque: ReadonlySet<object>) {
    // In the table, not in slots: these (the protocol, its options) outlive the exploration.
    for (const object of opaque) {
      this.sealed.set(object, {
        owner: this,
        epoch: -1,
        recorded: undefined,
        part: -1,
        skipped: true,
        kind: kindObject,
      });
    }
  }

  /** What the walk knows of `object`, made on first meeting (undefined: frozen). */
  private knownOf(object: object): Known | undefined {
    const slotted = object as Slotted;
    const known = slotted[knownSlot];
    if (known !== undefined && known.owner === this) return known;
    // Frozen objects (messages, log entries) are met on every capture and have no slot: asking
    // first whether they are frozen spares a lookup in the table (Raft's logs and queue).
    if (Object.isFrozen(object)) return undefined;
    const other = this.sealed.get(object);
    if (other !== undefined) return other;
    // A read-only view of a node's object (sim/read-only.ts) that a monitor kept: it holds nothing
    // of its own, and the walk meets its object through the node.
    const view = isReadOnlyView(object);
    const made: Known = {
      owner: this,
      epoch: -1,
      recorded: undefined,
      part: -1,
      skipped: view,
      kind: kindOf(object),
    };
    if (view) {
      this.sealed.set(object, made);
      return made;
    }
    if (Object.isExtensible(object) || known !== undefined) {
      Object.defineProperty(object, knownSlot, { value: made, writable: true, configurable: true });
    } else {
      this.sealed.set(object, made);
    }
    return made;
  }

  /** The number of the last capture (`begin`). */
  get epochNow(): number {
    return this.epoch;
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
    this.epoch++;
  }

  /**
   * Records what is reachable from `roots` without entering the roots of other parts: part
   * `part` of a state, saved on its own so that a part that did not change is shared between
   * states (`World.save`). `part` -1: the rest, which enters no part's root. `previous`: the
   * part as last saved or restored; when the walk recorded the very same records, that list is
   * returned instead of the new one, so that states share the parts a step left alone (less to
   * keep, less to compare on restore).
   */
  capturePart(roots: readonly object[], part: number, previous?: Snapshot): Snapshot {
    this.out = [];
    this.markPart(roots, part);
    for (const root of roots) this.visit(root, part);
    return previous !== undefined && sameItems(previous, this.out) ? previous : this.out;
  }

  /**
   * Marks `roots` as the roots of part `part` (from 0), so that the walks of other parts stop
   * there: marking every part first keeps the first capture's parts the same as the next ones'.
   */
  markPart(roots: readonly object[], part: number): void {
    if (part < 0) return;
    for (const root of roots) {
      const known = this.knownOf(root);
      if (known !== undefined) known.part = part;
    }
  }

  private visit(value: unknown, part: number): void {
    if (value === null || typeof value !== "object") return;
    const slotted = (value as Slotted)[knownSlot];
    const known = slotted !== undefined && slotted.owner === this ? slotted : this.knownOf(value);
    // Frozen, skipped, another part's root, or met already in this capture.
    if (known === undefined || known.skipped) return;
    if (known.part >= 0 && known.part !== part) return;
    if (known.epoch === this.epoch) return;
    known.epoch = this.epoch;
    // Each kind compares the object with its last record first and copies it only if it changed:
    // copying every object into a scratch list to compare cost a third of the walk (Paxos).
    const last = known.recorded;
    let recorded: Recorded;
    switch (known.kind) {
      case kindArray: {
        const array = value as unknown[];
        recorded =
          last !== undefined && sameItems(last.copy as unknown[], array)
            ? last
            : contents(value, known, kindArray, array.slice());
        break;
      }
      case kindMap: {
        const map = value as Map<unknown, unknown>;
        recorded =
          last !== undefined && sameMap(map, last.copy as unknown[])
            ? last
            : contents(value, known, kindMap, flattenMap(map));
        break;
      }
      case kindSet: {
        const set = value as Set<unknown>;
        recorded =
          last !== undefined && sameSet(set, last.copy as unknown[])
            ? last
            : contents(value, known, kindSet, [...set]);
        break;
      }
      case kindTyped: {
        const typed = value as TypedArray;
        recorded =
          last !== undefined && sameTyped(last.copy as TypedArray, typed)
            ? last
            : contents(value, known, kindTyped, typed.slice());
        known.recorded = recorded;
        this.out.push(recorded);
        return;
      }
      case kindHidden:
        this.hidden = true;
        return;
      default: {
        // The field names and values compared in place (shape.ts); copied only when they changed.
        const namesKept = last !== undefined && sameNamesAs(value, last);
        if (namesKept && (last.shape as FieldShape).same(value, last.copy as unknown[])) {
          recorded = last;
        } else if (namesKept) {
          // Only values changed: the names, their comparator and what the chain adds stay the
          // last record's (listing the names again was 7 % of the bytes a Paxos exploration
          // allocated).
          recorded = {
            object: value,
            kind: kindObject,
            keys: last.keys,
            copy: Object.values(value),
            shape: last.shape,
            inherits: last.inherits,
            known,
          };
        } else {
          const keys = Object.keys(value);
          const shape =
            last !== undefined && sameNames(last.keys as string[], keys) ? last.shape : fieldShape(keys);
          const inherits = !sameFieldNames(value, keys);
          recorded = {
            object: value,
            kind: kindObject,
            keys,
            copy: Object.values(value),
            shape,
            inherits,
            known,
          };
        }
      }
    }
    known.recorded = recorded;
    this.out.push(recorded);
    // Items, values, and a Map's keys and values alike. Primitives are passed over here: a call
    // per field that returned at once was a third of the walk (Paxos, 3 nodes).
    const copy = recorded.copy as readonly unknown[];
    for (let index = 0; index < copy.length; index++) {
      const item = copy[index];
      if (item !== null && typeof item === "object") this.visit(item, part);
    }
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

function sameNames(left: readonly string[], right: readonly string[]): boolean {
  if (left.length !== right.length) return false;
  for (let index = 0; index < left.length; index++) if (left[index] !== right[index]) return false;
  return true;
}

/** Whether `target` has the own enumerable fields of `recorded`, in its order. */
function sameNamesAs(target: object, recorded: Recorded): boolean {
  const keys = recorded.keys as readonly string[];
  return recorded.inherits ? sameNames(keys, Object.keys(target)) : sameFieldNames(target, keys);
}

function sameTyped(left: TypedArray, right: TypedArray): boolean {
  if (left.length !== right.length) return false;
  for (let index = 0; index < left.length; index++) if (left[index] !== right[index]) return false;
  return true;
}

/**
 * Writes a snapshot's contents back into its objects (those that changed since).
 *
 * `since`: a snapshotter whose last capture nothing has changed since (no step ran). An object
 * that capture met holds exactly its latest record then, so when that record is the one being
 * restored, the object is left without comparing a field: after a step from a restored state is
 * saved, going back to that state compares only what the step changed. A restore keeps this
 * true (it writes each record it restores and makes it the latest).
 */
export function restoreSnapshot(snapshot: Snapshot, since?: Snapshotter): void {
  const epoch = since === undefined ? -2 : since.epochNow;
  for (let index = 0; index < snapshot.length; index++) {
    const recorded = snapshot[index] as Recorded;
    const known = recorded.known;
    if (known.recorded === recorded && known.epoch === epoch) continue;
    const { object: target, kind, copy } = recorded;
    // The object holds this record's contents again: the next capture compares with it first,
    // and shares it when the object is left alone (no copy made).
    known.recorded = recorded;
    switch (kind) {
      case kindObject:
        restoreObject(target as Record<string, unknown>, recorded);
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
        if (restoreMapInPlace(map, items)) break;
        map.clear();
        for (let item = 0; item < items.length; item += 2) map.set(items[item], items[item + 1]);
        break;
      }
      case kindSet: {
        const set = target as Set<unknown>;
        const items = copy as unknown[];
        if (sameSet(set, items)) break;
        if (restoreSetInPlace(set, items)) break;
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
  const size = map.size;
  if (size * 2 !== copy.length) return false;
  if (size === 0) return true;
  // Keys, then values: destructuring each entry measured twice as slow (Paxos' monitor maps).
  let index = 0;
  for (const key of map.keys()) {
    if (key !== copy[index]) return false;
    index += 2;
  }
  index = 1;
  for (const entry of map.values()) {
    if (entry !== copy[index]) return false;
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

/**
 * Puts a Map back to `items` (keys and values, in order) without refilling it, when its keys
 * begin with the recorded ones in order: a step mostly adds entries at the end or sets a value.
 * Values that differ are set and the added keys deleted; returns false (nothing changed) when
 * the keys do not match. Clearing and refilling built a new table for each Map restored (a
 * monitor's Maps, on nearly every restore of a Paxos state).
 */
function restoreMapInPlace(map: Map<unknown, unknown>, items: readonly unknown[]): boolean {
  if (map.size * 2 < items.length) return false;
  let index = 0;
  for (const key of map.keys()) {
    if (index >= items.length) break;
    if (key !== items[index]) return false;
    index += 2;
  }
  index = 0;
  // Deleting the entry being visited is defined for Map iteration: the walk goes on to the next.
  for (const key of map.keys()) {
    if (index >= items.length) map.delete(key);
    index += 2;
  }
  for (let item = 0; item < items.length; item += 2) {
    if (map.get(items[item]) !== items[item + 1]) map.set(items[item], items[item + 1]);
  }
  return true;
}

/** `restoreMapInPlace` for a Set: when its items begin with the recorded ones, deletes the rest. */
function restoreSetInPlace(set: Set<unknown>, items: readonly unknown[]): boolean {
  if (set.size < items.length) return false;
  let index = 0;
  for (const item of set) {
    if (index >= items.length) break;
    if (item !== items[index]) return false;
    index++;
  }
  index = 0;
  for (const item of set) {
    if (index >= items.length) set.delete(item);
    index++;
  }
  return true;
}

function restoreObject(target: Record<string, unknown>, recorded: Recorded): void {
  const keys = recorded.keys as readonly string[];
  const values = recorded.copy as unknown[];
  if (sameNamesAs(target, recorded)) {
    try {
      (recorded.shape as FieldShape).write(target, values);
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
  for (const key of Object.keys(target)) if (!kept.has(key)) delete target[key];
  for (let item = 0; item < keys.length; item++) target[keys[item] as string] = values[item];
}
