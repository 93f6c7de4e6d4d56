/**
 * Ctrl-C (SIGINT) or a CI runner's cancellation (SIGTERM) during a fuzz campaign: the first one
 * stops the campaign between batches, so that it prints its summary, saves its corpus and report
 * and exits 128 + the signal's number (130, 143); a second one ends the process at once with that
 * code.
 */
import { constants } from "node:os";

export interface Interrupt {
  /** Aborted by the first SIGINT or SIGTERM. */
  readonly signal: AbortSignal;
  /** 128 + the number of the signal that arrived (130 for SIGINT, 143 for SIGTERM); 0 before. */
  exitCode(): number;
  /** Stops listening: a signal from then on ends the process as it would without this. */
  release(): void;
}

const signals = ["SIGINT", "SIGTERM"] as const;

/** What `listenEarly` heard before the command listened: its abort, and the signal that came. */
interface Early {
  readonly controller: AbortController;
  signal: NodeJS.Signals | undefined;
  readonly onSignal: (signal: NodeJS.Signals) => void;
}

let early: Early | undefined;

/**
 * Listens from the start of the process, before the command is loaded (which takes a few tenths of
 * a second): a signal then is kept for the command's `listenForInterrupt`, which sees it at once,
 * rather than ending the process silently. A second signal ends the process at once.
 */
export function listenEarly(): void {
  if (early !== undefined) return;
  const heard: Early = {
    controller: new AbortController(),
    signal: undefined,
    onSignal: (signal) => {
      if (heard.signal !== undefined) process.exit(128 + constants.signals[heard.signal]);
      heard.signal = signal;
      heard.controller.abort();
    },
  };
  for (const signal of signals) process.on(signal, heard.onSignal);
  early = heard;
}

/**
 * Stops `listenEarly`'s listening when no command took it over (a usage error, `--help`): a
 * signal it kept then ends the process as it would have without it.
 */
export function releaseEarly(): void {
  if (early === undefined) return;
  const { signal, onSignal } = early;
  early = undefined;
  for (const each of signals) process.off(each, onSignal);
  if (signal !== undefined) process.kill(process.pid, signal);
}

export function listenForInterrupt(): Interrupt {
  // A signal `listenEarly` kept stands as if it came now.
  const adopted = early;
  early = undefined;
  const controller = adopted?.controller ?? new AbortController();
  let code = adopted?.signal === undefined ? 0 : 128 + constants.signals[adopted.signal];
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(code);
    code = 128 + constants.signals[signal];
    controller.abort();
  };
  for (const signal of signals) process.on(signal, onSignal);
  // Only now that this listener is on: with none, Node would stop watching for the signals, and
  // drop one that came while this thread was busy loading, before a listener could hear it.
  if (adopted !== undefined) for (const signal of signals) process.off(signal, adopted.onSignal);
  let released = false;
  return {
    signal: controller.signal,
    exitCode: () => code,
    release() {
      if (released) return;
      released = true;
      for (const signal of signals) process.off(signal, onSignal);
    },
  };
}
