/**
 * Anomalies the transactional checker reports, named as Elle names them (Kingsbury & Alvaro,
 * "Elle: Inferring Isolation Anomalies from Experimental Observations", VLDB 2020) after Adya's
 * phenomena (Adya, "Weak Consistency: A Generalized Theory and Optimistic Implementations for
 * Distributed Transactions", MIT PhD thesis, 1999, §4.4 and §4.5).
 */
import type { Scalar } from "./history.js";

/** Anomalies found as cycles in the dependency graph. */
export const cycleAnomalyNames = [
  "G0",
  "G1c",
  "G-single",
  "G2-item",
  "G0-process",
  "G1c-process",
  "G-single-process",
  "G2-item-process",
  "G0-realtime",
  "G1c-realtime",
  "G-single-realtime",
  "G2-item-realtime",
] as const;
export type CycleAnomalyName = (typeof cycleAnomalyNames)[number];

/** Anomalies found without a cycle, from single reads or transactions. */
export const readAnomalyNames = [
  "G1a",
  "G1b",
  "internal",
  "duplicate-elements",
  "incompatible-order",
  "garbage-read",
  "lost-update",
] as const;
export type ReadAnomalyName = (typeof readAnomalyNames)[number];

export type AnomalyName = CycleAnomalyName | ReadAnomalyName;

/** One edge of an explained cycle. */
export interface CycleStep {
  /** The source transaction's id. */
  readonly from: number;
  readonly to: number;
  /** `ww`, `wr`, `rw`, `process` or `realtime`: the kind the classification counted. */
  readonly kind: "ww" | "wr" | "rw" | "process" | "realtime";
  /** One sentence: why the edge exists. */
  readonly why: string;
}

/** A cycle anomaly: the minimal cycle found in one strongly connected component. */
export interface CycleAnomaly {
  readonly name: CycleAnomalyName;
  /** Transaction ids around the cycle, the first repeated at the end. */
  readonly cycle: readonly number[];
  readonly steps: readonly CycleStep[];
}

/** A non-cycle anomaly: a read or a transaction that no serial order explains. */
export interface ReadAnomaly {
  readonly name: ReadAnomalyName;
  /** The transactions involved: the reader first. */
  readonly transactions: readonly number[];
  readonly key: string;
  readonly value?: Scalar | readonly Scalar[] | null;
  /** One sentence saying what is wrong. */
  readonly why: string;
}

export type Anomaly = CycleAnomaly | ReadAnomaly;

/** Adya's (or Elle's) definition of each anomaly, one line each: what docs and reports show. */
export const anomalyDefinitions: Record<AnomalyName, string> = {
  G0: "write cycle: a cycle of write-write dependencies only (Adya 1999, §4.4.1)",
  G1a: "aborted read: a committed transaction read a version an aborted transaction wrote (Adya 1999, §4.4.2)",
  G1b: "intermediate read: a committed transaction read a version that was not its writer's final modification of the object (Adya 1999, §4.4.2)",
  G1c: "circular information flow: a cycle of write-write and write-read dependencies, at least one write-read (Adya 1999, §4.4.2)",
  "G-single":
    "single anti-dependency cycle: a cycle with exactly one read-write anti-dependency edge (Adya 1999, §4.5.1, read skew)",
  "G2-item":
    "item anti-dependency cycle: a cycle with one or more item anti-dependency edges (Adya 1999, §4.4.3); Elle reports it for cycles of two or more, write skew",
  "G0-process": "G0 once process order is added (Elle, §5.2)",
  "G1c-process": "G1c once process order is added (Elle, §5.2)",
  "G-single-process": "G-single once process order is added (Elle, §5.2)",
  "G2-item-process": "G2-item once process order is added (Elle, §5.2)",
  "G0-realtime": "G0 once real-time order is added: strict serializability forbids it (Elle, §5.2)",
  "G1c-realtime": "G1c once real-time order is added (Elle, §5.2)",
  "G-single-realtime": "G-single once real-time order is added (Elle, §5.2)",
  "G2-item-realtime": "G2-item once real-time order is added (Elle, §5.2)",
  internal:
    "internal inconsistency: a read within a transaction disagrees with the transaction's own earlier reads and writes (Elle, §4.1)",
  "duplicate-elements": "a list-append read holds the same element twice (Elle, §4.1)",
  "incompatible-order":
    "two reads of one key are not prefixes of one another: no single version order explains both (Elle, §4.1)",
  "garbage-read": "a read observed a value that no transaction wrote",
  "lost-update":
    "lost update: two committed transactions read the same version of a register and both wrote it (Berenson et al. 1995, P4; Elle, §4.2)",
};
