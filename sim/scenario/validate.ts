/**
 * Checks a parsed scenario against its protocol, before anything runs: the protocol exists, the
 * cluster size is one it supports, its options parse and pass the protocol's check against the
 * cluster (`checkOptions`), the workload, scripted operations and invoke steps only ask for
 * operations the protocol's clients offer (scripted ones with values its history model takes;
 * under the list-append model, transactions it can check: sim/scenario/transactions.ts), and
 * `expect` only names invariants the run can report.
 * Each problem is an `InputError` at the file, line and column of the offending key, with a
 * suggestion when a known name is close.
 */
import { isModelName, models } from "../check/models/index.js";
import { fieldAt, InputError } from "../errors.js";
import { exceptionInvariant } from "../kernel.js";
import type { NodeCounts, Protocol } from "../node.js";
import { didYouMean } from "../suggest.js";
import type { Scenario } from "./schema.js";
import { listAppendProblem, type ScriptedTransaction } from "./transactions.js";

/** The name under which a non-linearizable client history is reported. */
export const historyInvariant = "kv.linearizable";

/** The name under which a transactional history (list-append, rw-register) is reported. */
export const transactionalHistoryInvariant = "txn.strict-serializable";

/** The invariant a protocol's history check reports, by its client model. */
export function historyInvariantOf(model: string): string {
  return model === "list-append" || model === "rw-register"
    ? transactionalHistoryInvariant
    : historyInvariant;
}

/**
 * The property a protocol's history check decides, by its client model, as people read it:
 * `strict-serializable` for a transactional model, else `linearizable`.
 */
export function historyPropertyOf(model: string): string {
  return historyInvariantOf(model) === transactionalHistoryInvariant ? "strict-serializable" : "linearizable";
}

/** What a scenario runs: its protocol, that protocol's parsed options, and how many nodes. */
export interface ResolvedScenario {
  readonly protocol: Protocol;
  readonly options: Readonly<Record<string, unknown>>;
  /** The cluster's size: the scenario's `nodes`, or the protocol's `defaultNodes`. */
  readonly nodes: number;
}

/** How many nodes `scenario` runs with `protocol`: its `nodes`, or the protocol's `defaultNodes`. */
export function clusterSize(
  scenario: Pick<Scenario, "nodes">,
  protocol: Pick<Protocol, "defaultNodes">,
): number {
  return scenario.nodes ?? protocol.defaultNodes;
}

/** `supports 3 to 9 nodes`, for messages. */
export function describeNodeCounts(counts: NodeCounts): string {
  const range =
    counts.max === undefined
      ? `${counts.min} or more nodes`
      : counts.min === counts.max
        ? `exactly ${counts.min} node${counts.min === 1 ? "" : "s"}`
        : `${counts.min} to ${counts.max} nodes`;
  const sizes = counts.multipleOf === undefined ? range : `${range}, in multiples of ${counts.multipleOf}`;
  return counts.reason === undefined ? sizes : `${sizes} (${counts.reason})`;
}

/** The node counts `protocol` supports with these (parsed) options. */
export function nodeCountsOf(protocol: Protocol, options: Readonly<Record<string, unknown>>): NodeCounts {
  const declared = protocol.nodeCounts ?? { min: 1 };
  return typeof declared === "function" ? declared(options) : declared;
}

/** Why `protocol` cannot run with `nodes` nodes, or undefined when it can. */
export function nodeCountProblem(
  protocol: Protocol,
  nodes: number,
  options: Readonly<Record<string, unknown>>,
): string | undefined {
  const counts = nodeCountsOf(protocol, options);
  const fits =
    nodes >= counts.min &&
    (counts.max === undefined || nodes <= counts.max) &&
    (counts.multipleOf === undefined || nodes % counts.multipleOf === 0);
  return fits ? undefined : `${protocol.name} supports ${describeNodeCounts(counts)}, got ${nodes}`;
}

/**
 * Why the protocol's own check of its parsed options against a cluster of `nodes` (n1..nN)
 * refuses them (`checkOptions`), or undefined when it accepts them or has no such check.
 */
