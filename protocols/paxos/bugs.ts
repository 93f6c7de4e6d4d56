/**
 * Deliberate bugs single-decree Paxos can be switched into (`options.bugs`), for teaching and for
 * testing the checkers. Each is one small branch in node.ts, marked `BUG(<name>)`. Ids follow the
 * mutation catalogue (section 4 of the reference).
 */
import type { DeliberateBug } from "../../sim/node.js";

export const paxosBugs = [
  {
    name: "promise-omits-accepted",
    id: "M11",
    change: "An acceptor's promise leaves out the proposal it already accepted (na, va).",
    breaks: ["paxos.p2c-justified", "paxos.agreement"],
    source: "Paxos Made Simple §2.2 (phase 1b reports the highest-numbered proposal accepted)",
    kind: "safety",
  },
  {
    name: "adopt-first-value",
    id: "M12",
    change:
      "The proposer adopts the value of the first promise that reports one, not the highest-ballot one.",
    breaks: ["paxos.p2c-justified", "paxos.agreement"],
    source: "Paxos Made Simple §2.2, P2c (v is the value of the highest-numbered proposal reported)",
    kind: "safety",
    // Three ballots: n1's first value accepted by n1 alone; n2's ballot chosen by n2 and n3 while
    // n1 is down (a prompt prepare would reach n1 and report n1's value); n1, restarted, adopts
    // its own older value, the first one reported. A firing's prepares and their promises
    // arrive at once, so a ballot is one choice: 5 choices (16 steps) with a crash and three
    // timeouts. Messages stay in flight when a timer fires (no quiet timeouts): nothing is lost
    // that the schedule does not need lost (docs/exploring.md, "Bounds").
    explore: {
      faults: { crash: 1, timeouts: 3 },
      network: "fifo",
      quietTimeouts: false,
      promptTimeouts: true,
      promptReplies: true,
    },
  },
  {
    name: "accept-checks-accepted-ballot",
    id: "M13",
    change: "An acceptor accepts ballot n when n ≥ its accepted ballot, ignoring a higher promise.",
    breaks: ["paxos.p1-promise-respected", "paxos.p2c-justified", "paxos.agreement"],
    source: "Paxos Made Simple §2.2, P1a (accept n unless a prepare above n was answered)",
    kind: "safety",
  },
  {
    name: "volatile-acceptor",
    id: "M14",
    change: "Acceptors keep their promise and accepted proposal only in memory, so a restart forgets them.",
    breaks: ["paxos.promise-monotone", "paxos.p2c-justified", "paxos.agreement"],
    source: "Paxos Made Simple §2.5 (acceptors record what they must remember in stable storage)",
    kind: "safety",
    // It shows only when an acceptor restarts after a promise: one crash, in Paxos's own bounds.
    explore: { faults: { crash: 1 } },
  },
  {
    name: "unsynced-acceptor",
    id: "M29",
    change:
      "An acceptor writes its promise and accepted proposal to storage but answers before syncing them, so a power loss forgets both.",
    breaks: ["paxos.promise-monotone", "paxos.p2c-justified", "paxos.agreement"],
    source: "Paxos Made Simple §2.5 (an acceptor records its response in stable storage before sending it)",
    kind: "safety",
    // It shows only when a power loss takes an answered promise back: one crash that loses unsynced
    // writes, in Paxos's own bounds.
    explore: { faults: { crash: 1 } },
  },
  {
    name: "reuse-ballots",
    id: "M15",
    change: "A proposer does not persist its ballot round, so after a restart it reuses old ballots.",
    breaks: ["paxos.ballot-unique", "paxos.agreement"],
    source: "Paxos Made Simple §2.5 (a proposer remembers the highest-numbered proposal it tried)",
    kind: "safety",
    // A proposer must restart and start a ballot again; in every order of messages its shortest
    // schedule takes 4 steps, against 6 with Paxos's ordered links and quiet timeouts.
    explore: { faults: { crash: 1 }, network: "unordered", quietTimeouts: false },
  },
  {
    name: "count-stale-promises",
    id: "M16",
    change: "A proposer counts promises for its earlier ballots toward the quorum of its current one.",
    breaks: ["paxos.p2c-justified", "paxos.agreement"],
    source: "Paxos Made Simple §2.2 (the phase 2a request needs promises for that same ballot)",
    kind: "safety",
    // A promise for an earlier ballot must arrive after the proposer moved on: with ordered links
    // and quiet timeouts it never does, so every order is explored, with one crash.
    explore: { faults: { crash: 1 }, network: "unordered", quietTimeouts: false },
  },
  {
    name: "learner-counts-across-ballots",
    id: "M17",
    change: "A learner counts accepted messages per value across ballots, not per ballot.",
    breaks: ["paxos.learner-integrity"],
    source: "Paxos Made Simple §2.3 (a value is chosen when a majority accepted the same proposal)",
    kind: "safety",
  },
] as const satisfies readonly DeliberateBug[];

export type PaxosBugName = (typeof paxosBugs)[number]["name"];

export const paxosBugNames: readonly PaxosBugName[] = paxosBugs.map((bug) => bug.name);
