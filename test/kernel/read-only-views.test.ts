/**
 * A module's invariants read its nodes through read-only views (`KernelConfig.guardData`): every
 * read sees the node as it is, and a write to the node, to anything it holds or to its storage
 * throws in the monitor, which is the finding `exception` naming the invariant and what it wrote.
 * A built-in protocol's monitors get the nodes themselves. Exploration keeps a monitor's views as
 * the references they are and finds the same states with views as without. `describe()` runs on a
 * view too: one that changes its node is an input error, one that reads `#private` fields runs on
 * the node, and a description holding a Map of the node is copied from the Map.
 */
import { describe, expect, it } from "vitest";
import { InputError } from "../../sim/errors.js";
import { explore } from "../../sim/explore/search.js";
import { exploreSetup } from "../../sim/explore/settings.js";
import type {
  ClientRequest,
  NodeContext,
  Protocol,
  ProtocolNode,
  StateDescription,
  StepView,
} from "../../sim/node.js";
import { runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";
import { searchSettings } from "../explore/support.js";

class Register implements ProtocolNode {
  #writes = 0;
  value: unknown = null;
  readonly log: Array<{ value: unknown }> = [];
  readonly lastByClient = new Map<string, { value: unknown }>();
  readonly ids = new Set<string>();
  readonly bytes = new Uint8Array(4);

  constructor(private readonly ctx: NodeContext) {}

  get writes(): number {
    return this.#writes;
  }

  get entries(): Array<{ value: unknown }> {
    return this.log;
  }

  writesSoFar(): number {
    return this.#writes;
  }

  /** Its state, #writes included, which no walk reads: exploration merges equal states by it. */
  fingerprint(): unknown {
    const { value, log, lastByClient, ids, bytes } = this;
    return { value, log, lastByClient, ids, bytes, writes: this.#writes };
  }

  onMessage(): void {}

  onClientRequest(request: ClientRequest): void {
    if (request.f === "write") {
      this.value = request.value;
      this.log.push({ value: request.value });
      this.#writes++;
      this.ctx.storage.set("value", request.value);
      this.ctx.storage.append("writes", request.value);
    }
    this.lastByClient.set(request.client, { value: request.value ?? null });
    this.ids.add(request.id);
    this.bytes[0] = ((this.bytes[0] as number) + 1) & 255;
    this.ctx.reply(request, { status: "ok", value: request.f === "read" ? this.value : null });
  }
}

type Check = (node: Register, view: StepView<Register>) => void;

/** The register, with one invariant whose monitor runs `check` on the actor after every step. */
function registerWatchedBy(check: Check): Protocol {
  return {
    name: "watched",
    summary: "a register whose monitor runs a check",
    defaultNodes: 1,
    parseOptions: (options: Record<string, unknown>) => ({ ...options }),
    create: (ctx: NodeContext) => new Register(ctx),
    client: { operations: { read: 1, write: 1 }, model: "register" },
    invariants: [
      {
        name: "watched.check",
        statement: "the check passes",
        source: "this test",
        kind: "safety",
        create: () => ({
          state: null,
          afterStep(view: StepView<Register>) {
            const node = view.node(view.actor);
            if (node !== undefined) check(node, view);
            return undefined;
          },
        }),
      },
    ],
    bugs: [],
  } as unknown as Protocol;
}

function run(check: Check, guardData = true) {
  const scenario = parseScenario(
    "protocol: watched\nnodes: 1\nduration: 1s\nworkload: {clients: 1, rate: 20}\n",
    "watched.yaml",
  );
  return runScenario(scenario, new Map([["watched", registerWatchedBy(check)]]), {
    keepTrace: true,
    guardData,
  });
}

describe("a module's invariant that writes to a node", () => {
  const writes: ReadonlyArray<readonly [string, Check, string]> = [
    ["sets a field", (node) => Object.assign(node, { value: 3 }), "n1.value is written"],
    ["deletes a field", (node) => delete (node as { value?: unknown }).value, "n1.value is deleted"],
    ["sorts an array it holds", (node) => node.log.sort(), "n1.log[0] is written"],
    ["pushes onto it", (node) => node.log.push({ value: 1 }), "n1.log[1] is written"],
    [
      "pushes onto an array a getter hands out",
      (node) => node.entries.push({ value: 1 }),
      "n1.log[1] is written",
    ],
    [
      "changes an item",
      (node) => Object.assign(node.log[0] ?? {}, { value: 9 }),
      "n1.log[0].value is written",
    ],
    [
      "sets a Map entry",
      (node) => node.lastByClient.set("c9", { value: 1 }),
      "n1.lastByClient.set() is called",
    ],
    [
      "changes a Map's value",
      (node) => Object.assign([...node.lastByClient.values()][0] ?? {}, { value: 2 }),
      "n1.lastByClient item.value is written",
    ],
    [
      "changes an array item it iterated",
      (node) => {
        for (const entry of node.log) Object.assign(entry, { value: 4 });
      },
      "n1.log item.value is written",
    ],
    [
      "changes a Map value it looked up",
      (node) =>
        Object.assign(node.lastByClient.get([...node.lastByClient.keys()][0] ?? "") ?? {}, { value: 5 }),
      "n1.lastByClient item.value is written",
    ],
    ["adds to a Set", (node) => node.ids.add("x"), "n1.ids.add() is called"],
    ["writes a typed array", (node) => node.bytes.fill(0), "n1.bytes.fill() is called"],
    [
      "writes to storage",
      (_node, view) =>
        (view.storage("n1") as unknown as { set: (k: string, v: number) => void }).set("value", 1),
      "set() is called on n1's storage",
    ],
  ];

  for (const [what, check, action] of writes) {
    it(`${what}: is the finding exception, naming the invariant and the write`, () => {
      const result = run((node, view) => {
        if (node.log.length > 0) check(node, view);
      });
      const violation = result.violations[0];
      expect(violation?.invariant).toBe("exception");
      expect(violation?.message).toContain("invariant watched.check threw TypeError");
      expect(violation?.message).toContain(`${action} through a read-only view`);
      expect(violation?.message).toContain("read-only-views.test.ts");
    });
  }

  it("changes the run when the protocol is built in: the monitor gets the node itself", () => {
    const result = run((node) => Object.assign(node, { value: 3 }), false);
    // No word of the monitor: every read answers what it wrote, as if the register did.
    expect(result.violations.map((violation) => violation.invariant)).not.toContain("exception");
    const reads = result.history.filter((event) => event.type === "ok" && event.f === "read");
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((event) => event.value === 3)).toBe(true);
  });
});

describe("a module's invariant that only reads", () => {
  it("sees fields, arrays, Maps, Sets, typed arrays, getters over #private fields and storage as they are", () => {
    const seen: string[] = [];
    const result = run((node, view) => {
      const entries = [...node.lastByClient].map(([client, last]) => `${client}=${String(last.value)}`);
      // Iterated, spread and looked up through the view, as read in place.
      const iterated: unknown[] = [];
      for (const entry of node.log) iterated.push(entry.value);
      expect(iterated).toEqual(node.log.map((entry) => entry.value));
      expect([...node.log].length).toBe(node.log.length);
      for (const [client, last] of node.lastByClient) expect(node.lastByClient.get(client)).toBe(last);
      for (const id of node.ids) expect(node.ids.has(id)).toBe(true);
      let each = 0;
      node.lastByClient.forEach((last, client) => {
        if (client.length > 0 && last !== undefined) each++;
      });
      const storage = view.storage("n1");
      seen.push(
        [
          node.value,
          node.log.map((entry) => entry.value).join(","),
          node.log.length,
          entries.join(","),
          each,
          node.ids.size,
          node.ids.has("c1:1"),
          node.bytes[0],
          node.bytes.length,
          node.writes,
          node.writesSoFar(),
          storage.get("value"),
          storage.list("writes").length,
        ].join("|"),
      );
    });
    expect(result.violations).toEqual([]);
    const last = seen[seen.length - 1]?.split("|") ?? [];
    const writes = result.history.filter((event) => event.type === "ok" && event.f === "write");
    expect(writes.length).toBeGreaterThan(0);
    expect(last[2]).toBe(String(writes.length));
    expect(last[9]).toBe(String(writes.length));
    expect(last[10]).toBe(String(writes.length));
    expect(last[12]).toBe(String(writes.length));
    expect(last[3]).toMatch(/^c1=/);
    expect(last[4]).toBe("1");
    expect(last[6]).toBe("true");
    expect(last[8]).toBe("4");
    // The same run, unguarded, reads the same.
    const plain: string[] = [];
    run((node) => plain.push(`${node.log.length}|${node.writes}|${node.ids.size}`), false);
    expect(
      seen.map((line) => line.split("|")).map((fields) => `${fields[2]}|${fields[9]}|${fields[5]}`),
    ).toEqual(plain);
  });
});

describe("exploring a module whose monitor keeps views of node objects", () => {
  /** A register whose monitor remembers the last three log entries it saw, as the views it got. */
  function remembering(): Protocol {
    const protocol = registerWatchedBy(() => {});
    const invariant = {
      name: "watched.remembers",
      statement: "a write is remembered",
      source: "this test",
      kind: "safety" as const,
      create: () => {
        const state = { entries: [] as unknown[] };
        return {
          state,
          afterStep(view: StepView<Register>) {
            const node = view.node(view.actor);
            if (node === undefined || node.log.length === 0) return undefined;
            state.entries.push(node.log[node.log.length - 1]);
            if (state.entries.length > 3) state.entries.shift();
            return undefined;
          },
        };
      },
    };
    return { ...protocol, invariants: [invariant] } as unknown as Protocol;
  }

  it("explores to completion, with the counts of the same exploration without views", () => {
    const input = { nodes: 1, clients: 1, operations: 3 };
    const guarded = explore(
      exploreSetup(remembering(), { ...input, guardData: true }).setup,
      searchSettings(),
    );
    const plain = explore(exploreSetup(remembering(), input).setup, searchSettings());
    expect(guarded.verdict).toBe("complete");
    expect(guarded.uniqueStates).toBeGreaterThan(100);
    expect([guarded.uniqueStates, guarded.statesVisited]).toEqual([plain.uniqueStates, plain.statesVisited]);
  });
});

/** A register that keeps every written value and describes itself with `describeIt`. */
class Written implements ProtocolNode {
  #writes = 0;
  readonly values: number[] = [];
  readonly byClient = new Map<string, number>();

  constructor(
    private readonly ctx: NodeContext,
    private readonly describeIt: (node: Written) => StateDescription,
  ) {}

  get writes(): number {
    return this.#writes;
  }

  privately(): number {
    return this.#writes;
  }

  onMessage(): void {}

  onClientRequest(request: ClientRequest): void {
    if (request.f === "write") {
      this.values.push(request.value as number);
      this.byClient.set(request.client, request.value as number);
      this.#writes++;
    }
    const last = this.values[this.values.length - 1] ?? null;
    this.ctx.reply(request, { status: "ok", value: request.f === "read" ? last : null });
  }

  describe(): StateDescription {
    return this.describeIt(this);
  }
}

function describedBy(describeIt: (node: Written) => StateDescription): Protocol {
  return {
    name: "described",
    summary: "a register with a description",
    defaultNodes: 1,
    parseOptions: (options: Record<string, unknown>) => ({ ...options }),
    create: (ctx: NodeContext) => new Written(ctx, describeIt),
    client: { operations: { read: 1, write: 1 }, model: "register" },
    invariants: [],
    bugs: [],
  } as unknown as Protocol;
}

const describedScenario = "protocol: described\nnodes: 1\nduration: 1s\nworkload: {clients: 1, rate: 20}\n";

/** A run of the register described by `describeIt`, with a trace kept or none at all. */
function runDescribed(describeIt: (node: Written) => StateDescription, traced = true, guardData = true) {
  return runScenario(
    parseScenario(describedScenario, "described.yaml"),
    new Map([["described", describedBy(describeIt)]]),
    { keepTrace: traced, hashTrace: traced, guardData },
  );
}

describe("a module's describe()", () => {
  it("that sorts its node's log in place is an input error naming the write and the line", () => {
    const sorting = (node: Written) => ({ values: node.values.sort((a, b) => b - a) });
    expect(() => runDescribed(sorting)).toThrow(InputError);
    expect(() => runDescribed(sorting)).toThrow(
      /n1: describe\(\) threw TypeError: n1\.values\[0\] is written through a read-only view.*read-only-views\.test\.ts/,
    );
    // Unguarded, the sort changed what the register answers, in the traced run only.
    const unguarded = runDescribed(sorting, true, false);
    const untraced = runDescribed(sorting, false, false);
    expect(unguarded.history).not.toEqual(untraced.history);
    expect(runDescribed(sorting, false, true).history).toEqual(untraced.history);
  });

  it("that reads #private fields runs on its node; a Map it shows is copied from the Map", () => {
    const result = runDescribed((node) => ({
      writes: node.writes,
      counted: node.privately(),
      byClient: [...node.byClient],
      values: node.values,
    }));
    expect(result.violations).toEqual([]);
    const last = result.records.filter((record) => record.kind === "state").at(-1)?.state as {
      writes: number;
      counted: number;
      byClient: unknown[];
      values: number[];
    };
    const writes = result.history.filter((event) => event.type === "ok" && event.f === "write").length;
    expect(writes).toBeGreaterThan(0);
    expect([last.writes, last.counted, last.values.length]).toEqual([writes, writes, writes]);
    expect(last.byClient).toEqual([["c1", last.values.at(-1)]]);
    expect(Object.isFrozen(last.values)).toBe(true);
  });
});