export function optionCheckProblem(
  protocol: Protocol,
  nodes: number,
  options: Readonly<Record<string, unknown>>,
): string | undefined {
  try {
    protocol.checkOptions?.(
      options,
      Array.from({ length: nodes }, (_, index) => `n${index + 1}`),
    );
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Every name a scenario's `expect.violates` may use with this protocol. */
export function reportableInvariants(protocol: Protocol): string[] {
  const names = protocol.invariants.map((invariant) => invariant.name);
  if (protocol.client?.model !== undefined) names.push(historyInvariantOf(protocol.client.model));
  names.push(exceptionInvariant);
  return names;
}

/**
 * A check of a scripted operation's value against the protocol's history model, so that a value
 * the model cannot take (a `cas` whose value is not `[expected, next]`) is refused at its line
 * before the run rather than by the history check after it.
 */
function valueCheck(
  protocol: Protocol,
  errorAt: (path: ReadonlyArray<string | number>, message: string) => InputError,
): (operation: OperationStep, path: ReadonlyArray<string | number>) => void {
  const model = protocol.client?.model;
  const validate = model !== undefined && isModelName(model) ? models[model].validate : undefined;
  return (operation, path) => {
    if (validate === undefined) return;
    const problem = validate({
      id: 0,
      process: 0,
      f: operation.f,
      key: operation.key ?? null,
      input: operation.value,
      output: undefined,
      status: "info",
      callUs: 0,
      returnUs: Number.POSITIVE_INFINITY,
    });
    if (problem === undefined) return;
    throw errorAt([...path, operation.value === undefined ? "f" : "value"], `${operation.f}: ${problem}`);
  };
}

/** The fields of a scripted operation or an invoke step that its history model reads. */
interface OperationStep {
  readonly f: string;
  readonly key?: string | null;
  readonly value?: unknown;
}

/** Validates `scenario` against `registry` and returns its protocol with the parsed options. */
export function resolveScenario(
  scenario: Scenario,
  registry: ReadonlyMap<string, Protocol>,
): ResolvedScenario {
  const errorAt = (path: ReadonlyArray<string | number>, message: string): InputError =>
    new InputError(message, {
      ...(scenario.file === undefined ? {} : { file: scenario.file }),
      ...(scenario.locate?.(path) ?? {}),
      ...fieldAt(path),
    });

  const protocol = registry.get(scenario.protocol);
  if (protocol === undefined) {
    const known = [...registry.keys()].sort();
    throw errorAt(
      ["protocol"],
      `unknown protocol '${scenario.protocol}'${didYouMean(scenario.protocol, known)} (known: ${known.join(", ") || "none"})`,
    );
  }

  let options: Readonly<Record<string, unknown>>;
  try {
    options = protocol.parseOptions(scenario.options);
  } catch (error) {
    throw optionError(protocol, scenario, error, errorAt);
  }
  if (options === null || typeof options !== "object") {
    throw new InputError(
      `protocol '${protocol.name}': parseOptions returned ${options === null ? "null" : typeof options}; it must return the options object handed to create`,
    );
  }

  checkBugNames(protocol, scenario.options, errorAt);

  const nodes = clusterSize(scenario, protocol);
  const sizeProblem = nodeCountProblem(protocol, nodes, options);
  if (sizeProblem !== undefined) {
    throw errorAt(
      ["nodes"],
      scenario.nodes === undefined
        ? `nodes: not given, so ${protocol.name}'s default of ${nodes} node${nodes === 1 ? "" : "s"}, but ${sizeProblem}: give nodes`
        : `nodes: ${sizeProblem}`,
    );
  }
  if (scenario.nodes === undefined) scenario.checkNames?.(nodes);
  try {
    protocol.checkOptions?.(
      options,
      Array.from({ length: nodes }, (_, index) => `n${index + 1}`),
    );
  } catch (error) {
    throw optionError(protocol, scenario, error, errorAt);
  }

  const offered = protocol.client?.operations ?? {};
  const list = Object.keys(offered);
  const checkOperation = (operation: string, path: Array<string | number>, what: string): void => {
    if (Object.hasOwn(offered, operation)) return;
    throw errorAt(
      path,
      list.length === 0
        ? `${protocol.name} has no client operations, so it takes no ${what}`
        : `${protocol.name}'s clients do not offer '${operation}'${didYouMean(operation, list)} (offered: ${list.join(", ")})`,
    );
  };
  for (const operation of Object.keys(scenario.workload?.mix ?? {})) {
    checkOperation(operation, ["workload", "mix", operation], "workload");
  }
  const checkValue = valueCheck(protocol, errorAt);
  scenario.faults.forEach((fault, index) => {
    if (fault.kind !== "op") return;
    const at = scenario.faultIndexes?.[index] ?? index;
    checkOperation(fault.op.f, ["faults", at, "op", "f"], "scripted operations (op)");
    checkValue(fault.op, ["faults", at, "op"]);
  });
  (scenario.schedule ?? []).forEach((step, index) => {
    if (step.kind !== "invoke") return;
    checkOperation(step.f, ["schedule", index, "invoke", "f"], "client operations (invoke)");
    checkValue(step, ["schedule", index, "invoke"]);
  });
  if (protocol.client?.model === "list-append") {
    const transactions: ScriptedTransaction[] = [];
    scenario.faults.forEach((fault, index) => {
      if (fault.kind !== "op" || fault.op.f !== "txn") return;
      const at = scenario.faultIndexes?.[index] ?? index;
      transactions.push({ value: fault.op.value, path: ["faults", at, "op", "value"] });
    });
    (scenario.schedule ?? []).forEach((step, index) => {
      if (step.kind !== "invoke" || step.f !== "txn") return;
      transactions.push({ value: step.value, path: ["schedule", index, "invoke", "value"] });
    });
    const problem = listAppendProblem(transactions);
    if (problem !== undefined) throw errorAt(problem.path, problem.message);
  }

  const known = reportableInvariants(protocol);
  (scenario.expect.violates ?? []).forEach((name, index) => {
    if (known.includes(name)) return;
    throw errorAt(
      ["expect", "violates", index],
      `expect.violates: ${protocol.name} has no invariant '${name}'${didYouMean(name, known)}`,
    );
  });
  if (scenario.expect.linearizable !== undefined && protocol.client?.model === undefined) {
    throw errorAt(
      ["expect", "linearizable"],
      `expect.linearizable: ${protocol.name} names no history model (client.model), so its history is not checked`,
    );
  }
  // No node of a protocol without a leading role ever leads: `leader` could never be met.
  if (scenario.expect.leader !== undefined && (protocol.roles?.leading.length ?? 0) === 0) {
    throw errorAt(
      ["expect", "leader"],
      `expect.leader: ${protocol.name} declares no leading role (roles.leading), so no node ever leads`,
    );
  }
  if (scenario.expect.blocked !== undefined && protocol.measuresBlocking !== true) {
    const measuring = [...registry.values()]
      .filter((candidate) => candidate.measuresBlocking === true)
      .map((candidate) => candidate.name);
    throw errorAt(
      ["expect", "blocked"],
      `expect.blocked: ${protocol.name} does not measure blocking; ${measuring.length === 0 ? "no protocol here does" : `the commit protocols do (${measuring.join(", ")})`}`,
    );
  }
  return { protocol, options, nodes };
}

/**
 * The scenario's `options.bugs` names only bugs the protocol declares. The built-in protocols'
 * `parseOptions` check this themselves; a module's may take any list, and a misspelt bug then
 * left the protocol correct while the scenario meant to show the bug.
 */
function checkBugNames(
  protocol: Protocol,
  options: Readonly<Record<string, unknown>>,
  errorAt: (path: ReadonlyArray<string | number>, message: string) => InputError,
): void {
  if (!Object.hasOwn(options, "bugs")) return;
  const bugs = options.bugs;
  const names = protocol.bugs.map((bug) => bug.name);
  const known = `known: ${names.join(", ") || "none"}`;
  if (!Array.isArray(bugs)) {
    throw errorAt(["options", "bugs"], `options.bugs: expected a list of bug names (${known})`);
  }
  bugs.forEach((bug, index) => {
    if (typeof bug === "string" && names.includes(bug)) return;
    const named =
      typeof bug === "string" ? `'${bug}'${didYouMean(bug, names)}` : (JSON.stringify(bug) ?? String(bug));
    throw errorAt(
      ["options", "bugs", index],
      `options.bugs: ${protocol.name} has no deliberate bug ${named} (${known})`,
    );
  });
}

/**
 * A `parseOptions` error, placed at the option it names (`raft option 'preVot' …`) and with a
 * suggestion when the option is unknown and a known one is close.
 */
function optionError(
  protocol: Protocol,
  scenario: Scenario,
  error: unknown,
  errorAt: (path: ReadonlyArray<string | number>, message: string) => InputError,
): InputError {
  const message = error instanceof Error ? error.message : String(error);
  const keys = Object.keys(scenario.options);
  const key = keys.find((candidate) => message.includes(`'${candidate}'`));
  let suggestion = "";
  if (key !== undefined && /unknown/i.test(message)) {
    const listed = /known: ([^;()]*)/i.exec(message)?.[1];
    const known = new Set(listed === undefined ? [] : listed.split(/,\s*/).map((name) => name.trim()));
    try {
      for (const name of Object.keys(protocol.parseOptions({}))) known.add(name);
    } catch {
      // A protocol whose options have no defaults: the error's own list is all there is.
    }
    known.delete(key);
    suggestion = didYouMean(key, known);
  }
  return errorAt(
    ["options", ...(key === undefined ? nestedOptionPath(message, keys) : [key])],
    `options: ${message}${suggestion}`,
  );
}

/**
 * The path of a nested option a message names in quotes (`'changes[0].at'` → changes, 0, at;
 * `'script.votes.n2.5'` → script, votes, n2, "5"), when it starts with one of the scenario's
 * options; empty otherwise.
 */
function nestedOptionPath(message: string, keys: readonly string[]): Array<string | number> {
  for (const [, quoted] of message.matchAll(/'([^'\s]+)'/g)) {
    const path: Array<string | number> = [];
    for (const part of (quoted as string).split(".")) {
      const [field, ...indexes] = part.split("[");
      if (field !== undefined && field !== "") path.push(field);
      for (const index of indexes) path.push(Number.parseInt(index, 10));
    }
    if (typeof path[0] === "string" && keys.includes(path[0]) && !path.some(Number.isNaN)) return path;
  }
  return [];
}
