/**
 * Deep freezing of JSON-like data, offered to protocols through the node API (sim/node.ts).
 */

/**
 * Freezes a JSON-like value and everything inside it, and returns it. Storage keeps frozen values
 * without copying them, and a message or log entry that several nodes hold can then be shared
 * safely: Raft freezes each entry once, where it is created, instead of every node copying it.
 */
export function freezeDeep<T>(value: T): T {
  if (value === null || typeof value !== "object" || Object.isFrozen(value)) return value;
  if (Array.isArray(value)) {
    for (const item of value) freezeDeep(item);
  } else {
    const source = value as Record<string, unknown>;
    for (const key in source) if (Object.hasOwn(source, key)) freezeDeep(source[key]);
  }
  return Object.freeze(value);
}
