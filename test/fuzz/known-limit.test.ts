/**
 * A violation the correct protocol shows by design is named as its known limit only under the
 * options the limit holds under, and never with a deliberate bug on.
 */
import { describe, expect, it } from "vitest";
import { knownLimitOf } from "../../cli/shared/known-limit.js";
import { protocols } from "../../protocols/index.js";
import type { Protocol } from "../../sim/node.js";

const protocol = (name: string) => protocols.get(name) as Protocol;

describe("known limits", () => {
  it("primary-backup's liveness limit holds in its view-service variant only, the default", () => {
    const pb = protocol("primary-backup");
    expect(knownLimitOf(pb, "liveness.leader", [], { variant: "view-service" })).toMatchObject({
      invariant: "liveness.leader",
      source: "MIT 6.824 Lab 2 (2015), Part A",
    });
    // The variant left out is the default one.
    expect(knownLimitOf(pb, "liveness.leader", [], {})?.invariant).toBe("liveness.leader");
    expect(knownLimitOf(pb, "liveness.leader", [], { variant: "lease" })).toBeUndefined();
    expect(knownLimitOf(pb, "liveness.leader", [], { variant: "no-such-variant" })).toBeUndefined();
    expect(knownLimitOf(pb, "pb.one-primary-per-view", [], {})).toBeUndefined();
    expect(knownLimitOf(pb, "liveness.leader", ["view-without-ack"], {})).toBeUndefined();
  });

  it("a limit declared with no options holds under any", () => {
    const skeen = protocol("three-phase-commit");
    expect(knownLimitOf(skeen, "commit.ac1-agreement", [], {})?.invariant).toBe("commit.ac1-agreement");
    expect(knownLimitOf(skeen, "commit.ac1-agreement", ["wait-commits-on-timeout"], {})).toBeUndefined();
  });
});
