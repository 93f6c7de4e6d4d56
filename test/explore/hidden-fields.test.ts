/**
 * State that no walk can read: `#private` fields (found in each class's source) and WeakMaps in a
 * node. Fingerprints cannot tell such states apart, so no two are merged, and snapshots cannot
 * write them back, so states are rebuilt by replay; `explore` says which field or object did it.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Hasher } from "../../sim/explore/fingerprint.js";
import { hidesFields, privateFieldDeclarations, privateFieldsOf } from "../../sim/explore/private-fields.js";
import { quorumlab } from "../support/quorumlab.js";

const root = join(import.meta.dirname, "..", "..");

describe("#private fields", () => {
  it("are read from a class's declarations, not from uses, methods, strings or comments", () => {
    const source = `class Node extends Base {
  #count = 0;
  #peers
  static #made = 0; value = "#not"; // #neither = 1
  /* #nor; */ #helper() { return this.#count; }
  get #size() { return 1; }
  constructor() { super(); this.#peers = []; Node.#made++; }
}`;
    expect(privateFieldDeclarations(source)).toEqual(["#count", "#peers", "#made"]);
    expect(privateFieldDeclarations("function Node() { this.a = '#b'; }")).toEqual([]);
  });

  it("are found on every class of an object's prototype chain, and never on a plain object", () => {
    class Base {
      #term = 0;
      term(): number {
        return this.#term;
      }
    }
    class Node extends Base {
      #votes = new Set<string>();
      voted = false;
      votes(): number {
        return this.#votes.size;
      }
    }
    class Open {
      value = 1;
      #helper(): number {
        return this.value;
      }
      get(): number {
        return this.#helper();
      }
    }
    expect(privateFieldsOf(new Node())).toEqual(["#votes", "#term"]);
    expect(hidesFields(new Node())).toBe(true);
    expect(privateFieldsOf(new Open())).toEqual([]);
    expect(hidesFields(new Open())).toBe(false);
    expect(hidesFields({ a: 1 })).toBe(false);
  });

  it("and WeakMaps make a fingerprint say it met something it cannot read", () => {
    class Counter {
      #count = 0;
      visible = 1;
      bump(): number {
        return ++this.#count;
      }
    }
    const read = (value: unknown) => {
      const hasher = new Hasher();
      hasher.value(value);
      return hasher.metHidden;
    };
    expect(read({ counter: new Counter() })).toBe(true);
    expect(read({ seen: new WeakMap() })).toBe(true);
    expect(read({ seen: new Set([new WeakSet()]) })).toBe(true);
    expect(read({ seen: new Map([["a", 1]]), list: [1, { b: 2 }] })).toBe(false);
  });
});

describe("quorumlab explore on nodes that keep state out of sight", () => {
  const out = join(root, "test-output", "explore-hidden");
  // Each node counts its ticks, up to 3, in a #private field or in a WeakMap.
  const module = (name: string, body: string) => `class Node {
  ${body}
  onStart() { this.ctx.setTimer("tick", 1000); }
  onMessage() {}
}
export const protocol = {
  name: "${name}",
  create: (ctx) => new Node(ctx),
  invariants: [{ name: "ticks.few", statement: "Nothing.", source: "this test", kind: "safety",
    create: () => ({ state: {}, afterStep: () => undefined }) }],
};
`;
  const write = (file: string, text: string) => {
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, file), text);
    return join(out, file);
  };

  it("merges no two states and names the #private fields, where it blamed a module-level variable", () => {
    const file = write(
      "private-count.mjs",
      module(
        "private-count",
        `#ticks = 0;
  constructor(ctx) { this.ctx = ctx; }
  onTimer() { this.#ticks++; if (this.#ticks < 3) this.ctx.setTimer("tick", 1000); }`,
      ),
    );
    const result = quorumlab("explore", file, "--json");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.verdict).toBe("complete");
    expect(json.hiddenState).toBe(true);
    expect(json.restore).toBe("replay");
    // Three nodes, each firing up to three times (timeouts=3): no two of the 16 states merged.
    expect(json.uniqueStates).toBe(json.statesVisited);
    expect(json.replayReasons).toContain(
      "node n1's object keeps fields no walk can read: #ticks (#private fields; make them ordinary fields, private in TypeScript if you like)",
    );
    const text = quorumlab("explore", file);
    expect(text.stdout).toContain("no two states were merged");
    expect(text.stdout).toContain("  - node n1's object keeps fields no walk can read: #ticks");
  });

  it("does the same for a WeakMap in a node, which snapshots used to pass over", () => {
    const file = write(
      "weak-count.mjs",
      module(
        "weak-count",
        `constructor(ctx) { this.ctx = ctx; this.key = {}; this.ticks = new WeakMap([[this.key, 0]]); }
  onTimer() {
    this.ticks.set(this.key, this.ticks.get(this.key) + 1);
    if (this.ticks.get(this.key) < 3) this.ctx.setTimer("tick", 1000);
  }`,
      ),
    );
    const json = JSON.parse(quorumlab("explore", file, "--json").stdout);
    expect(json.verdict).toBe("complete");
    expect(json.hiddenState).toBe(true);
    expect(json.restore).toBe("replay");
    expect(json.uniqueStates).toBe(json.statesVisited);
    expect(json.replayReasons).toContain(
      "node n1 holds an object whose contents cannot be read (a WeakMap, a WeakSet, a Promise or an object with #private fields)",
    );
  });
});
