/**
 * Deliberate bugs of three-phase commit, for teaching and for testing the atomicity checker. Each
 * is a small, clearly marked branch in the node code (search for `BUG(`).
 */
import type { DeliberateBug } from "../../sim/node.js";

export const threePhaseBugNames = ["wait-commits-on-timeout"] as const;

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
];
