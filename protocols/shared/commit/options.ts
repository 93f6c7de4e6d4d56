/**
 * The options two-phase commit and three-phase commit have in common: the transaction workload
 * the coordinator generates, the participants' local vote rule, the timeouts both use, scripted
 * votes and the list of deliberate bugs. Used by two-phase-commit/options.ts and
 * three-phase-commit/options.ts, which add their own options and list the fields in order.
 *
 * Durations are written with their unit (`100ms`, `1.5s`), or as microsecond numbers under the
 * `Us` names: both `voteTimeout: 100ms` and `voteTimeoutUs: 100000` are accepted (not together),
 * and the parsed form (with `Us` names) parses back to itself.
 */
import {
  booleanOption,
  checkNodeName,
  describeNodes,
  durationOption,
  integerOption,
  refuseBothDurationForms,
} from "../options.js";

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

/** Scripted votes: `{n3: {"1": "no"}}` makes n3 vote No on transaction 1. */
export interface VoteScript {
  readonly votes: Readonly<Record<string, Readonly<Record<string, "yes" | "no">>>>;
}

export interface CommitOptions<Bug extends string> {
  readonly transactions: TransactionWorkload;
  /** Probability that a participant votes No on its own (a local abort). Default 0.1. */
  readonly voteNoProbability: number;
  /** Each transaction locks one key at its participants; a participant holding it votes No. */
  readonly lockConflicts: boolean;
  /** Number of keys transactions pick from when `lockConflicts` is on. Default 10. */
  readonly keys: number;
  /** The coordinator aborts a transaction whose votes are not all in by then. Default 100 ms. */
  readonly voteTimeoutUs: number;
  /** An uncertain participant acts (asks, or terminates) after this long. Default 100 ms. */
  readonly decisionTimeoutUs: number;
  /** Retries (decision requests, resent decisions) back off up to this. Default 250 ms. */
  readonly retryMaxUs: number;
  readonly script: VoteScript;
  readonly bugs: readonly Bug[];
}

export const defaultCommitOptions: CommitOptions<never> = {
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

/** The option names of `CommitOptions`, as written in scenarios. */
export const commitOptionKeys: readonly string[] = [
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
];

function number(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !(value >= min && value <= max)) {
    throw new Error(`option '${name}' must be a number in [${min}, ${max}], got ${JSON.stringify(value)}`);
  }
  return value;
}

function record(name: string, value: unknown): Readonly<Record<string, unknown>> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`option '${name}' must be a mapping`);
  }
  return value as Record<string, unknown>;
}

/** Throws on the first option (in sorted order) that is not in `knownKeys`. */
export function checkOptionKeys(
  protocol: string,
  options: Readonly<Record<string, unknown>>,
  knownKeys: ReadonlySet<string>,
): void {
  for (const key of Object.keys(options).sort()) {
    if (!knownKeys.has(key)) throw new Error(`unknown ${protocol} option '${key}'`);
  }
  refuseBothDurationForms("", options);
}

/** The `bugs` option: a list of names from the protocol's bugs.ts (default none). */
export function parseCommitBugs<Bug extends string>(value: unknown, bugNames: readonly Bug[]): Bug[] {
  const bugs = value ?? [];
  if (!Array.isArray(bugs) || !bugs.every((bug) => (bugNames as readonly unknown[]).includes(bug))) {
    throw new Error(
      `option 'bugs' must list names from: ${bugNames.join(", ")}; got ${JSON.stringify(bugs)}`,
    );
  }
  return bugs as Bug[];
}

export function parseLockConflicts(value: unknown): boolean {
  return booleanOption("", "lockConflicts", value ?? defaultCommitOptions.lockConflicts);
}

export function parseVoteNoProbability(value: unknown): number {
  return value === undefined
    ? defaultCommitOptions.voteNoProbability
    : number("voteNoProbability", value, 0, 1);
}

export function parseKeyCount(value: unknown): number {
  return value === undefined ? defaultCommitOptions.keys : integerOption("", "keys", value, 1);
}

/** A timeout option given as `name` or `nameUs`; `fallback` when absent. */
export function parseTimeout(
  options: Readonly<Record<string, unknown>>,
  name: string,
  fallback: number,
): number {
  const key = options[`${name}Us`] === undefined ? name : `${name}Us`;
  const value = options[key];
  return value === undefined ? fallback : durationOption("", key, value, { example: "100ms" });
}

export function parseWorkload(value: unknown): TransactionWorkload {
  const defaults = defaultCommitOptions.transactions;
  if (value === undefined) return defaults;
  const raw = record("transactions", value);
  for (const key of Object.keys(raw).sort()) {
    if (!["rate", "count", "participantsPerTx", "start", "startUs"].includes(key)) {
      throw new Error(`unknown option 'transactions.${key}' (known: rate, count, participantsPerTx, start)`);
    }
  }
  refuseBothDurationForms("", raw, "transactions.");
  const count = raw.count;
  return {
    rate: raw.rate === undefined ? defaults.rate : number("transactions.rate", raw.rate, 1e-6, 1e6),
    count:
      count === undefined || count === null || count === Number.POSITIVE_INFINITY
        ? defaults.count
        : integerOption("", "transactions.count", count, 0),
    participantsPerTx:
      raw.participantsPerTx === undefined
        ? undefined
        : integerOption("", "transactions.participantsPerTx", raw.participantsPerTx, 1),
    startUs:
      raw.startUs === undefined && raw.start === undefined
        ? 0
        : durationOption(
            "",
            raw.startUs === undefined ? "transactions.start" : "transactions.startUs",
            raw.startUs ?? raw.start,
            {
              example: "100ms",
              allowZero: true,
            },
          ),
  };
}

export function parseVoteScript(value: unknown): VoteScript {
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

/**
 * Scripted votes name participants of the scenario's cluster (n1 coordinates and casts no vote)
 * and transactions the coordinator begins (numbered from 1, up to `transactions.count`): any
 * other vote would be ignored.
 */
export function checkCommitOptions(options: CommitOptions<string>, nodes: readonly string[]): void {
  const [coordinator, ...participants] = nodes;
  const count = options.transactions.count;
  for (const [node, byTx] of Object.entries(options.script.votes)) {
    checkNodeName("", `script.votes.${node}`, node, nodes);
    if (node === coordinator) {
      throw new Error(
        `option 'script.votes.${node}' scripts votes of ${node}, the coordinator, which casts none (participants ${describeNodes(participants)})`,
      );
    }
    for (const tx of Object.keys(byTx)) {
      if (Number(tx) >= 1 && Number(tx) <= count) continue;
      const begun =
        count === Number.POSITIVE_INFINITY
          ? "transactions are numbered from 1"
          : count === 0
            ? "'transactions.count' is 0"
            : `transactions are numbered 1 to ${count}, 'transactions.count'`;
      throw new Error(
        `option 'script.votes.${node}.${tx}' is a vote on transaction ${tx}, which is never begun (${begun})`,
      );
    }
  }
}
