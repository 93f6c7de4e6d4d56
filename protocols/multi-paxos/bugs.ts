/**
 * Deliberate bugs Multi-Paxos can be switched into (`options.bugs`). Each is one small branch in
 * node.ts, marked `BUG(<name>)`. They are the per-slot forms of the single-decree bugs with the
 * same catalogue ids (section 4 of the reference).
 */
import type { DeliberateBug } from "../../sim/node.js";

export const multiPaxosBugs = [
  {
    name: "promise-omits-accepted",
    id: "M11",
    change: "A promise reports no accepted slots, so a new leader fills every open slot with its own choice.",
    breaks: ["multi-paxos.slot-agreement", "multi-paxos.executed-prefix", "kv.linearizable"],
    source: "Paxos Made Simple §3 (a new leader learns every slot's accepted proposal in phase 1)",
    kind: "safety",
    // A leader gets one client's command chosen, a second leader another's into the same slot:
    // two clients writing first to different nodes, and three timeouts. A firing's messages and
    // every reply arriving at once make a phase one choice: 7 choices (31 steps), found breadth
    // first (docs/exploring.md, "Bounds").
    explore: {
      clients: 2,
      firstNodes: "spread",
      faults: { timeouts: 3 },
      network: "fifo",
      quietTimeouts: true,
      promptTimeouts: true,
      promptReplies: true,
    },
  },
  {
    name: "adopt-first-value",
    id: "M12",
    change: "A new leader adopts, per slot, the first reported proposal rather than the highest-ballot one.",
    breaks: ["multi-paxos.slot-agreement", "multi-paxos.executed-prefix", "kv.linearizable"],
    source: "Paxos Made Simple §2.2, P2c, applied per slot (§3)",
    kind: "safety",
    // Three leaders: n3 accepts c2's write in slot 1 alone; n1 leads with n2 (its quorum is full
    // before n3's promise arrives) and gets c1's write chosen there; n3 leads again and adopts its
    // own older proposal, the first one reported. Two clients writing first to different nodes,
    // three elections, a firing's messages and every reply arriving at once: 10 choices
    // (35 steps), searched breadth first over cells, where a node's durable storage (its accepted
    // slots) is part of its cell (docs/exploring.md, "Bounds" and "Strategies").
    explore: {
      clients: 2,
      firstNodes: "spread",
      faults: { timeouts: 3 },
      timers: ["election"],
      network: "fifo",
      quietTimeouts: true,
      promptTimeouts: true,
      promptReplies: true,
      strategy: "cells",
    },
  },
  {
    name: "volatile-acceptor",
    id: "M14",
    change: "Acceptors keep promises and accepted slots only in memory, so a restart forgets them.",
    breaks: [
      "multi-paxos.promise-monotone",
      "multi-paxos.slot-agreement",
      "multi-paxos.executed-prefix",
      "kv.linearizable",
    ],
    source: "Paxos Made Simple §2.5 (acceptors use stable storage)",
    kind: "safety",
    // It shows only when an acceptor restarts after a promise: one crash, no client needed.
    explore: { clients: 0, faults: { crash: 1, timeouts: 2 } },
  },
  {
    name: "unsynced-accept",
    id: "M27",
    change:
      "An acceptor writes an accepted slot to storage but answers before syncing it, so a power loss forgets it.",
    breaks: ["multi-paxos.slot-agreement", "multi-paxos.executed-prefix", "kv.linearizable"],
    source: "Paxos Made Simple §2.5 (acceptors remember what they accepted in stable storage)",
    kind: "safety",
    // n1 leads and gets c1's write accepted by n3 (chosen), then loses power: its own acceptance
    // was never synced. n2 leads with n1 (its quorum is full before n3's promise arrives), hears
    // of no proposal in slot 1 and gets c2's write chosen there. A firing's messages and every
    // reply arriving at once: 9 choices (25 steps), searched breadth first over cells
    // (docs/exploring.md, "Bounds" and "Strategies").
    explore: {
      clients: 2,
      firstNodes: "spread",
      faults: { crash: 1, timeouts: 2 },
      timers: ["election"],
      network: "fifo",
      quietTimeouts: true,
      promptTimeouts: true,
      promptReplies: true,
      strategy: "cells",
    },
  },
  {
    name: "execute-duplicates",
    change:
      "Replicas execute every command in the log, ignoring client sessions, so a retried write applies twice.",
    breaks: ["multi-paxos.exactly-once"],
    source: "Raft thesis §6.3 and Paxos Made Live §5 (client sessions make retries exactly-once)",
    kind: "safety",
    // c1's write goes first to n3, which does not lead; c1 retries at n1 as n1 is elected, and
    // n3's redirect sends the write to n1 once more: n1, by the bug, executes it twice. One
    // client, two firings, FIFO links and every reply arriving at once: 13 steps, found breadth
    // first (docs/exploring.md, "Bounds").
    explore: {
      faults: { timeouts: 2 },
      network: "fifo",
      promptReplies: true,
    },
  },
] as const satisfies readonly DeliberateBug[];

export type MultiPaxosBugName = (typeof multiPaxosBugs)[number]["name"];

export const multiPaxosBugNames: readonly MultiPaxosBugName[] = multiPaxosBugs.map((bug) => bug.name);
