/**
 * Protocol options that a tool writes into a scenario file read back to the same options, so the
 * file replays the run it came from: a fuzzer's counterexample, an explorer's, or options copied
 * from a trace's header (the parsed form).
 *
 * For every registered protocol, the options it is known to run with (its defaults, each value its
 * own and its bugs' fuzz hints draw, each bug on its own, and every built-in scenario's options)
 * are taken both as given and as `parseOptions` returns them. Each is written by the fuzzer's and
 * the explorer's counterexample writers, loaded back as `quorumlab run` loads a file, and parsed:
 * the result must equal the parsed options. A protocol added to the registry, or a scenario added
 * to scenarios/, is covered without a change here.
 */
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { describe, expect, it } from "vitest";
import { scenarioFiles, scenariosFolder } from "../../cli/files.js";
import { protocols } from "../../protocols/index.js";
import { exploredScenario, exploredText } from "../../sim/explore/counterexample.js";
import { counterexampleText } from "../../sim/fuzz/counterexample.js";
import { type FuzzPlan, type FuzzSettings, planScenario } from "../../sim/fuzz/plan.js";
import type { Protocol } from "../../sim/node.js";
import { parseScenario } from "../../sim/scenario/load.js";
import { clusterSize } from "../../sim/scenario/validate.js";

type Options = Readonly<Record<string, unknown>>;

interface OptionsCase {
  readonly protocol: Protocol;
  /** Where the options come from, for the test's name. */
  readonly source: string;
  readonly nodes: number;
  readonly options: Options;
}

function registered(name: string): Protocol {
  const protocol = protocols.get(name);
  if (protocol === undefined) throw new Error(`no protocol '${name}' in the registry`);
  return protocol;
}

/** Each value of each hinted option on its own, with `bugs` when the hints are a bug's. */
function hintedOptions(
  hints: Readonly<Record<string, readonly unknown[]>>,
  bugs: readonly string[],
): Options[] {
  return Object.entries(hints).flatMap(([key, values]) =>
    values.map((value) => (bugs.length === 0 ? { [key]: value } : { [key]: value, bugs: [...bugs] })),
  );
}

function protocolCases(protocol: Protocol): OptionsCase[] {
  const nodes = protocol.defaultNodes;
  const cases: OptionsCase[] = [{ protocol, source: "defaults", nodes, options: {} }];
  for (const options of hintedOptions(protocol.fuzz?.options ?? {}, [])) {
    cases.push({ protocol, source: `fuzz hint ${JSON.stringify(options)}`, nodes, options });
  }
  for (const bug of protocol.bugs) {
    cases.push({ protocol, source: `bug ${bug.name}`, nodes, options: { bugs: [bug.name] } });
    for (const options of hintedOptions(bug.fuzz?.options ?? {}, [bug.name])) {
      cases.push({ protocol, source: `bug hint ${JSON.stringify(options)}`, nodes, options });
    }
  }
  return cases;
}

function scenarioCases(): OptionsCase[] {
  return scenarioFiles().map((file) => {
    const scenario = parseScenario(readFileSync(file, "utf8"), file);
    return {
      protocol: registered(scenario.protocol),
      source: `scenarios/${relative(scenariosFolder(), file).split("\\").join("/")}`,
      nodes: clusterSize(scenario, registered(scenario.protocol)),
      options: scenario.options,
    };
  });
}

/** A fuzzer's counterexample file with `options`: the bugs are the campaign's, the rest the plan's. */
function fuzzText(protocol: Protocol, nodes: number, options: Options): string {
  const { bugs, ...rest } = options;
  const settings: FuzzSettings = {
    protocol: protocol.name,
    bugs: Array.isArray(bugs) ? (bugs as string[]) : [],
    nodesMin: nodes,
    nodesMax: nodes,
    electionTimer: false,
    optionChoices: {},
    faultPhaseMs: 1_000,
    durationMs: 1_000,
    faultStepsMax: 0,
    liveness: false,
    leaders: false,
    livenessDeadlineMs: 1_000,
  };
  const plan: FuzzPlan = {
    nodes,
    seed: 1,
    options: rest,
    network: { latency: { kind: "constant", ms: 1 }, lossPermille: 0, duplicatePermille: 0, fifo: false },
    workload: null,
    faults: [],
    quiet: false,
  };
  return counterexampleText(planScenario(plan, settings, { name: "round-trip" }));
}

/** An explorer's counterexample file with `options`. */
function exploreText(protocol: Protocol, nodes: number, options: Options): string {
  const setup = {
    protocol: protocol.name,
    options,
    nodes,
    clients: 0,
    seed: 1n,
    command: "quorumlab explore",
  };
  const finding = { invariant: `${protocol.name}.round-trip`, message: "round trip" };
  return exploredText(exploredScenario(setup, [], finding, 1_000_000));
}

const writers = [
  ["fuzz", fuzzText],
  ["explore", exploreText],
] as const;

const cases = [...[...protocols.values()].flatMap(protocolCases), ...scenarioCases()];

describe("protocol options written into a counterexample file read back equal", () => {
  it("covers every registered protocol", () => {
    const covered = new Set(cases.map((entry) => entry.protocol.name));
    expect([...covered].sort()).toEqual([...protocols.keys()].sort());
  });

  it.each(cases.map((entry) => [`${entry.protocol.name}: ${entry.source}`, entry] as const))(
    "%s",
    (_name, { protocol, nodes, options }) => {
      const parsed = protocol.parseOptions(options);
      for (const [writer, write] of writers) {
        for (const [form, given] of [
          ["as given", options],
          ["as parsed", parsed],
        ] as const) {
          const text = write(protocol, nodes, given);
          const loaded = parseScenario(text, `${writer}-round-trip.yaml`);
          let back: Options;
          try {
            back = protocol.parseOptions(loaded.options);
          } catch (error) {
            throw new Error(`${writer} writer, options ${form}: ${(error as Error).message}\n${text}`);
          }
          expect(back, `${writer} writer, options ${form}:\n${text}`).toStrictEqual(parsed);
        }
      }
    },
  );
});
