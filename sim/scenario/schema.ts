/**
 * The scenario file format, as a zod schema over the parsed YAML, and the plain-data `Scenario`
 * it becomes. docs/scenarios.md is the user's guide to it; keep the two in step.
 */
import { z } from "zod";
import type { WorkloadSpec } from "../clients.js";
import type { LatencySpec, NetworkSpec } from "../network.js";
import { seedProblem } from "../random.js";
import { didYouMean } from "../suggest.js";
import { formatDuration, parseDurationUs } from "../time.js";

/**
 * A mapping with exactly these fields. An unknown field's issue says which known field is close
 * (`unknown field; did you mean 'duration'?`), or lists them all; it names the first unknown key.
 */
function fields<Shape extends z.ZodRawShape>(shape: Shape) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === "unrecognized_keys" ? unknownField(String(issue.keys[0]), known) : undefined,
  });
}

function unknownField(key: string, known: readonly string[]): string {
  const suggestion = didYouMean(key, known);
  return suggestion === ""
    ? `unknown field (expected one of ${known.join(", ")})`
    : `unknown field${suggestion}`;
}

const duration = z
  .union([z.string(), z.number()], {
    error: (issue) =>
      issue.input === undefined ? "missing, expected a duration such as 150ms, 2s or 500us" : undefined,
  })
  .transform((value, context) => {
    // A number without a unit is refused: `at: 1000` meant milliseconds as often as microseconds.
    if (typeof value === "number" && value !== 0) {
      context.addIssue({
        code: "custom",
        message: `expected a duration with its unit, such as 150ms, 2s or 500us, got the number ${value}`,
      });
      return z.NEVER;
    }
    const parsed = parseDurationUs(value);
    if (parsed === undefined) {
      context.addIssue({
        code: "custom",
        message: `expected a duration such as 150ms, 2s or 500us, got ${JSON.stringify(value)}`,
      });
      return z.NEVER;
    }
    // Virtual time counts whole microseconds in a double: past 2^53 it can no longer add 1 µs.
    if (parsed > Number.MAX_SAFE_INTEGER) {
      context.addIssue({
        code: "custom",
        message: `${JSON.stringify(value)} is too long: a duration is at most ${Number.MAX_SAFE_INTEGER}us (about 285 years), the longest virtual time kept to the microsecond`,
      });
      return z.NEVER;
    }
    return parsed;
  });

/** A wait that must be able to pass: an operation's timeout of 0 would end it as it starts. */
const positiveDuration = duration.refine((valueUs) => valueUs > 0, "expected a duration above 0");

/** How long a clog or a burst lasts: one of no length would end as it starts, and do nothing. */
const faultLength = (what: string) =>
  duration.refine(
    (valueUs) => valueUs > 0,
    `expected a duration above 0, such as 500ms: ${what} for 0 ends as it starts and does nothing`,
  );

const probability = z
  .number()
  .min(0, "expected a probability from 0 to 1")
  .max(1, "expected a probability from 0 to 1");
const name = z.string().min(1);

/** The ways a latency is written, for messages. */
const latencyForms =
  "a duration (1ms), {constant: 1ms}, {uniform: [1ms, 5ms]} or {exponential: 2ms, max: 50ms, min: 0}";

const latencyObjects = {
  constant: fields({ constant: duration }),
  uniform: fields({ uniform: z.tuple([duration, duration]) }),
  exponential: fields({ exponential: duration, min: duration.optional(), max: duration.optional() }),
};

/**
 * A latency: a bare duration, or a mapping whose distribution key (`constant`, `uniform`,
 * `exponential`) says which fields the rest of it may have.
 */
