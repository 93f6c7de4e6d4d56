/**
 * The atomicity checker on its own: each rule of Bernstein, Hadzilacos and Goodman ch. 7 §7.3
 * (AC1–AC5) and the durability rules, fed paired good and bad observation sequences, and the
 * blocking figures computed from hand-written trace notes.
 */
import { describe, expect, test } from "vitest";
import {
  AtomicityTracker,
  atomicityRules,
  type CommitObservation,
  commitFigures,
  loggedBefore,
} from "../../sim/check/atomicity.js";
import type { TraceLine } from "../../sim/trace.js";

const durability = {
  preparedRecord: (tx: number) => `prepared ${tx}`,
  decisionRecord: (tx: number, decision: "commit" | "abort") =>
    decision === "commit" ? `commit ${tx}` : undefined,
};

/** Feeds steps `[site, observations, log]` in order; returns the rules that failed. */
function rulesBroken(
  steps: ReadonlyArray<readonly [string, CommitObservation[], string[]?]>,
  crashBefore = -1,
): string[] {
  const tracker = new AtomicityTracker(durability);
  const broken: string[] = [];
  steps.forEach(([site, observations, log], index) => {
    if (index === crashBefore) tracker.crash();
    for (const failure of tracker.observe(site, index, observations, log ?? [])) broken.push(failure.rule);
  });
  return broken;
}

const begin: CommitObservation = { kind: "begin", tx: 1, participants: ["n2", "n3"] };
const yes = (tx = 1): CommitObservation => ({ kind: "vote", tx, vote: "yes", logLength: 1 });
const no: CommitObservation = { kind: "vote", tx: 1, vote: "no", logLength: 1 };
const decide = (
  decision: "commit" | "abort",
  reason: "votes" | "message" | "timeout" = "votes",
  from?: string,
) =>
  ({ kind: "decide", tx: 1, decision, reason, ...(from === undefined ? {} : { from }) }) as CommitObservation;
const prepared = ["prepared 1 n2,n3 -1"];

describe("AC1–AC4 and the yes-voter rule", () => {
  test("a clean commit breaks nothing", () => {
    expect(
      rulesBroken([
        ["n1", [begin]],
        ["n2", [yes()], prepared],
        ["n3", [yes()], prepared],
        ["n1", [decide("commit")]],
        ["n2", [decide("commit", "message", "n1")]],
        ["n3", [decide("commit", "message", "n1")]],
      ]),
    ).toEqual([]);
  });

  test("AC1: two sites decide differently", () => {
    expect(
      rulesBroken([
        ["n1", [begin]],
        ["n2", [yes()], prepared],
        ["n3", [yes()], prepared],
        ["n1", [decide("commit")]],
        ["n3", [{ kind: "suspect", tx: 1 }, decide("abort", "message", "n2")]],
      ]),
    ).toContain(atomicityRules.agreement);
  });

  test("AC2: one site changes its mind", () => {
    expect(
      rulesBroken([
        ["n1", [begin]],
        ["n1", [decide("commit")]],
        ["n1", [decide("abort")]],
      ]),
    ).toContain(atomicityRules.irreversible);
  });

  test("AC3: commit with a No vote, or a missing vote", () => {
    expect(
      rulesBroken([
        ["n1", [begin]],
        ["n2", [yes()], prepared],
        ["n3", [no]],
        ["n1", [decide("commit")]],
      ]),
    ).toEqual([atomicityRules.commitNeedsAllYes]);
    expect(
      rulesBroken([
        ["n1", [begin]],
        ["n2", [yes()], prepared],
        ["n1", [decide("commit")]],
      ]),
    ).toEqual([atomicityRules.commitNeedsAllYes]);
  });

  test("AC4: abort with all Yes and no failure; not after a crash or a timeout", () => {
    const steps = [
      ["n1", [begin]],
      ["n2", [yes()], prepared],
      ["n3", [yes()], prepared],
      ["n1", [decide("abort")]],
    ] as const satisfies ReadonlyArray<readonly [string, CommitObservation[], string[]?]>;
    expect(rulesBroken(steps)).toEqual([atomicityRules.noFailureCommit]);
    expect(rulesBroken(steps, 3)).toEqual([]);
    expect(
      rulesBroken([...steps.slice(0, 3), ["n1", [{ kind: "suspect", tx: 1 }, decide("abort", "timeout")]]]),
    ).toEqual([]);
  });

  test("a Yes voter may abort only when told by a site that decided abort", () => {
    const before = [
      ["n1", [begin]],
      ["n2", [yes()], prepared],
      ["n3", [no]],
    ] as const satisfies ReadonlyArray<readonly [string, CommitObservation[], string[]?]>;
    expect(rulesBroken([...before, ["n2", [decide("abort", "timeout")]]])).toEqual([
      atomicityRules.yesVoterNotAlone,
    ]);
    expect(rulesBroken([...before, ["n2", [decide("abort", "message", "n1")]]])).toEqual([
      atomicityRules.yesVoterNotAlone,
    ]);
    expect(
      rulesBroken([...before, ["n1", [decide("abort")]], ["n2", [decide("abort", "message", "n1")]]]),
    ).toEqual([]);
  });

  test("a Yes vote binds: a site that forgot it and votes No, then aborts alone, is caught", () => {
    const forgot = (unilateral: CommitObservation) =>
      rulesBroken(
        [
          ["n1", [begin]],
          ["n2", [yes()], prepared],
          ["n3", [yes()], prepared],
          // n2 lost its unforced prepared record in a power loss and restarted.
          ["n2", [no, unilateral]],
        ],
        3,
      );
    expect(forgot(decide("abort", "timeout"))).toEqual([atomicityRules.yesVoterNotAlone]);
    // The same No vote from a site that never voted Yes is a No voter's abort.
    expect(
      rulesBroken([
        ["n1", [begin]],
        ["n3", [yes()], prepared],
        ["n2", [no, decide("abort", "timeout")]],
      ]),
    ).toEqual([]);
  });

  test("a decision about a retired transaction is still compared", () => {
    expect(
      rulesBroken([
        ["n1", [begin]],
        ["n2", [yes()], prepared],
        ["n3", [yes()], prepared],
        ["n1", [decide("commit")]],
        ["n2", [decide("commit", "message", "n1")]],
        ["n3", [decide("commit", "message", "n1")]],
        ["n1", [decide("abort")]],
      ]),
    ).toEqual([atomicityRules.agreement]);
  });
});

