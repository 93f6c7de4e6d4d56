/**
 * Interchangeable operations: those the model cannot tell apart, of which the search tries only
 * one at each point.
 */
import type { Operation } from "../../history.js";
import { takeInt32 } from "../buffers.js";
import { canonicalJson } from "../model.js";
import { mix32 } from "./hash.js";

/**
 * A hash of a value as a model may see it: values `sameValue` finds equal hash equal. Texts are
 * numbered through `textIds` (a Map hashes them natively, where a character loop would run in
 * V8's interpreter on a first check), and the numbers mixed: building a text key per operation
 * (`JSON.stringify` for a CAS's pair) took a sixth of a warm check of a 220-operation history.
 */
function valueHash(value: unknown, textIds: Map<string, number>): number {
  switch (typeof value) {
    case "number":
      return Number.isInteger(value) && Math.abs(value) < 2 ** 31
        ? mix32((value | 0) ^ 0x1b873593)
        : textHash(`n${value}`, textIds);
    case "string":
      return textHash(value, textIds) ^ 0x2545f491;
    case "boolean":
      return value ? 0x3c6ef372 : 0x5851f42d;
    case "undefined":
      return 0x7f4a7c15;
    case "object": {
      if (value === null) return 0x12b9b0a1;
      if (!Array.isArray(value)) return textHash(`o${canonicalJson(value)}`, textIds);
      let hash = 0x6a09e667 ^ value.length;
      for (const element of value) hash = mix32(Math.imul(hash, 31) + valueHash(element, textIds));
      return hash;
    }
    default:
      return textHash(`${typeof value}${String(value)}`, textIds);
  }
}

/** A text's number in `textIds` (given on first sight), mixed. */
function textHash(text: string, textIds: Map<string, number>): number {
  let id = textIds.get(text);
  if (id === undefined) {
    id = textIds.size;
    textIds.set(text, id);
  }
  return mix32(Math.imul(id + 1, 0x27d4eb2f));
}

/** Whether a model can tell two values apart: primitives by `===` (NaN equal to itself), arrays element by element, other objects by their JSON with keys sorted. */
function sameValue(left: unknown, right: unknown): boolean {
  if (typeof left !== typeof right) return false;
  if (typeof left !== "object" || left === null || right === null) {
    return left === right || (Number.isNaN(left) && Number.isNaN(right));
  }
  if (Array.isArray(left) !== Array.isArray(right)) return false;
  if (!Array.isArray(left)) return canonicalJson(left) === canonicalJson(right);
  const other = right as unknown[];
  if (left.length !== other.length) return false;
  for (let index = 0; index < left.length; index++) if (!sameValue(left[index], other[index])) return false;
  return true;
}

/** Whether the model cannot tell two operations apart (see `twinsOf`). */
function sameIdentity(left: Operation, right: Operation): boolean {
  return (
    left.f === right.f &&
    left.key === right.key &&
    left.status === right.status &&
    sameValue(left.input, right.input) &&
    sameValue(left.output, right.output)
  );
}

/** A hash of what the model sees of an operation (see `Model.step`); `undefined` when a value cannot be written down. */
function identityHashOf(operation: Operation, textIds: Map<string, number>): number | undefined {
  try {
    let hash = textHash(operation.f, textIds);
    hash = mix32(
      Math.imul(hash, 31) + (operation.key === null ? 0x12b9b0a1 : textHash(operation.key, textIds)),
    );
    hash = mix32(Math.imul(hash, 31) + textHash(operation.status, textIds));
    hash = mix32(Math.imul(hash, 31) + valueHash(operation.input, textIds));
    return mix32(Math.imul(hash, 31) + valueHash(operation.output, textIds));
  } catch {
    return undefined;
  }
}

/**
 * For each operation, the interchangeable operation tried before it, or -1. Two operations are
 * interchangeable when the model cannot tell them apart (same function, key, input, output and
 * status: `Model.step` looks at nothing else), so linearizing one or the other leads to the same
 * state. Completed ones are ordered by return (then number): of two interchangeable candidates
 * both called, the one that returns first can take the other's place in any linearization (its
 * deadline is no later), so the search tries only it. Indeterminate ones are ordered by call
 * (`crashedOrder`): the linearized ones of a kind are always the first called.
 */
export function twinsOf(
  operations: readonly Operation[],
  crashedOrder: readonly number[],
): Int32Array<ArrayBuffer> {
  const n = operations.length;
  const twin = takeInt32(n).fill(-1);
  const completed: number[] = [];
  for (let index = 0; index < n; index++)
    if (Number.isFinite(operations[index]!.returnUs)) completed.push(index);
  completed.sort((left, right) => operations[left]!.returnUs - operations[right]!.returnUs || left - right);
  const textIds = new Map<string, number>();
  for (const sequence of [completed, crashedOrder]) {
    // Per identity hash, the latest operation of each identity with that hash.
    const latest = new Map<number, number[]>();
    for (const operation of sequence) {
      const hash = identityHashOf(operations[operation]!, textIds);
      if (hash === undefined) continue;
      const bucket = latest.get(hash);
      if (bucket === undefined) {
        latest.set(hash, [operation]);
        continue;
      }
      let place = 0;
      while (place < bucket.length && !sameIdentity(operations[bucket[place]!]!, operations[operation]!))
        place++;
      if (place < bucket.length) twin[operation] = bucket[place]!;
      bucket[place] = operation;
    }
  }
  return twin;
}