const latency = z.unknown().transform((value, context): LatencySpec => {
  const fail = (message: string): never => {
    context.addIssue({ code: "custom", message });
    return z.NEVER;
  };
  const failed = (result: z.ZodSafeParseResult<unknown>): result is z.ZodSafeParseError<unknown> => {
    if (result.success) return false;
    for (const issue of result.error.issues) context.addIssue({ ...issue });
    return true;
  };
  if (typeof value === "string" || typeof value === "number") {
    const result = duration.safeParse(value);
    return failed(result) ? z.NEVER : { distribution: "constant", valueUs: result.data };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return fail(`expected a latency: ${latencyForms}; got ${JSON.stringify(value)}`);
  }
  const kinds = Object.keys(latencyObjects) as Array<keyof typeof latencyObjects>;
  const kind = kinds.find((name) => Object.hasOwn(value, name));
  if (kind === undefined) {
    const first = Object.keys(value)[0] ?? "";
    const suggestion = didYouMean(first, kinds);
    return fail(
      suggestion === ""
        ? `expected a latency: ${latencyForms}`
        : `unknown latency '${first}'${suggestion} (expected ${latencyForms})`,
    );
  }
  if (kind === "constant") {
    const result = latencyObjects.constant.safeParse(value);
    return failed(result) ? z.NEVER : { distribution: "constant", valueUs: result.data.constant };
  }
  if (kind === "uniform") {
    const result = latencyObjects.uniform.safeParse(value);
    if (failed(result)) return z.NEVER;
    const [minUs, maxUs] = result.data.uniform;
    if (minUs > maxUs) return fail("uniform latency needs [min, max] with min <= max");
    return { distribution: "uniform", minUs, maxUs };
  }
  const result = latencyObjects.exponential.safeParse(value);
  if (failed(result)) return z.NEVER;
  const exponential = result.data;
  if (exponential.max === undefined) {
    return fail(
      `an exponential latency needs max, its cap, such as {exponential: ${formatDuration(exponential.exponential)}, max: 50ms}`,
    );
  }
  const minUs = exponential.min ?? 0;
  if (minUs > exponential.max) {
    return fail(
      `exponential latency: min ${formatDuration(minUs)} is above max ${formatDuration(exponential.max)}`,
    );
  }
  return { distribution: "exponential", meanUs: exponential.exponential, minUs, maxUs: exponential.max };
});

const network = fields({
  latency: latency.optional(),
  loss: probability.optional(),
  duplicate: probability.optional(),
  fifo: z.boolean().optional(),
  links: z
    .array(
      fields({
        from: name,
        to: name,
        latency: latency.optional(),
        loss: probability.optional(),
        duplicate: probability.optional(),
        both: z.boolean().optional(),
      }),
    )
    .optional(),
}).optional();

const workload = fields({
  clients: z.number().int().min(1).max(64),
  rate: z.number().positive("expected operations per simulated second, above 0"),
  mix: z.record(z.string(), z.number().min(0)).optional(),
  keys: z.union([z.number().int().min(1), z.array(name).min(1)]).optional(),
  start: duration.optional(),
  stop: duration.optional(),
  timeout: positiveDuration.optional(),
  attemptTimeout: positiveDuration.optional(),
}).optional();

/** A node name, or a symbolic target resolved when the action runs. */
const target = name;

const link = z.union([
  z.tuple([name, name]).transform(([from, to]) => ({ from, to, oneWay: false })),
  fields({ from: name, to: name, oneWay: z.boolean().optional() }).transform((value) => ({
    from: value.from,
    to: value.to,
    oneWay: value.oneWay ?? false,
  })),
]);

/** `crash: n1`, or `crash: {node: n1, loseUnsynced: true}` to lose the writes it has not synced. */
const crash = z.union([target, fields({ node: target, loseUnsynced: z.boolean().optional() })]);

const faultFields = {
  crash,
  restart: target,
  pause: target,
  resume: target,
  timeout: target,
  isolate: target,
  partition: z
    .array(z.array(name).min(1, "an empty group cuts nobody off: each group names a node or client"))
    .min(2, "a partition needs at least two groups"),
  cut: link,
  heal: z.literal(true, { error: "expected true: a heal is written `heal: true`" }),
  clog: fields({
    link: link,
    delay: duration.refine(
      (valueUs) => valueUs > 0,
      "expected a duration above 0, such as 50ms: a clog that delays by 0 does nothing",
    ),
    for: faultLength("a clog"),
  }),
  burst: fields({
    loss: probability.optional(),
    duplicate: probability.optional(),
    for: faultLength("a burst"),
  }),
  drift: fields({ node: target, rate: z.number().gt(-1).lt(10) }),
  drop: fields({ message: z.number().int().min(0) }),
  delay: fields({ message: z.number().int().min(0), by: duration }),
  duplicate: fields({ message: z.number().int().min(0) }),
  op: fields({
    f: name,
    key: z.union([z.string(), z.null()]).optional(),
    value: z.unknown().optional(),
    node: name.optional(),
    timeout: positiveDuration.optional(),
    follow: z.boolean().optional(),
  }),
} as const;

