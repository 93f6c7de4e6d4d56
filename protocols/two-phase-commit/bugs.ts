/**
 * Deliberate bugs of two-phase commit, for teaching and for testing the atomicity checker. Each
 * is a small, clearly marked branch in coordinator.ts or participant.ts (search for `BUG(`).
 */
import type { DeliberateBug } from "../../sim/node.js";

export const twoPhaseBugNames = [
  "commit-on-vote-timeout",
  "ready-aborts-on-timeout",
  "send-before-log",
  "unforced-vote",
] as const;

export type TwoPhaseBugName = (typeof twoPhaseBugNames)[number];

export const twoPhaseBugs: readonly DeliberateBug[] = [
  {
    name: "commit-on-vote-timeout",
    id: "M18",
    change:
      "The coordinator commits, instead of aborting, when the votes are not all in by the vote timeout.",
    breaks: ["commit.ac3-commit-needs-all-yes", "commit.ac1-agreement"],
    source: "Bernstein, Hadzilacos, Goodman 1987, ch. 7 §7.3 (the coordinator's timeout action is Abort)",
  },
  {
    name: "ready-aborts-on-timeout",
    id: "M19",
    change: "A prepared (READY) participant aborts on its own when the decision does not come in time.",
    breaks: ["commit.yes-voter-not-alone", "commit.ac1-agreement"],
    source:
      "Bernstein, Hadzilacos, Goodman 1987, ch. 7 §7.3 (an uncertain participant must block); redpanda-data/redpanda#1572",
  },
  {
    name: "send-before-log",
    id: "M20",
    change:
      "The coordinator sends COMMIT first and writes the commit record a moment later (an asynchronous flush); " +
      "under presumed abort a crash in between turns the commit into an abort.",
    breaks: ["commit.decision-durable-before-send", "commit.ac1-agreement", "commit.ac2-irreversible"],
    source: "Mohan, Lindsay, Obermarck 1986 (presumed abort); atomix/atomix#360",
  },
  {
    name: "unforced-vote",
    id: "M28",
    change:
      "A participant writes its prepared record but sends YES before forcing it to disk; a power loss " +
      "forgets the vote, and the restarted participant aborts a transaction the coordinator commits.",
    breaks: ["commit.ac1-agreement", "commit.yes-voter-not-alone"],
    source:
      "Gray 1978 and Mohan, Lindsay, Obermarck 1986 (a participant force-writes its prepared record before voting YES)",
    // A participant must lose its unforced vote in a power loss: one crash. In every order of
    // messages the schedule takes 7 steps, against 10 with the protocol's ordered links.
    explore: { faults: { crash: 1 }, network: "unordered", quietTimeouts: false },
  },
];
