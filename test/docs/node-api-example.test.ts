/**
 * The worked examples in docs/node-api.md compile against the real node API and run: this keeps
 * the protocol authors' guide true. The first (a write-once register) runs as written; the second
 * (the quorum register) is docs/starter/ exactly, the protocol `quorumlab new` starts from, and
 * it is fuzzed here with its history checked for linearizability.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fuzzProtocol } from "../../sim/fuzz/quick.js";
import type { Protocol } from "../../sim/node.js";
import { runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";

const root = join(import.meta.dirname, "..", "..");
const doc = readFileSync(join(root, "docs", "node-api.md"), "utf8");
const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] as string);

describe("docs/node-api.md worked examples", () => {
  it("the write-once register runs as a protocol and keeps its invariant", async () => {
    const code = blocks.find((block) => block.includes("class WriteOnceNode"));
    expect(code).toBeDefined();
    const folder = join(root, "test-output");
    mkdirSync(folder, { recursive: true });
    const file = join(folder, "write-once.ts");
    writeFileSync(file, (code as string).replace('from "quorumlab"', 'from "../sim/index.js"'));
    const module = (await import(file)) as { protocol: Protocol };
    const registry = new Map([["write-once", module.protocol]]);
    const scenario = parseScenario(
      "protocol: write-once\nnodes: 3\nduration: 2s\nworkload: {clients: 3, rate: 100, mix: {read: 1, write: 1}}\n",
      "write-once.yaml",
    );
    const result = runScenario(scenario, registry, { keepTrace: true });
    expect(result.ok).toBe(true);
    expect(result.history.filter((event) => event.type === "ok").length).toBeGreaterThan(20);
    expect(result.records.some((record) => record.kind === "state")).toBe(true);
  });

  it("shows the quorum register, its invariant and its client model exactly as docs/starter/ has them", () => {
    for (const file of ["quorum-register.ts", "invariants.ts", "client.ts"]) {
      expect(blocks).toContain(readFileSync(join(root, "docs", "starter", file), "utf8"));
    }
  });

  it("the quorum register fuzzes clean, its history checked for linearizability", async () => {
    const module = (await import("../../docs/starter/quorum-register.js")) as { protocol: Protocol };
    expect(module.protocol.client?.model).toBe("kv");
    const result = fuzzProtocol(module.protocol, {
      runs: 300,
      seed: 11n,
      settings: { nodesMin: 3, nodesMax: 5 },
    });
    expect(result.failure).toBeUndefined();
    expect(result.events).toBeGreaterThan(10_000);
  });
});
