/**
 * Multi-Paxos options, validated with readable errors and completed with documented defaults.
 * Durations are written with their unit (`50ms`), or in microseconds under the `Us` names. `parseMultiPaxosOptions` is
 * idempotent: its output parses back to itself. Single values are parsed by shared/options.ts.
 */
import {
  bugListOption,
  checkElectionTiming,
  durationOption,
  electionTimingFields,
  refuseBothDurationForms,
} from "../shared/options.js";
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

const durationFields = electionTimingFields;

export function parseMultiPaxosOptions(input: Readonly<Record<string, unknown>>): MultiPaxosOptions {
  refuseBothDurationForms("multi-paxos", input);
  const options: { -readonly [K in keyof MultiPaxosOptions]: MultiPaxosOptions[K] } = {
    ...defaultMultiPaxosOptions,
  };
  for (const key of Object.keys(input).sort()) {
    const value = input[key];
    if (value === undefined) continue;
    if (key in durationFields) {
      options[durationFields[key as keyof typeof durationFields]] = durationOption(
        "multi-paxos",
        key,
        value,
        {
          example: "50ms",
        },
      );
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
        options.bugs = bugListOption("multi-paxos", value, multiPaxosBugNames);
        break;
      default:
        throw new Error(
          `unknown multi-paxos option '${key}'; known: heartbeatInterval, electionTimeoutMin, ` +
            "electionTimeoutMax, catchupBatch, bugs",
        );
    }
  }
  checkElectionTiming("multi-paxos", options);
  return options;
}
