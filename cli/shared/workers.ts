/**
 * `--workers`, as `fuzz`, `explore` and `mutants` take it: a whole number of worker threads from
 * 1 to `workersMax` (`explore` and `mutants --explore` also take `auto`), and a note for a count
 * above the machine's cores.
 */
import { availableParallelism } from "node:os";
import { InputError } from "../../sim/errors.js";
import { counted } from "../output.js";

/** Most worker threads `--workers` takes. */
export const workersMax = 64;

/** A `--workers` that must be a number: a whole number from 1 to `workersMax`, else exit 2. */
export function workerCount(text: string | number): number {
  return wholeWorkers(text, `a whole number from 1 to ${workersMax}`);
}

/** `--workers` of a breadth-first search: `auto`, or a whole number from 1 to `workersMax`. */
export function parseWorkers(text: string | number): number | "auto" {
  if (text === "auto") return "auto";
  return wholeWorkers(text, `auto or a whole number from 1 to ${workersMax}`);
}

/** `text` as a whole number from 1 to `workersMax`; the error says what was `expected`. */
function wholeWorkers(text: string | number, expected: string): number {
  const workers = typeof text === "number" ? text : /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!(Number.isInteger(workers) && workers >= 1 && workers <= workersMax))
    throw new InputError(`--workers: expected ${expected}, got '${text}'`);
  return workers;
}

/**
 * A warning when `workers` threads are more than this machine's cores, else undefined. Threads
 * beyond the cores take turns, and each compiles the simulator anew as it starts: `fuzz raft
 * --time 2s` on 2 cores ran 824 runs with 2 workers and 24 with 8, its threads still starting
 * when the time was up.
 */
export function oversubscribed(workers: number, cores = availableParallelism()): string | undefined {
  if (workers <= cores) return undefined;
  return `--workers ${workers} is more than this machine's ${counted(cores, "core")}: threads beyond the cores take turns and slow the work down`;
}
