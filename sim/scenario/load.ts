/**
 * Reading scenario files: YAML text → validated `Scenario`, or an `InputError` that names
 * file:line:column and what was expected. Reading the file from disk is the caller's job.
 */
import { type Document, isMap, isNode, isScalar, LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import type { WorkloadSpec } from "../clients.js";
import { fieldAt, InputError } from "../errors.js";
import { defaultNetwork, type LinkSpec, type NetworkSpec } from "../network.js";
import { issueSentence, zodWords } from "../schema-words.js";
import { didYouMean } from "../suggest.js";
import { formatDuration, formatSpan } from "../time.js";
import { type FaultAction, type Scenario, type ScenarioInput, scenarioSchema } from "./schema.js";

const symbolicTargets = new Set(["leader", "follower", "any", "crashed"]);

/** Parses and validates scenario text. `file` is used in error messages and as the default name. */
export function parseScenario(text: string, file: string): Scenario {
  const other = otherKindOfFile(text);
  if (other !== undefined) throw new InputError(other, { file, line: 1, column: 1 });
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntaxError = document.errors[0];
  if (syntaxError !== undefined) {
    const position = lineCounter.linePos(syntaxError.pos[0]);
    throw new InputError(`invalid YAML: ${firstLine(syntaxError.message)}`, {
      file,
      line: position.line,
      column: position.col,
    });
  }
  const raw: unknown = document.toJS();
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new InputError("expected a scenario: a mapping with at least 'protocol' and 'duration'", {
      file,
      line: 1,
      column: 1,
    });
  }
  // A seed written as a number is read from its text, as --seed reads it: YAML would take 0o17
  // and 1e3 too, and round a 64-bit seed to a float.
  const seed = document.get("seed", true);
  if (isScalar(seed) && typeof seed.value === "number" && seed.range !== undefined && seed.range !== null) {
    (raw as Record<string, unknown>).seed = text.slice(seed.range[0], seed.range[1]);
  }
  const result = scenarioSchema.safeParse(raw);
  if (!result.success) throw issueError(result.error.issues, raw, document, lineCounter, file);
  const keyOrder = Object.keys(raw);
  const errorAt: ErrorAt = (path, message, at = "value") => {
    const { line, column } =
      at === "key" ? locateKey(document, lineCounter, path) : locate(document, lineCounter, path);
    return new InputError(message, {
      file,
      ...(line === undefined ? {} : { line, column }),
      ...fieldAt(path),
    });
  };
  const input = result.data;
  const scenario = build(input, file, keyOrder, errorAt, input.nodes);
  // Without `nodes`, the cluster is the protocol's default size, known once the protocol is: the
  // names the file uses are checked then (`resolveScenario`).
  if (input.nodes === undefined) {
    Object.defineProperty(scenario, "checkNames", {
      value: (nodes: number) => {
        build(input, file, keyOrder, errorAt, nodes);
      },
      enumerable: false,
    });
  }
  // Not enumerable: a scenario stays plain data for comparisons and copies.
  Object.defineProperty(scenario, "locate", {
    value: (path: ReadonlyArray<string | number>) => locate(document, lineCounter, [...path]),
    enumerable: false,
  });
  Object.defineProperty(scenario, "faultIndexes", {
    value: scenario.faults.map((fault) => (result.data.faults ?? []).indexOf(fault)),
    enumerable: false,
  });
  return scenario;
}

/**
 * A copy of `scenario` with `changes`, keeping what a scenario read from text carries beside its
 * data, which a spread copy loses: where its fields are in the file and, for a file without
 * `nodes`, the check of its names that waits for its protocol's size (without it, a name the file
 * got wrong would reach the run). Where its faults are in the file goes when they change.
 */
export function copyScenario(scenario: Scenario, changes: Partial<Scenario>): Scenario {
  const copy: Scenario = { ...scenario, ...changes };
  const carried = {
    locate: scenario.locate,
    checkNames: scenario.checkNames,
    faultIndexes: changes.faults === undefined ? scenario.faultIndexes : undefined,
  };
  for (const [key, value] of Object.entries(carried)) {
    if (value !== undefined) Object.defineProperty(copy, key, { value, enumerable: false });
  }
  return copy;
}

