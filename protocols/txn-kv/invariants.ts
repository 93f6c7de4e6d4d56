/**
 * Invariants of the transactional store.
 *
 * | invariant | statement | source |
 * |---|---|---|
 * | `txn.atomic` | no transaction commits in one group and aborts in another | Gray & Lamport 2006 §2 (the consistency requirement of transaction commit) |
 * | `txn.strict-serializable` | the client history of list-append transactions has no anomaly strict serializability prohibits | Adya 1999; Elle (Kingsbury & Alvaro, VLDB 2020); checked at the end of a run by sim/check/txn |
 *
 * The second is the run's history check (the protocol's client model is `list-append`); the first
 * is a monitor over each replica's applied outcomes.
 */
import type { Invariant } from "../../sim/node.js";
import { ReadPositions } from "../shared/read-positions.js";
import type { OutcomeAudit } from "./machine.js";
import type { TxnKvNode } from "./node.js";

export const txnAtomic: Invariant<TxnKvNode> = {
  name: "txn.atomic",
  statement: "no transaction commits in one participant group and aborts in another",
  source: "Gray & Lamport, 'Consensus on Transaction Commit', 2006 §2",
  kind: "safety",
  create: () => {
    const outcomes = new Map<string, { group: string; commit: boolean }>();
    // A node's state machine, and its audit, is replaced when it installs a snapshot or restarts.
    const positions = new ReadPositions<OutcomeAudit>();
    return {
      state: { outcomes, positions },
      afterStep: (step) => {
        const node = step.node(step.actor);
        if (node === undefined) return undefined;
        const audit = node.machine.audit;
        for (let at = positions.unreadFrom(step.actor, audit); at < audit.length; at++) {
          const outcome = audit[at]!;
          const earlier = outcomes.get(outcome.txn);
          if (earlier === undefined) {
            outcomes.set(outcome.txn, { group: outcome.group, commit: outcome.commit });
          } else if (earlier.commit !== outcome.commit) {
            const verb = (commit: boolean) => (commit ? "committed" : "aborted");
            return {
              message: `transaction ${outcome.txn} ${verb(earlier.commit)} in ${earlier.group} but ${verb(outcome.commit)} in ${outcome.group}`,
              witnesses: {
                txn: outcome.txn,
                first: earlier,
                second: { group: outcome.group, commit: outcome.commit },
              },
            };
          }
        }
        return undefined;
      },
    };
  },
};

export const txnInvariants: readonly Invariant<TxnKvNode>[] = [txnAtomic];
