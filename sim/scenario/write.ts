/**
 * Writing scenarios: a `Scenario` (plain data) → YAML text that `parseScenario` reads back to an
 * equal scenario. The fuzzer uses it to save counterexamples as ordinary scenario files.
 *
 * Durations are written exactly, in the largest unit that divides them (`2s`, `150ms`, `850us`),
 * so nothing is lost to rounding. Fault actions are written one per line in flow style, as people
 * write them by hand: `- {at: 200ms, crash: leader}`. The seed is written as 0x-hex text, which
 * keeps all 64 bits.
 */
import { Document, isMap, isSeq, type YAMLMap, type YAMLSeq } from "yaml";
import type { LatencySpec, NetworkSpec } from "../network.js";
import { formatSeed } from "../random.js";
import type { Expectations, FaultAction, Scenario, ScheduleStep } from "./schema.js";

/** A duration in the largest unit that divides it exactly. */
export function exactDuration(timeUs: number): string | number {
  if (!Number.isInteger(timeUs) || timeUs < 0) throw new Error(`not a duration in microseconds: ${timeUs}`);
  if (timeUs === 0) return 0;
  if (timeUs % 1_000_000 === 0) return `${timeUs / 1_000_000}s`;
  if (timeUs % 1_000 === 0) return `${timeUs / 1_000}ms`;
  return `${timeUs}us`;
}

function latencyData(spec: LatencySpec): unknown {
  switch (spec.distribution) {
    case "constant":
      return exactDuration(spec.valueUs);
    case "uniform":
      return { uniform: [exactDuration(spec.minUs), exactDuration(spec.maxUs)] };
    case "exponential":
      return {
        exponential: exactDuration(spec.meanUs),
        min: exactDuration(spec.minUs),
        max: exactDuration(spec.maxUs),
      };
  }
}

function networkData(network: NetworkSpec): Record<string, unknown> {
  return {
    latency: latencyData(network.latency),
    loss: network.loss,
    duplicate: network.duplicate,
    fifo: network.fifo,
    ...(network.links.length === 0
      ? {}
      : {
          links: network.links.map((link) => ({
            from: link.from,
            to: link.to,
            ...(link.latency === undefined ? {} : { latency: latencyData(link.latency) }),
            ...(link.loss === undefined ? {} : { loss: link.loss }),
            ...(link.duplicate === undefined ? {} : { duplicate: link.duplicate }),
          })),
        }),
  };
}

function linkData(link: { from: string; to: string; oneWay: boolean }): unknown {
  return link.oneWay ? { from: link.from, to: link.to, oneWay: true } : [link.from, link.to];
}

/** One timeline entry as the file writes it: `at`, the action, then an optional note. */
export function faultData(action: FaultAction): Record<string, unknown> {
  const at = {
    at: exactDuration(action.atUs),
    ...(action.afterNewLeaderUs === undefined
      ? {}
      : { afterNewLeader: exactDuration(action.afterNewLeaderUs) }),
    ...(action.nthNewLeader === undefined ? {} : { nthNewLeader: action.nthNewLeader }),
  };
  const note = action.note === undefined ? {} : { note: action.note };
  return { ...at, ...actionData(action), ...note };
}

/** The action of a timeline entry as the file writes it, under its kind: `{crash: n1}`. */
function actionData(action: FaultAction): Record<string, unknown> {
  switch (action.kind) {
    case "crash":
      if (action.loseUnsynced === true) return { crash: { node: action.crash, loseUnsynced: true } };
      return { crash: action.crash };
    case "restart":
    case "pause":
    case "resume":
    case "timeout":
    case "isolate":
      return { [action.kind]: (action as unknown as Record<string, string>)[action.kind] };
    case "heal":
      return { heal: true };
    case "partition":
      return { partition: action.partition.map((group) => [...group]) };
    case "cut":
      return { cut: linkData(action.cut) };
    case "clog":
      return {
        clog: {
          link: linkData(action.clog.link),
          delay: exactDuration(action.clog.delay),
          for: exactDuration(action.clog.for),
        },
      };
    case "burst":
      return {
        burst: {
          ...(action.burst.loss === undefined ? {} : { loss: action.burst.loss }),
          ...(action.burst.duplicate === undefined ? {} : { duplicate: action.burst.duplicate }),
          for: exactDuration(action.burst.for),
        },
      };
    case "drift":
      return { drift: { node: action.drift.node, rate: action.drift.rate } };
    case "drop":
      return { drop: { message: action.drop.message } };
    case "delay":
      return { delay: { message: action.delay.message, by: exactDuration(action.delay.by) } };
    case "duplicate":
      return { duplicate: { message: action.duplicate.message } };
    case "op": {
      const op = action.op;
      return {
        op: {
          f: op.f,
          ...(op.key === undefined ? {} : { key: op.key }),
          ...(op.value === undefined ? {} : { value: op.value }),
          ...(op.node === undefined ? {} : { node: op.node }),
          ...(op.timeout === undefined ? {} : { timeout: exactDuration(op.timeout) }),
          ...(op.follow === undefined ? {} : { follow: op.follow }),
        },
      };
    }
  }
}

