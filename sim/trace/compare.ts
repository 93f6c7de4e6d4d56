/**
 * Comparing JSON-like values without serializing them: the trace drops a node's description equal
 * to its previous one (`sameDescription`, behind last-description.ts, so it allocates nothing),
 * and `sameJson` tells whether two values would serialize to the same text.
 */

/**
 * Whether two descriptions are the same JSON-like data: equal numbers, strings, booleans and
 * nulls, arrays of the same items, objects with the same fields (a field holding `undefined`
 * counts as absent, as in JSON), in any order. Shared sub-objects compare at once, and nothing is
 * allocated: the trace asks it after every traced step.
 */
export function sameDescription(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (typeof left !== "object" || typeof right !== "object" || left === null || right === null) return false;
  if (Array.isArray(left)) {
    if (!Array.isArray(right) || left.length !== right.length) return false;
    for (let index = 0; index < left.length; index++) {
      if (!sameDescription(left[index], right[index])) return false;
    }
    return true;
  }
  if (Array.isArray(right)) return false;
  const leftFields = left as Record<string, unknown>;
  const rightFields = right as Record<string, unknown>;
  let fields = 0;
  for (const key in leftFields) {
    const value = leftFields[key];
    if (value === undefined) continue;
    if (!sameDescription(value, rightFields[key])) return false;
    fields++;
  }
  for (const key in rightFields) if (rightFields[key] !== undefined) fields--;
  return fields === 0;
}

/** Whether two JSON-like values serialize to the same text: the same data, fields in the same order. */
export function sameJson(left: unknown, right: unknown): boolean {
  return sameDescription(left, right) && sameFieldOrder(left, right);
}

/** Whether two values that are the same data list their objects' fields in the same order. */
function sameFieldOrder(left: unknown, right: unknown): boolean {
  if (left === right || typeof left !== "object" || left === null) return true;
  if (Array.isArray(left)) {
    const items = right as unknown[];
    return left.every((item, index) => sameFieldOrder(item, items[index]));
  }
  const leftFields = left as Record<string, unknown>;
  const rightFields = right as Record<string, unknown>;
  const rightKeys = Object.keys(rightFields);
  let position = 0;
  for (const key in leftFields) {
    if (leftFields[key] === undefined) continue;
    while (rightFields[rightKeys[position] as string] === undefined) position++;
    if (rightKeys[position] !== key || !sameFieldOrder(leftFields[key], rightFields[key])) return false;
    position++;
  }
  return true;
}
