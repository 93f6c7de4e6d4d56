/**
 * Terminal output shared by every command: colour that respects NO_COLOR, --json and non-TTY
 * output, and the one place that turns errors into exit codes.
 */
import { Chalk, type ChalkInstance } from "chalk";
import { ExitCode, InputError } from "../sim/errors.js";

/**
 * Colour for a stream. Precedence: a non-empty NO_COLOR, then FORCE_COLOR, then whether the
 * stream is a terminal. `--json` output never has colour.
 */
export function colours(stream: NodeJS.WriteStream, options: { json?: boolean } = {}): ChalkInstance {
  if (options.json === true) return new Chalk({ level: 0 });
  const noColor = process.env.NO_COLOR;
  if (noColor !== undefined && noColor !== "") return new Chalk({ level: 0 });
  const force = process.env.FORCE_COLOR;
  if (force !== undefined && force !== "") {
    const level = force === "false" || force === "0" ? 0 : Math.min(3, Math.max(1, Number(force) || 1));
    return new Chalk({ level: level as 0 | 1 | 2 | 3 });
  }
  return new Chalk({ level: stream.isTTY === true ? 2 : 0 });
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
