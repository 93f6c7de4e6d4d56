/**
 * The corpus of a guided campaign: the plans that reached new coverage, in the order they did,
 * with the coverage they reached. Mutating them (./mutate.ts) explores the neighbourhood of what
 * was new. A corpus can be saved as JSON files and loaded by a later campaign (`--corpus DIR`),
 * so that a CI campaign resumes where the last one stopped; this module gives the file names and
 * texts, the command line reads and writes them.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { jsonSyntaxError } from "../check/parse/json.js";
import { InputError } from "../errors.js";
import type { FaultStep, FuzzPlan, FuzzSettings } from "./plan.js";

export interface CorpusEntry {
  readonly plan: FuzzPlan;
  /** Its coverage: `slot * 8 + bucket` pairs (./coverage.ts). */
  readonly edges: readonly number[];
  readonly probes: readonly string[];
  /** The campaign run that found it, or null for an entry loaded from disk. */
  readonly run: number | null;
  /** Its batch; loaded entries are in batch -1, usable from the first batch on. */
  readonly batch: number;
}

/** The canonical JSON of a plan: keys sorted, so equal plans have equal texts. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(record[key])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** `<protocol>-<first 16 hex digits of the plan's SHA-256>.json`: equal plans share a file. */
export function corpusFileName(settings: FuzzSettings, plan: FuzzPlan): string {
  const digest = createHash("sha256").update(canonical(plan)).digest("hex").slice(0, 16);
  return `${settings.protocol.replace(/[^A-Za-z0-9._-]+/g, "-")}-${digest}.json`;
}

export function corpusFileText(settings: FuzzSettings, entry: CorpusEntry): string {
  return `${JSON.stringify({
    schemaVersion: 1,
    protocol: settings.protocol,
    bugs: settings.bugs,
    plan: JSON.parse(canonical(entry.plan)),
    edges: entry.edges,
    probes: entry.probes,
  })}\n`;
}

const target = z.union([z.literal("leader"), z.literal("follower"), z.number().int()]);
const undo = z.number().int().nullable();
const at = {
  atMs: z.number().int().min(0),
  afterNewLeaderMs: z.number().int().min(0).optional(),
  nthNewLeader: z.number().int().min(1).optional(),
};
const stepSchema = z.discriminatedUnion("type", [
  z.object({
    ...at,
    type: z.literal("crash"),
    target,
    restartAfterMs: undo,
    loseUnsynced: z.boolean().default(false),
  }),
  z.object({
    ...at,
    type: z.literal("partition"),
    minority: z.number().int(),
    offset: z.number().int(),
    healAfterMs: undo,
  }),
  z.object({
    ...at,
    type: z.literal("bridge"),
    bridge: z.number().int(),
    offset: z.number().int(),
    healAfterMs: undo,
  }),
  z.object({
    ...at,
    type: z.literal("cut"),
    from: z.number().int(),
    to: z.number().int(),
    oneWay: z.boolean(),
    healAfterMs: undo,
  }),
  z.object({
    ...at,
    type: z.literal("isolate"),
    target,
    healAfterMs: undo,
    healFirst: z.boolean().optional(),
  }),
  z.object({
    ...at,
    type: z.literal("clog"),
    from: z.number().int(),
    to: z.number().int(),
    oneWay: z.boolean(),
    delayMs: z.number().int(),
    forMs: z.number().int(),
  }),
  z.object({
    ...at,
    type: z.literal("burst"),
    lossPermille: z.number().int(),
    duplicatePermille: z.number().int(),
    forMs: z.number().int(),
  }),
  z.object({ ...at, type: z.literal("pause"), node: z.number().int(), resumeAfterMs: undo }),
  z.object({
    ...at,
    type: z.literal("drift"),
    node: z.number().int(),
    ratePercent: z.number().int(),
    leader: z.boolean().optional(),
  }),
  z.object({ ...at, type: z.literal("timeout"), target }),
]);
const latencySchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("constant"), ms: z.number().int() }),
  z.object({ kind: z.literal("uniform"), minMs: z.number().int(), spreadMs: z.number().int() }),
  z.object({ kind: z.literal("exponential"), meanMs: z.number().int(), maxMs: z.number().int() }),
]);
const fileSchema = z.object({
  schemaVersion: z.literal(1),
  protocol: z.string(),
  bugs: z.array(z.string()),
  plan: z.object({
    nodes: z.number().int().min(1),
    seed: z.number().int().min(0),
    options: z.record(z.string(), z.unknown()),
    network: z.object({
      latency: latencySchema,
      lossPermille: z.number().int().min(0).max(1000),
      duplicatePermille: z.number().int().min(0).max(1000),
      fifo: z.boolean(),
    }),
    workload: z
      .object({ clients: z.number().int(), ratePerSecond: z.number(), keys: z.number().int() })
      .nullable(),
    faults: z.array(stepSchema),
    quiet: z.boolean(),
  }),
  edges: z.array(z.number().int().min(0)),
  probes: z.array(z.string()),
});

/**
 * The value of a corpus file's JSON text; text that is not JSON is an `InputError` at the line and
 * column JSON.parse stopped at.
 */
function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const { message, at } = jsonSyntaxError(text, error);
    throw new InputError(`not JSON: ${message}`, at);
  }
}

/**
 * Reads a corpus file. Returns undefined for another protocol's file; throws with the reason for
 * a file that is not a corpus file. A plan is fitted to the campaign: its cluster size and
 * options are kept within what the campaign's settings allow.
 */
/**
 * A loaded step within the fault phase; under liveness checks it no longer waits for a new
 * leader (a step that waits could come after the quiet phase).
 */
function fittedStep(step: FaultStep, phaseEnd: number, liveness: boolean): FaultStep {
  const fitted = { ...step, atMs: Math.min(step.atMs, phaseEnd) };
  if (!liveness || fitted.afterNewLeaderMs === undefined) return fitted;
  const { afterNewLeaderMs: _delay, nthNewLeader: _nth, ...fixed } = fitted;
  return fixed as FaultStep;
}

export function parseCorpusFile(text: string, settings: FuzzSettings): CorpusEntry | undefined {
  const parsed = fileSchema.safeParse(parsedJson(text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`not a corpus file: ${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}`);
  }
  const file = parsed.data;
  if (file.protocol !== settings.protocol) return undefined;
  const plan = file.plan as FuzzPlan;
  const options: Record<string, unknown> = {};
  for (const key of Object.keys(settings.optionChoices).sort()) {
    const choices = settings.optionChoices[key] ?? [];
    const value = plan.options[key];
    options[key] = choices.some((choice) => canonical(choice) === canonical(value)) ? value : choices[0];
  }
  const phaseEnd = Math.max(0, settings.faultPhaseMs - 1);
  return {
    plan: {
      ...plan,
      nodes: Math.max(settings.nodesMin, Math.min(settings.nodesMax, plan.nodes)),
      options,
      workload: settings.operations === undefined ? null : plan.workload,
      faults: plan.faults.map((step) => fittedStep(step, phaseEnd, settings.liveness)),
      quiet: settings.liveness || plan.quiet,
    },
    edges: file.edges,
    probes: file.probes,
    run: null,
    batch: -1,
  };
}
