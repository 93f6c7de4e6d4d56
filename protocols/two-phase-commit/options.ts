/**
 * Two-phase commit's options: the transaction workload the coordinator generates, the local vote
 * rule of participants, timeouts, scripted votes and deliberate bugs.
 *
 * Durations are accepted as microsecond numbers or as strings with a unit (`100ms`, `1.5s`);
 * both `voteTimeout` and `voteTimeoutUs` are accepted, and the parsed form (with `Us` names)
 * parses back to itself.
 */
import { type TwoPhaseBugName, twoPhaseBugNames } from "./bugs.js";

export interface TransactionWorkload {
  /** Transactions begun per simulated second. Default 100. */
  readonly rate: number;
  /** How many transactions in all; default unlimited. */
  readonly count: number;
  /** Participants per transaction, drawn at random; default every participant. */
  readonly participantsPerTx: number | undefined;
  /** When the first transaction begins. Default 0. */
  readonly startUs: number;
}

export interface TwoPhaseOptions {
  readonly transactions: TransactionWorkload;
  /** Probability that a participant votes No on its own (a local abort). Default 0.1. */
  readonly voteNoProbability: number;
  /** Each transaction locks one key at its participants; a participant holding it votes No. */
  readonly lockConflicts: boolean;
  /** Number of keys transactions pick from when `lockConflicts` is on. Default 10. */
  readonly keys: number;
  /** The coordinator aborts a transaction whose votes are not all in by then. Default 100 ms. */
  readonly voteTimeoutUs: number;
  /** A prepared participant asks for the decision after this long. Default 100 ms. */
  readonly decisionTimeoutUs: number;
  /** Retries (decision requests, COMMIT resends) back off up to this. Default 250 ms. */
  readonly retryMaxUs: number;
  /** Scripted votes: `{n3: {"1": "no"}}` makes n3 vote No on transaction 1. */
  readonly script: { readonly votes: Readonly<Record<string, Readonly<Record<string, "yes" | "no">>>> };
  readonly bugs: readonly TwoPhaseBugName[];
}

export const defaultTwoPhaseOptions: TwoPhaseOptions = {
  transactions: { rate: 100, count: Number.POSITIVE_INFINITY, participantsPerTx: undefined, startUs: 0 },
  voteNoProbability: 0.1,
  lockConflicts: false,
  keys: 10,
  voteTimeoutUs: 100_000,
  decisionTimeoutUs: 100_000,
  retryMaxUs: 250_000,
  script: { votes: {} },
  bugs: [],
};

const durationUnitsUs: Readonly<Record<string, number>> = { us: 1, ms: 1_000, s: 1_000_000 };

export function duration(name: string, value: unknown, allowZero = false): number {
  if (typeof value === "number" && Number.isFinite(value) && (value > 0 || (allowZero && value === 0))) {
    return Math.round(value);
  }
  if (typeof value === "string") {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s)\s*$/.exec(value);
    if (match !== null) {
      const amount = Number(match[1]) * (durationUnitsUs[match[2] as string] as number);
      if (amount > 0 || allowZero) return Math.round(amount);
    }
  }
  throw new Error(
    `option '${name}' must be a ${allowZero ? "" : "positive "}duration like 100ms, got ${JSON.stringify(value)}`,
  );
}

function pick(options: Readonly<Record<string, unknown>>, name: string): unknown {
  return options[`${name}Us`] ?? options[name];
}

function number(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !(value >= min && value <= max)) {
    throw new Error(`option '${name}' must be a number in [${min}, ${max}], got ${JSON.stringify(value)}`);
  }
  return value;
}

