/**
 * An error thrown in a worker thread, as it travels to the main thread and is thrown there again:
 * an `InputError` (a handler that read the clock, a module's mistake) stays the user's to fix, with
 * where it was found; any other error is the worker's failure, with its stack.
 */
import { DeterminismError } from "../../sim/determinism.js";
import { InputError } from "../../sim/errors.js";

export interface WorkerError {
  readonly message: string;
  /**
   * Set when the error is the user's to fix (an `InputError`, such as a handler that read the
   * clock): the main thread reports it as such (one line, exit code 2), where it was found.
   */
  readonly input?: { readonly file?: string; readonly line?: number; readonly column?: number };
  /** Set when a handler broke the determinism rules: the call and the handler. */
  readonly determinism?: { readonly call: string; readonly handler: string | undefined };
}

/** `error`, caught in a worker, as plain data to post. */
export function workerError(error: unknown): WorkerError {
  if (error instanceof InputError) {
    return {
      message: error.message,
      input: locationOf(error),
      ...(error instanceof DeterminismError
        ? { determinism: { call: error.call, handler: error.handler } }
        : {}),
    };
  }
  return { message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
}

/** The error `posted` describes, to throw in the main thread; `failed` names the worker. */
export function errorOf(posted: WorkerError, failed: string): Error {
  if (posted.determinism !== undefined)
    return new DeterminismError(posted.message, posted.determinism.call, posted.determinism.handler);
  if (posted.input !== undefined) return new InputError(posted.message, posted.input);
  return new Error(`${failed}: ${posted.message}`);
}

/** Where an input error was found, with only the parts it names. */
function locationOf(error: InputError): { file?: string; line?: number; column?: number } {
  return {
    ...(error.file === undefined ? {} : { file: error.file }),
    ...(error.line === undefined ? {} : { line: error.line }),
    ...(error.column === undefined ? {} : { column: error.column }),
  };
}
