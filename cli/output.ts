/**
 * Terminal output shared by every command: colour that respects NO_COLOR, TERM=dumb, --json and
 * non-TTY output, and the one place that turns errors into exit codes.
 */
import { Chalk, type ChalkInstance } from "chalk";
import { ExitCode, InputError } from "../sim/errors.js";

/**
 * Colour for a stream. Precedence: a non-empty NO_COLOR, then FORCE_COLOR, then TERM=dumb (a
 * terminal that shows escape codes as text), then whether the stream is a terminal. `--json`
 * output never has colour.
 */
export function colours(stream: NodeJS.WriteStream, options: { json?: boolean } = {}): ChalkInstance {
  if (options.json === true) return new Chalk({ level: 0 });
  return new Chalk({ level: colourLevel(process.env, stream.isTTY === true) });
}

/** The chalk colour level (0 for none) for an environment and a stream, as `colours` decides it. */
export function colourLevel(
  env: Readonly<Record<string, string | undefined>>,
  terminal: boolean,
): 0 | 1 | 2 | 3 {
  const noColor = env.NO_COLOR;
  if (noColor !== undefined && noColor !== "") return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== "") {
    if (force === "false" || force === "0") return 0;
    return Math.min(3, Math.max(1, Number(force) || 1)) as 1 | 2 | 3;
  }
  if (env.TERM === "dumb") return 0;
  return terminal ? 2 : 0;
}

/**
 * Whether an error that stops the command also prints its JSON object (`errorJson`) on standard
 * output: the command line gave `--json` to a command that takes it.
 */
let errorsAsJson = false;

/** Makes `reportError` and `reportUsageError` print each error's JSON object on standard output too. */
export function reportErrorsAsJson(on: boolean): void {
  errorsAsJson = on;
}

/** The version of the error object's shape, the same for every command (docs/cli.md). */
export const errorSchemaVersion = 1;

/**
 * The JSON object for an error that stopped a command with `exitCode`: `{schemaVersion, result:
 * "error", exitCode, error, file, line, column, field}`, each place null when unknown. `field`:
 * the scenario field, or the flag a message about a flag value starts with (`--nodes: …`).
 */
export function errorJson(error: unknown, exitCode: number): Record<string, unknown> {
  const input = error instanceof InputError ? error : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return {
    schemaVersion: errorSchemaVersion,
    result: "error",
    exitCode,
    error: message,
    file: input?.file ?? null,
    line: input?.line ?? null,
    column: input?.line === undefined ? null : (input.column ?? null),
    field: input === undefined ? null : (input.field ?? /^(--[a-z][a-z0-9-]*):/.exec(message)?.[1] ?? null),
  };
}

function writeErrorJson(error: unknown, exitCode: number): void {
  if (errorsAsJson) process.stdout.write(`${JSON.stringify(errorJson(error, exitCode))}\n`);
}

/**
 * Prints an error the way the CLI does and returns the exit code it deserves: the one place errors
 * become exit codes. Under `--json` (`reportErrorsAsJson`) the error's object goes to standard
 * output as well.
 */
export function reportError(error: unknown): number {
  const c = colours(process.stderr);
  if (error instanceof InputError) {
    process.stderr.write(`${c.red("error:")} ${error.describe()}\n`);
    writeErrorJson(error, ExitCode.usage);
    return ExitCode.usage;
  }
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`${c.red("internal error:")} ${text}\n`);
  writeErrorJson(error, ExitCode.internal);
  return ExitCode.internal;
}

/** Prints a usage error the parser found (`unknown flag --tme; …`) and returns its exit code, 2. */
export function reportUsageError(message: string): number {
  const c = colours(process.stderr);
  process.stderr.write(`${c.red("usage error:")} ${message}\nRun 'quorumlab --help' for usage.\n`);
  writeErrorJson(new InputError(message), ExitCode.usage);
  return ExitCode.usage;
}

/** Runs a command body, mapping thrown errors to exit codes; sets process.exitCode. */
export async function runCommand(body: () => Promise<number> | number): Promise<void> {
  try {
    process.exitCode = await body();
  } catch (error) {
    process.exitCode = reportError(error);
  }
}

/** `count` and `noun`, plural unless the count is one: `1 step`, `12,345 unique states`. */
export function counted(count: number, noun: string): string {
  return `${count.toLocaleString("en-US")} ${noun}${count === 1 ? "" : "s"}`;
}
