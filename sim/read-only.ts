/**
 * Read-only views of a module's nodes and storage, as its invariants and its `describe()` are
 * handed them (`KernelConfig.guardData`). A monitor gets live objects, so one that wrote to a node
 * changed the run it was checking, and the run then blamed the protocol: a monitor with
 * `if (node.v = 3)` for `===` made a correct register answer 3 to every read, and `run` reported
 * the register not linearizable. Through a view every read sees the node as it is, and every write
 * throws a TypeError naming what it wrote to.
 *
 * A view is a Proxy over the object itself (nothing is copied), made on the first read of each
 * object and then kept, so that the same object is the same view: objects are read in place,
 * arrays through their own methods, and Maps, Sets and typed arrays through methods that run on
 * the object and refuse to change it. A class instance's own methods run on the instance itself,
 * so that they can read its `#private` fields; a method that changes its node, or what a method
 * returns, is not guarded.
 * Frozen objects are handed out as they are: nothing can change them.
 */

/** A view made, and the name of its object in errors (`n1.log`). */
interface Made {
  readonly view: object;
  readonly label: string;
  /**
   * For a Map, Set or typed array, the functions its view has handed out, by method name, each
   * running that method on the object: made on the first read of each name, then kept. A function
   * made on every read cost `set.has(x)` through a view about 180 ns, thirty times the Set's own.
   */
  methods?: Map<PropertyKey, unknown>;
}

/** Per object, its view. */
const views = new WeakMap<object, Made>();

/**
 * The key under which a view hands out its object (every handler answers it first): cheaper than
 * a second table from view to object, whose entry each new view cost.
 */
const behind: unique symbol = Symbol("quorumlab.behindView");

/**
 * A read-only view of `value` (itself when it is not an object, or frozen); `label` names it in
 * the error a write throws (`n1`).
 */
export function readOnlyView<T>(value: T, label: string): T {
  return viewOf(value, label, undefined) as T;
}

/** Whether `object` is a view made here: a walk of state skips it, since its object is met anyway. */
export function isReadOnlyView(object: object): boolean {
  return (object as { [behind]?: object })[behind] !== undefined;
}

/** The object behind `value` when it is a view (a copy of it copies the object), else `value`. */
export function behindView(value: object): object {
  return (value as { [behind]?: object })[behind] ?? value;
}

/**
 * The view of what `parent` (an object with a view, or a label) holds under `key`. Views share
 * three handlers and keep their labels beside them, and a label is built only with its view: a
 * handler and a label per object, and a label per read, cost a third of a module's fuzzing speed
 * (a quorum register whose monitor reads its node on every step, 160k against 111k events/s).
 */
function viewOf(value: unknown, parent: object | string, key: PropertyKey | undefined): unknown {
  if (value === null || typeof value !== "object") return value;
  const made = views.get(value);
  if (made !== undefined) return made.view;
  if (Object.isFrozen(value) || isReadOnlyView(value)) return value;
  const within = typeof parent === "string" ? parent : labelOf(parent);
  const view = new Proxy(value, handlerOf(value));
  views.set(value, { view, label: key === undefined ? within : `${within}${fieldText(key)}` });
  return view;
}

function labelOf(object: object): string {
  return views.get(object)?.label ?? "a node's object";
}

/** The traps that refuse every write, naming the object (a view's target) and the field. */
const writes: ProxyHandler<object> = {
  set: (target, key) => refuse(`${labelOf(target)}${fieldText(key)} is written`),
  deleteProperty: (target, key) => refuse(`${labelOf(target)}${fieldText(key)} is deleted`),
  defineProperty: (target, key) => refuse(`${labelOf(target)}${fieldText(key)} is defined`),
  setPrototypeOf: (target) => refuse(`${labelOf(target)}'s prototype is set`),
  preventExtensions: (target) => refuse(`${labelOf(target)} is made not extensible`),
};

