/**
 * What a run tells of its scenario's steps beside its trace (`RunSteps`, the timeline's notes and
 * record-less steps): plain data, so the CLI can give it to the report of the run it made and the
 * lab page to the report of a fork it simulates. No DOM here: the CLI imports it too.
 */
import type { RunResult } from "../../sim/run.js";
import type { Scenario } from "../../sim/scenario/schema.js";
import type { NeverRanStep, RunSteps, StepFault, StepNote } from "../model.js";

/** The steps of `result`'s scenario as they ran, and those that never ran. */
export function runSteps(result: Pick<RunResult, "scenario" | "stepsRun" | "kernel">): RunSteps {
  return {
    notes: stepNotes(result.scenario, result.stepsRun),
    faults: stepFaults(result.scenario, result.stepsRun),
    oneWayClogs: oneWayClogs(result.scenario, result.stepsRun),
    neverRan: neverRan(result),
  };
}

/**
 * The notes of the scenario's steps that ran (its fault timeline's, or its schedule's), in the
 * order they ran: a step that waits for a new leader is told when it ran after the election, and
 * a step that never ran (its leader never came, the run stopped first) is left out.
 */
function stepNotes(scenario: Scenario, stepsRun: RunResult["stepsRun"]): StepNote[] {
  const steps: ReadonlyArray<{ readonly note?: string }> = scenario.schedule ?? scenario.faults;
  const notes: StepNote[] = [];
  for (const run of stepsRun) {
    const note = steps[run.step]?.note;
    if (note !== undefined) notes.push({ t: run.timeUs, e: run.event, text: note });
  }
  // Stable: steps of one event (none yet) keep the order they ran in.
  return notes
    .map((note, order) => ({ note, order }))
    .sort((left, right) => left.note.e - right.note.e || left.order - right.order)
    .map(({ note }) => note);
}

/**
 * The steps that ran and leave no record of their own, in the order they ran: a fault timeline's
 * `timeout` and `op` steps, a schedule's `fire`, `retry` and `invoke` steps (an invoke is told as
 * a scripted operation is).
 */
function stepFaults(scenario: Scenario, stepsRun: RunResult["stepsRun"]): StepFault[] {
  const faults: StepFault[] = [];
  for (const run of stepsRun) {
    const at = { t: run.timeUs, e: run.event };
    if (run.timeout !== undefined) faults.push({ ...at, kind: "timeout", ...run.timeout });
    if (run.op !== undefined) faults.push({ ...at, kind: "op", ...run.op });
    const step = scenario.schedule?.[run.step];
    if (step?.kind === "fire") faults.push({ ...at, kind: "fire", node: step.node, timer: step.timer });
    else if (step?.kind === "retry") faults.push({ ...at, kind: "retry", client: step.client });
    else if (step?.kind === "invoke") {
      const { client, f, key, value, node } = step;
      faults.push({ ...at, kind: "op", client, f, key, value, ...(node === undefined ? {} : { node }) });
    }
  }
  return faults.sort((left, right) => left.e - right.e);
}

/** The events at which the scenario's one-way clogs ran, from the steps that ran. */
function oneWayClogs(scenario: Scenario, stepsRun: RunResult["stepsRun"]): number[] {
  if (scenario.schedule !== undefined) return [];
  const events: number[] = [];
  for (const run of stepsRun) {
    const step = scenario.faults[run.step];
    if (step?.kind === "clog" && step.clog.link.oneWay) events.push(run.event);
  }
  return events;
}

/**
 * The fault steps that waited for a new leader and never ran, though the run went on to its end
 * (a run stopped at a violation ended before their time could come).
 */
function neverRan(result: Pick<RunResult, "scenario" | "stepsRun" | "kernel">): NeverRanStep[] {
  if (result.scenario.schedule !== undefined || result.kernel.isStopped) return [];
  const ran = new Set(result.stepsRun.map((run) => run.step));
  const steps: NeverRanStep[] = [];
  result.scenario.faults.forEach((step, index) => {
    if (step.afterNewLeaderUs === undefined || ran.has(index)) return;
    const target = (step as Record<string, unknown>)[step.kind];
    steps.push({
      step: index,
      action: typeof target === "string" ? `${step.kind} ${target}` : step.kind,
      atUs: step.atUs,
      afterNewLeaderUs: step.afterNewLeaderUs,
      nthNewLeader: step.nthNewLeader ?? 1,
      ...(step.note === undefined ? {} : { note: step.note }),
    });
  });
  return steps;
}
