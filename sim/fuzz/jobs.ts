/**
 * What a campaign hands to its evaluators and gets back: jobs and run reports (plain data: they
 * cross into and out of worker threads).
 */
import type { Nondeterminism } from "./determinism.js";
import type { FuzzPlan } from "./plan.js";
import type { RunFailure } from "./property.js";
import type { SwarmTheme } from "./swarm.js";

/** The shape of a run's plan, for the campaign's statistics. */
export interface PlanShape {
  readonly steps: number;
  /** Bit `i` set when the plan has a step of kind `faultKinds[i]`. */
  readonly kinds: number;
  /** The swarm theme of a generated run; absent for uniform runs and corpus mutants. */
  readonly theme?: SwarmTheme;
}

/** What one evaluated run reports back (plain data: it crosses from worker threads). */
export interface RunReport {
  readonly index: number;
  readonly events: number;
  readonly failure?: RunFailure;
  /** The run's history check was inconclusive (`RunVerdict.historyUnknown`). */
  readonly inconclusive?: boolean;
  /** Coverage (`CoverageRecorder.edges()`), when the runner records it. */
  readonly edges?: readonly number[];
  readonly probes?: readonly string[];
  /** Leaderships the run saw (`RunVerdict.leaders`), when any. */
  readonly leaders?: number;
  readonly shape?: PlanShape;
  /** A sampled run ran twice and the two traces differed. */
  readonly nondeterminism?: Nondeterminism;
  /**
   * The plan a guided campaign's fresh run generated, so that a run reaching new coverage joins
   * the corpus without generating its plan again (that was about 3% of a guided Raft campaign's
   * CPU profile).
   */
  readonly plan?: FuzzPlan;
}

/**
 * One run to evaluate: global run `index`, generated from its seed, or a given plan (a corpus
 * mutant). `sample` asks for the determinism check: the run is repeated and the hashes compared.
 */
export interface RunJob {
  readonly index: number;
  readonly plan?: FuzzPlan;
  readonly sample?: boolean;
}
