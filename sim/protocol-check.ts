/**
 * Load-time validation of a protocol a user's module exports: every field of `Protocol`
 * (sim/node.ts) checked for its type, the optional ones completed with their defaults, and the
 * mistakes that would otherwise show only in the middle of a run (or not at all) reported at
 * once, one line per problem: `parseOptions` that returns nothing, an unknown history model, a
 * model with no client operations, a bug that breaks an invariant the protocol does not have.
 */
import { z } from "zod";
import { type ModelName, modelNames, models } from "./check/models/index.js";
import { InputError } from "./errors.js";
import { exceptionInvariant } from "./kernel.js";
import { demandsLeader, leaderLiveness, type Protocol } from "./node.js";
import { historyInvariant, nodeCountProblem } from "./scenario/validate.js";
import { issueSentence, zodWords } from "./schema-words.js";
import { closestName, didYouMean } from "./suggest.js";

const fn = z.custom<(...args: never[]) => unknown>((value) => typeof value === "function", {
  message: "expected a function",
});

const text = z.string().min(1, "expected a non-empty string");

const invariant = z.looseObject({
  name: text,
  statement: z.string(),
  source: z.string(),
  kind: z.enum(["safety", "liveness"]),
  create: fn,
});

/** Fuzz hints' `nodes`: a range of cluster sizes, read as `--nodes MIN..MAX`. */
const clusterRange = z.custom<readonly [number, number]>(
  (value) =>
    Array.isArray(value) &&
    value.length === 2 &&
    value.every((size) => Number.isInteger(size) && size >= 1) &&
    (value[0] as number) <= (value[1] as number),
  {
    error: (issue) =>
      `expected [min, max], the range of cluster sizes to fuzz (whole numbers, 1 <= min <= max, e.g. [3, 5]), got ${JSON.stringify(issue.input) ?? String(issue.input)}`,
  },
);

const hints = z.looseObject({
  options: z.record(z.string(), z.array(z.unknown()).min(1)).optional(),
  nodes: clusterRange.optional(),
});

const bug = z.looseObject({
  name: text,
  id: z.string().optional(),
  change: z.string(),
  breaks: z.array(text),
  source: z.string(),
  kind: z.enum(["safety", "liveness"]).optional(),
  fuzz: hints.optional(),
});

const nodeCounts = z.union([
  fn,
  z.strictObject({
    min: z.number().int().min(1),
    max: z.number().int().min(1).optional(),
    multipleOf: z.number().int().min(1).optional(),
    reason: z.string().optional(),
  }),
]);

const protocolSchema = z.looseObject({
  name: z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
      "expected a name of letters, digits, '.', '_' or '-' (it names files)",
    ),
  summary: z.string().default(""),
  defaultNodes: z.number().int().min(1).default(3),
  nodeCounts: nodeCounts.optional(),
  parseOptions: fn.default(() => (options: Readonly<Record<string, unknown>>) => ({ ...options })),
  create: fn,
  checkOptions: fn.optional(),
  invariants: z.array(invariant).default([]),
  bugs: z.array(bug).default([]),
  client: z
    .looseObject({
      operations: z.record(z.string(), z.number().min(0)),
      model: z.string().optional(),
    })
    .optional(),
  electionTimer: z.string().optional(),
  timers: z.array(text).optional(),
  fuzz: hints.optional(),
  explore: z
    .looseObject({
      nodes: z.number().int().min(1).optional(),
      faults: z
        .strictObject({
          drop: z.number().int().min(0).optional(),
          duplicate: z.number().int().min(0).optional(),
          crash: z.number().int().min(0).optional(),
          timeouts: z.number().int().min(0).optional(),
          drift: z.number().int().min(0).optional(),
          isolate: z.number().int().min(0).optional(),
        })
        .optional(),
    })
    .optional(),
  knownLimits: z
    .array(
      z.looseObject({
        invariant: text,
        when: z.string(),
        source: z.string(),
        options: z.record(z.string(), z.unknown()).optional(),
      }),
    )
    .optional(),
  figures: fn.optional(),
  measuresBlocking: z.boolean().optional(),
  probes: z.array(text).optional(),
});

