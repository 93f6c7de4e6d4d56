/**
 * Chooses the search for one partition: first a quick witness (./quick-linearization.ts: the
 * completed operations in return order, with local repairs), which decides most histories at
 * the cost of a pass over them; then the sweep for reads and blind writes (./read-write-sweep.ts)
 * when the partition is made of them, else the general search (./search.ts).
 *
 * Why the witness comes first: a first check in a fresh process runs in V8's interpreter, and
 * setting up the general search (its entry list, state tables and cache) cost about as much as
 * the search itself on the small compare-and-set histories of the hard benchmark.
 */
import type { Operation } from "../history.js";
import type { AnyModel } from "./model.js";
import { quickLinearization } from "./quick-linearization.js";
import { startReadWriteSweep } from "./read-write-sweep.js";
import { type Budget, type PartitionSearch, type SearchOutcome, startSearch } from "./search.js";

/** Prepares the search for one partition (see `startSearch` for the contract). */
export function startPartitionSearch(
  operations: readonly Operation[],
  model: AnyModel,
  recordDeepest: boolean,
): PartitionSearch {
  const witness = quickLinearization(operations, model);
  if (witness !== undefined) return witnessedSearch(witness);
  return startSearchAfterWitness(operations, model, recordDeepest);
}

/** The search for a partition that has no quick witness: the sweep when it applies, else the general search. */
export function startSearchAfterWitness(
  operations: readonly Operation[],
  model: AnyModel,
  recordDeepest: boolean,
): PartitionSearch {
  return startReadWriteSweep(operations, model) ?? startSearch(operations, model, recordDeepest);
}

/** A search already decided by a quick witness (positions in the partition, in order). */
export function witnessedSearch(witness: readonly number[]): PartitionSearch {
  const outcome: SearchOutcome = { kind: "linearizable", linearization: witness };
  return {
    run: () => outcome,
    cacheEntries: 0,
    memoryBytes: 0,
    depthMax: witness.length,
  };
}

/** Runs a whole search for one partition within a budget. */
export function searchPartition(
  operations: readonly Operation[],
  model: AnyModel,
  budget: Budget,
  recordDeepest: boolean,
): SearchOutcome {
  return startPartitionSearch(operations, model, recordDeepest).run(budget, Infinity) ?? { kind: "unknown" };
}
