/**
 * Helpers for the commit-protocol tests: run a scenario file from scenarios/ with the trace kept
 * and the commit figures merged in, as the CLI's runner does.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { protocols } from "../../protocols/index.js";
import { type RunResult, runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";

export const scenariosFolder = fileURLToPath(new URL("../../scenarios/", import.meta.url));

export function runCommitScenario(
  name: string,
  choices: {
    options?: Readonly<Record<string, unknown>>;
    seed?: bigint;
    continueAfterViolation?: boolean;
    /** Rewrites the scenario text before it is parsed (another protocol, another fault). */
    edit?: (text: string) => string;
  } = {},
): RunResult {
  const file = `${scenariosFolder}${name}.yaml`;
  const text = readFileSync(file, "utf8");
  const scenario = parseScenario(choices.edit === undefined ? text : choices.edit(text), file);
  return runScenario({ ...scenario, options: { ...scenario.options, ...choices.options } }, protocols, {
    keepTrace: true,
    hashTrace: true,
    stopOnViolation: !(choices.continueAfterViolation ?? false),
    ...(choices.seed === undefined ? {} : { seed: choices.seed }),
  });
}

export function violatedBy(result: RunResult): string[] {
  return [...new Set(result.violations.map((violation) => violation.invariant))].sort();
}

/** The first `decided` note per site for transaction `tx`. */
export function decisionsOf(result: RunResult, tx: number): Record<string, string> {
  const decisions: Record<string, string> = {};
  for (const line of result.records) {
    if (line.kind !== "note" || line.label !== "decided") continue;
    const data = line.data as { tx: number; decision: string };
    if (data.tx === tx && decisions[line.node] === undefined) decisions[line.node] = data.decision;
  }
  return decisions;
}