/**
 * Every field a protocol may have: the schema's, and the declarations `checkDisplay` reads. Other
 * fields are the module's own data, except one a letter or two from a protocol field, which is a
 * misspelling: `invariant:` for `invariants:` left the module's invariant unchecked, and its runs
 * safe.
 */
const protocolFields: ReadonlySet<string> = new Set([
  ...Object.keys(protocolSchema.shape),
  "roles",
  "log",
  "strip",
]);

/** The own fields of the module's protocol that misspell a protocol field. */
function checkMisspeltFields(own: Record<string, unknown>, findings: Findings): void {
  for (const key of Object.keys(own)) {
    if (protocolFields.has(key)) continue;
    const meant = closestName(key, protocolFields);
    if (meant !== undefined) {
      findings.problems.push(
        `${key}: not a field of a protocol; did you mean '${meant}'? (a module's own data takes a name no protocol field is close to)`,
      );
    }
  }
}

/** What reports and the kernel read of a protocol (sim/node.ts's `DisplayDeclaration`, and accessors). */
const colours = z.record(z.string(), z.string().min(1, "expected a CSS colour"));

const displaySchemas = {
  roles: z.strictObject({
    names: z.array(text).min(1, "expected every role a node can take"),
    leading: z.array(text),
    colours: colours.optional(),
    roleOf: fn.optional(),
    termOf: fn.optional(),
    groupOf: fn.optional(),
  }),
  log: z.strictObject({
    forms: z
      .array(z.strictObject({ field: text, form: z.enum(["entries", "term-starts", "term-runs"]) }))
      .min(1, "expected at least one form"),
    firstIndexField: text.optional(),
    lastIndexField: text.optional(),
    commitField: text.optional(),
  }),
  strip: z.strictObject({
    sources: z.array(z.strictObject({ field: text, firstWord: z.boolean().optional() })),
    colours: colours.optional(),
  }),
} as const;

/**
 * Checks the declarations of roles, log and strip (docs/node-api.md, "Declaring roles and logs"):
 * a misspelt form or field, a leading role that is not a role, a colour for no role. Each was
 * taken silently, and a report then drew no log, or the scenario target `leader` matched no node.
 */
function checkDisplay(protocol: Protocol, findings: Findings): void {
  const declared = protocol as unknown as Record<keyof typeof displaySchemas, unknown>;
  const before = findings.problems.length;
  for (const key of Object.keys(displaySchemas) as Array<keyof typeof displaySchemas>) {
    if (declared[key] === undefined) continue;
    const parsed = displaySchemas[key].safeParse(declared[key]);
    if (!parsed.success) {
      const checked = { schema: displaySchemas[key], root: declared[key], prefix: key };
      findings.problems.push(...issueProblems(parsed.error.issues, checked));
    }
  }
  if (findings.problems.length > before) return;
  if (protocol.roles !== undefined) checkRoleNames(protocol.roles, findings);
  if (protocol.log !== undefined) checkLogBounds(protocol.log, findings);
}

/** Leading roles and coloured roles are roles. */
function checkRoleNames(roles: NonNullable<Protocol["roles"]>, findings: Findings): void {
  const names = new Set(roles.names);
  const unknown = (field: string, role: string) =>
    `roles.${field}: '${role}' is not one of roles.names${didYouMean(role, names)}`;
  roles.leading.forEach((role, index) => {
    if (!names.has(role)) findings.problems.push(unknown(`leading.${index}`, role));
  });
  for (const role of Object.keys(roles.colours ?? {})) {
    if (!names.has(role)) findings.problems.push(unknown(`colours.${role}`, role));
  }
}

/**
 * With `timers` declared, the other fields that name timers name declared ones: the election
 * timer, and the timers explore's bounds let fire (the protocol's and each bug's).
 */
