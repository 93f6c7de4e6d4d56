/** Checking the records of a trace file before a report reads them. */
import type { TraceLine } from "../../sim/trace.js";

/** Checks the fields a record of each kind must have; returns what is wrong, or undefined. */
export function checkRecord(record: TraceLine): string | undefined {
  const has = (field: string, type: string): boolean =>
    typeof (record as unknown as Record<string, unknown>)[field] === type;
  const need = (fields: Record<string, string>): string | undefined => {
    for (const [field, type] of Object.entries(fields)) {
      if (!has(field, type)) return `a '${record.kind}' record needs '${field}' (${type})`;
    }
    return undefined;
  };
  const at = { t: "number", e: "number" };
  switch (record.kind) {
    case "header":
      if (
        !Array.isArray(record.nodes) ||
        !Array.isArray(record.clients) ||
        !Array.isArray(record.invariants)
      ) {
        return "the header needs 'nodes', 'clients' and 'invariants' arrays";
      }
      return need({ scenario: "string", protocol: "string", seed: "string", durationUs: "number" });
    case "send":
    case "deliver":
    case "drop":
    case "duplicate":
      return need({ ...at, from: "string", to: "string", id: "number", type: "string" });
    case "timer":
    case "crash":
    case "restart":
    case "pause":
    case "resume":
    case "state":
    case "drift":
      return need({ ...at, node: "string" });
    case "note":
      return need({ ...at, node: "string", label: "string" });
    case "partition":
      return Array.isArray(record.groups) && record.groups.every(Array.isArray)
        ? need(at)
        : "a 'partition' record needs 'groups' (arrays of node names)";
    case "cut":
    case "clog":
      return need({ ...at, from: "string", to: "string" });
    case "heal":
    case "burst":
      return need(at);
    case "invoke":
    case "ok":
    case "fail":
    case "info":
      return need({ ...at, client: "string", process: "number", f: "string" });
    case "violation":
      return need({ ...at, invariant: "string", message: "string" });
    case "end":
      return need({ ...at, events: "number", traceHash: "string" });
    default:
      return undefined;
  }
}