describe("durability rules", () => {
  test("a Yes vote needs the prepared record among the lines written before it", () => {
    expect(rulesBroken([["n2", [yes()], prepared]])).toEqual([]);
    expect(rulesBroken([["n2", [{ kind: "vote", tx: 1, vote: "yes", logLength: 0 }], prepared]])).toEqual([
      atomicityRules.preparedDurable,
    ]);
  });

  test("COMMIT needs the commit record first; presumed abort sends ABORT without one", () => {
    const send = (decision: "commit" | "abort", logLength: number): CommitObservation => ({
      kind: "send-decision",
      tx: 1,
      decision,
      to: "n2",
      logLength,
    });
    expect(rulesBroken([["n1", [send("commit", 1)], ["commit 1 n2,n3"]]])).toEqual([]);
    expect(rulesBroken([["n1", [send("commit", 0)], ["commit 1 n2,n3"]]])).toEqual([
      atomicityRules.decisionDurable,
    ]);
    expect(rulesBroken([["n1", [send("abort", 0)], []]])).toEqual([]);
  });

  test("loggedBefore matches whole record keys only", () => {
    expect(loggedBefore(["commit 12 n2"], "commit 1", 1)).toBe(false);
    expect(loggedBefore(["commit 12 n2"], "commit 12", 1)).toBe(true);
    expect(loggedBefore(["commit 12"], "commit 12", 0)).toBe(false);
  });
});

describe("AC5 at the end of a run", () => {
  test("an up Yes voter without a decision fails; a down one or a recent transaction does not", () => {
    const tracker = new AtomicityTracker(durability);
    tracker.observe("n1", 0, [begin], []);
    tracker.observe("n2", 1, [yes()], prepared);
    expect(tracker.checkTermination(10_000_000, 1_000_000, () => true)?.rule).toBe(
      atomicityRules.termination,
    );
    expect(tracker.checkTermination(10_000_000, 1_000_000, (site) => site !== "n2")).toBeUndefined();
    expect(tracker.checkTermination(500_000, 1_000_000, () => true)).toBeUndefined();
  });
});

describe("blocking figures", () => {
  const note = (t: number, node: string, label: string, data: Record<string, unknown>): TraceLine => ({
    kind: "note",
    t,
    e: 0,
    node,
    label,
    data,
  });

  test("uncertainty runs from the Yes vote to the decision, or to the end when still blocked", () => {
    const figures = commitFigures([
      note(0, "n1", "begin", { tx: 1, participants: ["n2", "n3"] }),
      note(1_000, "n2", "uncertain", { tx: 1 }),
      note(1_000, "n3", "uncertain", { tx: 1 }),
      { kind: "crash", t: 2_000, e: 1, node: "n1" },
      note(5_000_000, "n2", "decided", { tx: 1, decision: "abort" }),
      { kind: "end", t: 6_000_000, e: 9, events: 9, traceHash: "" },
    ]);
    expect(figures.transactions).toBe(1);
    expect(figures.aborted).toBe(1);
    expect(figures.perTransaction).toEqual([
      { tx: 1, participant: "n2", uncertainUs: 4_999_000, blockedAtEnd: false },
      { tx: 1, participant: "n3", uncertainUs: 5_999_000, blockedAtEnd: true },
    ]);
    expect(figures.blockedAtEnd).toBe(true);
    expect(figures.blockedParticipantsAtEnd).toBe(1);
    expect(figures.maxUncertainUs).toBe(5_999_000);
  });

  test("counts a transaction its sites decided both ways as split, neither committed nor aborted", () => {
    const figures = commitFigures([
      note(0, "n1", "begin", { tx: 1, participants: ["n2", "n3"] }),
      note(0, "n1", "begin", { tx: 2, participants: ["n2", "n3"] }),
      note(1_000, "n2", "decided", { tx: 1, decision: "commit" }),
      note(2_000, "n3", "decided", { tx: 1, decision: "abort" }),
      note(3_000, "n1", "decided", { tx: 1, decision: "commit" }),
      note(4_000, "n2", "decided", { tx: 2, decision: "commit" }),
      note(5_000, "n3", "decided", { tx: 2, decision: "commit" }),
      { kind: "end", t: 6_000, e: 9, events: 9, traceHash: "" },
    ]);
    expect(figures).toMatchObject({ transactions: 2, committed: 1, aborted: 0, split: 1, undecided: 0 });
  });
});
