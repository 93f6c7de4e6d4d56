/**
 * Explicit schedules: taking one named step (`ScheduleStep`) on a choice-scheduled kernel.
 *
 * The same function serves exploration (each explored choice is a step) and `quorumlab run` of a
 * scenario with a `schedule:`, so a saved counterexample replays exactly what was explored.
 */
import type { SimulatedClient } from "../clients.js";
import { InputError } from "../errors.js";
import type { EnabledStep, Kernel } from "../kernel.js";
import type { ScheduleStep } from "../scenario/schema.js";
import { closestName } from "../suggest.js";

/** A step that cannot be taken in the current state. */
export class ScheduleError extends InputError {}

/** Takes `step` now; throws a `ScheduleError` when it is not enabled. */
export function takeScheduleStep(
  kernel: Kernel,
  clients: readonly SimulatedClient[],
  step: ScheduleStep,
  enabled: readonly EnabledStep[] = kernel.enabledSteps(),
): void {
  switch (step.kind) {
    case "deliver":
    case "drop":
    case "duplicate": {
      const found = enabled.find((candidate) => candidate.kind === "deliver" && candidate.id === step.id);
      if (found === undefined || found.kind !== "deliver") {
        throw new ScheduleError(`${step.kind}: message ${step.id} is not in flight`);
      }
      if (found.from !== step.from || found.to !== step.to || found.message.type !== step.type) {
        throw new ScheduleError(
          `${step.kind}: message ${step.id} is ${found.message.type} from ${found.from} to ${found.to}, not ${step.type} from ${step.from} to ${step.to}`,
        );
      }
      kernel.takeStep(found, step.kind === "deliver" ? "run" : step.kind);
      return;
    }
    case "fire": {
      const found = enabled.find(
        (candidate) =>
          candidate.kind === "timer" && candidate.node === step.node && candidate.name === step.timer,
      );
      if (found === undefined || found.kind !== "timer")
        throw new ScheduleError(`fire: ${step.node} has no pending timer '${step.timer}'`);
      fireTimer(kernel, found, enabled);
      return;
    }
    case "retry": {
      const found = firstRetry(enabled, step.client);
      if (found === undefined) throw new ScheduleError(`retry: client ${step.client} has no pending retry`);
      kernel.takeStep(found);
      return;
    }
    case "invoke": {
      const client = clients.find((candidate) => candidate.name === step.client);
      if (client === undefined) throw new ScheduleError(`invoke: no client ${step.client}`);
      if (client.busy)
        throw new ScheduleError(`invoke: client ${step.client} already has an operation pending`);
      const first = step.node === undefined ? {} : { node: step.node, follow: true };
      kernel.runNow(() => client.invoke({ f: step.f, key: step.key, value: step.value, ...first }));
      return;
    }
    case "crash":
      if (!kernel.isUp(step.node)) throw new ScheduleError(`crash: ${step.node} is already down`);
      kernel.runNow(() => kernel.crash(step.node, { loseUnsynced: step.loseUnsynced === true }));
      return;
    case "restart":
      if (kernel.isUp(step.node)) throw new ScheduleError(`restart: ${step.node} is up`);
      kernel.runNow(() => kernel.restart(step.node));
      return;
    case "drift":
      if (!kernel.nodeIds.includes(step.node)) throw new ScheduleError(`drift: no node ${step.node}`);
      kernel.runNow(() => kernel.drift(step.node, step.rate));
      return;
    case "isolate":
      if (!kernel.nodeIds.includes(step.node)) throw new ScheduleError(`isolate: no node ${step.node}`);
      kernel.runNow(() => kernel.isolate(step.node));
      return;
    case "heal":
      kernel.runNow(() => kernel.heal());
      return;
  }
}

/**
 * Most firings of one `fire` step. A firing that does nothing but set its own timer again (a
 * countdown restarted since it was set: protocols/shared/election-timer.ts) is followed at once
 * by the re-armed firing: `fire` means "let time pass until the timer acts".
 */
const rearmedFiringsMax = 8;

