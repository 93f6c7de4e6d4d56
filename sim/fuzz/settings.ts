/**
 * Campaign settings: what the fuzzer generates for a protocol, derived from the protocol module
 * and the user's flags, validated, as plain data that can cross into worker threads.
 */
import { InputError } from "../errors.js";
import { demandsLeader, type FuzzHints, type Protocol } from "../node.js";
import { nodeCountProblem, optionCheckProblem } from "../scenario/validate.js";
import { closestName } from "../suggest.js";
import type { FuzzSettings } from "./plan.js";

export interface SettingsInput {
  readonly bugs?: readonly string[];
  readonly nodesMin?: number;
  readonly nodesMax?: number;
  readonly durationMs?: number;
  readonly faultPhaseMs?: number;
  readonly faultStepsMax?: number;
  readonly workloadRequired?: boolean;
  readonly liveness?: boolean;
  readonly livenessDeadlineMs?: number;
  /**
   * Swarm testing (./swarm.ts). Off unless asked for here; the command line and `fuzzCampaign`
   * ask for it by default (`--no-swarm` gives the uniform search).
   */
  readonly swarm?: boolean;
  /** Record each run's coverage (default: with swarm testing, whose guided search needs it). */
  readonly coverage?: boolean;
  /** Ignore the deliberate bugs' own fuzz hints (the protocol's stay). */
  readonly noHints?: boolean;
  /** Overrides the protocol's (and its bugs') fuzz hints for options. */
  readonly optionChoices?: Readonly<Record<string, readonly unknown[]>>;
}

/** Default run shape: 3 to 5 nodes, 3 s runs whose first 2 s hold the faults. */
export const defaultSettings = {
  durationMs: 3_000,
  faultPhaseMs: 2_000,
  faultStepsMax: 10,
  livenessDeadlineMs: 1_000,
} as const;

export function fuzzSettings(protocol: Protocol, input: SettingsInput = {}): FuzzSettings {
  const bugs = [...(input.bugs ?? [])];
  checkBugsKnown(protocol, bugs);
  const hints = fuzzHints(protocol, input.noHints === true ? [] : bugs);
  const { nodesMin, nodesMax, given } = nodeRange(protocol, input, { bugs, hints });
  const timing = runTiming(input);
  const optionChoices = acceptedOptionChoices(protocol, bugs, input.optionChoices ?? hints.options ?? {});
  checkOptionsFit(protocol, bugs, optionChoices, { nodesMin, nodesMax, given });
  const operations = protocol.client?.operations;
  const leaders = demandsLeader(protocol);
  if (
    timing.liveness &&
    !leaders &&
    !protocol.invariants.some((invariant) => invariant.kind === "liveness")
  ) {
    // No leader to demand and no liveness invariant: every run would pass, whatever happened in it.
    throw new InputError(
      `--liveness: ${protocol.name} declares no liveness invariant and no leading role with an election timer, so there is nothing to check`,
    );
  }
  return {
    protocol: protocol.name,
    bugs,
    nodesMin,
    nodesMax,
    ...(operations === undefined || Object.keys(operations).length === 0
      ? {}
      : { operations: { ...operations } }),
    electionTimer: protocol.electionTimer !== undefined,
    leaders,
    optionChoices,
    faultPhaseMs: timing.faultPhaseMs,
    durationMs: timing.durationMs,
    faultStepsMax: input.faultStepsMax ?? defaultSettings.faultStepsMax,
    ...(input.workloadRequired === undefined ? {} : { workloadRequired: input.workloadRequired }),
    liveness: timing.liveness,
    livenessDeadlineMs: timing.livenessDeadlineMs,
    ...(input.swarm === true ? { swarm: true } : {}),
    ...((input.coverage ?? input.swarm) === true ? { coverage: true } : {}),
    ...(input.noHints === true ? { noHints: true } : {}),
  };
}

/**
 * Every `--bug` names one of the protocol's bugs (a near miss gets the name it misses), once: a
 * bug given twice would be listed twice in the counterexample and change its trace. And the
 * protocol's `parseOptions` accepts them together.
 */
