/**
 * What the monitors of a run share (`MonitorRun.shared`): one record per name and run, made by
 * the first monitor that asks, brought up to date once after every step and before any monitor
 * reads it; a new run has records of its own.
 */
import { describe, expect, it } from "vitest";
import type {
  Invariant,
  NodeContext,
  Protocol,
  ProtocolNode,
  SharedRecord,
  StepView,
} from "../../sim/node.js";
import { runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";

/** Counts the steps it saw; `made` counts the records made, across runs. */
class StepCount implements SharedRecord<unknown> {
  static made = 0;
  steps = 0;
  lastEvent = -1;

  constructor() {
    StepCount.made++;
  }

  afterStep(step: StepView<unknown>): void {
    this.steps++;
    this.lastEvent = step.eventIndex;
  }
}

/** Per monitor, what it read of the shared record at each step. */
const seen = new Map<string, Array<{ steps: number; event: number; lastEvent: number }>>();

function reader(name: string): Invariant<unknown> {
  return {
    name: `probe.${name}`,
    statement: "reads the shared step count",
    source: "this test",
    kind: "safety",
    create(run) {
      const count = run.shared("probe.steps", () => new StepCount());
      const log: Array<{ steps: number; event: number; lastEvent: number }> = [];
      seen.set(name, log);
      return {
        state: count,
        afterStep(step) {
          log.push({ steps: count.steps, event: step.eventIndex, lastEvent: count.lastEvent });
          return undefined;
        },
      };
    },
  };
}

const protocol: Protocol = {
  name: "probe",
  summary: "test protocol",
  defaultNodes: 2,
  parseOptions: (options) => ({ ...options }),
  create: (ctx: NodeContext): ProtocolNode => ({
    onStart() {
      ctx.setTimer("ping", 1_000);
    },
    onTimer() {
      ctx.send(ctx.id === "n1" ? "n2" : "n1", { type: "ping" });
      ctx.setTimer("ping", 1_000);
    },
    onMessage() {},
  }),
  invariants: [reader("first"), reader("second")],
  bugs: [],
};

function run() {
  const scenario = parseScenario("protocol: probe\nnodes: 2\nduration: 10ms\n", "probe.yaml");
  return runScenario(scenario, new Map([["probe", protocol]]));
}

describe("records the monitors of a run share", () => {
  it("are made once per run and brought up to date once per step, before the monitors read them", () => {
    StepCount.made = 0;
    expect(run().ok).toBe(true);
    expect(StepCount.made).toBe(1);
    const first = seen.get("first") ?? [];
    const second = seen.get("second") ?? [];
    expect(first.length).toBeGreaterThan(20);
    // Both monitors read the same record, already counting the step they are shown.
    expect(second).toEqual(first);
    first.forEach((read, index) => {
      expect(read.steps).toBe(index + 1);
      expect(read.lastEvent).toBe(read.event);
    });
    run();
    expect(StepCount.made).toBe(2);
  });
});
