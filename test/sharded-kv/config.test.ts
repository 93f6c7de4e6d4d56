/**
 * Configurations: shards by hash range, shards placed on groups by the ring, and the
 * configuration group's state machine applying timeline changes in order.
 */
import { describe, expect, it } from "vitest";
import {
  assignShards,
  ConfigMachine,
  configurationDigest,
  makeConfiguration,
  shardOf,
} from "../../protocols/sharded-kv/config.js";
import { shardedKv } from "../../protocols/sharded-kv/index.js";
import { nodeCountProblem, nodeCountsOf } from "../../sim/scenario/validate.js";

const layout = { shardCount: 12, vnodesPerGroup: 32 };

describe("shards and their placement", () => {
  it("every key falls in a shard in [0, S), and the same key always in the same one", () => {
    for (let index = 0; index < 2_000; index++) {
      const shard = shardOf(`k${index}`, 12);
      expect(shard).toBeGreaterThanOrEqual(0);
      expect(shard).toBeLessThan(12);
      expect(shardOf(`k${index}`, 12)).toBe(shard);
    }
  });

  it("a joining group takes shards only from the others, and a leaving group hands over only its own", () => {
    for (const shardCount of [8, 12, 16, 64]) {
      const spec = { shardCount, vnodesPerGroup: 32 };
      const before = assignShards(["g1", "g2"], spec);
      const joined = assignShards(["g1", "g2", "g3"], spec);
      const left = assignShards(["g2", "g3"], spec);
      for (let shard = 0; shard < shardCount; shard++) {
        if (joined[shard] !== before[shard]) expect(joined[shard]).toBe("g3");
        if (left[shard] !== joined[shard]) expect(joined[shard]).toBe("g1");
      }
      expect(left).not.toContain("g1");
    }
  });

  it("placement depends on the group set, not on the order groups are listed in", () => {
    expect(assignShards(["g2", "g1", "g3"], layout)).toEqual(assignShards(["g1", "g2", "g3"], layout));
    expect(assignShards([], layout)).toEqual(new Array(12).fill(null));
  });
});

describe("the configuration group's state machine", () => {
  const initial = makeConfiguration(1, { g1: ["n4", "n5", "n6"], g2: ["n7", "n8", "n9"] }, layout);

  it("each timeline change makes exactly one configuration, in order; retries and early ones are ignored", () => {
    const machine = new ConfigMachine(layout, initial);
    expect(machine.latest.num).toBe(1);
    expect(machine.apply({ kind: "leave", change: 1, group: "g1" })).toBeUndefined();
    const second = machine.apply({ kind: "join", change: 0, group: "g3", members: ["n10", "n11", "n12"] });
    expect(second?.num).toBe(2);
    expect(Object.keys(second?.groups ?? {})).toEqual(["g1", "g2", "g3"]);
    expect(
      machine.apply({ kind: "join", change: 0, group: "g3", members: ["n10", "n11", "n12"] }),
    ).toBeUndefined();
    const third = machine.apply({ kind: "leave", change: 1, group: "g1" });
    expect(third?.num).toBe(3);
    expect(third?.shards).not.toContain("g1");
    expect(machine.at(2)).toBe(second);
    expect(machine.configs.map((config) => config.num)).toEqual([0, 1, 2, 3]);
  });

  it("a restored machine continues the same sequence", () => {
    const machine = new ConfigMachine(layout, initial);
    machine.apply({ kind: "join", change: 0, group: "g3", members: ["n10", "n11", "n12"] });
    const restored = ConfigMachine.restore(layout, JSON.parse(JSON.stringify(machine.snapshot())));
    expect(restored.latest).toEqual(machine.latest);
    expect(restored.changesApplied).toBe(1);
    expect(restored.apply({ kind: "leave", change: 1, group: "g1" })?.num).toBe(3);
  });

  it("two machines fed the same commands hold identical configurations", () => {
    const left = new ConfigMachine(layout, initial);
    const right = new ConfigMachine(layout, initial);
    for (const machine of [left, right]) {
      machine.apply({ kind: "join", change: 0, group: "g3", members: ["n10", "n11", "n12"] });
    }
    expect(configurationDigest(left.latest)).toBe(configurationDigest(right.latest));
  });
});

describe("the cluster sizes the options run on", () => {
  const sizes = (options: Record<string, unknown>) =>
    nodeCountsOf(shardedKv, shardedKv.parseOptions(options));
  const problem = (nodes: number, options: Record<string, unknown>) =>
    nodeCountProblem(shardedKv, nodes, shardedKv.parseOptions(options));

  it("the default layout needs the configuration group and one replica group, three nodes each", () => {
    expect(sizes({})).toEqual({ min: 6, multipleOf: 3 });
    expect(problem(6, {})).toBeUndefined();
    expect(problem(9, {})).toBeUndefined();
    expect(problem(7, {})).toBe("sharded-kv supports 6 or more nodes, in multiples of 3, got 7");
  });

  it("a group the timeline names must be in the default layout, and a refused size says which", () => {
    const options = { changes: [{ at: "500ms", join: "g3" }] };
    expect(sizes(options)).toEqual({ min: 12, multipleOf: 3, reason: "the options name group g3" });
    expect(problem(12, options)).toBeUndefined();
    expect(problem(6, options)).toBe(
      "sharded-kv supports 12 or more nodes, in multiples of 3 (the options name group g3), got 6",
    );
    expect(sizes({ initialGroups: ["g1", "g2"] })).toEqual({
      min: 9,
      multipleOf: 3,
      reason: "the options name group g2",
    });
  });

  it("groups listed by name may have any size", () => {
    expect(sizes({ groups: { config: ["n1"], g1: ["n2"] } })).toEqual({ min: 2 });
  });
});