/**
 * Fires a timer; while a firing only sets the same timer again (nothing sent, nothing written,
 * no other step added or removed), fires the re-armed timer too, at most `rearmedFiringsMax`
 * times in all.
 */
function fireTimer(
  kernel: Kernel,
  first: EnabledStep & { kind: "timer" },
  enabled: readonly EnabledStep[],
): void {
  let found = first;
  let before = enabled;
  for (let firing = 1; ; firing++) {
    const storage = kernel.storageOf(found.node);
    const writes = storage.writes;
    kernel.takeStep(found);
    if (firing === rearmedFiringsMax || !kernel.isUp(found.node) || storage.writes !== writes) return;
    const after = kernel.enabledSteps();
    if (after.length !== before.length) return;
    const previous = new Set(before.map((candidate) => candidate.entry));
    previous.delete(found.entry);
    let again: (EnabledStep & { kind: "timer" }) | undefined;
    for (const candidate of after) {
      if (previous.has(candidate.entry)) continue;
      if (again !== undefined || candidate.kind !== "timer") return;
      if (candidate.node !== found.node || candidate.name !== found.name) return;
      again = candidate;
    }
    if (again === undefined) return;
    found = again;
    before = after;
  }
}

/**
 * A client's pending action due first (ties: the oldest). A client's own timers fire in the
 * order they are due, so this is the only retry of that client a schedule can take next.
 */
export function firstRetry(enabled: readonly EnabledStep[], client: string): EnabledStep | undefined {
  let best: EnabledStep | undefined;
  for (const candidate of enabled) {
    if (candidate.kind !== "action" || candidate.label !== client) continue;
    if (best === undefined || candidate.dueUs < best.dueUs) best = candidate;
  }
  return best;
}

/** Plays a whole schedule from the kernel's current state; each error names the step. */
export function playSchedule(
  kernel: Kernel,
  clients: readonly SimulatedClient[],
  steps: readonly ScheduleStep[],
  file?: string,
  /** Where step `index` is in the file (the scenario's `locate`), for the error's line and column. */
  locateStep?: (index: number) => { line?: number; column?: number },
  /** Told of each step once taken, with the time it ran at and the first event it took. */
  onStep?: (index: number, timeUs: number, event: number) => void,
): void {
  kernel.settle();
  steps.forEach((step, index) => {
    if (kernel.isStopped) return;
    const event = kernel.events;
    try {
      takeScheduleStep(kernel, clients, step);
      onStep?.(index, kernel.timeUs, event);
    } catch (error) {
      if (!(error instanceof ScheduleError)) throw error;
      throw new InputError(
        `schedule step ${index + 1}: ${error.message}${whatCouldRun(kernel, step)}`,
        file === undefined ? {} : { file, ...(locateStep?.(index) ?? {}) },
      );
    }
  });
}

/** How many messages in flight an error lists before it says how many more there are. */
const inFlightListedMax = 8;

/**
 * What a step that could not be taken could have been, for its error: the messages in flight
 * for a message step, the node's pending timers for a `fire`. Computed only once a step has
 * failed, so a schedule that plays pays nothing for it.
 */
function whatCouldRun(kernel: Kernel, step: ScheduleStep): string {
  const enabled = kernel.enabledSteps();
  if (step.kind === "deliver" || step.kind === "drop" || step.kind === "duplicate") {
    const messages = enabled.flatMap((candidate) =>
      candidate.kind === "deliver"
        ? [`${candidate.message.type} ${candidate.from} → ${candidate.to} (#${candidate.id})`]
        : [],
    );
    if (messages.length === 0) return "; no message is in flight";
    const listed = messages.slice(0, inFlightListedMax).join(", ");
    const more = messages.length - inFlightListedMax;
    return `; in flight: ${listed}${more > 0 ? ` and ${more} more` : ""}`;
  }
  if (step.kind === "fire") {
    if (!kernel.nodeIds.includes(step.node)) return "";
    if (!kernel.isUp(step.node)) return `; ${step.node} is down`;
    const timers = [
      ...new Set(
        enabled.flatMap((candidate) =>
          candidate.kind === "timer" && candidate.node === step.node ? [candidate.name] : [],
        ),
      ),
    ];
    if (timers.length === 0) return `; ${step.node} has no timer pending`;
    const meant = closestName(step.timer, timers);
    return `; ${step.node}'s pending timers: ${timers.join(", ")}${meant === undefined ? "" : `; did you mean '${meant}'?`}`;
  }
  return "";
}