type FaultFields = {
  [K in Exclude<keyof typeof faultFields, "crash">]: z.output<(typeof faultFields)[K]>;
} & {
  crash: string;
};
const actionNames = Object.keys(faultFields) as Array<keyof FaultFields>;

const fault = fields({
  at: duration,
  afterNewLeader: duration.optional(),
  nthNewLeader: z.number().int().min(1).optional(),
  note: z.string().optional(),
  ...Object.fromEntries(actionNames.map((key) => [key, faultFields[key].optional()])),
}).transform((value, context): FaultAction => {
  const present = actionNames.filter((key) => (value as Record<string, unknown>)[key] !== undefined);
  if (present.length !== 1) {
    context.addIssue({
      code: "custom",
      message: `each fault names exactly one action (${actionNames.join(", ")}); found ${present.length === 0 ? "none" : present.join(", ")}`,
    });
    return z.NEVER;
  }
  const kind = present[0] as keyof FaultFields;
  const body = (value as Record<string, unknown>)[kind];
  if (value.nthNewLeader !== undefined && value.afterNewLeader === undefined) {
    context.addIssue({
      code: "custom",
      message: "nthNewLeader needs afterNewLeader (the delay after that leader)",
    });
    return z.NEVER;
  }
  const wait = {
    ...(value.afterNewLeader === undefined ? {} : { afterNewLeaderUs: value.afterNewLeader }),
    ...(value.nthNewLeader === undefined || value.nthNewLeader === 1
      ? {}
      : { nthNewLeader: value.nthNewLeader }),
  };
  if (kind === "crash" && typeof body === "object" && body !== null) {
    const { node, loseUnsynced } = body as { node: string; loseUnsynced?: boolean };
    return {
      atUs: value.at,
      ...wait,
      kind,
      ...(value.note === undefined ? {} : { note: value.note }),
      crash: node,
      ...(loseUnsynced === true ? { loseUnsynced: true } : {}),
    };
  }
  return {
    atUs: value.at,
    ...wait,
    kind,
    ...(value.note === undefined ? {} : { note: value.note }),
    [kind]: body,
  } as FaultAction;
});

const messageRef = fields({
  id: z.number().int().min(0),
  from: name,
  to: name,
  type: name,
});

const scheduleFields = {
  deliver: messageRef,
  drop: messageRef,
  duplicate: messageRef,
  fire: fields({ node: name, timer: name }),
  retry: name,
  invoke: fields({
    client: name,
    f: name,
    key: z.union([z.string(), z.null()]).optional(),
    value: z.unknown().optional(),
    node: name.optional(),
  }),
  crash: z.union([name, fields({ node: name, loseUnsynced: z.boolean().optional() })]),
  restart: name,
  drift: fields({ node: name, rate: z.number().gt(-1).lt(10) }),
  isolate: name,
  heal: z.literal(true, { error: "expected true: a heal step is written `heal: true`" }),
} as const;

type ScheduleFields = { [K in keyof typeof scheduleFields]: z.output<(typeof scheduleFields)[K]> };
const stepNames = Object.keys(scheduleFields) as Array<keyof ScheduleFields>;

const scheduleStep = fields({
  note: z.string().optional(),
  ...Object.fromEntries(stepNames.map((key) => [key, scheduleFields[key].optional()])),
}).transform((value, context): ScheduleStep => {
  const present = stepNames.filter((key) => (value as Record<string, unknown>)[key] !== undefined);
  if (present.length !== 1) {
    context.addIssue({
      code: "custom",
      message: `each schedule step names exactly one action (${stepNames.join(", ")}); found ${present.length === 0 ? "none" : present.join(", ")}`,
    });
    return z.NEVER;
  }
  const kind = present[0] as keyof ScheduleFields;
  const body = (value as Record<string, unknown>)[kind];
  const note = value.note === undefined ? {} : { note: value.note };
  switch (kind) {
    case "deliver":
    case "drop":
    case "duplicate":
      return { kind, ...(body as ScheduleFields["deliver"]), ...note };
    case "fire":
      return { kind, ...(body as ScheduleFields["fire"]), ...note };
    case "drift":
      return { kind, ...(body as ScheduleFields["drift"]), ...note };
    case "invoke": {
      const invoke = body as ScheduleFields["invoke"];
      return {
        kind,
        client: invoke.client,
        f: invoke.f,
        key: invoke.key ?? null,
        value: invoke.value ?? null,
        ...(invoke.node === undefined ? {} : { node: invoke.node }),
        ...note,
      };
    }
    case "retry":
      return { kind, client: body as string, ...note };
    case "isolate":
      return { kind, node: body as string, ...note };
    case "heal":
      return { kind, ...note };
    case "crash": {
      if (typeof body === "string") return { kind, node: body, ...note };
      const crash = body as { node: string; loseUnsynced?: boolean };
      return {
        kind,
        node: crash.node,
        ...(crash.loseUnsynced === true ? { loseUnsynced: true } : {}),
        ...note,
      };
    }
    case "restart":
      return { kind, node: body as string, ...note };
  }
});

