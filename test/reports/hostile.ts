/**
 * A trace whose every user-controlled string tries to inject markup: scenario name, description,
 * node and client names, message types and payloads, notes, keys, values and the violation
 * message. If any of them reached the page as HTML, `window.__pwned` would be set.
 */
import type { TraceLine } from "../../sim/trace.js";
import { splitBrainYaml, traceOf } from "./fixtures.js";

export const hostile = {
  scenario: `<script>window.__pwned=1</script>"quoted" & 'single'`,
  node: `n1"><img src=x onerror="window.__pwned=1">&`,
  client: `c1'"<script>window.__pwned=1</script>`,
  type: `<img src=x onerror=window.__pwned=1>&amp;`,
  note: `</script><script>window.__pwned=1</script>`,
  value: `<script>alert(1)</script>"&'`,
};

function rename(name: string): string {
  if (name === "n1") return hostile.node;
  if (name === "c1") return hostile.client;
  return name;
}

/** The split-brain trace with hostile strings spliced in. */
export function hostileTrace(): TraceLine[] {
  const yaml = splitBrainYaml
    .replace("name: heartbeat-split-brain", `name: ${JSON.stringify(hostile.scenario)}`)
    .replace("value: 1, node: n1", `value: ${JSON.stringify(hostile.value)}, node: n1`);
  const out: TraceLine[] = [];
  for (const line of traceOf(yaml)) {
    const record = { ...line } as Record<string, unknown>;
    if (line.kind === "header") {
      record.nodes = line.nodes.map(rename);
      record.clients = line.clients.map(rename);
      record.description = `${hostile.note} ${hostile.value}`;
      record.options = { [hostile.value]: hostile.note };
    }
    for (const field of ["from", "to", "node", "client"]) {
      if (typeof record[field] === "string") record[field] = rename(record[field] as string);
    }
    if (record.type === "heartbeat") record.type = hostile.type;
    if (line.kind === "send") record.msg = { type: hostile.type, text: hostile.note };
    if (line.kind === "violation") record.message = `${line.message} ${hostile.note}`;
    out.push(record as unknown as TraceLine);
    if (line.kind === "crash") {
      out.push({
        kind: "note",
        t: line.t,
        e: line.e,
        node: hostile.node,
        label: hostile.note,
        data: { x: hostile.value },
      });
    }
  }
  return out;
}
