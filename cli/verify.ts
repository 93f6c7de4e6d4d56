/**
 * `quorumlab verify`: runs every built-in scenario (regressions included) and compares each
 * outcome with its `expect` block. Exit 0 iff every expectation is met.
 */
import { readFileSync } from "node:fs";
import type { CommandModule } from "yargs";
import { ExitCode, InputError } from "../sim/errors.js";
import { formatSeed } from "../sim/random.js";
import { parseScenario } from "../sim/scenario/load.js";
import { displayPath, scenarioFiles } from "./files.js";
import { colours, runCommand } from "./output.js";
import { commandHeadings } from "./shared/command-headings.js";
import { executeScenario, runJson } from "./shared/run-scenario.js";

export const verifyCommand: CommandModule<object, { json: boolean; filter?: string }> = {
  ...commandHeadings.verify,
  builder: (yargs) =>
    yargs
      .option("json", { type: "boolean", default: false, describe: "print one JSON object per scenario" })
      .option("filter", { type: "string", describe: "only scenarios whose name contains this text" }),
  handler: (args) =>
    runCommand(() => {
      const c = colours(process.stdout, { json: args.json });
      let failed = 0;
      let total = 0;
      let badInput = 0;
      for (const file of scenarioFiles()) {
        let scenario: ReturnType<typeof parseScenario>;
        try {
          scenario = parseScenario(readFileSync(file, "utf8"), displayPath(file));
        } catch (error) {
          if (!(error instanceof InputError)) throw error;
          badInput++;
          process.stderr.write(`${c.red("error:")} ${error.describe()}\n`);
          continue;
        }
        if (args.filter !== undefined && !scenario.name.includes(args.filter)) continue;
        total++;
        const { result, wallMs } = executeScenario(scenario, { keepTrace: false });
        const met = result.expectationsMet && result.expectations.length > 0;
        if (!met) failed++;
        if (args.json) {
          process.stdout.write(
            `${JSON.stringify({ ...runJson(result, wallMs), file: displayPath(file), met })}\n`,
          );
          continue;
        }
        const mark = met ? c.green("✓") : c.red("✗");
        const details =
          result.expectations.length === 0
            ? c.red("no expect block")
            : result.expectations
                .map((e) => (e.met ? c.dim(e.expectation) : c.red(`${e.expectation} (${e.detail})`)))
                .join(", ");
        process.stdout.write(
          `${mark} ${c.bold(scenario.name)} ${c.dim(`[${result.protocol}, seed ${formatSeed(result.seed)}, ${wallMs.toFixed(0)} ms]`)} ${details}\n`,
        );
      }
      if (total === 0 && args.filter !== undefined && badInput === 0)
        throw new InputError(
          `--filter: no built-in scenario's name contains '${args.filter}' (see 'quorumlab list')`,
        );
      if (!args.json) {
        const summary = `${total - failed} of ${total} scenarios met their expectations`;
        process.stdout.write(`${failed === 0 && badInput === 0 ? c.green(summary) : c.red(summary)}\n`);
      }
      if (badInput > 0) return ExitCode.usage;
      return failed === 0 ? ExitCode.ok : ExitCode.violation;
    }),
};
