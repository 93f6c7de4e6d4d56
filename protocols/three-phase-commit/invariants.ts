/**
 * Three-phase commit's invariants: AC1–AC5 of Bernstein, Hadzilacos and Goodman (ch. 7 §7.3) and
 * the durability rules, checked by the shared atomicity tracker (sim/check/atomicity.ts).
 *
 * Three-phase commit presumes nothing: a Yes vote needs `prepared <tx>` in the log first, and
 * every decision (Commit or Abort) needs its record before it is sent.
 *
 * Skeen's protocol is expected to break AC1 under a network partition: it is non-blocking only
 * for site failures (Skeen and Stonebraker 1983, §5). That is the protocol's known limit, not a
 * bug; the quorum variant keeps AC1 there.
 */
import { atomicityInvariants } from "../../sim/check/atomicity.js";
import type { Invariant } from "../../sim/node.js";
import { logKey, type Site } from "./site.js";

/** Transactions begun in the last two seconds of a run are not required to have terminated (AC5). */
export const settleUs = 2_000_000;

export const threePhaseInvariants: readonly Invariant<Site>[] = atomicityInvariants<Site>({
  observations: (node) => node.observations,
  logKey,
  durability: {
    preparedRecord: (tx) => `prepared ${tx}`,
    decisionRecord: (tx, decision) => `${decision} ${tx}`,
  },
  settleUs,
});