/** A figure's bound: a number, or for a figure in microseconds (`firstLeaderUs`) a duration. */
const bound = z.union([z.number(), z.string()]);
const bounds = fields({ min: bound.optional(), max: bound.optional() });

/** Each figure's bounds as numbers: a duration is read as microseconds, under a name ending in `Us`. */
const figureBounds = z.record(z.string(), bounds).transform((record, context) => {
  const out: Record<string, { min?: number; max?: number }> = {};
  for (const [figure, given] of Object.entries(record)) {
    const read: { min?: number; max?: number } = {};
    for (const side of ["min", "max"] as const) {
      const value = given[side];
      if (value === undefined) continue;
      if (typeof value === "number") {
        read[side] = value;
        continue;
      }
      const parsed = /Us$/.test(figure) ? parseDurationUs(value) : undefined;
      if (parsed === undefined || /^\s*[\d.]+\s*$/.test(value)) {
        context.addIssue({
          code: "custom",
          path: [figure, side],
          message: /Us$/.test(figure)
            ? `expected a number of microseconds or a duration such as 300ms, got ${JSON.stringify(value)}`
            : `expected a number, got ${JSON.stringify(value)} (a duration fits only a figure in microseconds, whose name ends in Us)`,
        });
        continue;
      }
      read[side] = parsed;
    }
    out[figure] = read;
  }
  return out;
});

const expectations = fields({
  safe: z.boolean().optional(),
  violates: z.array(name).optional(),
  linearizable: z.boolean().optional(),
  leader: fields({ by: duration }).optional(),
  neverLeader: z.array(name).optional(),
  figures: figureBounds.optional(),
  blocked: z.boolean().optional(),
}).optional();

export const scenarioSchema = fields({
  name: name.optional(),
  protocol: name,
  module: z.string().min(1).optional(),
  summary: z
    .string()
    // A folded block (`summary: >`) ends in a line break: that is still one line. Only line breaks
    // go: a summary of spaces is kept as written, so a written scenario reads back the same.
    .transform((text) => text.replace(/\n+$/, ""))
    .refine(
      (text) => !text.includes("\n"),
      "expected one line, shown by `quorumlab list` and `run`: the teaching text goes in description",
    )
    .optional(),
  description: z.string().optional(),
  // The protocol's own `nodeCounts` narrow this; the ceiling only keeps runs of a sane size.
  nodes: z.number().int().min(1).max(1000).optional(),
  // The scalar's own text (load.ts): the seed takes what --seed takes, not YAML's other integers.
  seed: z
    .union([z.string(), z.number()])
    .transform((value, context) => {
      const raw = String(value).trim();
      const problem = seedProblem(raw);
      if (problem === undefined) return BigInt(raw);
      context.addIssue({ code: "custom", message: problem });
      return z.NEVER;
    })
    .optional(),
  // A run of no time runs nothing: its checks and expectations would hold, or fail, of nothing.
  duration: duration.refine(
    (valueUs) => valueUs > 0,
    "expected a duration above 0, such as 3s: a run of 0 runs nothing",
  ),
  options: z.record(z.string(), z.unknown()).optional(),
  network,
  workload,
  faults: z.array(fault).optional(),
  clients: z.number().int().min(0).max(64).optional(),
  schedule: z.array(scheduleStep).optional(),
  expect: expectations,
});

export type ScenarioInput = z.output<typeof scenarioSchema>;

/** One timeline entry: `kind` names the action, and the field of the same name holds its argument. */
export type FaultAction = {
  readonly atUs: number;
  /**
   * The action waits, from `atUs`, for the next node to take a leading role (a new leadership,
   * whoever it is), and runs this long after that; if no new leader comes, it never runs.
   */
  readonly afterNewLeaderUs?: number;
  /** With `afterNewLeaderUs`: wait for this many new leaders, not one (so many elections on). */
  readonly nthNewLeader?: number;
  readonly note?: string;
} & {
  [K in keyof FaultFields]: { readonly kind: K } & { readonly [P in K]: FaultFields[K] } & (K extends "crash"
      ? { readonly loseUnsynced?: boolean }
      : unknown);
}[keyof FaultFields];

