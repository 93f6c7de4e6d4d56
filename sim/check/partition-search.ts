/**
 * Chooses the search for one partition: the sweep for reads and blind writes
 * (./read-write-sweep.ts) when the partition is made of them, else the general search
 * (./search.ts).
 */
import type { Operation } from "../history.js";
import type { AnyModel } from "./model.js";
import { startReadWriteSweep } from "./read-write-sweep.js";
import { type Budget, type PartitionSearch, type SearchOutcome, startSearch } from "./search.js";

/** Prepares the search for one partition (see `startSearch` for the contract). */
export function startPartitionSearch(
  operations: readonly Operation[],
  model: AnyModel,
  recordDeepest: boolean,
): PartitionSearch {
  return startReadWriteSweep(operations, model) ?? startSearch(operations, model, recordDeepest);
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