/** What implied a drop in an explored schedule: the bound, and the index of the step it came with. */
export interface ImpliedDrop {
  readonly bound: "quiet timeout" | "ordered link";
  /** The index (from 0) of the firing or retry, or of the delivery on the same link, that lost it. */
  readonly by: number;
}

/**
 * The drops of an explored schedule that its bounds implied rather than its `drop` budget, by
 * step index (docs/exploring.md): with quiet timeouts, the messages in flight lost just before a
 * timer fires or a client retries; on ordered links, those sent on a link before the message its
 * next step delivers. The explorer writes them just before that step, so they are told from the
 * budget's drops by where they stand. (A budget drop just before such a step would have been lost
 * to it anyway; a shortest schedule never spends a choice on one.)
 */
export function impliedDrops(
  steps: readonly ScheduleStep[],
  bounds: { readonly network?: string; readonly quietTimeouts?: boolean },
): Map<number, ImpliedDrop> {
  const implied = new Map<number, ImpliedDrop>();
  let first = 0;
  for (let index = 0; index < steps.length; index++) {
    const step = steps[index] as ScheduleStep;
    if (step.kind === "drop") continue;
    const quiet = bounds.quietTimeouts === true && (step.kind === "fire" || step.kind === "retry");
    // The drops just before this step, latest first, while this step's bound accounts for them.
    for (let at = index - 1; at >= first; at--) {
      const drop = steps[at] as ScheduleStep & { kind: "drop" };
      const ordered =
        bounds.network === "ordered" &&
        step.kind === "deliver" &&
        drop.from === step.from &&
        drop.to === step.to &&
        drop.id < step.id;
      if (!quiet && !ordered) break;
      implied.set(at, { bound: quiet ? "quiet timeout" : "ordered link", by: index });
    }
    first = index + 1;
  }
  return implied;
}

/** What implied a drop, for people: `implied: lost to step 12's quiet timeout` (steps from 1). */
export function describeImplied(drop: ImpliedDrop): string {
  return `implied: lost to step ${drop.by + 1}'s ${drop.bound}`;
}

/** One line for people: `n1 → n2 prepare #4`, `fire n1 propose`, `crash n2`. */
export function describeStep(step: ScheduleStep): string {
  switch (step.kind) {
    case "deliver":
      return `deliver ${step.type} ${step.from} → ${step.to} (#${step.id})`;
    case "drop":
    case "duplicate":
      return `${step.kind} ${step.type} ${step.from} → ${step.to} (#${step.id})`;
    case "fire":
      return `fire ${step.node} ${step.timer}`;
    case "retry":
      return `retry ${step.client}`;
    case "invoke":
      return `invoke ${step.client} ${step.f}(${step.key ?? ""}${step.value === null ? "" : `, ${JSON.stringify(step.value)}`})${step.node === undefined ? "" : ` at ${step.node}`}`;
    case "crash":
      return `crash ${step.node}${step.loseUnsynced === true ? " (losing unsynced writes)" : ""}`;
    case "restart":
      return `restart ${step.node}`;
    case "drift":
      return `drift ${step.node} ${formatDriftRate(step.rate)}`;
    case "isolate":
      return `isolate ${step.node}`;
    case "heal":
      return "heal";
  }
}

/** A clock drift rate as a signed percentage: `+5%`, `-2.5%`. */
export function formatDriftRate(rate: number): string {
  const percent = Number((rate * 100).toFixed(4));
  return `${percent >= 0 ? "+" : ""}${percent}%`;
}