/**
 * One step of an explicit schedule (`schedule:`): the kernel takes exactly these steps, in this
 * order, instead of following time. Messages are named by their id (ids count sends from 0 in a
 * run), with their ends and type as a check.
 */
export type ScheduleStep = { readonly note?: string } & (
  | {
      readonly kind: "deliver" | "drop" | "duplicate";
      readonly id: number;
      readonly from: string;
      readonly to: string;
      readonly type: string;
    }
  | { readonly kind: "fire"; readonly node: string; readonly timer: string }
  /** The client's pending retry due first (an attempt timeout or a redirect's backoff). */
  | { readonly kind: "retry"; readonly client: string }
  | {
      readonly kind: "invoke";
      readonly client: string;
      readonly f: string;
      readonly key: string | null;
      readonly value: unknown;
      /** The node the client asks first (it still follows redirects); default: its guess of the leader. */
      readonly node?: string;
    }
  /** `loseUnsynced`: a power loss, the node's writes since its last sync are lost. */
  | { readonly kind: "crash"; readonly node: string; readonly loseUnsynced?: boolean }
  | { readonly kind: "restart"; readonly node: string }
  /** From now on the node's clock runs at (1 + rate) times real speed (clock drift). */
  | { readonly kind: "drift"; readonly node: string; readonly rate: number }
  /** The node is cut off from every other node (clients still reach it) until a `heal`. */
  | { readonly kind: "isolate"; readonly node: string }
  /** Every cut ends: messages sent from now on reach their destination again. */
  | { readonly kind: "heal" }
);

export interface Expectations {
  /** No safety invariant violated. */
  readonly safe?: boolean;
  /** These invariants must be violated. */
  readonly violates?: readonly string[];
  readonly linearizable?: boolean;
  /** A live node has role `leader` at this time. */
  readonly leader?: { readonly by: number };
  /** These nodes never announce leadership during the run. */
  readonly neverLeader?: readonly string[];
  readonly figures?: Readonly<Record<string, { readonly min?: number; readonly max?: number }>>;
  readonly blocked?: boolean;
}

/** A validated scenario: plain data, durations in microseconds. */
export interface Scenario {
  readonly name: string;
  readonly protocol: string;
  /**
   * The protocol module's path, relative to the scenario file's folder or absolute (a lab page's
   * downloaded scenario), when the protocol is a user's module rather than a built-in one
   * (written into fuzzer counterexamples).
   */
  readonly module?: string;
  readonly summary: string;
  readonly description: string;
  /**
   * The cluster's size, n1..nN, as the file gives it; absent, the protocol's `defaultNodes`
   * (`clusterSize`, sim/scenario/validate.ts).
   */
  readonly nodes?: number;
  readonly seed: bigint;
  readonly durationUs: number;
  readonly options: Readonly<Record<string, unknown>>;
  readonly network: NetworkSpec;
  readonly workload: WorkloadSpec | undefined;
  readonly faults: readonly FaultAction[];
  /**
   * Clients of an explicit schedule (`clients:`, named c1..cN); other scenarios get theirs from
   * the workload and the scripted operations.
   */
  readonly clients?: number;
  /** An explicit schedule: the run takes these steps in order instead of following time. */
  readonly schedule?: readonly ScheduleStep[];
  readonly expect: Expectations;
  /** The file it was read from, when it was. */
  readonly file?: string;
  /**
   * The line and column of a field of the file (`["options", "preVote"]`), for errors found
   * after parsing, once the protocol is known. Only scenarios read from text have it.
   */
  readonly locate?: (path: ReadonlyArray<string | number>) => { line?: number; column?: number };
  /**
   * Where each of `faults` is in the file's `faults:` list (they are sorted by time), for errors
   * found after parsing. Only scenarios read from text have it.
   */
  readonly faultIndexes?: readonly number[];
  /**
   * For a scenario read from text without `nodes`: checks the node and client names it uses
   * against a cluster of `nodes`, as reading checks those of a file that gives `nodes`, throwing
   * an `InputError` at the first unknown one. Only scenarios read from text have it.
   */
  readonly checkNames?: (nodes: number) => void;
}