function checkTimerNames(protocol: Protocol, findings: Findings): void {
  if (protocol.timers === undefined) return;
  const declared = new Set(protocol.timers);
  const check = (field: string, name: unknown) => {
    if (typeof name === "string" && !declared.has(name))
      findings.problems.push(`${field}: '${name}' is not one of timers${didYouMean(name, declared)}`);
  };
  const listed = (names: unknown): readonly unknown[] => (Array.isArray(names) ? names : []);
  if (protocol.electionTimer !== undefined) check("electionTimer", protocol.electionTimer);
  for (const [index, name] of listed(protocol.explore?.timers).entries())
    check(`explore.timers.${index}`, name);
  for (const [at, bug] of protocol.bugs.entries()) {
    for (const [index, name] of listed(bug.explore?.timers).entries())
      check(`bugs.${at}.explore.timers.${index}`, name);
  }
}

/** A `term-starts` log needs its last index: the runs end there. */
function checkLogBounds(log: NonNullable<Protocol["log"]>, findings: Findings): void {
  if (log.lastIndexField !== undefined) return;
  log.forms.forEach((form, index) => {
    if (form.form === "term-starts") {
      findings.problems.push(
        `log.forms.${index}: a term-starts log needs log.lastIndexField, the description field with its last index`,
      );
    }
  });
}

/**
 * Each zod issue as one problem line, `path: what is wrong` (under `prefix`), in words: the key
 * not known and the one meant, the bound and the value got. `schema` is what `root` was checked
 * against; it says which keys an object allows.
 */
function issueProblems(
  issues: readonly z.core.$ZodIssue[],
  checked: { readonly schema: z.ZodType; readonly root: unknown; readonly prefix?: string },
): string[] {
  const { schema, root, prefix } = checked;
  return issues.flatMap((issue) => {
    const path = issue.path.filter((part) => typeof part !== "symbol");
    const field =
      [prefix, path.join(".")].filter((part) => part !== undefined && part !== "").join(".") || "protocol";
    const value = valueAt(root, issue.path);
    if (issue.code === "unrecognized_keys") {
      const allowed = Object.keys(objectAt(schema, path)?.shape ?? {});
      return issue.keys.map(
        (key) =>
          `${field}: unknown key '${key}'${didYouMean(key, allowed)}${allowed.length === 0 ? "" : ` (allowed: ${allowed.join(", ")})`}`,
      );
    }
    if (!zodWords.test(issue.message)) {
      // A message of this file's own schema says it already.
      return [`${field}: ${value === undefined ? `missing, ${issue.message}` : issue.message}`];
    }
    return [`${field}: ${issueSentence(issue, value, schemaAt(schema, path))}`];
  });
}

/** The schema that checked the value at `path`, through optional, default, list and record wrappers. */
function schemaAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): z.ZodType | undefined {
  let current: z.ZodType | undefined = unwrapped(schema);
  for (const part of path) {
    if (current === undefined) return undefined;
    const def = current._zod.def as unknown as Record<string, unknown>;
    let next: unknown;
    if (def.type === "object") next = (def.shape as Record<PropertyKey, unknown>)[part];
    else if (def.type === "array") next = def.element;
    else if (def.type === "record") next = def.valueType;
    else if (def.type === "union") {
      const options = def.options as z.ZodType[];
      next = options.map(unwrapped).find((option) => option?._zod.def.type === "object");
      next = next === undefined ? undefined : schemaAt(next as z.ZodType, [part]);
    }
    current = next === undefined ? undefined : unwrapped(next as z.ZodType);
  }
  return current;
}

/** The object schema at `path` (for an object in a union, its object branch). */
function objectAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): z.ZodObject | undefined {
  const found = schemaAt(schema, path);
  if (found?._zod.def.type === "object") return found as z.ZodObject;
  if (found?._zod.def.type === "union") {
    const options = (found._zod.def as unknown as { options: z.ZodType[] }).options;
    return options.map(unwrapped).find((option) => option?._zod.def.type === "object") as
      | z.ZodObject
      | undefined;
  }
  return undefined;
}