/**
 * What to say of a file that is plainly not a scenario but one of the files written beside one
 * (a run's trace, its HTML report), which YAML would report only as a syntax error.
 */
function otherKindOfFile(text: string): string | undefined {
  const start = text.trimStart();
  if (/^<(!doctype html|html)[\s>]/i.test(start)) {
    return "an HTML report, not a scenario: give the scenario file (.yaml) it was made from";
  }
  if (!start.startsWith('{"kind":"header"')) return undefined;
  let header: { scenario?: unknown; description?: unknown };
  try {
    header = JSON.parse(start.split("\n", 1)[0] as string) as typeof header;
  } catch {
    return undefined;
  }
  const scenario = typeof header.scenario === "string" ? header.scenario : undefined;
  const named = scenario === undefined ? "" : ` (of scenario '${scenario}')`;
  // The fuzzer writes a counterexample's scenario beside its trace; `run --trace` writes a trace
  // wherever it is told, and the header names the scenario, not its file.
  const fromFuzzer =
    typeof header.description === "string" && header.description.startsWith(fuzzerDescription);
  const instead = fromFuzzer
    ? `replay the scenario's file instead (the fuzzer saved it beside the trace${scenario === undefined ? "" : `, as ${scenario}.yaml`})`
    : "give the scenario file (or built-in scenario name) the trace was made from instead";
  return `a trace${named}, not a scenario: ${instead}; 'quorumlab report' reads a trace`;
}

/** How the description of a fuzzer's counterexample starts (sim/fuzz/counterexample.ts). */
export const fuzzerDescription = "Counterexample found by the quorumlab fuzzer";

/**
 * `keyOrder`: the file's top-level keys, in the order it writes them. `nodes`: the cluster's size,
 * which the names the file uses are checked against; undefined when it is not known yet (the
 * file gives no `nodes`), and then they are not checked.
 */
function build(
  input: ScenarioInput,
  file: string,
  keyOrder: readonly string[],
  errorAt: ErrorAt,
  nodes: number | undefined,
): Scenario {
  const names = scenarioNames(input, errorAt, nodes);
  const network = buildNetwork(input, names);
  checkWorkload(input, errorAt);
  const faults = checkFaults(input, names);
  if (input.schedule !== undefined) checkSchedule(input, names, keyOrder);
  else if (input.clients !== undefined) {
    // Without a schedule nothing would use these clients: the run would ignore the key.
    throw errorAt(
      ["clients"],
      "clients: only a scenario with a schedule takes clients, for its invoke steps; background clients are workload.clients",
      "key",
    );
  }
  checkExpectations(input, names);
  return {
    name: input.name ?? baseName(file),
    protocol: input.protocol,
    ...(input.module === undefined ? {} : { module: input.module }),
    summary: input.summary ?? "",
    description: input.description ?? "",
    ...(input.nodes === undefined ? {} : { nodes: input.nodes }),
    seed: input.seed ?? 1n,
    durationUs: input.duration,
    options: input.options ?? {},
    network,
    workload: buildWorkload(input),
    faults,
    ...(input.clients === undefined ? {} : { clients: input.clients }),
    ...(input.schedule === undefined ? {} : { schedule: input.schedule }),
    expect: input.expect ?? {},
    file,
  };
}

/** An input error at a path of the scenario document: at its value, or at its key. */
type ErrorAt = (path: Array<string | number>, message: string, at?: "value" | "key") => InputError;

/**
 * The scenario's nodes and clients, and the checks that a name in it is one of them; while the
 * cluster's size is not known, every name passes.
 */
