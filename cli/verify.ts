/**
 * `quorumlab verify`: runs every built-in scenario (regressions included), or the scenario files
 * given, and compares each outcome with its `expect` block. Exit 0 iff every expectation is met.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import type { CommandModule } from "yargs";
import { ExitCode, InputError } from "../sim/errors.js";
import { formatSeed } from "../sim/random.js";
import { parseScenario } from "../sim/scenario/load.js";
import { displayPath, readText, scenarioFiles, yamlFilesUnder } from "./files.js";
import { colours, errorJson, runCommand } from "./output.js";
import { commandHeadings } from "./shared/command-headings.js";
import { inModule, registryWith, scenarioModules } from "./shared/module-registry.js";
import { executeScenario, runJson } from "./shared/run-scenario.js";

export const verifyCommand: CommandModule<object, { json: boolean; filter?: string; scenarios?: string[] }> =
  {
    ...commandHeadings.verify,
    builder: (yargs) =>
      yargs
        .positional("scenarios", {
          type: "string",
          array: true,
          describe:
            "scenario files, folders of them, or built-in names, to verify instead of every built-in scenario",
        })
        .option("json", { type: "boolean", default: false, describe: "print one JSON object per scenario" })
        .option("filter", { type: "string", describe: "only scenarios whose name contains this text" }),
    handler: (args) =>
      runCommand(async () => {
        const c = colours(process.stdout, { json: args.json });
        const given = args.scenarios ?? [];
        const files = given.length === 0 ? scenarioFiles() : givenFiles(given);
        let failed = 0;
        let total = 0;
        let badInput = 0;
        for (const file of files) {
          let scenario: ReturnType<typeof parseScenario>;
          let executed: ReturnType<typeof executeScenario>;
          try {
            scenario =
              given.length === 0
                ? parseScenario(readFileSync(file, "utf8"), displayPath(file))
                : parseScenario(readText(file), displayPath(file));
            if (args.filter !== undefined && !scenario.name.includes(args.filter)) continue;
            // A file of one's own may run a protocol module it names (`module:`), as `run` does.
            const modules = given.length === 0 ? [] : scenarioModules(scenario, []);
            const registry = await registryWith(modules);
            try {
              executed = executeScenario(scenario, { keepTrace: false, registry });
            } catch (error) {
              throw inModule(error, modules[0]);
            }
          } catch (error) {
            if (!(error instanceof InputError)) throw error;
            badInput++;
            process.stderr.write(`${c.red("error:")} ${error.describe()}\n`);
            if (args.json) process.stdout.write(`${JSON.stringify(errorJson(error, ExitCode.usage))}\n`);
            continue;
          }
          total++;
          const { result, wallMs } = executed;
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
            given.length === 0
              ? `--filter: no built-in scenario's name contains '${args.filter}' (see 'quorumlab list')`
              : `--filter: no given scenario's name contains '${args.filter}'`,
          );
        if (!args.json) {
          const summary = `${total - failed} of ${total} scenarios met their expectations`;
          process.stdout.write(`${failed === 0 && badInput === 0 ? c.green(summary) : c.red(summary)}\n`);
        }
        if (badInput > 0) return ExitCode.usage;
        return failed === 0 ? ExitCode.ok : ExitCode.violation;
      }),
  };

/**
 * The scenarios named on the command line: each file as given, each folder's YAML files
 * (sub-folders included, in name order), each built-in scenario's name as its file. A name that is
 * none of these is refused before anything runs.
 */
function givenFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    if (!existsSync(path)) {
      files.push(builtInFile(path));
      continue;
    }
    if (!statSync(path).isDirectory()) {
      files.push(path);
      continue;
    }
    const found = yamlFilesUnder(path);
    if (found.length === 0) throw new InputError("a folder with no .yaml or .yml file in it", { file: path });
    files.push(...found);
  }
  return files;
}

/** The file of the built-in scenario named `name`, as `run` finds one by name. */
function builtInFile(name: string): string {
  if (/[/\\]|\.ya?ml$/i.test(name)) throw new InputError("no such file or folder", { file: name });
  for (const file of scenarioFiles()) {
    if (parseScenario(readFileSync(file, "utf8"), displayPath(file)).name === name) return file;
  }
  throw new InputError(
    `no such file or folder, and no built-in scenario named '${name}' (see 'quorumlab list')`,
    {
      file: name,
    },
  );
}
