/**
 * What one exploration explores, completed with documented defaults: the cluster, the client
 * workload, the fault budget and the protocol options (a deliberate bug's own option hints
 * included, as the fuzzer uses them).
 */
import { InputError } from "../errors.js";
import type { ExploreHints, Protocol } from "../node.js";
import type { HistoryChecker } from "../run.js";
import { nodeCountProblem, optionCheckProblem } from "../scenario/validate.js";
import { closestName, didYouMean } from "../suggest.js";
import type { ExploreOperation, FaultBudget, WorldSetup } from "./world.js";

export interface ExploreInput {
  readonly bugs?: readonly string[];
  /** Protocol options (as a scenario's \`options:\`), under the bugs' own option hints. */
  readonly options?: Readonly<Record<string, unknown>>;
  /** Default: the protocol's \`explore.nodes\`, else 3, or the smallest cluster above 3 it supports. */
  readonly nodes?: number;
  /** Default: the bugs' or the protocol's `explore.clients`, else 1; a protocol with no client side takes none. */
  readonly clients?: number;
  /** Operations per client; default: `explore.operations`, else 1. */
  readonly operations?: number;
  /** Which node each client asks first; default: the bugs' or the protocol's `explore.firstNodes`, else `guess`. */
  readonly firstNodes?: "guess" | "spread";
  /** Default: the protocol's \`explore.faults\` over no drops, duplicates or crashes and 3 timeouts. */
  readonly faults?: Partial<FaultBudget>;
  /** The timers whose firing is a choice; default: the bugs' or the protocol's `explore.timers`, else all. */
  readonly timers?: readonly string[] | "all";
  /** Default: the bugs' or the protocol's `explore.network`, else `unordered`. */
  readonly network?: "unordered" | "ordered" | "fifo";
  /** Default: the bugs' or the protocol's `explore.quietTimeouts`, else false. */
  readonly quietTimeouts?: boolean;
  /** Default: the bugs' or the protocol's `explore.promptTimeouts`, else false. */
  readonly promptTimeouts?: boolean;
  /** Default: the bugs' or the protocol's `explore.promptReplies`, else false. */
  readonly promptReplies?: boolean;
  /** The rate a clock drift sets (fast or slow); default: the bugs' or the protocol's `explore.driftRate`, else 0.05. */
  readonly driftRate?: number;
  readonly seed?: bigint;
  /** Guard a module's data (`WorldSetup.guardData`): for a protocol module. */
  readonly guardData?: boolean;
}

export const defaultBudget: FaultBudget = {
  drop: 0,
  duplicate: 0,
  crash: 0,
  timeouts: 3,
  drift: 0,
  isolate: 0,
};

/** The kinds of fault `--faults` counts, in the order a budget is written. */
const faultKinds = ["drop", "duplicate", "crash", "timeouts", "drift", "isolate"] as const;

/** Parses `drop=2,duplicate=1,crash=1,timeouts=4,drift=1,isolate=1` (any subset, in any order). */
export function parseFaultBudget(text: string): Partial<FaultBudget> {
  const out: Record<string, number> = {};
  if (text.trim() === "") return out;
  for (const part of text.split(",").map((item) => item.trim())) {
    if (part === "")
      throw new InputError(
        `--faults: expected name=count items separated by single commas (for example drop=2,crash=1), got '${text}' with an empty item`,
      );
    const match = /^(drop|duplicate|crash|timeouts|drift|isolate)=(\d+)$/.exec(part);
    if (match === null) {
      const named = /^([^=]*)=/.exec(part)?.[1]?.trim();
      const unknown = named !== undefined && !(faultKinds as readonly string[]).includes(named);
      throw new InputError(
        unknown
          ? `--faults: no fault kind '${named}'${didYouMean(named, faultKinds)} (kinds: ${faultKinds.join(", ")}), got '${part}'`
          : `--faults: expected name=count with names ${faultKinds.join(", ")} (for example drop=2,crash=1), got '${part}'`,
      );
    }
    const name = match[1] as string;
    if (out[name] !== undefined)
      throw new InputError(`--faults: ${name} given twice (${name}=${out[name]} and ${part})`);
    const count = Number(match[2]);
    if (count > faultCountMax)
      throw new InputError(
        `--faults: expected a count from 0 to ${faultCountMax} for ${name}, got '${part}'`,
      );
    out[name] = count;
  }
  return out;
}

