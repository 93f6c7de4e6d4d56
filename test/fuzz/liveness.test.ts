/**
 * What a `--liveness` campaign demands of a run: a leader by the deadline only where the protocol
 * declares roles that lead and an election timer that makes one, and its liveness invariants;
 * a protocol with neither is refused, since every run would pass whatever happened in it.
 */
import { describe, expect, it } from "vitest";
import { protocols } from "../../protocols/index.js";
import { InputError } from "../../sim/errors.js";
import { generatePlan } from "../../sim/fuzz/campaign.js";
import { planScenario } from "../../sim/fuzz/plan.js";
import { fuzzSettings } from "../../sim/fuzz/settings.js";
import type { Protocol } from "../../sim/node.js";

const protocol = (name: string) => protocols.get(name) as Protocol;

describe("fuzz --liveness", () => {
  it.each([
    ["raft", true],
    ["multi-paxos", true],
    ["primary-backup", true],
    ["two-phase-commit", false],
    ["three-phase-commit", false],
  ])("%s: a leader demanded %s, by the end of the fault phase plus the deadline", (name, demanded) => {
    const settings = fuzzSettings(protocol(name), { liveness: true });
    expect(settings.leaders).toBe(demanded);
    for (let index = 0; index < 5; index++) {
      const scenario = planScenario(generatePlan(settings, 11n, index), settings, { name: "liveness" });
      expect(scenario.expect.leader?.by).toBe(
        demanded ? (settings.faultPhaseMs + settings.livenessDeadlineMs) * 1_000 : undefined,
      );
    }
  });

  it.each(["paxos", "consistent-hashing"])(
    "%s, with no leading role and no liveness invariant, is refused",
    (name) => {
      expect(() => fuzzSettings(protocol(name), { liveness: true })).toThrow(InputError);
      expect(() => fuzzSettings(protocol(name), { liveness: true })).toThrow(
        `--liveness: ${name} declares no liveness invariant and no leading role with an election timer, so there is nothing to check`,
      );
      // Without --liveness it is fuzzed as before.
      expect(fuzzSettings(protocol(name)).leaders).toBe(false);
    },
  );
});
