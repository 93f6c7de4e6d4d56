#!/usr/bin/env node
/**
 * The `quorumlab` command line. Each command lives in its own file in this folder and only
 * parses flags into option objects; the work happens in sim/, protocols/ and reports/.
 */
import yargs, { type CommandModule } from "yargs";
import { hideBin } from "yargs/helpers";
import { InputError } from "../sim/errors.js";
import { closestName } from "../sim/suggest.js";
import { reportError, reportErrorsAsJson, reportUsageError } from "./output.js";
import {
  type CommandName,
  commandHeadings,
  positionalArguments,
  positionalsOf,
  requiredArguments,
} from "./shared/command-headings.js";
import { listenEarly, releaseEarly } from "./shared/interrupt.js";
import { standardInput } from "./shared/standard-input.js";

const exitCodes = `Exit codes:
  0   ok: every invariant held, history linearizable, expectations met
  1   an invariant was violated, a history is not linearizable, or an expectation was not met
  2   usage error or invalid input file
  3   inconclusive: checker budget or liveness deadline ran out
  70  internal error
  130 run, fuzz, explore or mutants interrupted (Ctrl-C; 143 for SIGTERM) before its end`;

// biome-ignore lint/suspicious/noExplicitAny: each command module has its own argument type.
type AnyCommand = CommandModule<any, any>;

/**
 * Every command, each loaded on demand: when the first argument names a command, only that
 * command's module is loaded; loading them all (the simulator, every protocol, the reports, the
 * explorer) took about half a second of CPU before any work began, which a short `check` or a CI
 * `fuzz` pays on every call (docs/linearizability.md). `--help` and `--version` alone load none
 * (shared/command-headings.ts).
 */
const commandLoaders: Readonly<Record<CommandName, () => Promise<AnyCommand>>> = {
  list: async () => (await import("./list.js")).listCommand,
  run: async () => (await import("./run.js")).runCommandModule,
  verify: async () => (await import("./verify.js")).verifyCommand,
  check: async () => (await import("./check.js")).checkCommand,
  fuzz: async () => (await import("./fuzz.js")).fuzzCommand,
  explore: async () => (await import("./explore.js")).exploreCommand,
  mutants: async () => (await import("./mutants.js")).mutantsCommand,
  report: async () => (await import("./report.js")).reportCommand,
  lab: async () => (await import("./lab.js")).labCommand,
  bench: async () => (await import("./bench.js")).benchCommand,
  new: async () => (await import("./new.js")).newCommand,
};

/** The arguments that print the command list or the version and run nothing (as does none). */
const listingOnly = new Set(["--help", "-h", "--version"]);

async function commandsFor(argv: readonly string[]): Promise<AnyCommand[]> {
  const first = argv[0] ?? "";
  if (Object.hasOwn(commandLoaders, first)) return [await commandLoaders[first as CommandName]()];
  if (argv.every((token) => listingOnly.has(token))) {
    // Headings alone: nothing can run, so no handler is needed.
    return Object.values(commandHeadings).map((heading) => ({ ...heading, handler: () => {} }));
  }
  return Promise.all(Object.values(commandLoaders).map((load) => load()));
}

export async function main(argv: string[]): Promise<void> {
  // A signal while the command loads is kept for it, so that it ends as it would later.
  if (interruptibleCommands.has(argv[0] ?? "")) listenEarly();
  // A closed pipe (`quorumlab list | head`) ends the output quietly, as other tools do.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
  const commands = await commandsFor(argv);
  const flags =
    commands.length === 1
      ? flagsOf(commands[0] as AnyCommand)
      : { switches: new Set<string>(), lists: new Set<string>(), choices: {}, names: new Set<string>() };
  reportErrorsAsJson(flags.switches.has("json") && asksForJson(argv));
  if (commands.length === 1) rejectPositionalFlags(argv, argv[0] as CommandName);
  argv = joinDashValues(argv, flags.switches);
  if (standardInputCommands.has(argv[0] ?? ""))
    argv = argv.map((token) => (token === "-" ? standardInput : token));
  const parser = yargs(argv)
    .scriptName("quorumlab")
    .usage("$0 <command> [options]")
    .command(commands)
    .demandCommand(1, "name a command")
    .middleware((args) => rejectOtherChoices(args, flags.choices), true)
    .middleware((args) => {
      rejectSwitchValues(args, argv);
      rejectRepeatedFlags(argv, new Set([...flags.lists, ...flags.switches]));
      rejectMissingValues(args, argv);
      rejectNonNumbers(args, argv);
      rejectStandardOutput(args);
    })
    .strict()
    .epilogue(exitCodes)
    .help()
    .alias("h", "help")
    .version()
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .fail((message, error) => {
      if (error !== undefined && error !== null) throw error;
      const said =
        unknownWords(message, argv, commands.length === 1 ? flags.names : undefined) ??
        missingArgument(message, argv) ??
        message;
      process.exit(reportUsageError(`${said}${dashWordHint(argv)}`));
    });
  await parser.parseAsync();
  releaseEarly();
}

