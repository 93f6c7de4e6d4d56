/**
 * Deliberate bugs of the transactional store (`options.bugs`). Each is one small branch marked
 * `BUG(<name>)` in machine.ts or node.ts, and each names the invariant that catches it.
 */
import type { DeliberateBug } from "../../sim/node.js";

export const txnBugs = [
  {
    name: "read-without-lock",
    change:
      "A participant reads keys without taking their locks (only keys it appends to are locked), so two transactions can each read what the other is about to change: write skew.",
    breaks: ["txn.strict-serializable"],
    source:
      "Berenson et al., 'A Critique of ANSI SQL Isolation Levels', SIGMOD 1995 (A5B write skew); Adya 1999 §4.4.3 (G2-item)",
    kind: "safety",
  },
  {
    name: "release-before-commit-replicated",
    change:
      "The coordinator's leader tells participants to commit (so they apply and release their locks) and answers the client as soon as the votes are in, before its commit record is replicated; a new leader that never saw the record aborts.",
    breaks: ["txn.atomic", "txn.strict-serializable"],
    source:
      "Corbett et al., 'Spanner', OSDI 2012 §4.2.1 (the coordinator logs the commit record through Paxos before participants release locks); Gray & Lamport 2006 §3",
    kind: "safety",
  },
  {
    name: "forget-decision",
    change:
      "The coordinator keeps its decision only in its leader's memory, never in the group's log; after a leader change the new leader presumes abort for a transaction some participants already committed.",
    breaks: ["txn.atomic", "txn.strict-serializable"],
    source:
      "Gray & Lamport, 'Consensus on Transaction Commit', 2006 §2 (the coordinator must remember its decision); Percolator, OSDI 2010 §2.2 (the primary lock is the commit point)",
    kind: "safety",
  },
  {
    name: "commit-unprepared",
    change:
      "A participant's leader votes yes as soon as a Prepare arrives, before its prepare record (locks and reads) is in the group's log, and a participant told to commit a transaction it has no record of applies its appends anyway; after a leader change the new leader commits a transaction it never prepared, without its locks.",
    breaks: ["txn.atomic", "txn.strict-serializable"],
    source:
      "Gray & Lamport 2006 §2 (a participant may vote Prepared only once its prepare is stable); Spanner, OSDI 2012 §4.2.1 (the prepare record is logged through Paxos before the vote)",
    kind: "safety",
  },
] as const satisfies readonly DeliberateBug[];

export type TxnBugName = (typeof txnBugs)[number]["name"];

export const txnBugNames: readonly TxnBugName[] = txnBugs.map((bug) => bug.name);
