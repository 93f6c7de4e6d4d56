/**
 * The run figures of a consistent-hashing experiment, read from the trace's notes:
 *
 * ```
 * ring.<placement>.initial.maxOverMean
 * ring.<placement>.<step>.{moved, fraction, idealFraction, fractionOverIdeal, onlyToNewcomer,
 *                          onlyFromLeaver, maxOverMean, stddevOverMean, max, capacity, withinCapacity}
 * ring.changes                          (number of membership changes carried out)
 * ```
 *
 * `<placement>` is `consistent-v128`, `bounded-v128` or `mod-n`; `<step>` is `join-E`, `leave-B`.
 * When the run kept no trace (for example `quorumlab verify`), the figures are recomputed from the
 * scenario's options: the measurements are pure functions of (keys, membership), so both give the
 * same numbers as long as every change was carried out.
 */
import type { TraceLine } from "../../sim/node.js";
import { changeFigures, loadFigures, measure, stepKeys } from "./experiment.js";
import { keyRange } from "./figures.js";
import { parseRingExperimentOptions } from "./options.js";

const protocolName = "consistent-hashing";

type Figures = Record<string, Record<string, unknown>>;

function put(figures: Figures, placement: string, step: string, data: unknown): void {
  if (typeof data !== "object" || data === null) return;
  const entry = (figures[placement] ??= {});
  const { loads: _loads, ...rest } = data as Record<string, unknown>;
  entry[step] = { ...((entry[step] as object | undefined) ?? {}), ...rest };
}

/** Figures from `membership-change` and `load` notes; falls back to the scenario's options. */
export function ringFigures(
  records: readonly TraceLine[],
  scenario?: {
    readonly protocol: string;
    readonly options?: Readonly<Record<string, unknown>>;
    readonly nodes?: number;
  },
): Record<string, unknown> {
  const header = records[0];
  const protocol = header?.kind === "header" ? header.protocol : scenario?.protocol;
  if (protocol !== protocolName) return {};
  const figures: Figures = {};
  let changes = 0;
  for (const record of records) {
    if (record.kind !== "note") continue;
    const data = record.data as { step?: string; placements?: Record<string, unknown> } | undefined;
    if (data?.step === undefined || data.placements === undefined) continue;
    if (record.label === "membership-change") changes++;
    else if (record.label !== "load") continue;
    for (const [placement, value] of Object.entries(data.placements))
      put(figures, placement, data.step, value);
  }
  if (changes === 0 && Object.keys(figures).length === 0 && scenario !== undefined) {
    return recompute(scenario);
  }
  return { ring: { changes, ...figures } };
}

function recompute(scenario: {
  readonly options?: Readonly<Record<string, unknown>>;
  readonly nodes?: number;
}): Record<string, unknown> {
  const options = parseRingExperimentOptions(scenario.options ?? {});
  const nodeIds = Array.from({ length: scenario.nodes ?? 0 }, (_, index) => `n${index + 1}`);
  const labels = options.labels.length > 0 ? options.labels : nodeIds;
  let members: readonly string[] = options.initial.length > 0 ? options.initial : labels;
  const keys = keyRange(options.keyCount, options.keyPrefix);
  const figures: Figures = {};
  let measured = measure(options, members, keys);
  for (const [placement, value] of Object.entries(loadFigures(measured)))
    put(figures, placement, "initial", value);
  const steps = stepKeys(options.changes);
  let changes = 0;
  options.changes.forEach((change, index) => {
    const after =
      change.kind === "join"
        ? members.includes(change.label)
          ? members
          : [...members, change.label]
        : members.filter((label) => label !== change.label);
    if (after.length === members.length || after.length === 0) return;
    const next = measure(options, after, keys);
    for (const [placement, value] of Object.entries(changeFigures(measured, next, keys))) {
      put(figures, placement, steps[index] as string, value);
    }
    changes++;
    members = after;
    measured = next;
  });
  return { ring: { changes, ...figures } };
}
