/**
 * Deliberate bugs of three-phase commit, for teaching and for testing the atomicity checker. Each
 * is a small, clearly marked branch in the node code (search for `BUG(`).
 */
import type { DeliberateBug } from "../../sim/node.js";

export const threePhaseBugNames = ["wait-commits-on-timeout", "unforced-vote"] as const;

export type ThreePhaseBugName = (typeof threePhaseBugNames)[number];

export const threePhaseBugs: readonly DeliberateBug[] = [
  {
    name: "wait-commits-on-timeout",
    id: "M21",
    change:
      "A participant in WAIT that times out commits on its own instead of running the termination protocol.",
    breaks: ["commit.ac1-agreement", "commit.ac3-commit-needs-all-yes"],
    source:
      "Skeen 1981, §4 (a site in WAIT has an Abort in its concurrency set: its timeout action must be Abort or termination)",
  },
  {
    name: "unforced-vote",
    id: "M30",
    change:
      "A participant writes its prepared record but sends YES before forcing it to disk; a power loss " +
      "forgets the vote, and when the termination protocol asks, the restarted participant believes it " +
      "never voted and aborts on its own.",
    breaks: ["commit.yes-voter-not-alone", "commit.ac1-agreement"],
    source:
      "Skeen 1981 (a site writes its state to stable storage before it sends the message that reports it); " +
      "Gray 1978 (force-write before voting Yes)",
    fuzz: { nodes: [3, 3] },
    // A participant must lose its unforced vote in a power loss: one crash (7 steps breadth first;
    // without it, three-phase commit's timeouts break agreement in 9, not the bug's way).
    explore: { faults: { crash: 1, timeouts: 2 } },
  },
];