/** The most of one kind of fault a schedule may take: far more than any schedule explored has steps for. */
export const faultCountMax = 1000;

/** Formats a budget the way `--faults` takes it (clock drifts and isolations only when there are any). */
export function formatFaultBudget(budget: FaultBudget): string {
  const drift = (budget.drift ?? 0) > 0 ? `,drift=${budget.drift}` : "";
  const isolate = (budget.isolate ?? 0) > 0 ? `,isolate=${budget.isolate}` : "";
  return `drop=${budget.drop},duplicate=${budget.duplicate},crash=${budget.crash},timeouts=${budget.timeouts}${drift}${isolate}`;
}

/**
 * The fixed workload: client i issues `operations` operations on key `x`, alternating a write
 * of a value no other operation writes with a read (when the protocol has reads). A protocol
 * whose only operation is `txn` gets list-append transactions, as the workload generator makes
 * them (sim/clients.ts): an append of a unique value to `x`, then a read of `x`.
 */
export function fixedWorkload(
  protocol: Protocol,
  clients: number,
  operations: number,
  firstNodes: { readonly spread: false } | { readonly spread: true; readonly nodes: number } = {
    spread: false,
  },
): ExploreOperation[][] {
  const workload = fixedOperations(protocol, clients, operations);
  if (!firstNodes.spread) return workload;
  return workload.map((list, client) =>
    list.map((operation) => ({ ...operation, node: `n${(client % firstNodes.nodes) + 1}` })),
  );
}

function fixedOperations(protocol: Protocol, clients: number, operations: number): ExploreOperation[][] {
  const functions = Object.keys(protocol.client?.operations ?? {});
  if (functions.length === 1 && functions[0] === "txn") {
    return Array.from({ length: clients }, (_, client) =>
      Array.from({ length: operations }, (_, index): ExploreOperation => {
        const micro = index % 2 === 1 ? ["r", "x", null] : ["append", "x", client * operations + index + 1];
        return { f: "txn", key: null, value: [micro] };
      }),
    );
  }
  const write = functions.includes("write") ? "write" : functions.includes("put") ? "put" : functions[0];
  const read = functions.includes("read") ? "read" : functions.includes("get") ? "get" : undefined;
  if (write === undefined) return [];
  return Array.from({ length: clients }, (_, client) =>
    Array.from({ length: operations }, (_, index): ExploreOperation => {
      if (index % 2 === 1 && read !== undefined) return { f: read, key: "x", value: null };
      return { f: write, key: "x", value: client * operations + index + 1 };
    }),
  );
}

/**
 * Whether the fixed workload reads anywhere: a `read` or `get`, or a transaction with a read. A
 * history of writes alone always has an order that explains it, so without a read the history
 * check cannot fail, whatever the schedule.
 */
export function workloadReads(workload: readonly (readonly ExploreOperation[])[]): boolean {
  return workload.some((operations) =>
    operations.some((operation) => {
      if (operation.f === "read" || operation.f === "get") return true;
      if (operation.f !== "txn" || !Array.isArray(operation.value)) return false;
      return operation.value.some((micro) => Array.isArray(micro) && micro[0] === "r");
    }),
  );
}

/** The options a bug needs to show, from its fuzz hints: the first value of each. */
export function bugOptionHints(protocol: Protocol, bugs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of bugs) {
    const bug = protocol.bugs.find((candidate) => candidate.name === name);
    for (const [key, values] of Object.entries(bug?.fuzz?.options ?? {})) {
      if (values.length > 0) out[key] = values[0];
    }
  }
  return out;
}

/**
 * The protocol's explore bounds, then each named bug's own over them, field by field (the fault
 * budget merged by kind).
 */
export function exploreHints(protocol: Protocol, bugs: readonly string[]): ExploreHints {
  let hints: ExploreHints = protocol.explore ?? {};
  for (const name of bugs) {
    const own = protocol.bugs.find((candidate) => candidate.name === name)?.explore;
    if (own === undefined) continue;
    hints = { ...hints, ...own, faults: { ...hints.faults, ...own.faults } };
  }
  return hints;
}

