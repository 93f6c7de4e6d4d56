/**
 * The replica group's state machine, driven by hand: serving, freezing, pulling, installing with
 * sessions, deleting; and the two deliberate bugs' effect on the same sequence.
 */
import { describe, expect, it } from "vitest";
import type { ShardBugName } from "../../protocols/sharded-kv/bugs.js";
import { makeConfiguration, shardOf } from "../../protocols/sharded-kv/config.js";
import { GroupMachine, type OpCommand } from "../../protocols/sharded-kv/group-machine.js";

const layout = { shardCount: 12, vnodesPerGroup: 32 };
const config1 = makeConfiguration(1, { g1: ["n4", "n5", "n6"], g2: ["n7", "n8", "n9"] }, layout);
const config2 = makeConfiguration(
  2,
  { g1: ["n4", "n5", "n6"], g2: ["n7", "n8", "n9"], g3: ["n10", "n11", "n12"] },
  layout,
);
/** A shard that moves from g1 to g3 in configuration 2, and a key in it. */
const movingShard = config2.shards.findIndex(
  (owner, shard) => owner === "g3" && config1.shards[shard] === "g1",
);
const movingKey = Array.from({ length: 500 }, (_, index) => `k${index}`).find(
  (key) => shardOf(key, layout.shardCount) === movingShard,
) as string;

function op(client: string, seq: number, f: string, value: unknown): OpCommand {
  return { kind: "op", id: `${client}:${seq}`, client, seq, f, key: movingKey, value };
}

function machines(bugs: ShardBugName[] = []): { g1: GroupMachine; g3: GroupMachine } {
  return {
    g1: new GroupMachine("g1", layout, config1, new Set(bugs)),
    g3: new GroupMachine("g3", layout, config1, new Set(bugs)),
  };
}

/** Runs the migration of `movingShard` from g1 to g3 and returns what g3 applies for a retry. */
function migrate(bugs: ShardBugName[] = []) {
  const { g1, g3 } = machines(bugs);
  let index = 0;
  expect(g1.apply(op("c1", 1, "append", "a;"), ++index)).toMatchObject({ kind: "op", fresh: true });
  expect(g1.apply({ kind: "reconfigure", config: config2 }, ++index)).toEqual({ kind: "changed" });
  expect(g3.apply({ kind: "reconfigure", config: config2 }, 1)).toEqual({ kind: "changed" });
  const contents = g1.handOff(2, movingShard);
  expect(contents?.data).toEqual([[movingKey, "a;"]]);
  g3.apply(
    { kind: "install", config: 2, shard: movingShard, ...(contents as NonNullable<typeof contents>) },
    2,
  );
  return { g1, g3, retry: g3.apply(op("c1", 1, "append", "a;"), 3) };
}

describe("shard migration", () => {
  it("a moving shard freezes at the old owner: operations on it are answered 'wrong group'", () => {
    const { g1 } = machines();
    g1.apply({ kind: "reconfigure", config: config2 }, 1);
    expect(g1.shards.get(movingShard)?.state).toBe("handing-off");
    expect(g1.apply(op("c2", 1, "write", 5), 2)).toEqual({ kind: "wrong-group", owner: "g3" });
  });

  it("the new owner pulls before serving, and a retried append is answered from the moved session", () => {
    const { g1 } = machines();
    const g3 = new GroupMachine("g3", layout, config1, new Set());
    g3.apply({ kind: "reconfigure", config: config2 }, 1);
    expect(g3.shards.get(movingShard)?.state).toBe("pulling");
    expect(g3.serves(movingShard)).toBe(false);
    expect(g1.handOff(2, movingShard)).toBeUndefined(); // g1 has not frozen it yet.
    const { g3: after, retry } = migrate();
    expect(retry).toMatchObject({ kind: "op", fresh: false });
    expect(after.shards.get(movingShard)?.data.get(movingKey)).toBe("a;");
  });

  it("the next configuration waits until every shard is settled, then the old copy is deleted", () => {
    const { g1, g3 } = migrate();
    const config3 = makeConfiguration(3, { g2: ["n7", "n8", "n9"], g3: ["n10", "n11", "n12"] }, layout);
    expect(g3.shards.get(movingShard)?.gcPending).toBe(true); // g1 still holds its copy.
    expect(g3.stable).toBe(false);
    expect(g3.apply({ kind: "reconfigure", config: config3 }, 4)).toEqual({ kind: "ignored" });
    expect(g1.deleted(2, movingShard)).toBe(false);
    expect(g1.apply({ kind: "delete", config: 2, shard: movingShard }, 3)).toEqual({ kind: "changed" });
    expect(g1.deleted(2, movingShard)).toBe(true);
    expect(g3.apply({ kind: "gc-done", config: 2, shard: movingShard }, 4)).toEqual({ kind: "changed" });
    expect(g3.shards.get(movingShard)?.gcPending).toBe(false);
    // Settle the other shards g3 gained (from g1 or g2), then configuration 3 is taken.
    let index = 5;
    for (const [shard, record] of g3.shards) {
      if (record.state !== "pulling") continue;
      g3.apply({ kind: "install", config: 2, shard, data: [], sessions: [] }, index++);
      g3.apply({ kind: "gc-done", config: 2, shard }, index++);
    }
    expect(g3.stable).toBe(true);
    expect(g3.apply({ kind: "reconfigure", config: config3 }, index)).toEqual({ kind: "changed" });
  });

  it("configurations are taken one at a time: N+2 is refused at N", () => {
    const { g1 } = machines();
    const config3 = makeConfiguration(3, {}, layout);
    expect(g1.apply({ kind: "reconfigure", config: config3 }, 1)).toEqual({ kind: "ignored" });
    expect(g1.config.num).toBe(1);
  });
});

describe("snapshots", () => {
  it("a machine restored from a snapshot (through JSON) holds the same shards, data, sessions and states", () => {
    const { g1, g3 } = migrate();
    for (const machine of [g1, g3]) {
      const snapshot = JSON.parse(JSON.stringify(machine.snapshot()));
      const restored = GroupMachine.restore(machine.group, layout, snapshot, new Set());
      expect(restored.snapshot()).toEqual(machine.snapshot());
      expect(restored.describeShards()).toEqual(machine.describeShards());
      expect(restored.startConfigNum).toBe(2);
    }
    const restored = GroupMachine.restore("g3", layout, JSON.parse(JSON.stringify(g3.snapshot())), new Set());
    // The moved session survives the snapshot: the retry is still answered from it.
    expect(restored.apply(op("c1", 1, "append", "a;"), 9)).toMatchObject({ kind: "op", fresh: false });
  });
});

describe("deliberate bugs", () => {
  it("drop-sessions-on-migration: the retried append applies a second time", () => {
    const { g3, retry } = migrate(["drop-sessions-on-migration"]);
    expect(retry).toMatchObject({ kind: "op", fresh: true });
    expect(g3.shards.get(movingShard)?.data.get(movingKey)).toBe("a;a;");
  });

  it("serve-before-data: the gained shard is served at once, empty", () => {
    const g3 = new GroupMachine("g3", layout, config1, new Set(["serve-before-data"] as const));
    g3.apply({ kind: "reconfigure", config: config2 }, 1);
    expect(g3.serves(movingShard)).toBe(true);
    expect(g3.apply({ ...op("c3", 1, "read", null) }, 2)).toEqual({
      kind: "op",
      result: { ok: true, value: null },
      fresh: true,
    });
  });
});
