/**
 * State fingerprints: a canonical 64-bit hash of a value, built by walking it.
 *
 * The walk writes a canonical encoding as 32-bit words into two independent MurmurHash3-style
 * lanes (seeds differ), giving 64 bits. Canonical means: equal values give equal fingerprints,
 * whatever the objects' identities. The encoding:
 * - numbers by value (-0 as 0, every NaN alike), strings by their characters, booleans, null and
 *   undefined each by a tag;
 * - arrays and typed arrays element by element; Maps in insertion order (code can see that order,
 *   so two Maps with the same entries in another order may behave differently); Sets as sets,
 *   whatever their order (protocols ask a set for membership and size: a quorum of votes is the
 *   same quorum in any order; a node that depends on a Set's order overrides `fingerprint()`);
 * - plain objects by their own enumerable fields in sorted key order; class instances by their
 *   class name and their own enumerable fields in the order they were defined (a class defines
 *   them in one order);
 * - an object with a `fingerprint()` method by what that method returns (the override for nodes
 *   that keep caches or derived fields; see docs/node-api.md);
 * - functions, and the objects the caller marks as opaque (a node's context), by a tag only;
 * - an object met again while it is being encoded (a cycle) by its depth on the current path.
 *
 * Messages are immutable once sent (docs/node-api.md), so their hashes are remembered per object.
 */
import { mix32 } from "../check/search/hash.js";
import { hidesFields, privateFieldsMet, prototypeHidesFields } from "./private-fields.js";

const seedA = 0x9747b28c;
const seedB = 0x1b873593;

const tagUndefined = 1;
const tagNull = 2;
const tagTrue = 3;
const tagFalse = 4;
const tagInt = 5;
const tagDouble = 6;
const tagString = 7;
const tagBigint = 8;
const tagArray = 9;
const tagMap = 10;
const tagSet = 11;
const tagOpaque = 12;
const tagCycle = 13;
const tagObject = 14;
const tagFunction = 15;
const tagTyped = 16;
const tagOverride = 17;
const tagSymbol = 18;

const tagKey = 19;

/**
 * Field and class names, each as one 32-bit word, computed once per name: hashing each name's
 * characters on every state was a fifth of exploration time (measured on Paxos).
 */
const nameWords = new Map<string, number>();
const nameWordsMax = 1 << 16;

function nameWord(name: string): number {
  let word = nameWords.get(name);
  if (word !== undefined) return word;
  word = 0x811c9dc5;
  for (let index = 0; index < name.length; index++)
    word = Math.imul(word ^ name.charCodeAt(index), 0x01000193);
  word = Math.imul(word ^ name.length, 0x01000193) | 0;
  if (nameWords.size < nameWordsMax) nameWords.set(name, word);
  return word;
}

/**
 * Sorts field names in place, and their values with them. An insertion sort with `<`: the default
 * sort compares by string conversion and was the largest single cost of hashing a node (a third,
 * on Paxos), and plain objects have a handful of fields.
 */
function sortFields(keys: string[], values: unknown[]): void {
  if (keys.length > 16) {
    const order = keys.map((_, index) => index).sort((left, right) => compareNames(keys, left, right));
    const sortedKeys = order.map((index) => keys[index] as string);
    const sortedValues = order.map((index) => values[index]);
    for (let index = 0; index < keys.length; index++) {
      keys[index] = sortedKeys[index] as string;
      values[index] = sortedValues[index];
    }
    return;
  }
  for (let index = 1; index < keys.length; index++) {
    const key = keys[index] as string;
    const value = values[index];
    let at = index - 1;
    while (at >= 0 && (keys[at] as string) > key) {
      keys[at + 1] = keys[at] as string;
      values[at + 1] = values[at];
      at--;
    }
    keys[at + 1] = key;
    values[at + 1] = value;
  }
}

