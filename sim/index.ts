/**
 * The public API of the `quorumlab` package: `import { ... } from "quorumlab"`.
 *
 * - The node API: the `Protocol` a module exports and everything its nodes see (sim/node.ts).
 * - Invariant helpers for the common shapes of invariants (sim/invariants.ts).
 * - The atomicity checker for commit protocols: `atomicityInvariants` (sim/check/atomicity.ts).
 * - The linearizability checker as a library: `checkHistory(history, model)` over histories
 *   recorded from any system, with the built-in models (sim/check/).
 * - Running and fuzzing from a test: `parseScenario`, `runScenario`, `fuzzProtocol`.
 *
 * docs/node-api.md is the guide; every name here is documented where it is defined.
 */

export {
  type AtomicityFailure,
  type AtomicityRule,
  type AtomicitySubject,
  AtomicityTracker,
  atomicityInvariants,
  atomicityRules,
  atomicityStatements,
  type CommitFigures,
  type CommitObservation,
  commitFigureHook,
  commitFigures,
  type Decision,
  type DecisionReason,
  type DurabilityRules,
  type TransactionRecord,
  type Vote,
} from "./check/atomicity.js";
export * from "./check/index.js";
export { DeterminismError } from "./determinism.js";
export { ExitCode, InputError } from "./errors.js";
export type { RunFailure } from "./fuzz/property.js";
export { fuzzProtocol, type QuickFuzzOptions, type QuickFuzzResult } from "./fuzz/quick.js";
export type { HistoryEvent, HistoryEventType, Operation } from "./history.js";
export { pairOperations } from "./history.js";
export { agreementInvariant, type InvariantDescription, nodeInvariant } from "./invariants.js";
export { exceptionInvariant, type Violation } from "./kernel.js";
export * from "./node.js";
export { checkProtocol } from "./protocol-check.js";
export { type HistoryVerdict, type RunOptions, type RunResult, runScenario } from "./run.js";
export { parseScenario } from "./scenario/load.js";
export type { Scenario } from "./scenario/schema.js";
export { historyInvariant, resolveScenario } from "./scenario/validate.js";
