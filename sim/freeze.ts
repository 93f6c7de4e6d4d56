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