/** The commands that hear SIGINT and SIGTERM and end with what they did until then (docs/cli.md). */
const interruptibleCommands = new Set(["run", "fuzz", "explore", "mutants"]);

/**
 * Exits 2 when a flag names one of the command's positional arguments (`explore raft --target
 * paxos`, `run --scenario x`): the parser knows the name, so strict mode let it pass, and it
 * dropped the flag's value for the positional's, or said only that an argument was missing.
 */
function rejectPositionalFlags(argv: readonly string[], command: CommandName): void {
  for (const { name } of flagTokens(argv)) {
    const named = name.replace(/^no-/, "");
    const positional = positionalsOf(command).find((each) => each.name === named);
    if (positional === undefined) continue;
    const what = positionalArguments[command][named] ?? `the ${named}`;
    const where = positional.several ? "as arguments" : "as the first argument";
    process.exit(reportError(new InputError(`--${name}: give ${what} ${where}, not as a flag`)));
  }
}

/**
 * Exits 2 when a flag that takes a number was given something else: the parser reads `--nodes
 * abc` as NaN, which each command's own range check would print as "got NaN".
 */
function rejectNonNumbers(args: Record<string, unknown>, argv: readonly string[]): void {
  for (const [name, value] of Object.entries(args)) {
    if (name.length < 2 || typeof value !== "number" || !Number.isNaN(value)) continue;
    const given = givenText(argv, name);
    const got = given === undefined ? "" : `, got '${given}'`;
    process.exit(reportError(new InputError(`--${name}: expected a number${got}`)));
  }
}

/**
 * Exits 2 when a flag that takes a value was given none (`--nodes` last, `--time --json`, `--out
 * ''`): the parser would leave it unset or at its default, so the flag would be silently ignored.
 * A flag is a switch when the parser made it true or false (`--json`, `--no-hints`).
 */
function rejectMissingValues(args: Record<string, unknown>, argv: readonly string[]): void {
  const isSwitch = (name: string): boolean =>
    typeof args[name] === "boolean" || (name.startsWith("no-") && typeof args[name.slice(3)] === "boolean");
  for (const { name, inline, next } of flagTokens(argv)) {
    if (isSwitch(name)) continue;
    const missing =
      inline === undefined ? next === undefined || next === "" || next.startsWith("--") : inline === "";
    if (missing) process.exit(reportError(new InputError(`--${name}: expected a value after it`)));
  }
}

/**
 * Whether the command line asks for `--json` (or `--json=true`), as the parser reads it: the last
 * of `--json`, `--json=false` and `--no-json` wins.
 */
function asksForJson(argv: readonly string[]): boolean {
  let json = false;
  for (const { name, inline } of flagTokens(argv)) {
    if (name === "json") json = inline === undefined || inline === "true";
    else if (name === "no-json") json = false;
  }
  return json;
}

/** A flag on the command line, before any `--`: `--name`, or `--name=inline`, then the token after it. */
interface FlagToken {
  readonly name: string;
  readonly inline: string | undefined;
  readonly next: string | undefined;
}

function flagTokens(argv: readonly string[]): FlagToken[] {
  const flags: FlagToken[] = [];
  for (let index = 0; index < argv.length; index++) {
    const token = argv[index] as string;
    if (token === "--") break;
    if (!token.startsWith("--")) continue;
    const equals = token.indexOf("=");
    flags.push({
      name: token.slice(2, equals === -1 ? undefined : equals),
      inline: equals === -1 ? undefined : token.slice(equals + 1),
      next: argv[index + 1],
    });
  }
  return flags;
}

