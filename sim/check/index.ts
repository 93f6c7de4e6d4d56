/**
 * The linearizability checker's public surface.
 *
 * ```ts
 * import { checkHistory, models } from "./sim/check/index.js";
 * const verdict = checkHistory(events, models.kv, { timeoutMs: 10_000, now: () => performance.now() });
 * if (verdict.result === "not-linearizable") console.log(verdict.explanation?.summary);
 * ```
 */
export { detectFormat } from "./detect.js";
export type { ExplainedOperation, Explanation, LinearizationStep, UnplaceableOperation } from "./explain.js";
export {
  type CheckOptions,
  type CheckProgress,
  type CheckResult,
  checkHistory,
  checkOperations,
  defaultMemoryBytesMax,
  type Verdict,
} from "./linearizability.js";
export {
  type AnyModel,
  describeOperationDefault,
  describeValue,
  type Model,
  type StateKey,
  valueKey,
} from "./model.js";
export {
  casRegisterModelOf,
  isModelName,
  type KvOptions,
  kvModelOf,
  type ModelName,
  type ModelOptions,
  type MultiRegisterOptions,
  modelByName,
  modelNames,
  models,
  multiRegisterModelOf,
  mutexModelOf,
  type RegisterOptions,
  registerModelOf,
} from "./models/index.js";
export {
  type HistoryFormat,
  historyFormats,
  type ParsedHistory,
  type ParseOptions,
  parseHistory,
  parseJsonHistory,
  parseKnossosEdn,
  parsePorcupineEtcd,
  parsePorcupineKv,
} from "./parse/index.js";
