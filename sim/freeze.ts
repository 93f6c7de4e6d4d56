/**
 * Deep freezing and copying of JSON-like data: `freezeDeep`, offered to protocols through the node
 * API (sim/node.ts), and the copies storage keeps and messages of a module travel as.
 */
import { behindView } from "./read-only.js";

/**
 * Freezes a JSON-like value and everything inside it, and returns it. Storage keeps frozen values
 * without copying them, and a message or log entry that several nodes hold can then be shared
 * safely: Raft freezes each entry once, where it is created, instead of every node copying it.
 *
 * Only objects are visited: calling itself on every field, numbers and strings included, made this
 * about 1.6 times slower on a Raft log entry (a micro-benchmark over a million entries), and Raft
 * freezes one entry per client command.
 */
export function freezeDeep<T>(value: T): T {
  if (value === null || typeof value !== "object" || Object.isFrozen(value)) return value;
  if (Array.isArray(value)) {
    for (const item of value) if (typeof item === "object" && item !== null) freezeDeep(item);
  } else {
    const source = value as Record<string, unknown>;
    for (const key in source) {
      const field = source[key];
      if (typeof field === "object" && field !== null && Object.hasOwn(source, key)) freezeDeep(field);
    }
  }
  return Object.freeze(value);
}

/**
 * A deep copy of a JSON-like value with every object in it frozen, as a network would deliver it:
 * what the sender changes afterwards, and what a receiver tries to change, touches no other
 * node's state. A function or symbol cannot travel: a TypeError says where the value holds one.
 * See `copyData` for what is copied how.
 */
export function frozenCopy<T>(value: T): T {
  try {
    return copyData(value, true);
  } catch (error) {
    const reason = uncopyable(error, value);
    if (reason === undefined) throw error;
    throw new TypeError(`the value holds ${reason}, and only data can be copied`);
  }
}

/**
 * What `copyData` could not copy in `value`, from the error it threw, with where it is: a
 * function, symbol or uncloneable object (a `NotData`), or a cycle, which ran the copy out of
 * stack. Undefined for any other error. Called only once a copy has failed.
 */
export function uncopyable(error: unknown, value: unknown): string | undefined {
  if (error instanceof NotData) return `${error.message} at ${whereUncopyable(value) || "its top"}`;
  if (!(error instanceof RangeError)) return undefined;
  const cycle = whereCycle(value, "", new Map());
  if (cycle === undefined) return undefined;
  return `a cycle at ${cycle.path || "its top"}, which refers back to ${cycle.back || "its top"}`;
}

