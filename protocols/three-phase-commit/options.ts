/**
 * Three-phase commit's options: those every commit protocol has (the transaction workload, the
 * local vote rule of participants, timeouts, scripted votes and deliberate bugs; see
 * shared/commit/options.ts, which also parses them), plus the variant and the termination
 * protocol's round timeout.
 *
 * Durations are written with their unit (`100ms`, `1.5s`), or as microsecond numbers under the
 * `Us` names: both `voteTimeout: 100ms` and `voteTimeoutUs: 100000` are accepted, and the parsed
 * form (with `Us` names) parses back to itself.
 */
import {
  type CommitOptions,
  checkOptionKeys,
  commitOptionKeys,
  defaultCommitOptions,
  parseCommitBugs,
  parseKeyCount,
  parseLockConflicts,
  parseTimeout,
  parseVoteNoProbability,
  parseVoteScript,
  parseWorkload,
} from "../shared/commit/options.js";
import { type ThreePhaseBugName, threePhaseBugNames } from "./bugs.js";

export type { TransactionWorkload } from "../shared/commit/options.js";

export interface ThreePhaseOptions extends CommitOptions<ThreePhaseBugName> {
  /**
   * `skeen`: the original protocol (non-blocking under crashes, unsafe under partitions);
   * `quorum`: a majority of participants must acknowledge PRECOMMIT or PREABORT (safe, blocks in
   * a minority). Set by the registered protocol.
   */
  readonly variant: "skeen" | "quorum";
  /** A participant in WAIT or PRECOMMIT starts the termination protocol after this long (plus its rank's stagger). Default 100 ms. */
  readonly decisionTimeoutUs: number;
  /** How long an elected termination coordinator waits in each of its rounds. Default 50 ms. */
  readonly terminationTimeoutUs: number;
}

export const defaultThreePhaseOptions: ThreePhaseOptions = {
  ...defaultCommitOptions,
  variant: "skeen",
  terminationTimeoutUs: 50_000,
};

const knownKeys = new Set([...commitOptionKeys, "terminationTimeout", "terminationTimeoutUs", "variant"]);

export function parseThreePhaseOptions(options: Readonly<Record<string, unknown>>): ThreePhaseOptions {
  checkOptionKeys("three-phase-commit", options, knownKeys);
  const defaults = defaultThreePhaseOptions;
  const bugs = parseCommitBugs(options.bugs, threePhaseBugNames);
  const lockConflicts = parseLockConflicts(options.lockConflicts);
  const variant = options.variant ?? defaults.variant;
  if (variant !== "skeen" && variant !== "quorum")
    throw new Error("option 'variant' must be skeen or quorum");
  return {
    variant,
    transactions: parseWorkload(options.transactions),
    voteNoProbability: parseVoteNoProbability(options.voteNoProbability),
    lockConflicts,
    keys: parseKeyCount(options.keys),
    voteTimeoutUs: parseTimeout(options, "voteTimeout", defaults.voteTimeoutUs),
    decisionTimeoutUs: parseTimeout(options, "decisionTimeout", defaults.decisionTimeoutUs),
    terminationTimeoutUs: parseTimeout(options, "terminationTimeout", defaults.terminationTimeoutUs),
    retryMaxUs: parseTimeout(options, "retryMax", defaults.retryMaxUs),
    script: parseVoteScript(options.script),
    bugs,
  };
}
