/**
 * Errors in user input (scenario files, history files, command-line values).
 *
 * The CLI turns an `InputError` into one readable line, `file:line:column: message`, and exit
 * code 2, never a stack trace. Anything else that escapes is an internal error (exit code 70).
 */
export class InputError extends Error {
  /** The file the problem is in, as the user named it; absent for command-line values. */
  readonly file: string | undefined;
  /** 1-based line, when known. */
  readonly line: number | undefined;
  /** 1-based column, when known. */
  readonly column: number | undefined;
  /**
   * The `index` of the history event the problem is about, when the one who finds it knows the
   * event but not where it is written (the checker); a reader of the file can place it.
   */
  readonly event: number | undefined;
  /**
   * The field of the input the problem is in, when known: a scenario's `faults.0.at`, or the
   * flag `--nodes`.
   */
  readonly field: string | undefined;

  constructor(
    message: string,
    location: { file?: string; line?: number; column?: number; event?: number; field?: string } = {},
  ) {
    super(message);
    this.name = "InputError";
    this.file = location.file;
    this.line = location.line;
    this.column = location.column;
    this.event = location.event;
    this.field = location.field;
  }

  /** `file:line:column: message`, leaving out the parts that are unknown. */
  describe(): string {
    const where = [this.file, this.line, this.line === undefined ? undefined : this.column]
      .filter((part) => part !== undefined)
      .join(":");
    return where === "" ? this.message : `${where}: ${this.message}`;
  }
}

/** The `field` of an `InputError` about the input at `path` (`faults.0.at`); none for the whole input. */
export function fieldAt(path: ReadonlyArray<string | number>): { field?: string } {
  return path.length === 0 ? {} : { field: path.join(".") };
}

/** Process exit codes, the same for every command. */
export const ExitCode = {
  /** Everything checked held. */
  ok: 0,
  /** An invariant was violated, or a history is not linearizable. */
  violation: 1,
  /** Usage error or invalid input file. */
  usage: 2,
  /** Inconclusive: a checker budget or a liveness deadline ran out. */
  inconclusive: 3,
  /** A bug in quorumlab itself. */
  internal: 70,
} as const;

/**
 * What an error message says of a value the protocol's code threw: its name, its message, and
 * the first frame of the protocol's code (`frame`, and `shortFrame` as ` (at file:line:column)`);
 * `summary` puts them on one line: `TypeError: no such key (at my-kv.ts:40:9)`.
 */
export function describeThrown(error: unknown): {
  name: string;
  text: string;
  frame: string | undefined;
  shortFrame: string;
  summary: string;
} {
  const name = error instanceof Error ? error.name : "thrown value";
  const text = error instanceof Error ? error.message : String(error);
  const frame = error instanceof Error ? firstUserFrame(error.stack) : undefined;
  const shortFrame = frame === undefined ? "" : ` (at ${frame.split(/[\\/]/).pop()})`;
  return { name, text, frame, shortFrame, summary: `${name}: ${text.split("\n")[0]}${shortFrame}` };
}

/**
 * The first stack frame outside the simulator's own folder and Node's internals, as
 * `path:line:column`: where a protocol's handler threw.
 */
function firstUserFrame(stack: string | undefined): string | undefined {
  if (stack === undefined) return undefined;
  const own = new URL(".", import.meta.url).href;
  for (const line of stack.split("\n").slice(1)) {
    const match = /\(?((?:file:\/\/|\/|[A-Za-z]:\\)[^()\s]*?:\d+:\d+)\)?\s*$/.exec(line.trim());
    if (match === null) continue;
    const location = match[1] as string;
    const url = location.startsWith("file://") ? location : `file://${location}`;
    if (url.startsWith(own)) continue;
    return location.startsWith("file://") ? decodeURIComponent(location.slice("file://".length)) : location;
  }
  return undefined;
}
