/**
 * What `quorumlab check` takes from the linearizability checker, as one bundle (./checker-code.ts
 * builds it and loads it with a compiled-code cache). Only these names are reachable from it.
 */
export {
  checkHistory,
  checkOperations,
  historyFormats,
  modelByName,
  modelNames,
  parseHistory,
} from "../../sim/check/index.js";
export { pairOperations } from "../../sim/history.js";