/** `schema` without its optional, default and nullable wrappers. */
function unwrapped(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = current._zod.def as unknown as { type: string; innerType?: z.ZodType };
    if ((def.type === "optional" || def.type === "default" || def.type === "nullable") && def.innerType) {
      current = def.innerType;
    } else {
      return current;
    }
  }
}

/** A validated protocol, and what is legal but probably not meant (printed as warnings). */
export interface CheckedProtocol {
  readonly protocol: Protocol;
  readonly warnings: readonly string[];
}

/** Functions a protocol may define as methods of a class, copied onto the checked object. */
const methodFields = ["parseOptions", "checkOptions", "create", "figures", "nodeCounts"] as const;

/**
 * Checks `value` (what a module exports) as a `Protocol` and fills in the defaults. Throws one
 * `InputError` whose message has one line per problem, each prefixed with the file.
 */
export function checkProtocol(value: unknown, file: string): CheckedProtocol {
  const protocol = parsedProtocol(value, file);
  const findings: Findings = { problems: [], warnings: [] };
  const defaults = defaultOptions(protocol, findings);
  if (findings.problems.length === 0) checkBugsOption(protocol, findings);
  const names = invariantNames(protocol, findings);
  checkBugsBreakKnownInvariants(protocol, names, findings);
  checkDisplay(protocol, findings);
  checkTimerNames(protocol, findings);
  checkMisspeltFields({ ...(value as Record<string, unknown>) }, findings);
  const { problems, warnings } = findings;
  if (problems.length === 0) {
    const sizeProblem = nodeCountProblem(
      protocol,
      protocol.defaultNodes,
      defaults as Record<string, unknown>,
    );
    if (sizeProblem !== undefined) problems.push(`defaultNodes: ${sizeProblem}`);
  }
  if (protocol.invariants.length === 0 && protocol.client?.model === undefined) {
    // With a leading role, `--liveness` still checks that a leader is elected (liveness.leader).
    warnings.push(
      (protocol.roles?.leading.length ?? 0) > 0
        ? "no invariants and no client.model: runs check nothing but exceptions, and under --liveness that a leader is elected"
        : "no invariants and no client.model: runs check nothing but exceptions",
    );
  }
  if (problems.length > 0) throw problemsError(problems, file);
  return { protocol, warnings };
}

/** Problems (each one line, thrown together) and warnings found so far. */
interface Findings {
  readonly problems: string[];
  readonly warnings: string[];
}

/**
 * The export checked against the schema, with its defaults filled in and class methods copied on
 * as own fields; throws when any field has the wrong shape.
 */
function parsedProtocol(value: unknown, file: string): Protocol {
  if (value === null || typeof value !== "object") {
    throw new InputError(
      `the exported protocol is ${value === null ? "null" : typeof value}, expected an object`,
      {
        file,
      },
    );
  }
  const source = value as Record<string, unknown>;
  const own: Record<string, unknown> = { ...source };
  for (const key of methodFields) {
    const method = source[key];
    if (typeof method === "function" && !Object.hasOwn(own, key)) own[key] = method.bind(value);
  }
  const parsed = protocolSchema.safeParse(own);
  if (parsed.success) return parsed.data as unknown as Protocol;
  throw problemsError(issueProblems(parsed.error.issues, { schema: protocolSchema, root: own }), file);
}

