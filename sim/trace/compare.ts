/**
 * Comparing JSON-like values without serializing them: the trace drops a node's description equal
 * to its previous one (`sameDescription`, asked after every traced step, so it allocates nothing),
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

/**
 * A node's last description, with its defined fields also kept flat (names and values in order),
 * so that the next one is compared by walking only its own fields, in the same pass that keeps
 * them: `sameDescription` reads each field of one object by a name taken from the other, and
 * those reads were most of its cost (7.8% of Raft's kv bench profile with the trace in memory,
 * where every step's description is compared). Same answers as `sameDescription`, which is
 * asked instead when the fields do not come in the same order.
 */
export class LastDescription {
  private description: unknown = undefined;
  /** Whether the first `count` of `names` and `values` are the description's defined fields. */
  private flat = false;
  private count = 0;
  private readonly names: string[] = [];
  private readonly values: unknown[] = [];

  /** Takes `next` as the last description; true when it is other data than the one before. */
  changed(next: unknown): boolean {
    const last = this.description;
    this.description = next;
    if (last === next) return false;
    const wasFlat = this.flat;
    const countBefore = this.count;
    if (typeof next !== "object" || next === null || Array.isArray(next)) {
      this.flat = false;
      this.count = 0;
      return !sameDescription(last, next);
    }
    const names = this.names;
    const values = this.values;
    const fields = next as Record<string, unknown>;
    // Aligned: every field so far has the name the last description had at that position.
    let aligned = wasFlat;
    let same = wasFlat;
    let index = 0;
    for (const name in fields) {
      const value = fields[name];
      if (value === undefined) continue;
      if (aligned) {
        // The name at this position is kept already; only a new one is written.
        if (index >= countBefore || names[index] !== name) {
          aligned = false;
          same = false;
          names[index] = name;
        } else if (same) {
          const kept = values[index];
          same = kept === value || sameDescription(kept, value);
        }
      } else {
        names[index] = name;
      }
      values[index] = value;
      index++;
    }
    this.flat = true;
    this.count = index;
    // A field both define with other data: different descriptions, whatever else they hold.
    if (aligned && !same) return true;
    if (same && index === countBefore) return false;
    return !sameDescription(last, next);
  }

  /** Forgets the last description (the node crashed: its next one is kept whatever it says). */
  forget(): void {
    this.description = undefined;
    this.flat = false;
    this.count = 0;
  }
}