/** Arrays and plain objects: read in place, and array methods run on the view, so that those that
 * change the array (push, sort) write through it and throw. */
const plainHandler: ProxyHandler<object> = {
  ...writes,
  get(target, key, receiver) {
    if (key === behind) return target;
    if (key === Symbol.iterator && Array.isArray(target)) return arrayItems;
    return inner(target, key, Reflect.get(target, key, receiver));
  },
};

/**
 * An array view's iterator (`for...of`, spread, `Array.from`): the array's own, handing out views
 * of the objects it holds. Through the view's traps, each item cost a trap for the index and one
 * for the length: about 150 ns an item, a hundred times the array's own (1,000 numbers).
 */
function arrayItems(this: unknown[]): IterableIterator<unknown> {
  const target = behindView(this) as unknown[];
  return readOnlyResult(target[Symbol.iterator](), target, item, false) as IterableIterator<unknown>;
}

/**
 * Class instances: fields read in place, methods and getters run on the instance itself, and
 * what a method returns is handed out as it is. A view of each result cost a monitor that asks its
 * node for a new key list on every step a quarter of a module's fuzzing speed (a Proxy per list).
 */
const instanceHandler: ProxyHandler<object> = {
  ...writes,
  get(target, key) {
    if (key === behind) return target;
    const field = Reflect.get(target, key, target);
    if (typeof field !== "function") return inner(target, key, field);
    return (...args: unknown[]) => Reflect.apply(field, target, args);
  },
};

/** Maps, Sets and typed arrays, whose methods work on the object itself only: each runs on it. */
const slottedHandler: ProxyHandler<object> = {
  ...writes,
  get(target, key) {
    if (key === behind) return target;
    const field = Reflect.get(target, key, target);
    if (typeof field !== "function") return inner(target, key, field);
    const made = views.get(target) as Made;
    made.methods ??= new Map();
    let method = made.methods.get(key);
    if (method === undefined) {
      method = methodOf(target, key, field);
      made.methods.set(key, method);
    }
    return method;
  },
};

/** What a view of a Map, Set or typed array hands out for its method `key` (`field`). */
function methodOf(target: object, key: PropertyKey, field: (...args: unknown[]) => unknown): unknown {
  if (changes(target, key)) return () => refuse(`${labelOf(target)}.${String(key)}() is called`);
  // The lookups a monitor makes most, without the general call's argument list.
  if (key === "has" && (target instanceof Map || target instanceof Set))
    return (entry: unknown) => target.has(entry);
  if (key === "get" && target instanceof Map)
    return (name: unknown) => viewOf(target.get(name), target, item);
  if (key === "forEach") {
    return (visit: (value: unknown, key: unknown, owner: unknown) => void, self?: unknown) => {
      const owner = views.get(target)?.view;
      (target as Map<unknown, unknown>).forEach((entry, name) => {
        visit.call(self, viewOf(entry, target, item), viewOf(name, target, item), owner);
      });
    };
  }
  // A Map's entries (and a Set's) come as a new [key, value] pair each: the pair is the
  // caller's, what it holds is the node's.
  const pairs = key === "entries" || (key === Symbol.iterator && target instanceof Map);
  return (...args: unknown[]) => readOnlyResult(Reflect.apply(field, target, args), target, item, pairs);
}

function handlerOf(object: object): ProxyHandler<object> {
  if (
    object instanceof Map ||
    object instanceof Set ||
    object instanceof WeakMap ||
    object instanceof WeakSet ||
    ArrayBuffer.isView(object)
  ) {
    return slottedHandler;
  }
  const prototype = Object.getPrototypeOf(object);
  return Array.isArray(object) || prototype === Object.prototype || prototype === null
    ? plainHandler
    : instanceHandler;
}

