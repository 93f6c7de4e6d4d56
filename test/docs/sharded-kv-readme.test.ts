/**
 * Goal: the figures protocols/sharded-kv/README.md gives for `sharded-kv-migration` are the ones
 * `quorumlab run sharded-kv-migration` prints. Method: run the scenario as `run` does and compare
 * the operations, configurations, shards moved and migration times with the README's text.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { protocols } from "../../protocols/index.js";
import { runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";

const root = join(import.meta.dirname, "..", "..");
const readme = readFileSync(join(root, "protocols", "sharded-kv", "README.md"), "utf8").replace(/\s+/g, " ");

interface ShardedFigures {
  configurations: number;
  shardsMoved: number;
  byConfig: Record<string, { shardsMoved: number; migrationMs: number }>;
}

describe("protocols/sharded-kv/README.md", () => {
  const file = join(root, "scenarios", "sharded-kv-migration.yaml");
  const result = runScenario(parseScenario(readFileSync(file, "utf8"), file), protocols);
  const figures = result.figures as unknown as { operations: { ok: number }; sharded: ShardedFigures };

  it("gives the operations sharded-kv-migration completes", () => {
    expect(readme).toContain(`safe, linearizable, ${figures.operations.ok} operations ok`);
  });

  it("gives its configurations, shards moved and migration times", () => {
    const { sharded } = figures;
    const joined = sharded.byConfig["2"];
    const left = sharded.byConfig["3"];
    expect(readme).toContain(
      `${sharded.configurations} configurations, ${sharded.shardsMoved} shards moved (${joined?.shardsMoved} to g3 on the join, ${left?.shardsMoved} from g1 on the leave)`,
    );
    const about = (ms: number) => `about ${Math.round(ms / 10) * 10} ms`;
    expect(readme).toContain(`${about(joined?.migrationMs ?? 0)} for the join's migration`);
    expect(readme).toContain(`${about(left?.migrationMs ?? 0)} for the leave's`);
  });
});
