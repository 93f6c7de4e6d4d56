/**
 * Raft's options, validated with readable errors and completed with documented defaults.
 *
 * Durations are written with their unit, as in a scenario (`heartbeatInterval: 50ms`), or in
 * microseconds under the `Us` names (`heartbeatIntervalUs: 50000`). `parseRaftOptions` is idempotent: its output
 * parses back to itself. Single values are parsed by the helpers of shared/options.ts.
 */
import {
  booleanOption,
  bugListOption,
  checkElectionTiming,
  durationOption,
  electionTimingFields,
  fractionOption,
  integerOption,
  refuseBothDurationForms,
} from "../shared/options.js";
import { type RaftBugName, raftBugNames } from "./bugs.js";

/** How a leader serves reads linearizably. */
export type ReadMode = "read-index" | "log" | "lease";

export interface RaftOptions {
  /**
   * Longest a leader stays silent: it sends a heartbeat round when it has broadcast nothing for
   * this long. Default 50 ms.
   */
  readonly heartbeatIntervalUs: number;
  /** Election timeouts are drawn uniformly from [min, max]. Defaults 150 ms and 300 ms (§5.2). */
  readonly electionTimeoutMinUs: number;
  readonly electionTimeoutMaxUs: number;
  /** Run a PreVote round before incrementing the term (thesis §9.6). Default false. */
  readonly preVote: boolean;
  /**
   * Leaders step down without contact from a majority within the minimum election timeout, and
   * nodes that heard from a leader that recently ignore vote requests (thesis §6.2, §4.2.3).
   * Default false.
   */
  readonly checkQuorum: boolean;
  /** A new leader appends a no-op entry of its term at once (§8). Default true. */
  readonly leaderNoop: boolean;
  /** Linearizable reads: ReadIndex (default), through the log, or leader leases. */
  readonly readMode: ReadMode;
  /** Maximum relative clock drift assumed by leases (required, above 0, for `readMode: lease`). */
  readonly leaseDriftBound: number;
  /** Back up nextIndex by whole terms using the follower's conflict hint (default) or one by one. */
  readonly fastBacktrack: boolean;
  /** At most this many entries per AppendEntries. Default 64. */
  readonly maxEntriesPerAppend: number;
  /** Take a snapshot once this many applied entries sit in the log; 0 (default) never compacts. */
  readonly snapshotThreshold: number;
  /** Deliberate bugs, see bugs.ts. Default none. */
  readonly bugs: readonly RaftBugName[];
}

export const defaultRaftOptions: RaftOptions = {
  heartbeatIntervalUs: 50_000,
  electionTimeoutMinUs: 150_000,
  electionTimeoutMaxUs: 300_000,
  preVote: false,
  checkQuorum: false,
  leaderNoop: true,
  readMode: "read-index",
  leaseDriftBound: 0,
  fastBacktrack: true,
  maxEntriesPerAppend: 64,
  snapshotThreshold: 0,
  bugs: [],
};

/** Option names as written in scenarios, mapped to the field they set. */
const durationFields = electionTimingFields;

export function parseRaftOptions(input: Readonly<Record<string, unknown>>): RaftOptions {
  const options: { -readonly [K in keyof RaftOptions]: RaftOptions[K] } = { ...defaultRaftOptions };
  refuseBothDurationForms("raft", input);
  for (const key of Object.keys(input).sort()) {
    const value = input[key];
    if (value === undefined) continue;
    if (key in durationFields) {
      options[durationFields[key as keyof typeof durationFields]] = durationOption("raft", key, value, {
        example: "50ms",
      });
      continue;
    }
    switch (key) {
      case "preVote":
      case "checkQuorum":
      case "leaderNoop":
      case "fastBacktrack":
        options[key] = booleanOption("raft", key, value);
        break;
      case "readMode":
        if (value !== "read-index" && value !== "log" && value !== "lease") {
          throw new Error(
            `raft option 'readMode' must be read-index, log or lease, got ${JSON.stringify(value)}`,
          );
        }
        options.readMode = value;
        break;
      case "leaseDriftBound":
        options.leaseDriftBound = fractionOption("raft", key, value);
        break;
      case "maxEntriesPerAppend":
        options.maxEntriesPerAppend = integerOption("raft", key, value, 1);
        break;
      case "snapshotThreshold":
        options.snapshotThreshold = integerOption("raft", key, value, 0);
        break;
      case "bugs":
        options.bugs = bugListOption("raft", value, raftBugNames);
        break;
      default:
        throw new Error(
          `unknown raft option '${key}'; known: heartbeatInterval, electionTimeoutMin, electionTimeoutMax, ` +
            "preVote, checkQuorum, leaderNoop, readMode, leaseDriftBound, fastBacktrack, " +
            "maxEntriesPerAppend, snapshotThreshold, bugs",
        );
    }
  }
  checkElectionTiming("raft", options);
  if (options.readMode === "lease" && (!options.checkQuorum || options.leaseDriftBound <= 0)) {
    throw new Error("raft readMode 'lease' needs checkQuorum: true and a leaseDriftBound above 0");
  }
  return options;
}