/**
 * `--flag -` as `--flag=-`: the parser takes a lone `-` for a positional, and the command's strict
 * check then says only "Unknown argument: -". So too any other value that starts with one minus:
 * a file name (`report t.jsonl --out -x.html`), which the parser would read as the short flags
 * `-x`, `-.`, … ("unknown flag -x.html"), or a number or duration (`--time -1s`), whose flag's own
 * check then says what it expects. A switch takes no value, so the token after it is left alone
 * (`check --json -` reads standard input), as is one that starts with `--`, a flag of its own.
 * Tokens after `--` are left as they are.
 */
function joinDashValues(argv: readonly string[], switches: ReadonlySet<string>): string[] {
  const joined: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const token = argv[index] as string;
    if (token === "--") return [...joined, ...argv.slice(index)];
    const next = argv[index + 1] ?? "";
    if (
      token.startsWith("--") &&
      !token.includes("=") &&
      next.startsWith("-") &&
      !next.startsWith("--") &&
      !switches.has(token.slice(2))
    ) {
      joined.push(`${token}=${next}`);
      index++;
    } else {
      joined.push(token);
    }
  }
  return joined;
}

/** The flags of a command that `flagsOf` reads from its builder. */
interface Flags {
  readonly switches: ReadonlySet<string>;
  readonly lists: ReadonlySet<string>;
  /** The values each flag with a fixed set of them takes. */
  readonly choices: Readonly<Record<string, readonly unknown[]>>;
  /** Every flag the command takes, by its long name. */
  readonly names: ReadonlySet<string>;
}

/**
 * The switches (boolean flags) of a command, the flags that may be given more than once (`--bug`,
 * `--module`) and the values of the flags that take one of a few, read from its builder on a
 * parser of their own.
 */
function flagsOf(command: AnyCommand): Flags {
  const { builder } = command;
  if (typeof builder !== "function")
    return { switches: new Set(), lists: new Set(), choices: {}, names: new Set(["help", "version"]) };
  const options = (
    builder(yargs([])) as unknown as {
      getOptions(): {
        boolean: string[];
        array: string[];
        choices: Record<string, unknown[]>;
        key: Record<string, unknown>;
      };
    }
  ).getOptions();
  return {
    switches: new Set(options.boolean.flatMap((name) => [name, `no-${name}`])),
    lists: new Set(options.array),
    choices: options.choices ?? {},
    names: new Set([...Object.keys(options.key ?? {}), "help", "version"]),
  };
}

/**
 * The parser's "Unknown argument(s): …" said for the first unknown word, with the closest name
 * when one is near: `unknown command 'fuz'; did you mean 'fuzz'?`, `unknown flag --tme; did you
 * mean --time?`, `unexpected argument 'extra'`. `flags`: the command's flags, when the first
 * word named a command. Undefined for any other message.
 */
export function unknownWords(
  message: string,
  argv: readonly string[],
  flags: ReadonlySet<string> | undefined,
): string | undefined {
  if (!/^Unknown arguments?: /.test(message)) return undefined;
  const first = argv[0];
  if (flags === undefined && first !== undefined && !first.startsWith("-")) {
    const commands = Object.keys(commandLoaders);
    const meant = closestName(first, commands);
    return `unknown command '${first}'${meant === undefined ? "" : `; did you mean '${meant}'?`} (commands: ${commands.join(", ")})`;
  }
  const words = argv.slice(1);
  const end = words.indexOf("--");
  for (const token of end === -1 ? words : words.slice(0, end)) {
    if (!token.startsWith("-") || token === "-") continue;
    const written = token.split("=")[0] as string;
    const name = written.replace(/^--?(no-)?/, "");
    if (flags?.has(name) === true) continue;
    const negated = written.startsWith("--no-");
    const known = [...(flags ?? [])].filter((flag) => flag.length > 1);
    const meant = closestName(name, known);
    const suggestion = meant === undefined ? "" : `; did you mean --${negated ? "no-" : ""}${meant}?`;
    return `unknown flag ${written}${suggestion}`;
  }
  const unknown = message.replace(/^Unknown arguments?: /, "").split(", ")[0];
  return `unexpected argument '${unknown}'`;
}

/**
 * For a word that starts with one minus and is not a flag's value (`report -t.jsonl`): the parser
 * read it as short flags (`-t`, `-.`, …), so the usage error ends with how to name such a file.
 * Empty when there is none.
 */
