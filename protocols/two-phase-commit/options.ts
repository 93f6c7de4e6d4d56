/**
 * Two-phase commit's options: the transaction workload the coordinator generates, the local vote
 * rule of participants, timeouts, scripted votes and deliberate bugs. All of them are the options
 * every commit protocol has (shared/commit/options.ts, which also parses them); this file names
 * them for two-phase commit and fixes the order they are read in.
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
import { type TwoPhaseBugName, twoPhaseBugNames } from "./bugs.js";

export type { TransactionWorkload } from "../shared/commit/options.js";

/** `decisionTimeoutUs`: a prepared participant asks for the decision after this long. */
export type TwoPhaseOptions = CommitOptions<TwoPhaseBugName>;

export const defaultTwoPhaseOptions: TwoPhaseOptions = defaultCommitOptions;

const knownKeys = new Set(commitOptionKeys);

export function parseTwoPhaseOptions(options: Readonly<Record<string, unknown>>): TwoPhaseOptions {
  checkOptionKeys("two-phase-commit", options, knownKeys);
  const defaults = defaultTwoPhaseOptions;
  const bugs = parseCommitBugs(options.bugs, twoPhaseBugNames);
  const lockConflicts = parseLockConflicts(options.lockConflicts);
  return {
    transactions: parseWorkload(options.transactions),
    voteNoProbability: parseVoteNoProbability(options.voteNoProbability),
    lockConflicts,
    keys: parseKeyCount(options.keys),
    voteTimeoutUs: parseTimeout(options, "voteTimeout", defaults.voteTimeoutUs),
    decisionTimeoutUs: parseTimeout(options, "decisionTimeout", defaults.decisionTimeoutUs),
    retryMaxUs: parseTimeout(options, "retryMax", defaults.retryMaxUs),
    script: parseVoteScript(options.script),
    bugs,
  };
}
