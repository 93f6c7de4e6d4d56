/**
 * The option helpers several protocols share: node lists and node groups are copied, read in
 * group-name order, and rejected with a message naming the protocol and the option.
 */
import { describe, expect, it } from "vitest";
import { parseShardedOptions } from "../../protocols/sharded-kv/options.js";
import { groupsOption, namesOption } from "../../protocols/shared/options.js";
import { parseTxnKvOptions } from "../../protocols/txn-kv/options.js";

describe("shared option helpers", () => {
  it("copies a list of names", () => {
    const input = ["n1", "n2"];
    const names = namesOption("demo", "nodes", input);
    expect(names).toEqual(["n1", "n2"]);
    expect(names).not.toBe(input);
  });

  it("rejects a list with an empty or non-string name", () => {
    expect(() => namesOption("demo", "nodes", ["n1", ""])).toThrow(
      "demo option 'nodes' must be a list of names",
    );
    expect(() => namesOption("demo", "nodes", "n1")).toThrow("demo option 'nodes' must be a list of names");
  });

  it("reads groups in group-name order and names a bad group", () => {
    const groups = groupsOption("demo", { g2: ["n4"], g1: ["n1", "n2"] });
    expect(Object.keys(groups)).toEqual(["g1", "g2"]);
    expect(groups.g1).toEqual(["n1", "n2"]);
    expect(() => groupsOption("demo", { g1: [3] })).toThrow(
      "demo option 'groups.g1' must be a list of names",
    );
    expect(() => groupsOption("demo", [["n1"]])).toThrow(
      "demo option 'groups' must map group names to nodes",
    );
  });

  it("serves sharded-kv and txn-kv with their own names in the message", () => {
    expect(() => parseShardedOptions({ groups: { config: "n1" } })).toThrow(
      "sharded-kv option 'groups.config'",
    );
    expect(() => parseTxnKvOptions({ splits: [1] })).toThrow(
      "txn-kv option 'splits' must be a list of names",
    );
  });
});