interface ScenarioNames {
  readonly nodeIds: readonly string[];
  readonly errorAt: ErrorAt;
  /** `value` is a node of the scenario (or the cluster's size is not known yet). */
  hasNode(value: string): boolean;
  /** A node or a client, at `path`. */
  endpoint(value: string, path: Array<string | number>): void;
  /** A node or a symbolic target (`leader`, `any`...), at `path`. */
  nodeTarget(value: string, path: Array<string | number>): void;
}

function scenarioNames(input: ScenarioInput, errorAt: ErrorAt, nodes: number | undefined): ScenarioNames {
  const nodeIds = Array.from({ length: nodes ?? 0 }, (_, index) => `n${index + 1}`);
  const nodeSet = new Set(nodeIds);
  const hasNode = (value: string) => nodes === undefined || nodeSet.has(value);
  const workloadClients = input.workload?.clients ?? 0;
  const scriptedOps = (input.faults ?? []).filter((fault) => fault.kind === "op").length;
  const clientSet = new Set(
    Array.from({ length: workloadClients + scriptedOps }, (_, index) => `c${index + 1}`),
  );
  return {
    nodeIds,
    errorAt,
    hasNode,
    endpoint(value, path) {
      if (!hasNode(value) && !clientSet.has(value)) {
        // A name like a client's (c9) is told the clients too: the workload and scripted ops make them.
        const clients = /^c\d+$/.test(value)
          ? clientSet.size === 0
            ? " and no clients"
            : ` and clients ${describeRange([...clientSet])}`
          : "";
        throw errorAt(
          path,
          `unknown node or client '${value}': this scenario has nodes ${describeRange(nodeIds)}${clients}`,
        );
      }
    },
    nodeTarget(value, path) {
      if (!hasNode(value) && !symbolicTargets.has(value)) {
        throw errorAt(
          path,
          `unknown target '${value}': expected one of ${describeRange(nodeIds)}, leader, follower, any, crashed${didYouMean(value, symbolicTargets)}`,
        );
      }
    },
  };
}

/** The network with its defaults; a link given `both` is two links. */
function buildNetwork(input: ScenarioInput, { endpoint, errorAt }: ScenarioNames): NetworkSpec {
  const links: LinkSpec[] = [];
  /** The entry that set each directed link: a second one for it would silently win or lose. */
  const givenBy = new Map<string, { readonly index: number; readonly reverse: boolean }>();
  const claim = (from: string, to: string, index: number, reverse: boolean) => {
    const key = `${from}→${to}`;
    const earlier = givenBy.get(key);
    if (earlier !== undefined) {
      const by = `network.links.${earlier.index}${earlier.reverse ? " (its both: true)" : ""}`;
      throw errorAt(
        ["network", "links", index],
        `network.links.${index}: the link ${key} is already set by ${by}: give each directed link once`,
      );
    }
    givenBy.set(key, { index, reverse });
  };
  (input.network?.links ?? []).forEach((link, index) => {
    endpoint(link.from, ["network", "links", index, "from"]);
    endpoint(link.to, ["network", "links", index, "to"]);
    if (link.from === link.to) {
      throw errorAt(
        ["network", "links", index],
        `network.links.${index}: ${link.from} to ${link.to} joins ${link.from} to itself, and a node's messages to itself never cross the network: expected two different nodes or clients`,
      );
    }
    claim(link.from, link.to, index, false);
    if (link.both === true) claim(link.to, link.from, index, true);
    const spec = {
      from: link.from,
      to: link.to,
      ...(link.latency === undefined ? {} : { latency: link.latency }),
      ...(link.loss === undefined ? {} : { loss: link.loss }),
      ...(link.duplicate === undefined ? {} : { duplicate: link.duplicate }),
    };
    links.push(spec);
    if (link.both === true) links.push({ ...spec, from: link.to, to: link.from });
  });
  return {
    latency: input.network?.latency ?? defaultNetwork.latency,
    loss: input.network?.loss ?? 0,
    duplicate: input.network?.duplicate ?? 0,
    fifo: input.network?.fifo ?? false,
    links,
  };
}

/**
 * A workload that issues operations: it starts within the run, stops after it starts and no
 * later than the run's end, and has an operation of some weight to choose.
 */
