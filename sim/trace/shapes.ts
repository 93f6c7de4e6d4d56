/**
 * Description shapes: for each list of field names a description comes with, generated code that
 * compares two descriptions of that list field by field and copies one, so that the trace's
 * per-step work on descriptions (last-description.ts) meets objects of one shape at each read.
 *
 * Why generated code, measured on Raft's kv bench (bench/raft.ts, trace in memory, 105,558
 * descriptions of which 59,324 are kept):
 * - comparing each description with the node's previous one by a loop over its fields took
 *   17–20 ms a run; generated comparisons, with the field names checked first, take 9–12 ms;
 * - keeping the protocol's own description objects made young-generation collections copy about
 *   twice the bytes (80–86 against 46–52 MB promoted over six runs): only about half of the
 *   objects `describe()` makes are kept, too few for V8 to allocate them in the old generation at
 *   once, so each kept one was copied twice. A copy made by a generated object literal is always
 *   kept, so V8 soon allocates the copies in the old generation, and the protocol's objects die
 *   young. (The copies cost about what the collections save in CPU time, measured with one
 *   thread; the collector's work is what shrinks.)
 */
import { sameDescription } from "./compare.js";

/** The generated code of one list of field names. */
export interface DescriptionShape {
  /** The field names, in the order for-in lists them. */
  readonly names: readonly string[];
  /** Whether two descriptions of this shape hold the same data (each field by `sameDescription`). */
  readonly same: (left: object, right: object) => boolean;
  /** A plain object with the same fields, in the same order, holding the same values. */
  readonly copy: (description: object) => object;
}

/** Distinct field lists given generated code; past this, descriptions take the generic path. */
const shapesMax = 1024;
/** Descriptions with more fields than this take the generic path. */
const namesMax = 64;

const shapes = new Map<string, DescriptionShape>();
/**
 * False once generating code failed: a page whose Content-Security-Policy forbids `new Function`
 * (the lab and reports, reports/html.ts) runs the simulator with every description on the
 * generic path.
 */
let generating = true;
/** The names of the description being looked up (refilled for every lookup). */
const scratchNames: string[] = [];

/**
 * The shape of `description` when it is a plain object (its prototype Object.prototype or null,
 * so for-in lists exactly its own enumerable fields and a copy serializes as it does), or
 * undefined when it has no generated shape: not a plain object, too many fields, a field that an
 * object literal cannot name (`__proto__`), too many shapes already, or no code generation here.
 */
export function shapeOf(description: unknown): DescriptionShape | undefined {
  if (!generating || !isPlainObject(description)) return undefined;
  const names = scratchNames;
  names.length = 0;
  for (const name in description) {
    if (names.length === namesMax || name === "__proto__") return undefined;
    names.push(name);
  }
  const id = names.join("\u0000");
  let shape = shapes.get(id);
  if (shape === undefined) {
    if (shapes.size >= shapesMax) return undefined;
    try {
      shape = generate([...names]);
    } catch {
      generating = false;
      return undefined;
    }
    shapes.set(id, shape);
  }
  return shape;
}

/** Whether `description` is a plain object whose fields are exactly `shape.names`, in order. */
export function hasShape(description: unknown, shape: DescriptionShape): boolean {
  if (!isPlainObject(description)) return false;
  const names = shape.names;
  let index = 0;
  for (const name in description) {
    if (name !== names[index]) return false;
    index++;
  }
  return index === names.length;
}

function isPlainObject(value: unknown): value is object {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function generate(names: readonly string[]): DescriptionShape {
  // Names are quoted by JSON.stringify, so any field name reads as a string literal.
  const quoted = names.map((name) => JSON.stringify(name));
  const sameTerms = quoted.map((name) => `(l[${name}] === r[${name}] || same(l[${name}], r[${name}]))`);
  const same = new Function(
    "same",
    `return (l, r) => ${sameTerms.length === 0 ? "true" : sameTerms.join(" && ")};`,
  )(sameDescription) as DescriptionShape["same"];
  const copy = new Function(
    "d",
    `return {${quoted.map((name) => `${name}: d[${name}]`).join(", ")}};`,
  ) as DescriptionShape["copy"];
  return { names, same, copy };
}
