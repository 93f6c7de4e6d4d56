/**
 * Single-decree Paxos options, validated with readable errors and completed with documented
 * defaults. Durations are written with their unit (`50ms`, `1.5s`), or in microseconds under the
 * `Us` names (`retryTimeoutUs: 50000`).
 * `parsePaxosOptions` is idempotent: its output parses back to itself. Single values are parsed
 * by shared/options.ts.
 */
import {
  booleanOption,
  bugListOption,
  checkNodeName,
  durationOption,
  refuseBothDurationForms,
} from "../shared/options.js";
import { type PaxosBugName, paxosBugNames } from "./bugs.js";

export interface PaxosOptions {
  /** Nodes that propose. Default `n1` and `n2`. */
  readonly proposers: readonly string[];
  /** Nodes that accept; `all` (default) means every node. */
  readonly acceptors: readonly string[] | "all";
  /** Nodes that learn; `all` (default) means every node. */
  readonly learners: readonly string[] | "all";
  /** Each proposer's own value; a proposer not listed draws `<id>:<number>` from its random stream. */
  readonly values: Readonly<Record<string, string>>;
  /**
   * Proposers start their first ballot by themselves after a random delay of at most
   * `proposeDelayMaxUs` (default true). When false, a proposer starts only when its `propose`
   * timer is fired by the scenario (`timeout: n1`).
   */
  readonly autoPropose: boolean;
  readonly proposeDelayMaxUs: number;
  /**
   * Randomized exponential backoff before retrying a failed ballot (default true). When false, a
   * proposer retries at once when an acceptor rejects its ballot: the recipe for duelling
   * proposers (Paxos Made Simple §2.4).
   */
  readonly backoff: boolean;
  /** A ballot not chosen within this long is retried with a higher one. Default 50 ms. */
  readonly retryTimeoutUs: number;
  /** First backoff is uniform in [min, max]; each consecutive failure doubles max (up to 16×). */
  readonly backoffMinUs: number;
  readonly backoffMaxUs: number;
  readonly bugs: readonly PaxosBugName[];
}

export const defaultPaxosOptions: PaxosOptions = {
  proposers: ["n1", "n2"],
  acceptors: "all",
  learners: "all",
  values: {},
  autoPropose: true,
  proposeDelayMaxUs: 20_000,
  backoff: true,
  retryTimeoutUs: 50_000,
  backoffMinUs: 5_000,
  backoffMaxUs: 40_000,
  bugs: [],
};

/** A duration option: `150ms`-style text, 0, or microseconds under a `Us` name. */
function duration(name: string, value: unknown): number {
  if (typeof value === "string" && value.trim() === "0") return 0;
  return durationOption("paxos", name, value, { example: "50ms", allowZero: true });
}

function nodeList(name: string, value: unknown, allowAll: boolean): readonly string[] | "all" {
  if (allowAll && value === "all") return "all";
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string") || value.length === 0) {
    throw new Error(
      `paxos option '${name}' must be a non-empty list of node names${allowAll ? " or 'all'" : ""}`,
    );
  }
  const nodes = value as string[];
  const repeated = nodes.find((node, index) => nodes.indexOf(node) !== index);
  if (repeated !== undefined) throw new Error(`paxos option '${name}' lists ${repeated} twice`);
  return [...nodes];
}

const durationFields = {
  proposeDelayMax: "proposeDelayMaxUs",
  proposeDelayMaxUs: "proposeDelayMaxUs",
  retryTimeout: "retryTimeoutUs",
  retryTimeoutUs: "retryTimeoutUs",
  backoffMin: "backoffMinUs",
  backoffMinUs: "backoffMinUs",
  backoffMax: "backoffMaxUs",
  backoffMaxUs: "backoffMaxUs",
} as const;

export function parsePaxosOptions(input: Readonly<Record<string, unknown>>): PaxosOptions {
  refuseBothDurationForms("paxos", input);
  const options: { -readonly [K in keyof PaxosOptions]: PaxosOptions[K] } = { ...defaultPaxosOptions };
  for (const key of Object.keys(input).sort()) {
    const value = input[key];
    if (value === undefined) continue;
    if (key in durationFields) {
      options[durationFields[key as keyof typeof durationFields]] = duration(key, value);
      continue;
    }
    switch (key) {
      case "proposers":
        options.proposers = nodeList(key, value, false) as readonly string[];
        break;
      case "acceptors":
      case "learners":
        options[key] = nodeList(key, value, true);
        break;
      case "values": {
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
          throw new Error("paxos option 'values' must map proposer names to values");
        }
        const values: Record<string, string> = {};
        for (const node of Object.keys(value).sort())
          values[node] = String((value as Record<string, unknown>)[node]);
        options.values = values;
        break;
      }
      case "autoPropose":
      case "backoff":
        options[key] = booleanOption("paxos", key, value);
        break;
      case "bugs":
        options.bugs = bugListOption("paxos", value, paxosBugNames);
        break;
      default:
        throw new Error(
          `unknown paxos option '${key}'; known: proposers, acceptors, learners, values, autoPropose, ` +
            "proposeDelayMax, backoff, retryTimeout, backoffMin, backoffMax, bugs",
        );
    }
  }
  if (options.retryTimeoutUs <= 0) throw new Error("paxos option 'retryTimeout' must be above 0");
  if (options.backoffMinUs > options.backoffMaxUs) {
    throw new Error("paxos option 'backoffMin' must not exceed 'backoffMax'");
  }
  return options;
}

/**
 * Every node the options name is a node of the scenario's cluster, and every value belongs to a
 * proposer: a name that is neither would be ignored (an unknown acceptor would silently shrink
 * the majority).
 */
export function checkPaxosOptions(options: PaxosOptions, nodes: readonly string[]): void {
  for (const name of ["proposers", "acceptors", "learners"] as const) {
    const listed = options[name];
    if (listed === "all") continue;
    for (const [index, node] of listed.entries()) checkNodeName("paxos", `${name}[${index}]`, node, nodes);
  }
  for (const node of Object.keys(options.values)) {
    checkNodeName("paxos", `values.${node}`, node, nodes);
    if (!options.proposers.includes(node)) {
      throw new Error(
        `paxos option 'values.${node}' gives a value to ${node}, which is not a proposer (proposers ${options.proposers.join(", ")})`,
      );
    }
  }
}