function checkWorkload(input: ScenarioInput, errorAt: ErrorAt): void {
  const workload = input.workload;
  if (workload === undefined) return;
  const end = `the end of the run (duration ${formatSpan(input.duration)})`;
  const start = workload.start ?? 0;
  if (start >= input.duration) {
    throw errorAt(
      ["workload", "start"],
      `workload.start: ${formatDuration(start)} is at or after ${end}, so no operation starts`,
    );
  }
  if (workload.stop !== undefined && workload.stop > input.duration) {
    throw errorAt(["workload", "stop"], `workload.stop: ${formatDuration(workload.stop)} is after ${end}`);
  }
  if (workload.stop !== undefined && workload.stop <= start) {
    throw errorAt(
      ["workload", "stop"],
      `workload.stop: ${formatDuration(workload.stop)} is not after workload.start (${formatDuration(start)}), so no operation starts`,
    );
  }
  if (Array.isArray(workload.keys)) {
    const keys = workload.keys;
    const twice = keys.findIndex((key, index) => keys.indexOf(key) !== index);
    if (twice >= 0) {
      throw errorAt(
        ["workload", "keys", twice],
        `workload.keys: '${keys[twice]}' is listed twice: each key once (a key listed twice would be chosen twice as often)`,
      );
    }
  }
  if (workload.mix !== undefined && !Object.values(workload.mix).some((weight) => weight > 0)) {
    throw errorAt(
      ["workload", "mix"],
      `workload.mix: ${Object.keys(workload.mix).length === 0 ? "no operation is listed" : "every weight is 0"}, so no operation is chosen: give at least one a weight above 0`,
    );
  }
}

/** The fault actions, each checked against the run's length and names, in time order. */
function checkFaults(input: ScenarioInput, names: ScenarioNames): FaultAction[] {
  const { errorAt, endpoint, nodeTarget, hasNode, nodeIds } = names;
  const faults: FaultAction[] = [...(input.faults ?? [])];
  /** A clog or a burst ends by the end of the run. */
  const lastsWithinRun = (atUs: number, forUs: number, path: Array<string | number>): void => {
    if (atUs + forUs <= input.duration) return;
    throw errorAt(
      path,
      `${path.join(".")}: ${formatDuration(forUs)} from ${formatDuration(atUs)} ends after the end of the run (duration ${formatSpan(input.duration)}): at most ${formatDuration(input.duration - atUs)}`,
    );
  };
  /**
   * A link joins two endpoints: a node's messages to itself never cross the network, so a cut of
   * `[n1, n1]` changed nothing, and the run said nothing of it.
   */
  const distinctEnds = (link: { from: string; to: string }, field: string, path: Array<string | number>) => {
    if (link.from !== link.to) return;
    throw errorAt(
      path,
      `${field}: [${link.from}, ${link.to}] joins ${link.from} to itself, and a node's messages to itself never cross the network: expected two different nodes or clients, such as [n1, n3]`,
    );
  };
  faults.forEach((fault, index) => {
    const at = (field: string | number, ...rest: Array<string | number>) => ["faults", index, field, ...rest];
    if (fault.atUs > input.duration) {
      throw errorAt(
        ["faults", index, "at"],
        `this action is after the end of the run (duration ${formatSpan(input.duration)})`,
      );
    }
    switch (fault.kind) {
      case "crash":
      case "restart":
      case "pause":
      case "resume":
      case "timeout":
      case "isolate":
        nodeTarget((fault as unknown as Record<string, string>)[fault.kind] as string, at(fault.kind));
        break;
      case "partition": {
        const groupOf = new Map<string, number>();
        fault.partition.forEach((group, groupIndex) => {
          group.forEach((member, memberIndex) => {
            endpoint(member, at("partition", groupIndex, memberIndex));
            const earlier = groupOf.get(member);
            if (earlier !== undefined) {
              throw errorAt(
                at("partition", groupIndex, memberIndex),
                earlier === groupIndex
                  ? `'${member}' is listed twice in group ${groupIndex + 1}`
                  : `'${member}' is in groups ${earlier + 1} and ${groupIndex + 1}: partition groups must not overlap`,
              );
            }
            groupOf.set(member, groupIndex);
          });
        });
        break;
      }
      case "cut":
        endpoint(fault.cut.from, at("cut"));
        endpoint(fault.cut.to, at("cut"));
        distinctEnds(fault.cut, "cut", at("cut"));
        break;
      case "clog":
        endpoint(fault.clog.link.from, at("clog", "link"));
        endpoint(fault.clog.link.to, at("clog", "link"));
        distinctEnds(fault.clog.link, "clog.link", at("clog", "link"));
        lastsWithinRun(fault.atUs, fault.clog.for, at("clog", "for"));
        break;
      case "burst":
        lastsWithinRun(fault.atUs, fault.burst.for, at("burst", "for"));
        break;
      case "drift":
        nodeTarget(fault.drift.node, at("drift", "node"));
        break;
      case "op":
        if (fault.op.node !== undefined && !hasNode(fault.op.node)) {
          throw errorAt(
            at("op", "node"),
            `unknown node '${fault.op.node}': expected one of ${describeRange(nodeIds)}`,
          );
        }
        break;
      case "heal":
        break;
    }
  });
  // Stable sort: actions at the same time keep the order in which the file lists them.
  return faults.sort((a, b) => a.atUs - b.atUs);
}