/** One schedule step as the file writes it: `{deliver: {id: 4, from: n1, to: n2, type: prepare}}`. */
export function scheduleStepData(step: ScheduleStep): Record<string, unknown> {
  const note = step.note === undefined ? {} : { note: step.note };
  switch (step.kind) {
    case "deliver":
    case "drop":
    case "duplicate":
      return { [step.kind]: { id: step.id, from: step.from, to: step.to, type: step.type }, ...note };
    case "fire":
      return { fire: { node: step.node, timer: step.timer }, ...note };
    case "retry":
      return { retry: step.client, ...note };
    case "invoke":
      return {
        invoke: {
          client: step.client,
          f: step.f,
          key: step.key,
          value: step.value,
          ...(step.node === undefined ? {} : { node: step.node }),
        },
        ...note,
      };
    case "crash":
      return step.loseUnsynced === true
        ? { crash: { node: step.node, loseUnsynced: true }, ...note }
        : { crash: step.node, ...note };
    case "restart":
      return { restart: step.node, ...note };
    case "drift":
      return { drift: { node: step.node, rate: step.rate }, ...note };
    case "isolate":
      return { isolate: step.node, ...note };
    case "heal":
      return { heal: true, ...note };
  }
}

function expectData(expect: Expectations): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  if (expect.safe !== undefined) out.safe = expect.safe;
  if (expect.violates !== undefined) out.violates = [...expect.violates];
  if (expect.linearizable !== undefined) out.linearizable = expect.linearizable;
  if (expect.leader !== undefined) out.leader = { by: exactDuration(expect.leader.by) };
  if (expect.figures !== undefined) {
    out.figures = Object.fromEntries(
      Object.keys(expect.figures)
        .sort()
        .map((name) => [name, { ...expect.figures?.[name] }]),
    );
  }
  if (expect.blocked !== undefined) out.blocked = expect.blocked;
  return Object.keys(out).length === 0 ? undefined : out;
}

/** The scenario as the plain object a YAML file holds (keys in the documented order). */
export function scenarioData(scenario: Scenario): Record<string, unknown> {
  const workload = scenario.workload;
  const expect = expectData(scenario.expect);
  return {
    name: scenario.name,
    protocol: scenario.protocol,
    ...(scenario.module === undefined ? {} : { module: scenario.module }),
    ...(scenario.summary === "" ? {} : { summary: scenario.summary }),
    ...(scenario.description === "" ? {} : { description: scenario.description }),
    // Absent, as read: the protocol's default size.
    ...(scenario.nodes === undefined ? {} : { nodes: scenario.nodes }),
    seed: formatSeed(scenario.seed),
    duration: exactDuration(scenario.durationUs),
    options: scenario.options,
    network: networkData(scenario.network),
    ...(workload === undefined
      ? {}
      : {
          workload: {
            clients: workload.clients,
            rate: workload.ratePerSecond,
            mix: { ...workload.mix },
            keys: [...workload.keys],
            start: exactDuration(workload.startUs),
            stop: exactDuration(workload.stopUs),
            timeout: exactDuration(workload.timeoutUs),
            attemptTimeout: exactDuration(workload.attemptTimeoutUs),
          },
        }),
    ...(scenario.schedule === undefined
      ? { faults: scenario.faults.map(faultData) }
      : { clients: scenario.clients ?? 0, schedule: scenario.schedule.map(scheduleStepData) }),
    ...(expect === undefined ? {} : { expect }),
  };
}

/**
 * The scenario as YAML text. Optional `comment` lines go at the top of the file (each line is
 * prefixed with `# `); optional `stepComments`, by schedule step index from 0, go at the end of
 * those steps' lines. Comments are not part of the scenario: they change no trace.
 */
export function writeScenario(
  scenario: Scenario,
  options: { comment?: string; stepComments?: ReadonlyMap<number, string> } = {},
): string {
  const document = new Document(scenarioData(scenario));
  const root = document.contents as YAMLMap;
  // Short collections read best inline; the timeline gets one line per action.
  for (const key of ["options", "network", "workload", "expect"]) {
    const value = root.get(key, true);
    if (isMap(value)) {
      for (const item of value.items) {
        if (isMap(item.value) || isSeq(item.value)) item.value.flow = true;
      }
      if (key === "options" || key === "expect") value.flow = value.items.length <= 4;
    }
  }
  for (const key of ["faults", "schedule"]) {
    const timeline = root.get(key, true) as YAMLSeq | undefined;
    if (timeline === undefined) continue;
    timeline.flow = timeline.items.length === 0;
    for (const item of timeline.items) {
      if (isMap(item)) item.flow = true;
    }
  }
  const schedule = root.get("schedule", true) as YAMLSeq | undefined;
  for (const [index, text] of options.stepComments ?? []) {
    const item = schedule?.items[index];
    if (isMap(item)) item.comment = ` ${text}`;
  }
  if (options.comment !== undefined) document.commentBefore = ` ${options.comment.split("\n").join("\n ")}`;
  return document.toString({ lineWidth: 0, flowCollectionPadding: false });
}
