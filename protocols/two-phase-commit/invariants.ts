/**
 * Two-phase commit's invariants: the atomic-commitment properties AC1–AC5 of Bernstein,
 * Hadzilacos and Goodman (ch. 7 §7.3) and the durability rules of §7.4, checked by the shared
 * atomicity tracker (sim/check/atomicity.ts) over each site's observations and durable log.
 *
 * Durability under presumed abort: a Yes vote needs `prepared <tx>` in the log first; COMMIT
 * needs `commit <tx>` first; ABORT needs nothing, since a missing record means abort.
 */
import { atomicityInvariants } from "../../sim/check/atomicity.js";
import type { Invariant } from "../../sim/node.js";
import { logKey, type Site } from "./site.js";

/** Transactions begun in the last second of a run are not required to have terminated (AC5). */
export const settleUs = 1_000_000;

export const twoPhaseInvariants: readonly Invariant<Site>[] = atomicityInvariants<Site>({
  observations: (node) => node.observations,
  logKey,
  durability: {
    preparedRecord: (tx) => `prepared ${tx}`,
    decisionRecord: (tx, decision) => (decision === "commit" ? `commit ${tx}` : undefined),
  },
  settleUs,
});
