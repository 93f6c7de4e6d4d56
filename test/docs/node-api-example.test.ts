/**
 * The worked example in docs/node-api.md compiles against the real node API and runs: this
 * keeps the protocol authors' guide true.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Protocol } from "../../sim/node.js";
import { runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";

const root = join(import.meta.dirname, "..", "..");

describe("docs/node-api.md worked example", () => {
  it("runs as a protocol and keeps its invariant", async () => {
    const doc = readFileSync(join(root, "docs", "node-api.md"), "utf8");
    const code = /```ts\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(code).toBeDefined();
    const folder = join(root, "test-output");
    mkdirSync(folder, { recursive: true });
    const file = join(folder, "write-once.ts");
    writeFileSync(file, (code as string).replace("quorumlab/dist/sim/node.js", "../sim/node.js"));
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
});