/** The first object in `value` reached again inside itself, with the path where it was met first. */
function whereCycle(
  value: unknown,
  path: string,
  open: Map<object, string>,
): { readonly path: string; readonly back: string } | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const back = open.get(value);
  if (back !== undefined) return { path, back };
  open.set(value, path);
  for (const key of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[key];
    const found = whereCycle(field, Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`, open);
    if (found !== undefined) return found;
  }
  open.delete(value);
  return undefined;
}

/** What `copyData` throws for what it cannot copy; the message names it (`a function`). */
export class NotData extends Error {}

/**
 * A deep copy of JSON-like data, with every object in it frozen when `freeze` is set. Plain
 * objects and arrays are copied by hand (several times faster than `structuredClone`, and storage
 * writes sit on every protocol's hot path). Frozen objects inside are kept as they are, since
 * nothing can change them (so log entries frozen with `freezeDeep` cost no copy). Objects of other
 * prototypes (a Map, a Set, a class instance) are
 * copied with `structuredClone`, which keeps a Map's or Set's contents and a class instance's
 * fields but not its methods (frozen on the outside only). A function or symbol, kept by reference,
 * would carry state past every copy: it is a `NotData`.
 */
export function copyData<T>(value: T, freeze: boolean): T {
  if (value === null || typeof value !== "object" || Object.isFrozen(value)) {
    if (typeof value === "function" || typeof value === "symbol") throw new NotData(`a ${typeof value}`);
    return value;
  }
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let index = 0; index < value.length; index++) out[index] = copyData(value[index], freeze);
    return (freeze ? Object.freeze(out) : out) as T;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    let copy: unknown;
    try {
      copy = structuredClone(behindView(value));
    } catch {
      throw new NotData(`a ${prototype?.constructor?.name ?? "value"} that cannot be copied`);
    }
    return (freeze ? Object.freeze(copy) : copy) as T;
  }
  // for-in walks the object's cached key list; Object.keys would allocate an array per object.
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key in source) if (Object.hasOwn(source, key)) out[key] = copyData(source[key], freeze);
  return (freeze ? Object.freeze(out) : out) as T;
}

/**
 * Where in `value` the first function, symbol or object `structuredClone` refuses is, as a path
 * (`.entries[2].apply`; "" for the value itself), or undefined when it holds none.
 */
export function whereUncopyable(value: unknown, path = ""): string | undefined {
  if (typeof value === "function" || typeof value === "symbol") return path;
  if (value === null || typeof value !== "object" || Object.isFrozen(value)) return undefined;
  const prototype = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && prototype !== Object.prototype && prototype !== null) {
    try {
      structuredClone(behindView(value));
      return undefined;
    } catch {
      return path;
    }
  }
  for (const key of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[key];
    const found = whereUncopyable(field, Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * What `frozenJsonCopy` throws for a value JSON would write as something else, or not at all;
 * the message names it and where (`a Map at .peers, which JSON writes as {}`).
 */
export class NotJson extends Error {}

/** Thrown inside `copyJson`, which keeps no path; `frozenJsonCopy` then looks for where. */
const notJsonMark = new NotJson("not JSON");

/**
 * Frozen objects `copyJson` has found to hold only JSON data, and everything inside them frozen
 * too: nothing in them can change, so they are not walked again (log entries that a module froze
 * once and sends in many messages).
 */
const checkedFrozen = new WeakSet<object>();

/**
 * A frozen copy, as `frozenCopy`, of data bound for the trace: a module's messages, replies,
 * descriptions and notes. It also refuses what JSON would silently write as something else, so
 * that the trace shows what the receiver got: a Map, a Set, a Date or another built-in object
 * (`{}`, a string), NaN or an infinity (`null`), `undefined` or a hole in an array (`null`), and
 * a BigInt, which JSON cannot write at all. That is a `NotJson` naming it and where. A field that
 * holds `undefined` is left out by JSON and counts as absent, so it is kept. A class instance is
 * copied as its own enumerable fields, which is what JSON writes of it.
 */
export function frozenJsonCopy<T>(value: T): T {
  try {
    return copyJson(value) as T;
  } catch (error) {
    if (error === notJsonMark) {
      const found = whereNotJson(value, "", false);
      throw new NotJson(found === undefined ? "it holds a value JSON cannot write" : found);
    }
    const reason = uncopyable(error, value);
    if (reason === undefined) throw error;
    throw new TypeError(`the value holds ${reason}, and only data can be copied`);
  }
}

function copyJson(value: unknown): unknown {
  if (typeof value !== "object" || value === null) {
    if (typeof value === "number") {
      if (!Number.isFinite(value)) throw notJsonMark;
      return value;
    }
    if (typeof value === "function" || typeof value === "symbol") throw new NotData(`a ${typeof value}`);
    if (typeof value === "bigint") throw notJsonMark;
    return value;
  }
  if (Object.isFrozen(value)) {
    checkShared(value);
    return value;
  }
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let index = 0; index < value.length; index++) {
      const item = value[index];
      if (item === undefined) throw notJsonMark;
      out[index] = copyJson(item);
    }
    return Object.freeze(out);
  }
  const prototype = Object.getPrototypeOf(value);
  const source = (prototype === Object.prototype || prototype === null ? value : jsonRecord(value)) as Record<
    string,
    unknown
  >;
  const out: Record<string, unknown> = {};
  for (const key in source) if (Object.hasOwn(source, key)) out[key] = copyJson(source[key]);
  return Object.freeze(out);
}

/**
 * Checks a frozen object shared as it is, and returns whether nothing in it can change (it is
 * then remembered in `checkedFrozen`). An object that is not frozen inside a frozen one is
 * shared too, so it is checked on every use.
 */
function checkShared(value: object): boolean {
  if (checkedFrozen.has(value)) return true;
  let fixed = Object.isFrozen(value);
  const list = Array.isArray(value);
  const source = (list ? value : jsonRecord(value)) as Record<string, unknown>;
  for (const key in source) {
    if (!Object.hasOwn(source, key)) continue;
    const field = source[key];
    if (typeof field === "object" && field !== null) fixed = checkShared(field) && fixed;
    else copyJson(field);
  }
  if (list && (value as unknown[]).includes(undefined)) throw notJsonMark;
  if (fixed) checkedFrozen.add(value);
  return fixed;
}

/**
 * `value` itself when JSON writes it as its own enumerable fields (a plain object or a class
 * instance; the object behind a read-only view); a built-in object JSON writes otherwise (a Map or
 * a Set as `{}`, a Date as a string) is not JSON data.
 */
function jsonRecord(value: object): object {
  const behind = behindView(value);
  if (Array.isArray(behind)) return behind;
  if (Object.prototype.toString.call(behind) !== "[object Object]") throw notJsonMark;
  return behind;
}

/**
 * The first value in `value` that JSON would not write as it is, with its path and what JSON makes
 * of it (`a Map at .peers, which JSON writes as {}`), or undefined when there is none. Called only
 * once a copy has failed, and for data checked without a copy (an invariant's witnesses).
 */
export function whereNotJson(value: unknown, path: string, inList: boolean): string | undefined {
  const at = path || "its top";
  if (typeof value === "number") {
    return Number.isFinite(value) ? undefined : `${String(value)} at ${at}, which JSON writes as null`;
  }
  if (typeof value === "bigint") return `a BigInt at ${at}, which JSON cannot write`;
  if (value === undefined)
    return inList ? `undefined at ${at}, which JSON writes as null in a list` : undefined;
  if (value === null || typeof value !== "object") return undefined;
  const behind = behindView(value);
  const list = Array.isArray(behind);
  if (!list && Object.prototype.toString.call(behind) !== "[object Object]") {
    const name = Object.getPrototypeOf(behind)?.constructor?.name ?? "built-in object";
    let written: string | undefined;
    try {
      written = JSON.stringify(behind);
    } catch {
      written = undefined;
    }
    const shown = written === undefined ? "cannot write" : `writes as ${written.slice(0, 40)}`;
    return `a ${name} at ${at}, which JSON ${shown}`;
  }
  if (list) {
    for (let index = 0; index < (behind as unknown[]).length; index++) {
      const found = whereNotJson((behind as unknown[])[index], `${path}[${index}]`, true);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const key of Object.keys(behind)) {
    const found = whereNotJson((behind as Record<string, unknown>)[key], `${path}.${key}`, false);
    if (found !== undefined) return found;
  }
  return undefined;
}