/** A complete world setup, and the options as a scenario file writes them. */
export function exploreSetup(
  protocol: Protocol,
  input: ExploreInput,
  checkHistory?: HistoryChecker,
): { setup: WorldSetup; userOptions: Record<string, unknown> } {
  const bugs = [...(input.bugs ?? [])];
  for (const bug of bugs) {
    if (!protocol.bugs.some((candidate) => candidate.name === bug)) {
      const names = protocol.bugs.map((candidate) => candidate.name);
      const meant = closestName(bug, names);
      throw new InputError(
        `--bug: ${protocol.name} has no deliberate bug '${bug}'${meant === undefined ? "" : ` (did you mean '${meant}'?)`}; known: ${names.join(", ") || "none"}`,
      );
    }
  }
  const userOptions: Record<string, unknown> = {
    ...input.options,
    ...bugOptionHints(protocol, bugs),
    ...(bugs.length === 0 ? {} : { bugs }),
  };
  let options: Readonly<Record<string, unknown>>;
  try {
    options = protocol.parseOptions(userOptions);
  } catch (error) {
    throw new InputError(`options: ${(error as Error).message}`);
  }
  const hints = exploreHints(protocol, bugs);
  const nodes = input.nodes ?? hints.nodes ?? defaultClusterSize(protocol, options);
  // Blame the flag only when it was given: otherwise the explore hints (or the default) chose.
  const chosenBy =
    input.nodes !== undefined
      ? "--nodes"
      : hints.nodes !== undefined
        ? `explore.nodes ${hints.nodes} (from the explore hints)`
        : "nodes (not given, so the default)";
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 16)
    throw new InputError(`${chosenBy}: expected a whole number from 1 to 16, got ${nodes}`);
  const problem = nodeCountProblem(protocol, nodes, options);
  if (problem !== undefined)
    throw new InputError(`${chosenBy}: ${problem}${input.nodes === undefined ? "; give --nodes" : ""}`);
  const optionProblem = optionCheckProblem(protocol, nodes, options);
  if (optionProblem !== undefined) {
    const hinted = Object.keys(bugOptionHints(protocol, bugs)).length > 0;
    throw new InputError(
      `${input.nodes === undefined ? "options" : `--nodes ${nodes}`}: ${optionProblem}${hinted ? ` (options set by the hints of --bug ${bugs.join(", ")})` : ""}`,
    );
  }
  if (input.clients !== undefined && !wholeUpTo(input.clients, 16))
    throw new InputError(`--clients: expected a whole number from 0 to 16, got ${input.clients}`);
  if (input.operations !== undefined && !wholeUpTo(input.operations, 100))
    throw new InputError(`--ops: expected a whole number from 0 to 100, got ${input.operations}`);
  if (protocol.client === undefined) {
    // As a scenario's workload is refused for such a protocol (scenario/validate.ts), not ignored.
    if ((input.clients ?? 0) > 0)
      throw new InputError(`--clients: ${protocol.name} has no client operations, so it takes no clients`);
    if ((input.operations ?? 0) > 0)
      throw new InputError(`--ops: ${protocol.name} has no client operations, so it takes no operations`);
  }
  const clients = protocol.client === undefined ? 0 : (input.clients ?? hints.clients ?? 1);
  const operations = input.operations ?? hints.operations ?? 1;
  if (protocol.client === undefined && input.firstNodes !== undefined)
    throw new InputError(
      `--first-nodes: ${protocol.name} has no client operations, so no client asks a node first`,
    );
  if (clients === 0 && protocol.client !== undefined) {
    // No client runs, so a workload flag would change nothing: refused, not ignored.
    const none =
      input.clients !== undefined
        ? "--clients 0 leaves no client"
        : `${bugs.length === 0 ? protocol.name : bugs.join(", ")} explores 0 clients, so no client is there`;
    const more = input.clients === undefined ? "; give --clients 1 or more" : "";
    if ((input.operations ?? 0) > 0) throw new InputError(`--ops: ${none} to run operations${more}`);
    if (input.firstNodes !== undefined)
      throw new InputError(`--first-nodes: ${none} to ask a node first${more}`);
  }
  const timers = input.timers === "all" ? undefined : (input.timers ?? hints.timers);
  const driftRate = input.driftRate ?? hints.driftRate;
  if (driftRate !== undefined && !(driftRate > 0 && driftRate < 1))
    throw new InputError(`--drift-rate: expected a fraction above 0 and below 1, got ${driftRate}`);
  const budget: FaultBudget = { ...defaultBudget, ...hints.faults, ...input.faults };
  if (input.driftRate !== undefined && (budget.drift ?? 0) === 0)
    throw new InputError(
      "--drift-rate: the fault budget has no clock drift for it to set; give --faults drift=N as well",
    );
  const setup: WorldSetup = {
    protocol,
    options,
    nodes,
    workload: fixedWorkload(
      protocol,
      clients,
      operations,
      (input.firstNodes ?? hints.firstNodes) === "spread" ? { spread: true, nodes } : { spread: false },
    ),
    seed: input.seed ?? 1n,
    budget,
    ...(timers === undefined ? {} : { timers }),
    network: input.network ?? hints.network ?? "unordered",
    quietTimeouts: input.quietTimeouts ?? hints.quietTimeouts ?? false,
    promptTimeouts: input.promptTimeouts ?? hints.promptTimeouts ?? false,
    promptReplies: input.promptReplies ?? hints.promptReplies ?? false,
    ...(driftRate === undefined ? {} : { driftRate }),
    ...(input.guardData === true ? { guardData: true } : {}),
    ...(checkHistory === undefined ? {} : { checkHistory }),
  };
  return { setup, userOptions };
}

