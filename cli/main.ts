#!/usr/bin/env node
/**
 * The `quorumlab` command line. Each command lives in its own file in this folder and only
 * parses flags into option objects; the work happens in sim/, protocols/ and reports/.
 */
import yargs, { type CommandModule } from "yargs";
import { hideBin } from "yargs/helpers";
import { ExitCode } from "../sim/errors.js";
import { colours } from "./output.js";

const exitCodes = `Exit codes:
  0   ok: every invariant held, history linearizable, expectations met
  1   an invariant was violated or a history is not linearizable
  2   usage error or invalid input file
  3   inconclusive: checker budget or liveness deadline ran out
  70  internal error`;

// biome-ignore lint/suspicious/noExplicitAny: each command module has its own argument type.
type AnyCommand = CommandModule<any, any>;

/**
 * Every command, in the order `--help` lists them. `check` alone loads only its own module when
 * it is the command given: the others bring the simulator, protocols and reports, which took
 * about half a second of CPU before a history check began (docs/linearizability.md).
 */
async function commandsFor(first: string | undefined): Promise<AnyCommand[]> {
  if (first === "check") return [(await import("./check.js")).checkCommand];
  const [list, run, verify, check, fuzz, explore, mutants, report, lab, bench, created] = await Promise.all([
    import("./list.js"),
    import("./run.js"),
    import("./verify.js"),
    import("./check.js"),
    import("./fuzz.js"),
    import("./explore.js"),
    import("./mutants.js"),
    import("./report.js"),
    import("./lab.js"),
    import("./bench.js"),
    import("./new.js"),
  ]);
  return [
    list.listCommand,
    run.runCommandModule,
    verify.verifyCommand,
    check.checkCommand,
    fuzz.fuzzCommand,
    explore.exploreCommand,
    mutants.mutantsCommand,
    report.reportCommand,
    lab.labCommand,
    bench.benchCommand,
    created.newCommand,
  ];
}

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
    .command(await commandsFor(argv[0]))
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
