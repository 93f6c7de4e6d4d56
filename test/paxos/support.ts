/**
 * Helpers for the Paxos-family tests: run a scenario file or inline YAML against the registry,
 * with the trace kept (protocol figures come from it).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { historyChecker } from "../../cli/history-check.js";
import { protocols } from "../../protocols/index.js";
import { type RunResult, runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";

export const scenariosFolder = fileURLToPath(new URL("../../scenarios/", import.meta.url));

export interface RunChoices {
  /** Options merged over the scenario's. */
  readonly options?: Readonly<Record<string, unknown>>;
  readonly seed?: bigint;
  /** Keep running after the first violation (to see every invariant that breaks). */
  readonly continueAfterViolation?: boolean;
}

export function runYaml(text: string, file: string, choices: RunChoices = {}): RunResult {
  const scenario = parseScenario(text, file);
  return runScenario({ ...scenario, options: { ...scenario.options, ...choices.options } }, protocols, {
    keepTrace: true,
    hashTrace: false,
    checkHistory: historyChecker(),
    ...(choices.seed === undefined ? {} : { seed: choices.seed }),
    stopOnViolation: !(choices.continueAfterViolation ?? false),
  });
}

export function runScenarioFile(name: string, choices: RunChoices = {}): RunResult {
  const file = `${scenariosFolder}${name}.yaml`;
  return runYaml(readFileSync(file, "utf8"), file, choices);
}

export function violated(result: RunResult): string[] {
  return [...new Set(result.violations.map((violation) => violation.invariant))];
}