export function dashWordHint(argv: readonly string[]): string {
  const end = argv.indexOf("--");
  const word = (end === -1 ? argv : argv.slice(0, end)).find(
    (token) => /^-[^-]/.test(token) && token.length > 2,
  );
  return word === undefined
    ? ""
    : ` ('${word}' was read as flags: name a file that starts with - as ./${word})`;
}

/** `run: expected a scenario file …` for the parser's `Not enough non-option arguments`. */
export function missingArgument(message: string, argv: readonly string[]): string | undefined {
  if (!/^Not enough non-option arguments/.test(message)) return undefined;
  const command = argv[0] ?? "";
  const expected = Object.hasOwn(requiredArguments, command)
    ? requiredArguments[command as CommandName]
    : undefined;
  return expected === undefined ? undefined : `${command}: expected ${expected}`;
}

/**
 * Exits 2 when a flag that takes one of a few values was given another (`--strategy bogus`), with
 * one line naming the values, before the parser's own check prints its several lines.
 */
function rejectOtherChoices(
  args: Record<string, unknown>,
  choices: Readonly<Record<string, readonly unknown[]>>,
): void {
  for (const [name, allowed] of Object.entries(choices)) {
    const value = args[name];
    if (value === undefined) continue;
    for (const given of Array.isArray(value) ? value : [value]) {
      if (allowed.includes(given)) continue;
      const names = allowed.map(String);
      const listed =
        names.length <= 2 ? names.join(" or ") : `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`;
      process.exit(reportError(new InputError(`--${name}: expected ${listed}, got '${String(given)}'`)));
    }
  }
}

/**
 * Exits 2 when a flag that takes one value is given twice (`--seed 1 --seed 2`): the parser made a
 * list of both, which each flag's own check then printed as one odd value (`got '1,2'`). `lists`:
 * the flags that may repeat (lists, and switches, which take no value).
 */
function rejectRepeatedFlags(argv: readonly string[], lists: ReadonlySet<string>): void {
  const given = new Map<string, string[]>();
  for (const { name, inline, next } of flagTokens(argv)) {
    if (lists.has(name) || name === "help" || name === "version") continue;
    const value = inline ?? next ?? "";
    const values = given.get(name) ?? [];
    values.push(value);
    given.set(name, values);
    if (values.length === 2) {
      process.exit(
        reportError(
          new InputError(`--${name}: given twice ('${values[0]}', then '${values[1]}'); give it once`),
        ),
      );
    }
  }
}

/**
 * Exits 2 when a switch is given a value other than true or false (`--json=maybe`, `--json=-`):
 * the parser read it as false, and the command ran without it.
 */
function rejectSwitchValues(args: Record<string, unknown>, argv: readonly string[]): void {
  for (const { name, inline: value } of flagTokens(argv)) {
    if (value === undefined || typeof args[name] !== "boolean" || value === "true" || value === "false")
      continue;
    process.exit(
      reportError(new InputError(`--${name}: a switch takes no value (or =true, =false), got '${value}'`)),
    );
  }
}

/** The commands whose file arguments may be `-`, standard input. */
const standardInputCommands = new Set(["check", "report"]);

/** The flags that take `-` for standard output, by command. */
const standardOutputFlags: Readonly<Record<string, readonly string[]>> = { report: ["out"] };

/**
 * Exits 2 when `-` (standard output) was given to a flag that names a file or folder to write,
 * which would otherwise make one named `-`.
 */
function rejectStandardOutput(args: Record<string, unknown>): void {
  const command = String((args._ as readonly unknown[] | undefined)?.[0] ?? "");
  for (const [name, value] of Object.entries(args)) {
    if (value !== "-" || name.length < 2) continue;
    if (standardOutputFlags[command]?.includes(name) === true) continue;
    const where = Object.entries(standardOutputFlags)
      .flatMap(([takes, flags]) => flags.map((flag) => `${takes} --${flag}`))
      .join(", ");
    process.exit(reportError(new InputError(`--${name}: '-' (standard output) is taken only by ${where}`)));
  }
}

/** The text given to `--name` on the command line (`--name text` or `--name=text`), if found. */
function givenText(argv: readonly string[], name: string): string | undefined {
  const flag = flagTokens(argv).find((token) => token.name === name);
  return flag === undefined ? undefined : (flag.inline ?? flag.next);
}

await main(hideBin(process.argv));
