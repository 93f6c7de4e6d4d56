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

/** Prints an error the way the CLI does and returns the exit code it deserves. */
export function reportError(error: unknown): number {
  const c = colours(process.stderr);
  if (error instanceof InputError) {
    process.stderr.write(`${c.red("error:")} ${error.describe()}\n`);
    return ExitCode.usage;
  }
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`${c.red("internal error:")} ${text}\n`);
  return ExitCode.internal;
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
