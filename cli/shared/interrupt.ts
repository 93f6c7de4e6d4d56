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

export function listenForInterrupt(): Interrupt {
  const controller = new AbortController();
  let code = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(code);
    code = 128 + constants.signals[signal];
    controller.abort();
  };
  for (const signal of signals) process.on(signal, onSignal);
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
