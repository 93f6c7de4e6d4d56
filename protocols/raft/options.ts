/**
 * Raft's options, validated with readable errors and completed with documented defaults.
 *
 * Durations are accepted as microsecond numbers or as strings with a unit (`50ms`, `1.5s`), so a
 * scenario can write `heartbeatInterval: 50ms`. `parseRaftOptions` is idempotent: its output
 * parses back to itself.
 */
import { type RaftBugName, raftBugNames } from "./bugs.js";

/** How a leader serves reads linearizably. */
export type ReadMode = "read-index" | "log" | "lease";

export interface RaftOptions {
  /** Interval between a leader's AppendEntries heartbeats. Default 50 ms. */
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

const durationUnitsUs: Readonly<Record<string, number>> = { us: 1, ms: 1_000, s: 1_000_000 };

function duration(name: string, value: unknown): number {
  if (typeof value === "number" && Number.isFinite(value) && value > 0) return Math.round(value);
  if (typeof value === "string") {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s)\s*$/.exec(value);
    if (match !== null) {
      const amount = Number(match[1]) * (durationUnitsUs[match[2] as string] as number);
      if (amount > 0) return Math.round(amount);
    }
  }
  throw new Error(
    `raft option '${name}' must be a positive duration like 50ms, got ${JSON.stringify(value)}`,
  );
}

function boolean(name: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw new Error(`raft option '${name}' must be true or false`);
  return value;
}

function integer(name: string, value: unknown, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new Error(`raft option '${name}' must be an integer ≥ ${min}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Option names as written in scenarios, mapped to the field they set. */
const durationFields = {
  heartbeatInterval: "heartbeatIntervalUs",
  heartbeatIntervalUs: "heartbeatIntervalUs",
  electionTimeoutMin: "electionTimeoutMinUs",
  electionTimeoutMinUs: "electionTimeoutMinUs",
  electionTimeoutMax: "electionTimeoutMaxUs",
  electionTimeoutMaxUs: "electionTimeoutMaxUs",
} as const;

export function parseRaftOptions(input: Readonly<Record<string, unknown>>): RaftOptions {
  const options: { -readonly [K in keyof RaftOptions]: RaftOptions[K] } = { ...defaultRaftOptions };
  for (const key of Object.keys(input).sort()) {
    const value = input[key];
    if (value === undefined) continue;
    if (key in durationFields) {
      options[durationFields[key as keyof typeof durationFields]] = duration(key, value);
      continue;
    }
    switch (key) {
      case "preVote":
      case "checkQuorum":
      case "leaderNoop":
      case "fastBacktrack":
        options[key] = boolean(key, value);
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
        if (typeof value !== "number" || !(value >= 0 && value < 1)) {
          throw new Error("raft option 'leaseDriftBound' must be a number in [0, 1)");
        }
        options.leaseDriftBound = value;
        break;
      case "maxEntriesPerAppend":
        options.maxEntriesPerAppend = integer(key, value, 1);
        break;
      case "snapshotThreshold":
        options.snapshotThreshold = integer(key, value, 0);
        break;
      case "bugs": {
        if (!Array.isArray(value)) throw new Error("raft option 'bugs' must be a list of bug names");
        for (const bug of value) {
          if (!raftBugNames.includes(bug as RaftBugName)) {
            throw new Error(`unknown raft bug '${String(bug)}'; known: ${raftBugNames.join(", ")}`);
          }
        }
        options.bugs = [...(value as RaftBugName[])];
        break;
      }
      default:
        throw new Error(
          `unknown raft option '${key}'; known: heartbeatInterval, electionTimeoutMin, electionTimeoutMax, ` +
            "preVote, checkQuorum, leaderNoop, readMode, leaseDriftBound, fastBacktrack, " +
            "maxEntriesPerAppend, snapshotThreshold, bugs",
        );
    }
  }
  if (options.electionTimeoutMinUs > options.electionTimeoutMaxUs) {
    throw new Error("raft option 'electionTimeoutMin' must not exceed 'electionTimeoutMax'");
  }
  if (options.heartbeatIntervalUs >= options.electionTimeoutMinUs) {
    throw new Error("raft option 'heartbeatInterval' must be shorter than 'electionTimeoutMin'");
  }
  if (options.readMode === "lease" && (!options.checkQuorum || options.leaseDriftBound <= 0)) {
    throw new Error("raft readMode 'lease' needs checkQuorum: true and a leaseDriftBound above 0");
  }
  return options;
}