function checkBugsKnown(protocol: Protocol, bugs: readonly string[]): void {
  const names = protocol.bugs.map((b) => b.name);
  bugs.forEach((bug, index) => {
    if (!names.includes(bug)) {
      const listed = bug.split(/[,\s]+/).filter((part) => part !== "");
      if (listed.length > 1 && listed.every((part) => names.includes(part))) {
        throw new InputError(
          `--bug: takes one bug; give it once per bug: ${listed.map((part) => `--bug ${part}`).join(" ")}`,
        );
      }
      const meant = closestName(bug, names);
      throw new InputError(
        `--bug: ${protocol.name} has no deliberate bug '${bug}'${meant === undefined ? "" : ` (did you mean '${meant}'?)`}; known: ${names.join(", ") || "none"}`,
      );
    }
    if (bugs.indexOf(bug) !== index)
      throw new InputError(`--bug: '${bug}' is given twice; give each bug once`);
  });
  if (bugs.length === 0) return;
  // Each bug alone was accepted when the module loaded; these ones together may not be.
  try {
    protocol.parseOptions({ bugs });
  } catch (error) {
    throw new InputError(
      `--bug ${bugs.join(" --bug ")}: ${protocol.name}'s parseOptions refused {bugs: ${JSON.stringify(bugs)}}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/**
 * The cluster sizes to draw from: the user's, else the hints', else from 3 (or the protocol's
 * default, when it runs on fewer or does not run on 3) up to the protocol's default.
 */
function nodeRange(
  protocol: Protocol,
  input: SettingsInput,
  context: { bugs: readonly string[]; hints: FuzzHints },
): { nodesMin: number; nodesMax: number; given: boolean } {
  const { bugs, hints } = context;
  const defaults = protocol.parseOptions(bugs.length === 0 ? {} : { bugs });
  const given = input.nodesMin !== undefined || input.nodesMax !== undefined;
  const range = hints.nodes;
  const fromThree =
    nodeCountProblem(protocol, 3, defaults) === undefined
      ? Math.min(3, protocol.defaultNodes)
      : protocol.defaultNodes;
  const nodesMin = input.nodesMin ?? range?.[0] ?? fromThree;
  const nodesMax = input.nodesMax ?? range?.[1] ?? Math.max(nodesMin, protocol.defaultNodes);
  if (!Number.isInteger(nodesMin) || nodesMin < 1 || nodesMax < nodesMin || nodesMax > 1000) {
    throw new InputError(
      `--nodes: expected N or MIN..MAX with 1 <= MIN <= MAX <= 1000, got ${nodesMin === nodesMax ? nodesMin : `${nodesMin}..${nodesMax}`}`,
    );
  }
  // Blame the flag only when it was given: otherwise the fuzz hints, or the default, chose.
  const chosenBy = given
    ? `--nodes ${nodesMin}..${nodesMax}`
    : range !== undefined
      ? `fuzz.nodes [${nodesMin}, ${nodesMax}] (from the fuzz hints)`
      : `nodes ${nodesMin}..${nodesMax} (not given, so the default)`;
  for (const nodes of new Set([nodesMin, nodesMax])) {
    const problem = nodeCountProblem(protocol, nodes, defaults);
    if (problem !== undefined)
      throw new InputError(`${chosenBy}: ${problem}${given ? "" : "; give --nodes"}`);
  }
  return { nodesMin, nodesMax, given };
}

/**
 * A run's length and its fault phase: by default the first two thirds of the run, shortened under
 * liveness so that the deadline still fits after it.
 */
function runTiming(input: SettingsInput): {
  durationMs: number;
  faultPhaseMs: number;
  liveness: boolean;
  livenessDeadlineMs: number;
} {
  const durationMs = input.durationMs ?? defaultSettings.durationMs;
  const liveness = input.liveness ?? false;
  const livenessDeadlineMs = input.livenessDeadlineMs ?? defaultSettings.livenessDeadlineMs;
  const faultPhaseMs =
    input.faultPhaseMs ??
    Math.max(
      1,
      liveness
        ? Math.min(durationMs - livenessDeadlineMs, Math.round((durationMs * 2) / 3))
        : Math.round((durationMs * 2) / 3),
    );
  if (input.faultPhaseMs === undefined && !(durationMs >= faultPhaseMs)) {
    // The fault phase was not given: the run is too short for the one drawn from its length.
    throw new InputError(
      `--duration: expected at least ${faultPhaseMs} ms (the fault phase, 2/3 of the run and at least 1 ms), got ${durationMs} ms`,
    );
  }
  if (!(durationMs > 0) || !(faultPhaseMs > 0) || faultPhaseMs > durationMs) {
    throw new InputError(
      `--fault-phase: expected at most the run's length (--duration, ${durationMs} ms), got ${faultPhaseMs} ms`,
    );
  }
  if (liveness && input.faultPhaseMs === undefined && faultPhaseMs + livenessDeadlineMs > durationMs) {
    // The fault phase was shortened to fit before the deadline, and no room was left for it.
    throw new InputError(
      `--duration: with --liveness, a run must last longer than the liveness deadline (${livenessDeadlineMs} ms), so that a fault phase fits before it, got ${durationMs} ms`,
    );
  }
  if (liveness && faultPhaseMs + livenessDeadlineMs > durationMs) {
    throw new InputError(
      `--duration: with --liveness, a run must last the fault phase (${faultPhaseMs} ms) plus the liveness deadline (${livenessDeadlineMs} ms), got ${durationMs} ms`,
    );
  }
  return { durationMs, faultPhaseMs, liveness, livenessDeadlineMs };
}

