/**
 * A ShiViz log: every send, delivery, crash, restart, pause, note and client event with a vector
 * clock, so ShiViz (https://bestchai.bitbucket.io/shiviz/) can draw the happens-before graph.
 *
 * File layout, as ShiViz reads uploads: the first line is the parsing regular expression, the
 * second the (empty) delimiter between executions, then two lines per event: `host {clock}` and
 * the event text. Each host's own clock entry starts at 1 and grows by one per event; a delivery
 * merges the clock the sender had when it sent. Host names are made whitespace-free.
 */
import { describeStep } from "../describe.js";
import type { ReportModel } from "../model.js";

export const shivizRegex = "(?<host>\\S*) (?<clock>{.*})\\n(?<event>.*)";

/** One host name per lane: whitespace-free and distinct, since they are the clocks' keys. */
function hostNames(model: ReportModel): string[] {
  const hosts = model.lanes.map((lane, index) => {
    const name = lane.name.replace(/\s+/g, "_");
    return name === "" ? `lane${index}` : name;
  });
  const seen = new Map<string, number>();
  hosts.forEach((host, index) => {
    const count = seen.get(host) ?? 0;
    seen.set(host, count + 1);
    if (count > 0) hosts[index] = `${host}#${count}`;
  });
  return hosts;
}

export function shivizLog(model: ReportModel): string {
  const hosts = hostNames(model);
  const clocks: Array<Map<number, number>> = model.lanes.map(() => new Map());
  const sentClocks = new Map<number, Map<number, number>>();
  const out: string[] = [shivizRegex, ""];
  const event = (lane: number, text: string): Map<number, number> => {
    const clock = clocks[lane] as Map<number, number>;
    clock.set(lane, (clock.get(lane) ?? 0) + 1);
    const entries = [...clock.entries()]
      .sort(([left], [right]) => left - right)
      .map(([other, value]) => `${JSON.stringify(hosts[other])}: ${value}`);
    out.push(`${hosts[lane]} {${entries.join(", ")}}`);
    out.push(text.replace(/[\r\n]+/g, " "));
    return clock;
  };
  model.steps.forEach((step, index) => {
    const text = `t=${step.t}us ${describeStep(model, index)}`;
    switch (step.kind) {
      case "send":
      case "duplicate": {
        const message = model.messages[step.ref];
        if (message === undefined) return;
        if (step.kind === "duplicate") {
          // The copy carries the clock of the original send.
          const original = message.copyOf === null ? undefined : findSent(model, sentClocks, message.copyOf);
          if (original !== undefined) sentClocks.set(step.ref, original);
          return;
        }
        sentClocks.set(step.ref, new Map(event(message.from, text)));
        return;
      }
      case "deliver": {
        const message = model.messages[step.ref];
        if (message === undefined) return;
        const clock = clocks[message.to] as Map<number, number>;
        for (const [lane, value] of sentClocks.get(step.ref) ?? []) {
          if (lane !== message.to && value > (clock.get(lane) ?? 0)) clock.set(lane, value);
        }
        event(message.to, text);
        return;
      }
      case "crash":
      case "restart":
      case "pause":
      case "resume":
      case "invoke":
      case "ok":
      case "fail":
      case "info":
      case "note":
        if (step.lane >= 0) event(step.lane, text);
        return;
      default:
        return;
    }
  });
  return `${out.join("\n")}\n`;
}

function findSent(
  model: ReportModel,
  sentClocks: ReadonlyMap<number, Map<number, number>>,
  id: number,
): Map<number, number> | undefined {
  for (let index = model.messages.length - 1; index >= 0; index--) {
    const message = model.messages[index];
    if (message !== undefined && message.id === id && message.copyOf === null) return sentClocks.get(index);
  }
  return undefined;
}
