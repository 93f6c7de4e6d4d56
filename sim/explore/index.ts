/**
 * Systematic exploration: every schedule of a small cluster, up to bounds, with the shortest
 * counterexample. docs/exploring.md is the user's guide.
 */
export { type CounterexampleSetup, exploredName, exploredScenario, exploredText } from "./counterexample.js";
export { type Fingerprint, fingerprintOf, formatFingerprint, Hasher } from "./fingerprint.js";
export {
  describeImplied,
  describeStep,
  formatDriftRate,
  type ImpliedDrop,
  impliedDrops,
  playSchedule,
  takeScheduleStep,
} from "./schedule.js";
export {
  explore,
  type SearchProgress,
  type SearchResult,
  type SearchSettings,
  type Strategy,
  type Verdict,
} from "./search.js";
export {
  bugOptionHints,
  type ExploreInput,
  exploreHints,
  exploreSetup,
  formatFaultBudget,
  parseFaultBudget,
  smallestCluster,
  workloadReads,
} from "./settings.js";
export { timerNamesSeen, timerWalks } from "./timer-names.js";
export { FingerprintSet } from "./visited.js";
export {
  clientDefaults,
  defaultDriftRate,
  type ExploreOperation,
  type FaultBudget,
  type Finding,
  replayReasons,
  World,
  type WorldSetup,
} from "./world.js";