/** The option values to draw from, keeping only those the protocol accepts together with the bugs. */
function acceptedOptionChoices(
  protocol: Protocol,
  bugs: readonly string[],
  choices: Readonly<Record<string, readonly unknown[]>>,
): Record<string, readonly unknown[]> {
  const optionChoices: Record<string, readonly unknown[]> = {};
  for (const key of Object.keys(choices).sort()) {
    const accepted = (choices[key] ?? []).filter((value) => {
      try {
        protocol.parseOptions(bugs.length === 0 ? { [key]: value } : { [key]: value, bugs });
        return true;
      } catch {
        return false;
      }
    });
    if (accepted.length > 0) optionChoices[key] = accepted;
  }
  return optionChoices;
}

/** Beyond this many combinations of option choices, each choice is checked on its own. */
const combinationsChecked = 256;

/**
 * Every cluster a run may draw passes the protocol's check of its options against its nodes
 * (`checkOptions`, as `run` checks a scenario): each combination of the option choices at each
 * node count. One that fails is the settings' fault (a bug's hints naming n5 beside --nodes 3,
 * say) and is refused before any run, rather than found as a counterexample of every run.
 */
function checkOptionsFit(
  protocol: Protocol,
  bugs: readonly string[],
  optionChoices: Readonly<Record<string, readonly unknown[]>>,
  { nodesMin, nodesMax, given }: { nodesMin: number; nodesMax: number; given: boolean },
): void {
  if (protocol.checkOptions === undefined) return;
  const keys = Object.keys(optionChoices);
  const count = keys.reduce((product, key) => product * (optionChoices[key]?.length ?? 1), 1);
  let combinations: Array<Record<string, unknown>> = [{}];
  if (count <= combinationsChecked) {
    for (const key of keys) {
      combinations = combinations.flatMap((chosen) =>
        (optionChoices[key] ?? []).map((value) => ({ ...chosen, [key]: value })),
      );
    }
  } else {
    const first = Object.fromEntries(keys.map((key) => [key, optionChoices[key]?.[0]]));
    combinations = keys.flatMap((key) =>
      (optionChoices[key] ?? []).map((value) => ({ ...first, [key]: value })),
    );
  }
  const sizes = nodesMin === nodesMax ? `${nodesMin}` : `${nodesMin}..${nodesMax}`;
  const range = given ? `--nodes ${sizes}` : `nodes ${sizes} (not given)`;
  const parsed = combinations.map((chosen) =>
    protocol.parseOptions(bugs.length === 0 ? chosen : { ...chosen, bugs }),
  );
  const problemAt = (nodes: number): string | undefined => {
    for (const options of parsed) {
      if (nodeCountProblem(protocol, nodes, options) !== undefined) continue;
      const problem = optionCheckProblem(protocol, nodes, options);
      if (problem !== undefined) return problem;
    }
    return undefined;
  };
  for (let nodes = nodesMin; nodes <= nodesMax; nodes++) {
    const problem = problemAt(nodes);
    if (problem === undefined) continue;
    if (keys.length === 0)
      throw new InputError(`${range}: with ${nodes} node${nodes === 1 ? "" : "s"}, ${problem}`);
    const hints = `${protocol.name}'s fuzz hints${bugs.length === 0 ? "" : ` with --bug ${bugs.join(", ")}`}`;
    throw new InputError(
      `${range}: ${hints} draw options for ${fittingSizes(problemAt, Math.max(nodesMax, sizesShown))}, not ${nodes} (${problem})`,
    );
  }
}

/** Cluster sizes that `fittingSizes` looks at, at least. */
const sizesShown = 16;

/** The cluster sizes from 1 to `upTo` with no problem, in words: `3 or more nodes`, `5 nodes`. */
function fittingSizes(problemAt: (nodes: number) => string | undefined, upTo: number): string {
  const fit = Array.from({ length: upTo }, (_, index) => index + 1).filter(
    (nodes) => problemAt(nodes) === undefined,
  );
  const first = fit[0];
  if (first === undefined) return `no cluster of 1 to ${upTo} nodes`;
  if (fit.length === upTo - first + 1) return `${first} or more nodes`;
  return `${fit.join(", ")} nodes`;
}

/** The protocol's fuzz hints with those of the switched-on bugs laid over them, field by field. */
function fuzzHints(protocol: Protocol, bugs: readonly string[]): FuzzHints {
  let options = protocol.fuzz?.options;
  let nodes = protocol.fuzz?.nodes;
  for (const bug of protocol.bugs) {
    if (!bugs.includes(bug.name) || bug.fuzz === undefined) continue;
    if (bug.fuzz.options !== undefined) options = { ...options, ...bug.fuzz.options };
    if (bug.fuzz.nodes !== undefined) nodes = bug.fuzz.nodes;
  }
  return { ...(options === undefined ? {} : { options }), ...(nodes === undefined ? {} : { nodes }) };
}