/** Expectations that some run could meet: within the run, about its nodes, not contradictory. */
function checkExpectations(input: ScenarioInput, { errorAt, hasNode, nodeIds }: ScenarioNames): void {
  const expect = input.expect;
  if (expect === undefined) return;
  if (expect.safe === true && (expect.violates ?? []).length > 0) {
    throw errorAt(
      ["expect", "safe"],
      "expect.safe: true says no invariant is violated, but 'violates' expects some to be: keep one of them",
    );
  }
  // Every node starts at 0 and none leads yet: an election takes a message round at least.
  if (expect.leader !== undefined && expect.leader.by === 0) {
    throw errorAt(
      ["expect", "leader", "by"],
      "expect.leader.by: expected a time above 0, such as 1s: at 0 the nodes have just started and none leads yet",
    );
  }
  if (expect.leader !== undefined && expect.leader.by > input.duration) {
    throw errorAt(
      ["expect", "leader", "by"],
      `expect.leader.by: ${formatDuration(expect.leader.by)} is after the end of the run (duration ${formatSpan(input.duration)})`,
    );
  }
  (expect.neverLeader ?? []).forEach((node, index, list) => {
    if (!hasNode(node)) {
      throw errorAt(
        ["expect", "neverLeader", index],
        `expect.neverLeader: unknown node '${node}': expected one of ${describeRange(nodeIds)}`,
      );
    }
    if (list.indexOf(node) !== index) {
      throw errorAt(
        ["expect", "neverLeader", index],
        `expect.neverLeader: '${node}' is listed twice: each node once`,
      );
    }
  });
  for (const [figure, bounds] of Object.entries(expect.figures ?? {})) {
    if (bounds.min !== undefined && bounds.max !== undefined && bounds.min > bounds.max) {
      throw errorAt(
        ["expect", "figures", figure],
        `expect.figures.${figure}: min ${bounds.min} is above max ${bounds.max}, so no run meets it`,
      );
    }
  }
}

/** The workload with its defaults, if the scenario has one. */
function buildWorkload(input: ScenarioInput): WorkloadSpec | undefined {
  if (input.workload === undefined) return undefined;
  const keysInput = input.workload.keys ?? 1;
  const keys =
    typeof keysInput === "number" ? Array.from({ length: keysInput }, (_, index) => `k${index}`) : keysInput;
  return {
    clients: input.workload.clients,
    ratePerSecond: input.workload.rate,
    mix: input.workload.mix ?? { read: 1, write: 1 },
    keys,
    startUs: input.workload.start ?? 0,
    stopUs: input.workload.stop ?? input.duration,
    timeoutUs: input.workload.timeout ?? 1_000_000,
    attemptTimeoutUs: input.workload.attemptTimeout ?? 200_000,
  };
}

