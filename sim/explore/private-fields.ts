/**
 * The `#private` fields a node object's classes declare. No walk can read them: a node that keeps
 * state there looks unchanged to fingerprints and snapshots, so states that differ would be
 * merged, and a restored state would keep the fields of the last one. JavaScript lists no private
 * names, so they are read from each class's source text (`Function.prototype.toString` gives a
 * class's whole body): a private field must be declared there, as `#name` or `#name = value`.
 */

/** Declared private field names per class, read once per class. */
const declaredByClass = new WeakMap<object, readonly string[]>();

/** Per prototype, whether the classes of its chain declare a private field. */
const hidingByPrototype = new WeakMap<object, boolean>();

/** Set once any prototype met declares private fields: until then `hidesFields` is never asked. */
let anyHiding = false;

/** Whether some object met so far has a class that declares `#private` fields. */
export function privateFieldsMet(): boolean {
  return anyHiding;
}

/**
 * Whether `object`'s classes declare `#private` fields: `privateFieldsOf(object).length > 0`,
 * remembered per prototype (plain objects answer at once).
 */
export function hidesFields(object: object): boolean {
  return prototypeHidesFields(Object.getPrototypeOf(object));
}

/** `hidesFields` of the objects whose prototype is `prototype`. */
export function prototypeHidesFields(prototype: unknown): boolean {
  if (prototype === null || prototype === Object.prototype || typeof prototype !== "object") return false;
  let hides = hidingByPrototype.get(prototype);
  if (hides === undefined) {
    hides = privateFieldsOf(Object.create(prototype)).length > 0;
    hidingByPrototype.set(prototype, hides);
    if (hides) anyHiding = true;
  }
  return hides;
}

/** The `#private` fields (`#count`) declared by the classes of `object`'s prototype chain. */
export function privateFieldsOf(object: object): readonly string[] {
  const names: string[] = [];
  let prototype: unknown = Object.getPrototypeOf(object);
  while (prototype !== null && prototype !== Object.prototype && typeof prototype === "object") {
    const made = Object.getOwnPropertyDescriptor(prototype, "constructor")?.value as unknown;
    if (typeof made === "function") {
      for (const name of declaredIn(made)) if (!names.includes(name)) names.push(name);
    }
    prototype = Object.getPrototypeOf(prototype);
  }
  return names;
}

function declaredIn(made: object): readonly string[] {
  let names = declaredByClass.get(made);
  if (names === undefined) {
    names = privateFieldDeclarations(Function.prototype.toString.call(made));
    declaredByClass.set(made, names);
  }
  return names;
}

/** Comments, strings and template literals, whose text may hold anything. */
const quoted = /\/\*[\s\S]*?\*\/|\/\/[^\n]*|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`/g;

/**
 * A private field's declaration in a class body: `#name` at the start of a member (after `{`,
 * `;`, `}`, a line break or `static`), followed by `=`, `;`, a line break or the body's end. A
 * use (`this.#name`) follows a dot, and a private method or accessor (`#name() {…}`, `get
 * #name()`) is followed by a parenthesis: neither holds state.
 */
const declaration = /(?:^|[{};\n]|\bstatic)\s*(#[A-Za-z_$][\w$]*)\s*(?==(?!=)|;|\n|\r|\})/g;

/** The private fields declared in `source`, the text of a class (none for a function). */
export function privateFieldDeclarations(source: string): string[] {
  if (!/^class\b/.test(source)) return [];
  const code = source.replace(quoted, " ");
  const names: string[] = [];
  for (const match of code.matchAll(declaration)) {
    const name = match[1] as string;
    if (!names.includes(name)) names.push(name);
  }
  return names;
}
