import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";
import { testRegistry } from "../support/heartbeat.js";

const root = join(import.meta.dirname, "..", "..");

const scenarioText = `
protocol: heartbeat
nodes: 4
duration: 3s
network: {latency: {uniform: [1ms, 20ms]}, loss: 0.05, duplicate: 0.05}
workload: {clients: 3, rate: 80, mix: {read: 1, write: 1}}
faults:
  - {at: 400ms, crash: leader}
  - {at: 900ms, restart: crashed}
  - {at: 1200ms, partition: [[n1, n2], [n3, n4]]}
  - {at: 1800ms, heal: true}
  - {at: 2000ms, clog: {link: [n1, n2], delay: 40ms, for: 300ms}}
  - {at: 2100ms, pause: any}
  - {at: 2300ms, drift: {node: n4, rate: 0.2}}
`;

function hashOf(seed: bigint): string {
  return runScenario(parseScenario(scenarioText, "determinism.yaml"), testRegistry, { seed }).traceHash;
}

describe("determinism", () => {
  it("gives the same trace hash for the same scenario and seed, and different ones for other seeds", () => {
    const first = hashOf(42n);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(hashOf(42n)).toBe(first);
    expect(hashOf(43n)).not.toBe(first);
  });

  it("gives the same trace hash in two separate processes", () => {
    const script = join(root, "test", "support", "print-hash.ts");
    const tsx = join(root, "node_modules", ".bin", "tsx");
    const runOnce = () => execFileSync(tsx, [script, "42"], { encoding: "utf8" }).trim();
    const a = runOnce();
    const b = runOnce();
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).toBe(a);
    expect(a).toBe(hashOf(42n));
  });

  it("keeps ambient time, randomness and real timers out of sim/ and protocols/", () => {
    const forbidden =
      /Math\.random|Date\.now|new Date\(|performance\.now|setTimeout|setInterval|setImmediate|process\.hrtime/;
    const offenders: string[] = [];
    // The determinism guard names these globals to replace them with throwing stand-ins; it never
    // calls them.
    const guard = join(root, "sim", "determinism.ts");
    const walk = (folder: string): void => {
      for (const entry of readdirSync(folder)) {
        const path = join(folder, entry);
        if (path === guard) continue;
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith(".ts")) {
          readFileSync(path, "utf8")
            .split("\n")
            .forEach((line, index) => {
              const code = line.replace(/\/\/.*$/, "");
              if (/^\s*(\*|\/\*)/.test(line)) return;
              if (forbidden.test(code)) offenders.push(`${path}:${index + 1}: ${line.trim()}`);
            });
        }
      }
    };
    walk(join(root, "sim"));
    walk(join(root, "protocols"));
    expect(offenders).toEqual([]);
  });
});