/**
 * A schedule names only this scenario's nodes and clients, and replaces workload and faults: a
 * scenario with both is refused at the first of those keys in the file.
 */
function checkSchedule(
  input: ScenarioInput,
  { errorAt, hasNode, nodeIds }: ScenarioNames,
  keyOrder: readonly string[],
): void {
  const clashing = keyOrder.filter(
    (key) =>
      key === "schedule" ||
      (key === "workload" && input.workload !== undefined) ||
      (key === "faults" && (input.faults ?? []).length > 0),
  );
  if (clashing.length > 1) {
    const others = clashing.filter((key) => key !== "schedule").join(" and ");
    throw errorAt(
      [clashing[0] as string],
      `a scenario with a schedule has no workload and no faults (this one has ${others}): every step is in the schedule`,
      "key",
    );
  }
  const clientCount = input.clients ?? 0;
  const clientSet = new Set(Array.from({ length: clientCount }, (_, index) => `c${index + 1}`));
  const known = (value: string, path: Array<string | number>, nodesOnly: boolean): void => {
    if (hasNode(value) || (!nodesOnly && clientSet.has(value))) return;
    // A step that takes only a node is not told of the clients, which it could not name.
    const clients = nodesOnly
      ? ""
      : clientCount === 0
        ? " and no clients"
        : ` and clients ${describeRange([...clientSet])}`;
    const symbolic = symbolicTargets.has(value)
      ? `; schedule steps name nodes: '${value}' is a target only in a fault timeline`
      : "";
    throw errorAt(
      path,
      `unknown ${nodesOnly ? "node" : "node or client"} '${value}': this scenario has nodes ${describeRange(nodeIds)}${clients}${symbolic}`,
    );
  };
  (input.schedule ?? []).forEach((step, index) => {
    const at = (...rest: Array<string | number>) => ["schedule", index, step.kind, ...rest];
    switch (step.kind) {
      case "deliver":
      case "drop":
      case "duplicate":
        known(step.from, at("from"), false);
        known(step.to, at("to"), false);
        return;
      case "fire":
      case "drift":
        known(step.node, at("node"), true);
        return;
      case "crash":
      case "restart":
      case "isolate":
        known(step.node, at(), true);
        return;
      case "heal":
        return;
      case "retry":
        if (!clientSet.has(step.client)) throw errorAt(at(), unknownClient(step.client, clientCount));
        return;
      case "invoke":
        if (!clientSet.has(step.client)) throw errorAt(at("client"), unknownClient(step.client, clientCount));
        if (step.node !== undefined) known(step.node, at("node"), true);
        return;
    }
  });
}

function unknownClient(name: string, clientCount: number): string {
  return `unknown client '${name}': ${clientCount === 0 ? "this scenario has no clients (set 'clients')" : `expected one of c1..c${clientCount}`}`;
}

/**
 * The error for a failed schema check. An unknown field comes first (a misspelt key also makes
 * the field it meant "missing"), the earliest in the file, at the key itself; otherwise the first
 * issue, at its value.
 */
function issueError(
  issues: readonly z.core.$ZodIssue[],
  raw: unknown,
  document: Document,
  lineCounter: LineCounter,
  file: string,
): InputError {
  const flat = flattenUnions(issues);
  const unknownKeys = flat
    .filter((issue) => issue.code === "unrecognized_keys" && issue.keys[0] !== undefined)
    .map((issue) => {
      const path = [...pathOf(issue), (issue as z.core.$ZodIssueUnrecognizedKeys).keys[0] as string];
      return { issue, path, where: locateKey(document, lineCounter, path) };
    })
    .sort((a, b) => (a.where.offset ?? 0) - (b.where.offset ?? 0));
  const unknownKey = unknownKeys[0];
  if (unknownKey !== undefined) {
    const { line, column } = unknownKey.where;
    return new InputError(`${unknownKey.path.join(".")}: ${unknownKey.issue.message}`, {
      file,
      ...(line === undefined ? {} : { line, column }),
      ...fieldAt(unknownKey.path),
    });
  }
  const issue = flat[0] as z.core.$ZodIssue;
  const path = pathOf(issue);
  const where = locate(document, lineCounter, path);
  const field = path.length === 0 ? "scenario" : path.join(".");
  return new InputError(`${field}: ${describeIssue(issue, valueAt(raw, path))}`, {
    file,
    ...where,
    ...fieldAt(path),
  });
}

