/**
 * `quorumlab list`: the built-in scenarios with their protocol and summary.
 */
import { readFileSync } from "node:fs";
import type { CommandModule } from "yargs";
import { protocols } from "../protocols/index.js";
import { ExitCode } from "../sim/errors.js";
import { parseScenario } from "../sim/scenario/load.js";
import { displayPath, scenarioFiles } from "./files.js";
import { colours, runCommand } from "./output.js";
import { commandHeadings } from "./shared/command-headings.js";

export const listCommand: CommandModule<object, { json: boolean }> = {
  ...commandHeadings.list,
  builder: (yargs) => yargs.option("json", { type: "boolean", default: false, describe: "print JSON Lines" }),
  handler: (args) =>
    runCommand(() => {
      const c = colours(process.stdout, { json: args.json });
      const rows = scenarioFiles().map((file) => {
        const scenario = parseScenario(readFileSync(file, "utf8"), displayPath(file));
        return {
          name: scenario.name,
          protocol: scenario.protocol,
          nodes: scenario.nodes ?? protocols.get(scenario.protocol)?.defaultNodes,
          summary: scenario.summary,
          file: displayPath(file),
        };
      });
      if (args.json) {
        for (const row of rows) process.stdout.write(`${JSON.stringify({ schemaVersion: 1, ...row })}\n`);
        return ExitCode.ok;
      }
      const width = Math.max(8, ...rows.map((row) => row.name.length));
      const protocolWidth = Math.max(8, ...rows.map((row) => row.protocol.length));
      for (const row of rows) {
        process.stdout.write(
          `${c.bold(row.name.padEnd(width))}  ${c.cyan(row.protocol.padEnd(protocolWidth))}  ${row.summary}\n`,
        );
      }
      process.stdout.write(c.dim(`${rows.length} scenarios; run one with 'quorumlab run <name>'\n`));
      return ExitCode.ok;
    }),
};
