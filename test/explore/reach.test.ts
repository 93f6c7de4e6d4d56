/**
 * What makes deep schedules reachable: deliveries to different nodes commute (the clock moves only
 * when a timer fires), a timer firing that only re-arms itself is followed by the re-armed one,
 * and the bounds a bug may declare (the timers that fire, ordered links, quiet timeouts) explore
 * a subset of the schedules with the same verdicts. Method: take steps by hand in a `World` and
 * compare fingerprints, findings and state counts.
 */
import { describe, expect, it } from "vitest";
import { protocols } from "../../protocols/index.js";
import { describeStep } from "../../sim/explore/schedule.js";
import { explore } from "../../sim/explore/search.js";
import { type ExploreInput, exploreSetup } from "../../sim/explore/settings.js";
import { World } from "../../sim/explore/world.js";
import type { Protocol } from "../../sim/node.js";
import { searchSettings } from "./support.js";

const protocol = (name: string): Protocol => protocols.get(name) as Protocol;

const settings = searchSettings;

/** A world of `name` after the steps whose descriptions contain each of `steps`, in order. */
function walk(name: string, input: ExploreInput, steps: readonly string[]): World {
  const world = new World(exploreSetup(protocol(name), input).setup);
  for (const wanted of steps) {
    const step = world.choices().find((candidate) => describeStep(candidate).includes(wanted));
    if (step === undefined) {
      throw new Error(`'${wanted}' is not enabled: ${world.choices().map(describeStep).join(" | ")}`);
    }
    world.take(step);
  }
  return world;
}

const print = (world: World): string => {
  const { high, low } = world.fingerprint();
  return `${high}:${low}`;
};

describe("deliveries commute", () => {
  // Every schedule: none of the bounds Paxos declares for its default.
  const unbounded: ExploreInput = { faults: { timeouts: 2 }, network: "unordered", quietTimeouts: false };
  it("two deliveries to different nodes reach the same state in either order", () => {
    const start = ["fire n1 propose"];
    const first = walk("paxos", unbounded, [...start, "prepare n1 → n2", "prepare n1 → n3"]);
    const second = walk("paxos", unbounded, [...start, "prepare n1 → n3", "prepare n1 → n2"]);
    expect(print(first)).toBe(print(second));
    expect(first.kernel.timeUs).toBe(second.kernel.timeUs);
  });

  it("two deliveries to the same node do not", () => {
    const start = ["fire n1 propose", "fire n2 propose"];
    const first = walk("paxos", unbounded, [...start, "prepare n1 → n3", "prepare n2 → n3"]);
    const second = walk("paxos", unbounded, [...start, "prepare n2 → n3", "prepare n1 → n3"]);
    expect(print(first)).not.toBe(print(second));
  });
});

describe("timer firings", () => {
  it("a firing that only re-arms a restarted election countdown is followed by the re-armed one", () => {
    const input: ExploreInput = { options: { leaderNoop: false }, clients: 0, faults: { timeouts: 4 } };
    const world = walk("raft", input, [
      "fire n1 election",
      "RequestVote n1 → n2",
      "RequestVoteReply n2 → n1",
      // n2 hears from its leader: its countdown restarts, though its timer stays set.
      "AppendEntries n1 → n2",
      "fire n2 election",
    ]);
    const n2 = world.kernel.nodeObject("n2") as { role: string; currentTerm: number };
    expect(n2.role).toBe("candidate");
    expect(n2.currentTerm).toBe(2);
  });
});

describe("bounds", () => {
  // Two-phase commit, a coordinator and two participants, two timer firings: measured 7,766
  // states in any order, 2,676 with ordered links, 492 with quiet timeouts.
  const twoPhase = (input: ExploreInput, bugs: string[] = []) =>
    explore(
      exploreSetup(protocol("two-phase-commit"), {
        bugs,
        nodes: 3,
        faults: { timeouts: 2 },
        // Two-phase commit declares both bounds; each test names the ones it wants.
        network: "unordered",
        quietTimeouts: false,
        ...input,
      }).setup,
      settings(),
    );

  it("ordered links and quiet timeouts explore fewer states of correct two-phase commit, to completion", () => {
    const all = twoPhase({});
    const ordered = twoPhase({ network: "ordered" });
    const quiet = twoPhase({ quietTimeouts: true });
    for (const result of [all, ordered, quiet]) expect(result.verdict).toBe("complete");
    expect(ordered.uniqueStates).toBeLessThan(all.uniqueStates);
    expect(quiet.uniqueStates).toBeLessThan(all.uniqueStates);
  });

  it("find the same bug, with a shortest schedule no shorter than the unbounded one", () => {
    const all = twoPhase({}, ["ready-aborts-on-timeout"]);
    expect(all.verdict).toBe("violation");
    for (const bounds of [{ network: "ordered" as const }, { quietTimeouts: true }]) {
      const bounded = twoPhase(bounds, ["ready-aborts-on-timeout"]);
      expect(bounded.verdict).toBe("violation");
      expect(bounded.counterexample?.finding.invariant).toBe(all.counterexample?.finding.invariant);
      expect(bounded.counterexample?.steps.length).toBeGreaterThanOrEqual(
        all.counterexample?.steps.length as number,
      );
    }
  });

  it("a timer left out of `timers` never fires", () => {
    const world = new World(
      exploreSetup(protocol("raft"), { clients: 0, timers: ["election"], faults: { timeouts: 3 } }).setup,
    );
    world.take(world.choices().find((step) => describeStep(step) === "fire n1 election") as never);
    for (const step of world.choices()) expect(describeStep(step)).not.toContain("heartbeat");
  });

  // Figure 8 on three nodes, by hand: four elections and one client write (with its redirect),
  // 24 choices. It shows that the bounds commit-previous-term declares still admit the bug.
  const figure8 = [
    "fire n1 election",
    "RequestVote n1 → n2",
    "RequestVoteReply n2 → n1",
    "invoke c1",
    "AppendEntries n1 → n3",
    "client-request c1 → n3",
    "client-reply n3 → c1",
    "client-request c1 → n1",
    "fire n2 election",
    "RequestVote n2 → n3",
    "RequestVoteReply n3 → n2",
    "client-request c1 → n2",
    "RequestVote n2 → n1",
    "fire n1 election",
    "RequestVote n1 → n3",
    "RequestVoteReply n3 → n1",
    "AppendEntries n1 → n3",
    "AppendEntriesReply n3 → n1",
    "AppendEntries n1 → n3",
    "AppendEntriesReply n3 → n1",
    "RequestVote n1 → n2",
    "fire n2 election",
    "RequestVote n2 → n3",
    "RequestVoteReply n3 → n2",
  ];

  it("ordered links and quiet timeouts admit Figure 8 with one client, and correct Raft survives the same schedule", () => {
    const options = { leaderNoop: false, preVote: false, checkQuorum: false };
    const bounds = {
      clients: 1,
      firstNodes: "guess" as const,
      faults: { timeouts: 4 },
      timers: ["election"],
      network: "ordered" as const,
      quietTimeouts: true,
      promptTimeouts: false,
      promptReplies: false,
    };
    const buggy = walk("raft", { bugs: ["commit-previous-term"], ...bounds }, figure8);
    expect(buggy.finding?.invariant).toBe("raft.leader-completeness");
    const correct = walk("raft", { options, ...bounds }, figure8.slice(0, -1));
    expect(correct.finding).toBeUndefined();
    const leader = correct.kernel.nodeObject("n1") as { commitIndex: number };
    expect(leader.commitIndex).toBe(0);
  });
});
