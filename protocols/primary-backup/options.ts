/**
 * Primary-backup options, validated with readable errors and completed with documented defaults.
 * Durations are written with their unit (`100ms`), or in microseconds under the `Us` names. `parsePrimaryBackupOptions`
 * is idempotent: its output parses back to itself. Single values are parsed by shared/options.ts.
 */
import { bugListOption, durationOption, fractionOption, refuseBothDurationForms } from "../shared/options.js";
import { type PrimaryBackupBugName, primaryBackupBugNames } from "./bugs.js";

/**
 * - `view-service`: node n1 is the view service; the others are servers (6.824 Lab 2, 2015).
 * - `lease`: n1 starts as primary and n2 as backup; the backup takes over only after the
 *   primary's lease has surely expired, which relies on a bound on clock drift.
 * - `timeout`: the naive design: the backup takes over after missing heartbeats, and the primary
 *   carries on alone when the backup stops answering. It splits the brain under a partition.
 */
export type PrimaryBackupVariant = "view-service" | "lease" | "timeout";

export interface PrimaryBackupOptions {
  readonly variant: PrimaryBackupVariant;
  /** Interval of pings (view service) and heartbeats (lease, timeout). Default 100 ms. */
  readonly pingIntervalUs: number;
  /** The view service declares a server dead after this many ping intervals without a ping. Default 5. */
  readonly deadPings: number;
  /** Timeout variant: the backup takes over after this long without a heartbeat. Default 300 ms. */
  readonly failoverTimeoutUs: number;
  /** Lease variant: how long a grant lets the primary serve, on its own clock. Default 300 ms. */
  readonly leaseUs: number;
  /** Lease variant: the largest relative clock drift the design tolerates. Default 0.1. */
  readonly driftBound: number;
  /** Unanswered forwards and transfers are re-sent after this long. Default 50 ms. */
  readonly resendUs: number;
  readonly bugs: readonly PrimaryBackupBugName[];
}

export const defaultPrimaryBackupOptions: PrimaryBackupOptions = {
  variant: "view-service",
  pingIntervalUs: 100_000,
  deadPings: 5,
  failoverTimeoutUs: 300_000,
  leaseUs: 300_000,
  driftBound: 0.1,
  resendUs: 50_000,
  bugs: [],
};

const durationFields = {
  pingInterval: "pingIntervalUs",
  pingIntervalUs: "pingIntervalUs",
  failoverTimeout: "failoverTimeoutUs",
  failoverTimeoutUs: "failoverTimeoutUs",
  lease: "leaseUs",
  leaseUs: "leaseUs",
  resend: "resendUs",
  resendUs: "resendUs",
} as const;

export function parsePrimaryBackupOptions(input: Readonly<Record<string, unknown>>): PrimaryBackupOptions {
  refuseBothDurationForms("primary-backup", input);
  const options: { -readonly [K in keyof PrimaryBackupOptions]: PrimaryBackupOptions[K] } = {
    ...defaultPrimaryBackupOptions,
  };
  for (const key of Object.keys(input).sort()) {
    const value = input[key];
    if (value === undefined) continue;
    if (key in durationFields) {
      options[durationFields[key as keyof typeof durationFields]] = durationOption(
        "primary-backup",
        key,
        value,
        {
          example: "100ms",
        },
      );
      continue;
    }
    switch (key) {
      case "variant":
        if (value !== "view-service" && value !== "lease" && value !== "timeout") {
          throw new Error(
            `primary-backup option 'variant' must be view-service, lease or timeout, got ${JSON.stringify(value)}`,
          );
        }
        options.variant = value;
        break;
      case "deadPings":
        if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
          throw new Error("primary-backup option 'deadPings' must be an integer ≥ 1");
        }
        options.deadPings = value;
        break;
      case "driftBound":
        options.driftBound = fractionOption("primary-backup", key, value);
        break;
      case "bugs":
        options.bugs = bugListOption("primary-backup", value, primaryBackupBugNames);
        break;
      default:
        throw new Error(
          `unknown primary-backup option '${key}'; known: variant, pingInterval, deadPings, failoverTimeout, ` +
            "lease, driftBound, resend, bugs",
        );
    }
  }
  return options;
}