function pathOf(issue: z.core.$ZodIssue): Array<string | number> {
  return issue.path.filter((part): part is string | number => typeof part !== "symbol");
}

/**
 * Issues with each union replaced by the issues of its one branch of the value's own shape (a
 * mapping's issues for a mapping), so that they name the field at fault; a union no branch or
 * several branches fit stays as it is.
 */
function flattenUnions(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  return issues.flatMap((issue) => {
    if (issue.code !== "invalid_union") return [issue];
    const fitting = issue.errors.filter(
      (branch) => !branch.some((inner) => inner.code === "invalid_type" && inner.path.length === 0),
    );
    const branch = fitting.length === 1 ? fitting[0] : undefined;
    if (branch === undefined) return [issue];
    const nested = branch.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }));
    return flattenUnions(nested as z.core.$ZodIssue[]);
  });
}

function valueAt(raw: unknown, path: ReadonlyArray<string | number>): unknown {
  let value = raw;
  for (const part of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string | number, unknown>)[part];
  }
  return value;
}

function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case "unrecognized_keys":
      return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((key) => `'${key}'`).join(", ")}`;
    case "invalid_type":
    case "too_small":
    case "too_big":
    case "invalid_value":
      // The schema's own messages are sentences already; zod's are said in words.
      return zodWords.test(issue.message) ? issueSentence(issue, value) : issue.message;
    case "invalid_union": {
      // A union that says what it expects when missing (a duration) is told in its own words.
      if (value === undefined && issue.message.startsWith("missing")) return issue.message;
      const first = issue.errors[0]?.[0];
      return first === undefined ? "does not match any accepted form" : describeIssue(first, value);
    }
    default:
      return issue.message;
  }
}

/** The line and column of the YAML node at `path`, or of its nearest existing ancestor. */
function locate(
  document: Document,
  lineCounter: LineCounter,
  path: Array<string | number>,
): { line?: number; column?: number } {
  for (let length = path.length; length >= 0; length--) {
    const node = length === 0 ? document.contents : document.getIn(path.slice(0, length), true);
    if (isNode(node) && node.range !== undefined && node.range !== null) {
      const position = lineCounter.linePos(node.range[0]);
      return { line: position.line, column: position.col };
    }
  }
  return {};
}

/**
 * The line, column and offset of the key of the field at `path` (the key `workloads:` itself, not
 * its value on the lines below), or of the nearest existing ancestor's value.
 */
function locateKey(
  document: Document,
  lineCounter: LineCounter,
  path: Array<string | number>,
): { line?: number; column?: number; offset?: number } {
  const parent = path.length <= 1 ? document.contents : document.getIn(path.slice(0, -1), true);
  if (isMap(parent)) {
    const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === path[path.length - 1]);
    if (pair !== undefined && isNode(pair.key) && pair.key.range !== undefined && pair.key.range !== null) {
      const offset = pair.key.range[0];
      const position = lineCounter.linePos(offset);
      return { line: position.line, column: position.col, offset };
    }
  }
  return locate(document, lineCounter, path);
}

function describeRange(ids: readonly string[]): string {
  return ids.length <= 1 ? (ids[0] ?? "none") : `${ids[0]}..${ids[ids.length - 1]}`;
}

function baseName(file: string): string {
  const last = file.split(/[\\/]/).pop() ?? file;
  return last.replace(/\.(ya?ml|json)$/i, "");
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}