/**
 * The smallest cluster of at least `from` nodes the protocol supports with `bugs` on (sharded-kv:
 * 6, two groups of 3; a bug whose hints name n5: 5), or `from` when none does within 16 nodes or the bugs' options do not parse
 * (`exploreSetup` then says why).
 */
export function smallestCluster(protocol: Protocol, bugs: readonly string[], from: number): number {
  let options: Readonly<Record<string, unknown>>;
  try {
    options = protocol.parseOptions({
      ...bugOptionHints(protocol, bugs),
      ...(bugs.length === 0 ? {} : { bugs }),
    });
  } catch {
    return from;
  }
  return smallestClusterFrom(from, protocol, options) ?? from;
}

/**
 * The cluster explore runs when neither the command line nor the explore hints give one: 3 nodes,
 * or the smallest size above 3 the protocol supports (sharded-kv: 6); for a protocol that runs on
 * none of those, its `defaultNodes`, else the largest size below 3 it supports (a one-node module).
 */
function defaultClusterSize(protocol: Protocol, options: Readonly<Record<string, unknown>>): number {
  const above = smallestClusterFrom(3, protocol, options);
  if (above !== undefined) return above;
  if (clusterFits(protocol, protocol.defaultNodes, options)) return protocol.defaultNodes;
  for (let nodes = 2; nodes >= 1; nodes--) if (clusterFits(protocol, nodes, options)) return nodes;
  // The options fit no size the protocol runs on: take one it runs on, so that the error is the
  // options' (`proposers[1]` names n2), not a size nobody asked for.
  const supported = (nodes: number) => nodeCountProblem(protocol, nodes, options) === undefined;
  if (supported(protocol.defaultNodes)) return protocol.defaultNodes;
  for (let nodes = 3; nodes <= 16; nodes++) if (supported(nodes)) return nodes;
  return 3;
}

/**
 * The smallest cluster of at least `from` nodes the protocol supports with `options`, and whose
 * nodes the options fit (`checkOptions`: a bug's hints may name n5), or undefined when none does
 * within 16 nodes.
 */
function smallestClusterFrom(
  from: number,
  protocol: Protocol,
  options: Readonly<Record<string, unknown>>,
): number | undefined {
  for (let nodes = from; nodes <= 16; nodes++) if (clusterFits(protocol, nodes, options)) return nodes;
  return undefined;
}

/** Whether the protocol supports `nodes` nodes with `options`, and the options fit them. */
function clusterFits(protocol: Protocol, nodes: number, options: Readonly<Record<string, unknown>>): boolean {
  return (
    nodeCountProblem(protocol, nodes, options) === undefined &&
    optionCheckProblem(protocol, nodes, options) === undefined
  );
}

function wholeUpTo(value: number, max: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= max;
}