/** What `parseOptions({})` returns: the default options, which must be an object. */
function defaultOptions(protocol: Protocol, findings: Findings): unknown {
  let defaults: unknown;
  try {
    defaults = protocol.parseOptions({});
  } catch (error) {
    findings.problems.push(
      `parseOptions: must accept no options (the defaults), but threw: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!findings.problems.length && (defaults === null || typeof defaults !== "object")) {
    findings.problems.push(
      `parseOptions: returned ${defaults === null ? "null" : typeof defaults}; it must return the options object handed to create`,
    );
  }
  return defaults;
}

/**
 * Each deliberate bug can be switched on: `quorumlab fuzz --bug`, `explore --bug`, `mutants` and a
 * scenario's `options.bugs` all hand `parseOptions` `{bugs: [name]}`. A `parseOptions` that
 * refuses unknown options and forgot `bugs` was found only then, as an internal error.
 */
function checkBugsOption(protocol: Protocol, findings: Findings): void {
  for (const bug of protocol.bugs) {
    try {
      protocol.parseOptions({ bugs: [bug.name] });
    } catch (error) {
      findings.problems.push(
        `parseOptions: refused {bugs: ["${bug.name}"]} (threw: ${error instanceof Error ? error.message : String(error)}); commands pass options.bugs to turn a deliberate bug on, so parseOptions must accept bugs and pass it through`,
      );
      return;
    }
  }
}

/**
 * The names a bug may break: the protocol's invariants (each listed once), the history check
 * when `client.model` names a known model, and the exception invariant.
 */
function invariantNames(protocol: Protocol, findings: Findings): Set<string> {
  const { problems, warnings } = findings;
  const names = new Set<string>();
  protocol.invariants.forEach((entry, index) => {
    if (names.has(entry.name)) problems.push(`invariants.${index}.name: '${entry.name}' is listed twice`);
    names.add(entry.name);
  });
  const client = protocol.client;
  if (client !== undefined) {
    if (Object.keys(client.operations).length === 0) {
      problems.push(
        "client.operations: empty; list the operations clients issue, with weights ({read: 1, write: 1})",
      );
    }
    if (client.model === undefined) {
      warnings.push(
        "client.model is not set: client histories will not be checked for linearizability (set it to one of " +
          `${modelNames.join(", ")})`,
      );
    } else if (!(modelNames as readonly string[]).includes(client.model)) {
      problems.push(
        `client.model: unknown history model '${client.model}'${didYouMean(client.model, modelNames)} (known: ${modelNames.join(", ")})`,
      );
    } else {
      names.add(historyInvariant);
      checkOperationsModelled(client.operations, client.model as ModelName, problems);
    }
  }
  names.add(exceptionInvariant);
  return names;
}

/**
 * Every client operation is one the history model knows: an unknown one (`cas` under
 * `register`) was refused only after the first run, when the history was checked.
 */
function checkOperationsModelled(
  operations: Readonly<Record<string, number>>,
  model: ModelName,
  problems: string[],
): void {
  const functions = models[model].functions;
  if (functions === undefined) return;
  for (const f of Object.keys(operations)) {
    if (!functions.includes(f)) {
      problems.push(
        `client.operations.${f}: the ${model} model has no '${f}'${didYouMean(f, functions)} (its operations: ${functions.join(", ")})`,
      );
    }
  }
}

/**
 * Every name in a bug's `breaks` must be one of `names`, or for a liveness bug of a protocol
 * whose nodes lead, `liveness.leader`: the check `fuzz --liveness` reports when no leader comes.
 */
function checkBugsBreakKnownInvariants(
  protocol: Protocol,
  names: ReadonlySet<string>,
  findings: Findings,
): void {
  const leader = demandsLeader(protocol);
  const known = leader ? new Set([...names, leaderLiveness]) : names;
  protocol.bugs.forEach((entry, index) => {
    entry.breaks.forEach((name, breakIndex) => {
      const at = `bugs.${index}.breaks.${breakIndex}`;
      if (name === leaderLiveness) {
        if (!leader) {
          findings.problems.push(
            `${at}: '${name}' is checked only for a protocol with a leading role (roles.leading) and an electionTimer`,
          );
        } else if (entry.kind !== "liveness") {
          findings.problems.push(
            `${at}: '${name}' is a liveness check, which only \`--liveness\` makes: declare the bug kind: "liveness"`,
          );
        }
        return;
      }
      if (!names.has(name)) {
        findings.problems.push(
          `${at}: '${name}' is not an invariant of this protocol${didYouMean(name, known)}`,
        );
      }
    });
  });
}

function problemsError(problems: readonly string[], file: string): InputError {
  // `InputError.describe` puts the file before the first line; the others get it here.
  return new InputError(problems.join(`\n${file}: `), { file });
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let value = root;
  for (const part of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}
