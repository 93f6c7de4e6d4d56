#!/usr/bin/env node
/**
 * The `quorumlab` command line. Each command lives in its own file in this folder and only
 * parses flags into option objects; the work happens in sim/, protocols/ and reports/.
 */
import yargs, { type CommandModule } from "yargs";
import { hideBin } from "yargs/helpers";
import { ExitCode } from "../sim/errors.js";
import { benchCommand } from "./bench.js";
import { checkCommand } from "./check.js";
import { exploreCommand } from "./explore.js";
import { fuzzCommand } from "./fuzz.js";
import { labCommand } from "./lab.js";
import { listCommand } from "./list.js";
import { mutantsCommand } from "./mutants.js";
import { newCommand } from "./new.js";
import { colours } from "./output.js";
import { reportCommand } from "./report.js";
import { runCommandModule } from "./run.js";
import { verifyCommand } from "./verify.js";

const exitCodes = `Exit codes:
  0   ok: every invariant held, history linearizable, expectations met
  1   an invariant was violated or a history is not linearizable
  2   usage error or invalid input file
  3   inconclusive: checker budget or liveness deadline ran out
  70  internal error`;

// biome-ignore lint/suspicious/noExplicitAny: each command module has its own argument type.
type AnyCommand = CommandModule<any, any>;

/** Every command, in the order `--help` lists them. */
const commands: AnyCommand[] = [
  listCommand,
  runCommandModule,
  verifyCommand,
  checkCommand,
  fuzzCommand,
  exploreCommand,
  mutantsCommand,
  reportCommand,
  labCommand,
  benchCommand,
  newCommand,
];

export async function main(argv: string[]): Promise<void> {
  // A closed pipe (`quorumlab list | head`) ends the output quietly, as other tools do.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
  const parser = yargs(argv)
    .scriptName("quorumlab")
    .usage("$0 <command> [options]")
    .command(commands)
    .demandCommand(1, "name a command")
    .strict()
    .epilogue(exitCodes)
    .help()
    .alias("h", "help")
    .version()
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .fail((message, error) => {
      if (error !== undefined && error !== null) throw error;
      const c = colours(process.stderr);
      process.stderr.write(`${c.red("usage error:")} ${message}\nRun 'quorumlab --help' for usage.\n`);
      process.exit(ExitCode.usage);
    });
  await parser.parseAsync();
}

await main(hideBin(process.argv));
