/**
 * The determinism guard: while the kernel handles events, the global sources of nondeterminism
 * (`Math.random`, `Date.now`, `new Date()`, `performance.now`, `setTimeout`, `setInterval`,
 * `setImmediate`) are replaced by stand-ins that throw a `DeterminismError` naming the call and the
 * handler that made it. A protocol that reaches for them fails where it does so, instead of
 * producing a run that cannot be replayed.
 *
 * Why swap globals: a protocol module is arbitrary user code, so the only place to stop it
 * calling `Math.random` is the global itself. The swap happens once per `Kernel.runUntil` call
 * (once per run of states an exploration expands, `inDeterministicSection`), not once per
 * handler, and the kernel only writes the running node and handler into `guardState` before each
 * call: on a Raft fuzz campaign the guard cost less than the run-to-run noise (docs/node-api.md,
 * "Determinism", gives the figures).
 *
 * Restoring is strict: `leave` puts back exactly what `enter` found, and nested runs (a test that
 * runs a simulation from inside another's action) only swap at the outermost level.
 */
import { InputError } from "./errors.js";

/**
 * A protocol handler used a source of nondeterminism: a mistake in the protocol's code, reported
 * like bad input (one line, exit code 2), never as a finding of the protocol's logic.
 */
export class DeterminismError extends InputError {
  constructor(
    message: string,
    /** `Math.random()`, `Date.now()`... */
    readonly call: string,
    /** `n1 onTimer`, or undefined when no handler was running. */
    readonly handler: string | undefined,
  ) {
    super(message);
    this.name = "DeterminismError";
  }
}

/**
 * What a handler should use instead of each forbidden call. This file names the ambient sources
 * of time and randomness only to take them away from handlers; nothing in the simulated world
 * calls them.
 */
const instead: Readonly<Record<string, string>> = {
  "Math.random()": "ctx.random",
  "Date.now()": "ctx.now()",
  "new Date()": "ctx.now()",
  "performance.now()": "ctx.now()",
  "setTimeout()": "ctx.setTimer",
  "setInterval()": "ctx.setTimer",
  "setImmediate()": "ctx.setTimer or ctx.send to yourself",
};

/**
 * The handler running now, written by the kernel around every call: the node and the handler
 * name (two writes, no string built per event). `offence` is the first broken rule of this run.
 */
export const guardState: {
  node: string | undefined;
  handler: string | undefined;
  offence: DeterminismError | undefined;
} = {
  node: undefined,
  handler: undefined,
  offence: undefined,
};

function offend(call: string): never {
  const handler = guardState.handler === undefined ? undefined : `${guardState.node} ${guardState.handler}`;
  const where = handler === undefined ? "the simulation" : handler;
  const error = new DeterminismError(
    `${where} called ${call}: handlers must be deterministic; use ${instead[call] ?? "the node context"} instead`,
    call,
    handler,
  );
  // Kept even when the handler catches the error, so that the run still fails.
  guardState.offence ??= error;
  throw error;
}

/**
 * The ambient globals as they were before the guard replaced them, kept only to put them back
 * when it is lifted: nothing calls them while a simulation runs.
 */
interface Saved {
  readonly random: typeof Math.random;
  readonly Date: DateConstructor;
  readonly performanceNow: (() => number) | undefined;
  readonly performanceHadOwnNow: boolean;
  readonly setTimeout: typeof globalThis.setTimeout;
  readonly setInterval: typeof globalThis.setInterval;
  readonly setImmediate: typeof globalThis.setImmediate;
}

let depth = 0;
let saved: Saved | undefined;

const RealDate = Date;

/** `Date` during a run: dates built from explicit values are fine, the current time is not. */
const GuardedDate = new Proxy(RealDate, {
  construct(target, args, newTarget) {
    if (args.length === 0) offend("new Date()");
    return Reflect.construct(target, args, newTarget);
  },
  apply() {
    // `Date()` called as a function returns the current time as a string.
    return offend("new Date()");
  },
  get(target, property, receiver) {
    if (property === "now") return guardedDateNow;
    return Reflect.get(target, property, receiver);
  },
});

function guardedDateNow(): number {
  return offend("Date.now()");
}

function guardedRandom(): number {
  return offend("Math.random()");
}

function guardedPerformanceNow(): number {
  return offend("performance.now()");
}

function guardedSetTimeout(): never {
  return offend("setTimeout()");
}

function guardedSetInterval(): never {
  return offend("setInterval()");
}

function guardedSetImmediate(): never {
  return offend("setImmediate()");
}

/** Installs the throwing stand-ins (at the outermost level only). */
export function enterDeterministicSection(): void {
  if (depth++ > 0) return;
  guardState.offence = undefined;
  const performanceObject = globalThis.performance as { now(): number } | undefined;
  saved = {
    random: Math.random,
    Date: globalThis.Date,
    performanceNow: performanceObject?.now,
    performanceHadOwnNow: performanceObject !== undefined && Object.hasOwn(performanceObject, "now"),
    setTimeout: globalThis.setTimeout,
    setInterval: globalThis.setInterval,
    setImmediate: globalThis.setImmediate,
  };
  Math.random = guardedRandom;
  globalThis.Date = GuardedDate;
  if (performanceObject !== undefined) {
    Object.defineProperty(performanceObject, "now", {
      value: guardedPerformanceNow,
      configurable: true,
      writable: true,
    });
  }
  globalThis.setTimeout = guardedSetTimeout as unknown as typeof globalThis.setTimeout;
  globalThis.setInterval = guardedSetInterval as unknown as typeof globalThis.setInterval;
  globalThis.setImmediate = guardedSetImmediate as unknown as typeof globalThis.setImmediate;
}

/** Restores what `enterDeterministicSection` replaced (when leaving the outermost level). */
export function leaveDeterministicSection(): void {
  if (--depth > 0) return;
  const restore = saved as Saved;
  saved = undefined;
  Math.random = restore.random;
  globalThis.Date = restore.Date;
  const performanceObject = globalThis.performance as { now(): number } | undefined;
  if (performanceObject !== undefined) {
    if (restore.performanceHadOwnNow) {
      Object.defineProperty(performanceObject, "now", {
        value: restore.performanceNow,
        configurable: true,
        writable: true,
      });
    } else {
      delete (performanceObject as { now?: unknown }).now;
    }
  }
  globalThis.setTimeout = restore.setTimeout;
  globalThis.setInterval = restore.setInterval;
  globalThis.setImmediate = restore.setImmediate;
  guardState.handler = undefined;
}

/**
 * Runs `body` in one deterministic section, for a caller that takes many steps in a row (an
 * exploration expands a run of states): the kernel's own sections nest inside it and swap
 * nothing. Swapping the globals once per step was 3% of a Paxos exploration. What such a caller
 * runs between steps that is not the simulation (a history checker with a wall-clock budget)
 * goes through `outsideDeterministicSection`.
 */
export function inDeterministicSection<T>(body: () => T): T {
  enterDeterministicSection();
  try {
    return body();
  } finally {
    leaveDeterministicSection();
  }
}

/** Runs `body` with the real globals back in place, inside a section or not (see above). */
export function outsideDeterministicSection<T>(body: () => T): T {
  const levels = depth;
  if (levels === 0) return body();
  const offence = guardState.offence;
  depth = 1;
  leaveDeterministicSection();
  try {
    return body();
  } finally {
    enterDeterministicSection();
    depth = levels;
    guardState.offence = offence;
  }
}