/** Whether `method` changes `target`, a Map, a Set, a WeakMap, a WeakSet or a typed array or DataView. */
function changes(target: object, method: PropertyKey): boolean {
  if (target instanceof Map || target instanceof WeakMap)
    return method === "set" || method === "delete" || method === "clear";
  if (target instanceof Set || target instanceof WeakSet)
    return method === "add" || method === "delete" || method === "clear";
  return (
    typeof method === "string" &&
    (method.startsWith("set") ||
      method === "fill" ||
      method === "copyWithin" ||
      method === "reverse" ||
      method === "sort")
  );
}

/**
 * A field's value as a view hands it out: a view of it, except what a Proxy must hand out
 * unchanged (a read-only, non-configurable field) and the hidden, non-enumerable symbol-keyed
 * slots other walks of state keep on objects, which belong to the object and not to its view.
 */
function inner(target: object, key: PropertyKey, field: unknown): unknown {
  if (field === null || typeof field !== "object") return field;
  const own = Reflect.getOwnPropertyDescriptor(target, key);
  if (own !== undefined && !own.configurable && !own.writable) return field;
  if (typeof key === "symbol" && own !== undefined && !own.enumerable) return undefined;
  return viewOf(field, target, key);
}

/** The key of what a Map, Set or typed array holds, in labels (`n1.votes item`). */
const item: unique symbol = Symbol("item");

/**
 * What a method of `target` returned, read-only: an iterator hands out views of what it yields
 * (`pairs`: each a new [key, value] pair, handed out as a new pair of views).
 */
function readOnlyResult(result: unknown, target: object, key: PropertyKey, pairs: boolean): unknown {
  if (result === null || typeof result !== "object") return result;
  if (typeof (result as Iterator<unknown>).next === "function" && Symbol.iterator in result) {
    const iterator = result as IterableIterator<unknown>;
    return {
      next(): IteratorResult<unknown> {
        const step = iterator.next();
        const value = step.value;
        if (step.done === true || value === null || typeof value !== "object") return step;
        if (pairs) {
          const [name, entry] = value as [unknown, unknown];
          return { done: false, value: [viewOf(name, target, item), viewOf(entry, target, item)] };
        }
        return { done: false, value: viewOf(value, target, item) };
      },
      [Symbol.iterator]() {
        return this;
      },
    };
  }
  return viewOf(result, target, key);
}

function refuse(action: string): never {
  throw changed(action);
}

/** The error for a write through a view: `action` says what it did (`n1.log[0] is written`). */
function changed(action: string): TypeError {
  return new TypeError(
    `${action} through a read-only view: invariants and describe() only read a node (docs/node-api.md, "Read-only views")`,
  );
}

function fieldText(key: PropertyKey): string {
  if (key === item) return " item";
  if (typeof key === "symbol") return `[${String(key)}]`;
  const name = String(key);
  return /^\d+$/.test(name) ? `[${name}]` : `.${name}`;
}

/** What a node's storage offers to read (sim/node.ts's `DurableStorage`, whose writes a view refuses). */
interface StorageReads {
  get<T>(key: string): T | undefined;
  list<T>(key: string): readonly T[];
}

const storageViews = new WeakMap<StorageReads, StorageReads>();

/**
 * What an invariant is handed as a module's node's storage: its reads (`get` hands out a copy,
 * `list` a frozen copy, as to the node), and writes that throw, naming the call.
 */
export function readOnlyStorage(storage: StorageReads, id: string): StorageReads {
  let view = storageViews.get(storage);
  if (view === undefined) {
    const refuse = (call: string) => (): never => {
      throw changed(`${call} is called on ${id}'s storage`);
    };
    view = Object.freeze({
      get: <T>(key: string) => storage.get<T>(key),
      list: <T>(key: string) => storage.list<T>(key),
      set: refuse("set()"),
      delete: refuse("delete()"),
      append: refuse("append()"),
      truncate: refuse("truncate()"),
      sync: refuse("sync()"),
    });
    storageViews.set(storage, view);
  }
  return view;
}
