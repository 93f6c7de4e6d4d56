/**
 * Goal: the schedule `quorumlab explore` prints marks each drop its bounds implied (a quiet
 * timeout, an ordered link), which the `drop` budget in its header does not count, and only those.
 * Method: explorations in process with a drop budget of 0, where every drop is implied; schedules
 * written by hand with a budget drop beside implied ones; and the command's listing.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { protocols } from "../../protocols/index.js";
import { impliedDrops } from "../../sim/explore/schedule.js";
import { explore } from "../../sim/explore/search.js";
import { type ExploreInput, exploreSetup } from "../../sim/explore/settings.js";
import type { Protocol } from "../../sim/node.js";
import { parseScenario } from "../../sim/scenario/load.js";
import type { ScheduleStep } from "../../sim/scenario/schema.js";
import { quorumlab } from "../support/quorumlab.js";

const out = mkdtempSync(join(tmpdir(), "quorumlab-implied-drops-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const drop = (id: number, from: string, to: string): ScheduleStep => ({
  kind: "drop",
  id,
  from,
  to,
  type: "m",
});
const deliver = (id: number, from: string, to: string): ScheduleStep => ({
  kind: "deliver",
  id,
  from,
  to,
  type: "m",
});

/** The schedule an exploration of `protocol` within `input` finds. */
function explored(protocol: string, input: ExploreInput) {
  const { setup } = exploreSetup(protocols.get(protocol) as Protocol, input);
  const result = explore(setup, {
    strategy: "bfs",
    depthMax: Number.POSITIVE_INFINITY,
    timeMs: 30_000,
    statesMax: 200_000,
    now: () => 0,
  });
  const steps = result.counterexample?.steps ?? [];
  return { setup, steps };
}

describe("implied drops", () => {
  it.each([
    ["two-phase-commit", { bugs: ["ready-aborts-on-timeout"] }, "quiet timeout"],
    ["paxos", { bugs: ["promise-omits-accepted"], quietTimeouts: false, network: "ordered" }, "ordered link"],
    ["primary-backup", { bugs: ["ack-before-backup"] }, "quiet timeout"],
  ] as const)(
    "%s %j with no drop budget: every drop is implied, by the step after the drops",
    (protocol, input, bound) => {
      const { setup, steps } = explored(protocol, input);
      expect(setup.budget.drop ?? 0).toBe(0);
      const drops = steps.flatMap((step, index) => (step.kind === "drop" ? [index] : []));
      expect(drops.length).toBeGreaterThan(0);
      const implied = impliedDrops(steps, setup);
      expect([...implied.keys()].sort((a, b) => a - b)).toEqual(drops);
      for (const [index, why] of implied) {
        expect(why.by).toBeGreaterThan(index);
        expect(steps.slice(index, why.by).every((step) => step.kind === "drop")).toBe(true);
      }
      expect([...implied.values()].map((why) => why.bound)).toContain(bound);
    },
  );

  it("leaves a budget drop unmarked: on another link than the delivery, or before a step no bound ties to drops", () => {
    const fire: ScheduleStep = { kind: "fire", node: "n1", timer: "t" };
    const steps = [
      fire,
      drop(0, "n1", "n2"),
      drop(1, "n1", "n3"),
      deliver(2, "n1", "n3"),
      drop(3, "n3", "n1"),
    ];
    expect(impliedDrops(steps, { network: "ordered" })).toEqual(
      new Map([[2, { bound: "ordered link", by: 3 }]]),
    );
    // Without ordered links the delivery implies nothing; a later message on the link neither.
    expect(impliedDrops(steps, { network: "fifo" }).size).toBe(0);
    expect(impliedDrops([drop(5, "n1", "n3"), deliver(2, "n1", "n3")], { network: "ordered" }).size).toBe(0);
    // A quiet timeout: a firing or a retry loses every message in flight; an invocation none.
    const retry: ScheduleStep = { kind: "retry", client: "c1" };
    expect(impliedDrops([drop(0, "n1", "n2"), drop(1, "n2", "n3"), retry], { quietTimeouts: true })).toEqual(
      new Map([
        [0, { bound: "quiet timeout", by: 2 }],
        [1, { bound: "quiet timeout", by: 2 }],
      ]),
    );
    const invoke: ScheduleStep = { kind: "invoke", client: "c1", f: "read", key: "x", value: null };
    expect(impliedDrops([drop(0, "n1", "n2"), invoke], { quietTimeouts: true }).size).toBe(0);
    expect(impliedDrops([drop(0, "n1", "n2"), fire], { quietTimeouts: false }).size).toBe(0);
  });

  it("explore's listing marks them, under a header whose drop budget is 0", () => {
    const result = quorumlab("explore", "two-phase-commit", "--bug", "ready-aborts-on-timeout", "--out", out);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("faults drop=0,");
    const listing = result.stdout.split("\n").filter((line) => /^ +\d+ {2}/.test(line));
    expect(listing).toEqual([
      "    1  fire n1 begin",
      "    2  deliver prepare n1 → n2 (#0)",
      "    3  drop prepare n1 → n3 (#1)  (implied: lost to step 6's quiet timeout)",
      "    4  drop prepare n1 → n4 (#2)  (implied: lost to step 6's quiet timeout)",
      "    5  drop vote-yes n2 → n1 (#3)  (implied: lost to step 6's quiet timeout)",
      "    6  fire n2 timeout",
    ]);
  });

  it("the saved file marks them in comments on their schedule lines, leaving the description and the trace as they were", () => {
    const folder = join(out, "saved");
    const result = quorumlab(
      "explore",
      "paxos",
      "--bug",
      "promise-omits-accepted",
      "--network",
      "ordered",
      "--no-quiet-timeouts",
      "--out",
      folder,
    );
    expect(result.code).toBe(1);
    const file = /^saved {3}(\S+)/m.exec(result.stdout)?.[1] ?? "";
    const text = readFileSync(file, "utf8");
    expect(text).toContain(
      "# A drop marked `implied` was lost to the exploration's bounds, not taken from its drop budget.",
    );
    expect(text.split("\n").filter((line) => line.startsWith("  - {"))).toEqual([
      "  - {fire: {node: n1, timer: propose}}",
      "  - {fire: {node: n2, timer: propose}}",
      "  - {deliver: {id: 1, from: n1, to: n3, type: prepare}}",
      "  - {deliver: {id: 4, from: n3, to: n1, type: promise}}",
      "  - {deliver: {id: 2, from: n2, to: n1, type: prepare}}",
      "  - {drop: {id: 0, from: n1, to: n2, type: prepare}} # implied: lost to step 9's ordered link",
      "  - {drop: {id: 5, from: n1, to: n2, type: accepted}} # implied: lost to step 9's ordered link",
      "  - {drop: {id: 7, from: n1, to: n2, type: accept}} # implied: lost to step 9's ordered link",
      "  - {deliver: {id: 9, from: n1, to: n2, type: promise}}",
    ]);
    // The description is in the trace's header: it numbers the steps the comments name, unmarked.
    const scenario = parseScenario(text, file);
    expect(scenario.description).toContain("   6. drop prepare n1 → n2 (#0)\n");
    expect(scenario.description).not.toContain("implied");
    expect(result.stdout).toMatch(/^trace {3}8fc6d12852ef47ea$/m);
  });
});