function compareNames(keys: readonly string[], left: number, right: number): number {
  const a = keys[left] as string;
  const b = keys[right] as string;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Per class (its prototype), the word of its name: reading `constructor.name` calls a getter. */
const classWords = new WeakMap<object, number>();

function classWord(prototype: object): number {
  let word = classWords.get(prototype);
  if (word === undefined) {
    word = nameWord((prototype as { constructor?: { name?: string } }).constructor?.name ?? "");
    classWords.set(prototype, word);
    // Each class met is asked once whether it declares #private fields (`privateFieldsMet`).
    prototypeHidesFields(prototype);
  }
  return word;
}

const doubleView = new Float64Array(1);
const doubleWords = new Uint32Array(doubleView.buffer);

/** A 64-bit fingerprint as two unsigned 32-bit halves. */
export interface Fingerprint {
  readonly high: number;
  readonly low: number;
}

/** Formats a fingerprint as 16 hex digits. */
export function formatFingerprint(fingerprint: Fingerprint): string {
  return (
    (fingerprint.high >>> 0).toString(16).padStart(8, "0") +
    (fingerprint.low >>> 0).toString(16).padStart(8, "0")
  );
}

/** An incremental 64-bit hasher over 32-bit words. */
export class Hasher {
  private a = seedA;
  private b = seedB;
  private words = 0;
  /** Objects on the current encoding path (cycle guard), innermost last. */
  private readonly path: object[] = [];
  /**
   * Set when the value encoded since `reset` held something whose contents no walk can read: a
   * WeakMap, a WeakSet, a Promise, or an object with `#private` fields. Equal digests then do not
   * mean equal states.
   */
  metHidden = false;

  constructor(
    /** Objects encoded by a tag only (contexts, kernels, random streams). */
    private readonly opaque: ReadonlySet<object> = new Set(),
    /** Remembered hashes of immutable objects (messages), shared between hashers. */
    private readonly memo?: WeakMap<object, Fingerprint>,
  ) {}

  private spare: Hasher | undefined;

  /** A reset hasher for one element of a set (a set inside an element uses the spare's spare). */
  private inner(): Hasher {
    if (this.spare === undefined) this.spare = new Hasher(this.opaque, this.memo);
    this.spare.reset();
    return this.spare;
  }

  reset(): void {
    this.a = seedA;
    this.b = seedB;
    this.words = 0;
    this.metHidden = false;
  }

  word(value: number): void {
    let k = Math.imul(value | 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    let a = this.a ^ k;
    a = (a << 13) | (a >>> 19);
    this.a = (Math.imul(a, 5) + 0xe6546b64) | 0;
    let j = Math.imul(value | 0, 0x85ebca6b);
    j = (j << 17) | (j >>> 15);
    j = Math.imul(j, 0xc2b2ae35);
    let b = this.b ^ j;
    b = (b << 11) | (b >>> 21);
    this.b = (Math.imul(b, 9) + 0x38b34ae5) | 0;
    this.words++;
  }

  /** The fingerprint of the words so far (the hasher can go on). */
  digest(): Fingerprint {
    return { high: finish(this.a, this.words) >>> 0, low: finish(this.b ^ 0x5bd1e995, this.words) >>> 0 };
  }

  number(value: number): void {
    // -0 takes this branch too, and is written as 0.
    if ((value | 0) === value) {
      this.word(tagInt);
      this.word(value);
      return;
    }
    this.word(tagDouble);
    doubleView[0] = Number.isNaN(value) ? Number.NaN : value;
    this.word(doubleWords[0] as number);
    this.word(doubleWords[1] as number);
  }

  string(value: string): void {
    this.word(tagString);
    const length = value.length;
    this.word(length);
    let index = 0;
    for (; index + 1 < length; index += 2)
      this.word(value.charCodeAt(index) | (value.charCodeAt(index + 1) << 16));
    if (index < length) this.word(value.charCodeAt(index));
  }

  /** A field or class name (one remembered word per name). */
  name(value: string): void {
    this.word(tagKey);
    this.word(nameWord(value));
  }

  /** Encodes any value (see the module comment). */
  value(value: unknown): void {
    switch (typeof value) {
      case "number":
        this.number(value);
        return;
      case "string":
        this.string(value);
        return;
      case "boolean":
        this.word(value ? tagTrue : tagFalse);
        return;
      case "undefined":
        this.word(tagUndefined);
        return;
      case "bigint":
        this.word(tagBigint);
        this.string(value.toString(16));
        return;
      case "function":
        this.word(tagFunction);
        return;
      case "symbol":
        this.word(tagSymbol);
        this.string(value.description ?? "");
        return;
      case "object":
        if (value === null) this.word(tagNull);
        else this.object(value);
        return;
    }
  }

  /** Encodes an immutable value through the memo (its hash, two words). */
  immutable(value: object): void {
    const memo = this.memo;
    if (memo === undefined) {
      this.value(value);
      return;
    }
    let fingerprint = memo.get(value);
    if (fingerprint === undefined) {
      const inner = new Hasher(this.opaque, memo);
      inner.value(value);
      fingerprint = inner.digest();
      memo.set(value, fingerprint);
    }
    this.word(fingerprint.high);
    this.word(fingerprint.low);
  }

  private object(value: object): void {
    if (this.opaque.has(value)) {
      this.word(tagOpaque);
      return;
    }
    const path = this.path;
    const depth = path.indexOf(value);
    if (depth >= 0) {
      this.word(tagCycle);
      this.word(depth);
      return;
    }
    path.push(value);
    try {
      this.container(value);
    } finally {
      path.pop();
    }
  }

  private container(value: object): void {
    if (Array.isArray(value)) {
      this.word(tagArray);
      this.word(value.length);
      for (let index = 0; index < value.length; index++) this.value(value[index]);
      return;
    }
    if (value instanceof Map) {
      this.word(tagMap);
      this.word(value.size);
      for (const [key, entry] of value) {
        this.value(key);
        this.value(entry);
      }
      return;
    }
    if (value instanceof Set) {
      // Order-free: each element hashed alone, the hashes summed.
      this.word(tagSet);
      this.word(value.size);
      let high = 0;
      let low = 0;
      for (const entry of value) {
        const inner = this.inner();
        inner.value(entry);
        if (inner.metHidden) this.metHidden = true;
        const digest = inner.digest();
        high = (high + digest.high) | 0;
        low = (low + digest.low) | 0;
      }
      this.word(high);
      this.word(low);
      return;
    }
    if (ArrayBuffer.isView(value)) {
      this.word(tagTyped);
      const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      this.word(bytes.length);
      for (const byte of bytes) this.word(byte);
      return;
    }
    const override = (value as { fingerprint?: unknown }).fingerprint;
    if (typeof override === "function") {
      this.word(tagOverride);
      this.value(override.call(value));
      return;
    }
    const prototype = Object.getPrototypeOf(value);
    const record = value as Record<string, unknown>;
    this.word(tagObject);
    // Object.keys and Object.values (own enumerable fields, in the same order, from V8's cached
    // key list) measured faster than for-in with an own-field test and a field read per key.
    const keys = Object.keys(record);
    const values = Object.values(record);
    if (prototype === Object.prototype || prototype === null) {
      sortFields(keys, values);
      this.word(keys.length);
    } else {
      this.word(tagKey);
      this.word(classWord(prototype as object));
      if (privateFieldsMet() && hidesFields(value)) this.metHidden = true;
    }
    if (
      keys.length === 0 &&
      (value instanceof WeakMap || value instanceof WeakSet || value instanceof Promise)
    )
      this.metHidden = true;
    for (let index = 0; index < keys.length; index++) {
      this.word(tagKey);
      this.word(nameWord(keys[index] as string));
      this.value(values[index]);
    }
  }
}

/** MurmurHash3's finalizer over one lane, salted with the number of words hashed. */
function finish(lane: number, words: number): number {
  return mix32(lane ^ (words << 2));
}

/** The fingerprint of one value, with `opaque` objects encoded by a tag only. */
export function fingerprintOf(value: unknown, opaque?: ReadonlySet<object>): Fingerprint {
  const hasher = new Hasher(opaque);
  hasher.value(value);
  return hasher.digest();
}
