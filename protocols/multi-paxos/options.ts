/**
 * Multi-Paxos options, validated with readable errors and completed with documented defaults.
 * Durations are microsecond numbers or strings with a unit (`50ms`). `parseMultiPaxosOptions` is
 * idempotent: its output parses back to itself.
 */
import { type MultiPaxosBugName, multiPaxosBugNames } from "./bugs.js";

export interface MultiPaxosOptions {
  /** Interval between the leader's heartbeats (and retransmissions of unchosen slots). Default 50 ms. */
  readonly heartbeatIntervalUs: number;
  /** A replica that hears no leader for a time drawn from [min, max] runs phase 1. Defaults 150–300 ms. */
  readonly electionTimeoutMinUs: number;
  readonly electionTimeoutMaxUs: number;
  /** Decisions sent per catch-up answer. Default 64. */
  readonly catchupBatch: number;
  readonly bugs: readonly MultiPaxosBugName[];
}

export const defaultMultiPaxosOptions: MultiPaxosOptions = {
  heartbeatIntervalUs: 50_000,
  electionTimeoutMinUs: 150_000,
  electionTimeoutMaxUs: 300_000,
  catchupBatch: 64,
  bugs: [],
};

const unitsUs: Readonly<Record<string, number>> = { us: 1, ms: 1_000, s: 1_000_000 };

function duration(name: string, value: unknown): number {
  if (typeof value === "number" && Number.isFinite(value) && value > 0) return Math.round(value);
  if (typeof value === "string") {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s)\s*$/.exec(value);
    const amount = match === null ? 0 : Number(match[1]) * (unitsUs[match[2] as string] as number);
    if (amount > 0) return Math.round(amount);
  }
  throw new Error(
    `multi-paxos option '${name}' must be a positive duration like 50ms, got ${JSON.stringify(value)}`,
  );
}

const durationFields = {
  heartbeatInterval: "heartbeatIntervalUs",
  heartbeatIntervalUs: "heartbeatIntervalUs",
  electionTimeoutMin: "electionTimeoutMinUs",
  electionTimeoutMinUs: "electionTimeoutMinUs",
  electionTimeoutMax: "electionTimeoutMaxUs",
  electionTimeoutMaxUs: "electionTimeoutMaxUs",
} as const;

export function parseMultiPaxosOptions(input: Readonly<Record<string, unknown>>): MultiPaxosOptions {
  const options: { -readonly [K in keyof MultiPaxosOptions]: MultiPaxosOptions[K] } = {
    ...defaultMultiPaxosOptions,
  };
  for (const key of Object.keys(input).sort()) {
    const value = input[key];
    if (value === undefined) continue;
    if (key in durationFields) {
      options[durationFields[key as keyof typeof durationFields]] = duration(key, value);
      continue;
    }
    switch (key) {
      case "catchupBatch":
        if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
          throw new Error("multi-paxos option 'catchupBatch' must be an integer ≥ 1");
        }
        options.catchupBatch = value;
        break;
      case "bugs":
        if (!Array.isArray(value)) throw new Error("multi-paxos option 'bugs' must be a list of bug names");
        for (const bug of value) {
          if (!multiPaxosBugNames.includes(bug as MultiPaxosBugName)) {
            throw new Error(
              `unknown multi-paxos bug '${String(bug)}'; known: ${multiPaxosBugNames.join(", ")}`,
            );
          }
        }
        options.bugs = [...(value as MultiPaxosBugName[])];
        break;
      default:
        throw new Error(
          `unknown multi-paxos option '${key}'; known: heartbeatInterval, electionTimeoutMin, ` +
            "electionTimeoutMax, catchupBatch, bugs",
        );
    }
  }
  if (options.electionTimeoutMinUs > options.electionTimeoutMaxUs) {
    throw new Error("multi-paxos option 'electionTimeoutMin' must not exceed 'electionTimeoutMax'");
  }
  if (options.heartbeatIntervalUs >= options.electionTimeoutMinUs) {
    throw new Error("multi-paxos option 'heartbeatInterval' must be shorter than 'electionTimeoutMin'");
  }
  return options;
}