function integer(name: string, value: unknown, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new Error(`option '${name}' must be an integer ≥ ${min}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function record(name: string, value: unknown): Readonly<Record<string, unknown>> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`option '${name}' must be a mapping`);
  }
  return value as Record<string, unknown>;
}

const knownKeys = new Set([
  "transactions",
  "voteNoProbability",
  "lockConflicts",
  "keys",
  "voteTimeout",
  "voteTimeoutUs",
  "decisionTimeout",
  "decisionTimeoutUs",
  "retryMax",
  "retryMaxUs",
  "script",
  "bugs",
]);

export function parseWorkload(value: unknown): TransactionWorkload {
  const defaults = defaultTwoPhaseOptions.transactions;
  if (value === undefined) return defaults;
  const raw = record("transactions", value);
  for (const key of Object.keys(raw).sort()) {
    if (!["rate", "count", "participantsPerTx", "start", "startUs"].includes(key)) {
      throw new Error(`unknown option 'transactions.${key}' (known: rate, count, participantsPerTx, start)`);
    }
  }
  const count = raw.count;
  return {
    rate: raw.rate === undefined ? defaults.rate : number("transactions.rate", raw.rate, 1e-6, 1e6),
    count:
      count === undefined || count === null || count === Number.POSITIVE_INFINITY
        ? defaults.count
        : integer("transactions.count", count, 0),
    participantsPerTx:
      raw.participantsPerTx === undefined
        ? undefined
        : integer("transactions.participantsPerTx", raw.participantsPerTx, 1),
    startUs:
      raw.startUs === undefined && raw.start === undefined
        ? 0
        : duration("transactions.start", raw.startUs ?? raw.start, true),
  };
}

export function parseVoteScript(value: unknown): TwoPhaseOptions["script"] {
  if (value === undefined) return { votes: {} };
  const raw = record("script", value);
  for (const key of Object.keys(raw))
    if (key !== "votes") throw new Error(`unknown option 'script.${key}' (known: votes)`);
  const votes: Record<string, Record<string, "yes" | "no">> = {};
  if (raw.votes !== undefined) {
    const byNode = record("script.votes", raw.votes);
    for (const node of Object.keys(byNode).sort()) {
      const byTx = record(`script.votes.${node}`, byNode[node]);
      const parsed: Record<string, "yes" | "no"> = {};
      for (const tx of Object.keys(byTx).sort()) {
        const vote = byTx[tx];
        if (!/^\d+$/.test(tx) || (vote !== "yes" && vote !== "no")) {
          throw new Error(
            `option 'script.votes.${node}' maps transaction numbers to yes or no, got ${tx}: ${JSON.stringify(vote)}`,
          );
        }
        parsed[tx] = vote;
      }
      votes[node] = parsed;
    }
  }
  return { votes };
}

export function parseTwoPhaseOptions(options: Readonly<Record<string, unknown>>): TwoPhaseOptions {
  for (const key of Object.keys(options).sort()) {
    if (!knownKeys.has(key)) throw new Error(`unknown two-phase-commit option '${key}'`);
  }
  const defaults = defaultTwoPhaseOptions;
  const bugs = options.bugs ?? [];
  if (!Array.isArray(bugs) || !bugs.every((bug) => (twoPhaseBugNames as readonly unknown[]).includes(bug))) {
    throw new Error(
      `option 'bugs' must list names from: ${twoPhaseBugNames.join(", ")}; got ${JSON.stringify(bugs)}`,
    );
  }
  const lockConflicts = options.lockConflicts ?? defaults.lockConflicts;
  if (typeof lockConflicts !== "boolean") throw new Error("option 'lockConflicts' must be true or false");
  const timeout = (name: string, fallback: number) => {
    const value = pick(options, name);
    return value === undefined ? fallback : duration(name, value);
  };
  return {
    transactions: parseWorkload(options.transactions),
    voteNoProbability:
      options.voteNoProbability === undefined
        ? defaults.voteNoProbability
        : number("voteNoProbability", options.voteNoProbability, 0, 1),
    lockConflicts,
    keys: options.keys === undefined ? defaults.keys : integer("keys", options.keys, 1),
    voteTimeoutUs: timeout("voteTimeout", defaults.voteTimeoutUs),
    decisionTimeoutUs: timeout("decisionTimeout", defaults.decisionTimeoutUs),
    retryMaxUs: timeout("retryMax", defaults.retryMaxUs),
    script: parseVoteScript(options.script),
    bugs: bugs as TwoPhaseBugName[],
  };
}
