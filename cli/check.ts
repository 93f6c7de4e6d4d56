/**
 * `quorumlab check <files...>`: checks history files for linearizability.
 *
 * Each file is parsed (format detected from its content unless `--format` says), checked against
 * `--model` or the model its format implies, and reported on one line (`--json`: one JSON
 * object per line). Without `--model`, a JSON document that names a transactional model
 * (`"model": "list-append"`) is checked as a transactional history under it
 * (cli/shared/txn-check.ts). A directory stands for every history file under it. A file that
 * cannot be read or parsed is reported and the other files are still checked.
 *
 * Exit code, over all files: 2 if any file was bad input, else 1 if any history is not
 * linearizable, else 3 if any verdict is unknown, else 0.
 */
import { readdirSync, realpathSync, statSync } from "node:fs";
import { totalmem } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import type { ChalkInstance } from "chalk";
import type { CommandModule } from "yargs";
import type { AnyModel, CheckResult, HistoryFormat, ModelName, ParsedHistory } from "../sim/check/index.js";
import {
  type ConsistencyLevel,
  consistencyLevels,
  type TxnModelName,
  txnModelNames,
} from "../sim/check/txn/index.js";
import { ExitCode, InputError } from "../sim/errors.js";
import { parseDurationUs } from "../sim/time.js";
import { inFile, readText } from "./files.js";
import { colours, counted, runCommand } from "./output.js";
import { checkerCode, saveCheckerCache } from "./shared/checker-code.js";
import { commandHeadings } from "./shared/command-headings.js";
import { standardInput } from "./shared/standard-input.js";
import { checkTxnText, runTxnCheck, writeChecked } from "./shared/txn-check.js";

/** File name endings taken from directories. */
const historyExtensions = [".log", ".txt", ".edn", ".json", ".jsonl", ".ndjson"];

/** Options of one `check` run. */
export interface CheckRunOptions {
  readonly files: readonly string[];
  readonly format: HistoryFormat | "auto";
  readonly model?: ModelName;
  readonly timeoutMs: number;
  /** Memory budget per file in bytes (`--memory`). */
  readonly memoryBytesMax: number;
  readonly json: boolean;
  /**
   * `--level` given without `--model`: the level of the transactional histories among the files;
   * a file checked for linearizability under it is bad input.
   */
  readonly level?: ConsistencyLevel;
}

/** The `--json` shape's version: 2 added `schemaVersion` and `progress` (lines without it are 1). */
export const checkSchemaVersion = 2;

/** Where `runCheck` writes; defaults to the process's streams. */
export interface CheckOutput {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly colour: boolean;
}

/**
 * Parses a duration as every duration flag takes it (`10s`, `500ms`, `2m`, `1m30s`, `1h`; a bare
 * number is seconds) into milliseconds.
 */
export function parseDuration(text: string): number {
  const bare = /^\s*\d+(?:\.\d+)?\s*$/.test(text);
  const us = bare ? Number(text) * 1_000_000 : parseDurationUs(text);
  if (us === undefined) {
    throw new InputError(`--timeout: expected a duration such as 10s, 500ms or 2m, got '${text}'`);
  }
  // No time at all would answer \`unknown\` before looking at a history.
  if (us === 0) throw new InputError(`--timeout: expected a duration above 0, got '${text}'`);
  return us / 1_000;
}

/** Strings longer than this are shortened in text output (`--json` keeps them whole). */
const shownStringMax = 200;

/**
 * `text` with each quoted string longer than `shownStringMax` characters cut to its first 100,
 * followed by how long it was: `"xxxx…" (100,000 characters)`. An explanation names a value
 * where it is read and where it is written, and a value of megabytes would bury the sentence.
 */
export function shortenStrings(text: string): string {
  return text.replace(/"(?:[^"\\]|\\.)*"/g, (quoted) => {
    if (quoted.length <= shownStringMax + 2) return quoted;
    let inner: string;
    try {
      inner = JSON.parse(quoted) as string;
    } catch {
      return quoted;
    }
    if (inner.length <= shownStringMax) return quoted;
    const head = JSON.stringify(inner.slice(0, 100)).slice(0, -1);
    return `${head}…" (${inner.length.toLocaleString("en-US")} characters)`;
  });
}

/** A duration as `--timeout` takes it, in the largest unit that holds it whole: `500ms`, `10s`, `2m`. */
export function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

const byteUnits: Readonly<Record<string, number>> = {
  b: 1,
  k: 2 ** 10,
  kib: 2 ** 10,
  kb: 1e3,
  m: 2 ** 20,
  mib: 2 ** 20,
  mb: 1e6,
  g: 2 ** 30,
  gib: 2 ** 30,
  gb: 1e9,
  t: 2 ** 40,
  tib: 2 ** 40,
  tb: 1e12,
};

/**
 * Parses a size in bytes: `4GiB`, `512MiB`, `1.5G` (K, M, G, T and KiB … TiB are powers of 1,024;
 * KB, MB, GB, TB powers of 1,000; a bare number is bytes). Case does not matter.
 */
export function parseByteSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const factor = match === null ? undefined : byteUnits[(match[2] ?? "").toLowerCase() || "b"];
  if (match === null || factor === undefined) {
    throw new InputError(`--memory: expected a size such as 4GiB, 512MiB or 2GB, got '${text}'`);
  }
  const bytes = Math.floor(Number(match[1]) * factor);
  if (bytes < 2 ** 20)
    throw new InputError(`--memory: expected at least the smallest budget, 1MiB, got '${text}'`);
  return bytes;
}

/** A size for people: `4 GiB`, `512 MiB`, `3.2 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 || Number.isInteger(value) ? 0 : 1;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/** The default `--memory`: a quarter of the machine's memory, at most 8 GiB. */
export function defaultMemoryBytes(): number {
  return Math.min(Math.floor(totalmem() / 4), 8 * 2 ** 30);
}

/** The files and folders given, expanded: the history files to check, and what could not be walked. */
export interface ExpandedFiles {
  readonly files: string[];
  /**
   * One line each, reported as bad input: a folder argument with no history file under it, a
   * folder that cannot be read. (A dangling symbolic link with a history file's name is kept in
   * `files`, where reading it says so.)
   */
  readonly problems: { readonly file: string; readonly error: InputError }[];
}

const expectedFiles = `expected ${historyExtensions.join(", ")} files`;

/**
 * Expands folders into the history files under them, in name order. Symbolic links are followed;
 * a folder reached a second time (a link to a folder above it) is not walked again.
 */
export function expandFiles(files: readonly string[]): ExpandedFiles {
  const result: string[] = [];
  const problems: ExpandedFiles["problems"] = [];
  const walked = new Set<string>();
  const walk = (folder: string): void => {
    let real: string;
    let names: string[];
    try {
      real = realpathSync(folder);
      if (walked.has(real)) return;
      walked.add(real);
      names = readdirSync(folder).sort();
    } catch (error) {
      const message = `cannot read the folder: ${(error as Error).message}`;
      problems.push({ file: folder, error: new InputError(message, { file: folder }) });
      return;
    }
    for (const name of names) {
      const full = path.join(folder, name);
      if (isFolder(full)) walk(full);
      else if (name !== "expected.json" && historyExtensions.some((extension) => name.endsWith(extension))) {
        result.push(full);
      }
    }
  };
  for (const file of files) {
    if (!isFolder(file)) {
      result.push(file);
      continue;
    }
    const before = result.length + problems.length;
    walk(file);
    if (result.length + problems.length === before) {
      problems.push({ file, error: new InputError(`no history files in ${file} (${expectedFiles})`) });
    }
  }
  return { files: result, problems };
}

/** Whether `file` is a folder (or a link to one); false when it is anything else or cannot be seen. */
function isFolder(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The history files of `files` and the arguments that held none; throws `InputError` only when
 * no argument was given. Each folder without a history file is a problem the run reports, even
 * when no file remains, so that `--json` prints an error object for it as for any bad file.
 */
export function historyFiles(files: readonly string[]): ExpandedFiles {
  if (files.length === 0) throw new InputError("no history files given");
  // Standard input can be read once: a second `-` would read nothing, an empty history that passes.
  if (files.filter((file) => file === standardInput).length > 1) {
    throw new InputError(
      "standard input (-) is given more than once (expected it once: it can be read once)",
    );
  }
  return expandFiles(files);
}

interface FileReport {
  readonly file: string;
  readonly format: HistoryFormat;
  readonly model: string;
  readonly parseMs: number;
  readonly wallMs: number;
  readonly verdict: CheckResult;
}

function checkFile(file: string, text: string, options: CheckRunOptions): FileReport {
  if (options.level !== undefined) {
    throw new InputError(
      `--level: a linearizability check has no consistency level (a transactional history needs --model ${txnModelNames.join(" or ")}, or a JSON document that names its model)`,
      { file },
    );
  }
  try {
    return checkText(file, text, options);
  } catch (error) {
    if (!(error instanceof InputError) || options.model !== undefined) throw error;
    const model = transactionalModel(text);
    if (model === undefined) throw error;
    const { file: where, line, column } = error;
    throw new InputError(
      `${error.message}; this looks like a transactional history: check it with --model ${model}`,
      {
        ...(where === undefined ? {} : { file: where }),
        ...(line === undefined ? {} : { line, column: column! }),
      },
    );
  }
}

/**
 * The transactional model a JSON document names (`{"model": "list-append", "events": [...]}`);
 * undefined for anything else. The transactional reader checks that it is the document's own.
 */
export function namedTransactionalModel(text: string): TxnModelName | undefined {
  if (!text.trimStart().startsWith("{")) return undefined;
  const named = /"model"\s*:\s*"(list-append|rw-register)"/.exec(text);
  return named === null ? undefined : (named[1] as TxnModelName);
}

/**
 * The transactional model a history that failed as a linearizability history seems to be for:
 * the model its JSON document names, list-append for append micro-operations, rw-register for
 * write micro-operations (`[:w k v]`, `["w", k, v]`); undefined when it looks like neither.
 */
export function transactionalModel(text: string): TxnModelName | undefined {
  const named = /"model"\s*:\s*"(list-append|rw-register)"/.exec(text);
  if (named !== null) return named[1] as TxnModelName;
  if (/\[\s*(?::append|"append"\s*,)/.test(text)) return "list-append";
  if (/\[\s*(?::w|"w"\s*,)[\s,]/.test(text)) return "rw-register";
  return undefined;
}

function checkText(file: string, text: string, options: CheckRunOptions): FileReport {
  const named = namedTransactionalModel(text);
  if (options.model !== undefined && named !== undefined) {
    throw new InputError(`the file says model ${named}, --model says ${options.model}`, { file });
  }
  const { checkHistory, modelByName, parseHistory } = checkerCode();
  const defaultModel: AnyModel | undefined =
    options.model === undefined ? undefined : modelByName(options.model);
  const parseStart = performance.now();
  const parsed = parseHistory(text, {
    file,
    format: options.format,
    ...(defaultModel ? { defaultModel } : {}),
  });
  const parseMs = performance.now() - parseStart;
  // A JSON document given --model reads as that model unless it names another one.
  if (options.model !== undefined && parsed.format === "json" && parsed.model.name !== options.model) {
    throw new InputError(`the file says model ${parsed.model.name}, --model says ${options.model}`, { file });
  }
  // --model overrides the format's model, but keeps the format's variant of the same model
  // (for example Knossos's cas-register starting at 0).
  const model =
    options.model === undefined || parsed.model.name === options.model ? parsed.model : defaultModel!;
  if (model.partition === undefined) refuseKeys(parsed, model.name, file);
  if (model.name === "kv") refuseAppendValues(parsed, file);
  const start = performance.now();
  const verdict: CheckResult = inFile(file, () =>
    placed(parsed, () =>
      checkHistory(parsed.events, model, {
        timeoutMs: options.timeoutMs,
        memoryBytesMax: options.memoryBytesMax,
        now: () => performance.now(),
        // --timeout counts parsing too: a large file takes longer to read than to search.
        startedMs: parseStart,
      }),
    ),
  );
  return {
    file,
    format: parsed.format,
    model: model.name,
    parseMs,
    wallMs: performance.now() - start,
    verdict,
  };
}

/**
 * Refuses a history with keys under a model that checks one object (mutex, multi-register): it
 * would check every key as the same object.
 */
function refuseKeys(parsed: ParsedHistory, model: string, file: string): void {
  const position = parsed.events.findIndex((event) => event.key !== null);
  if (position < 0) return;
  const event = parsed.events[position]!;
  const index = event.index ?? position;
  throw new InputError(
    `event ${index} has key ${event.key}, but the ${model} model checks a single object and would merge the keys (expected --model kv, register or cas-register, which check each key on its own)`,
    { file, ...parsed.positions?.get(index) },
  );
}

/**
 * Refuses an `append` whose value is not a string under the kv model (docs/history-format.md: the
 * value appended is a string): the model would append its text, a number `5` as `"5"` and a list
 * as its JSON, and check something the file does not say. Only files: the simulator's own
 * histories are checked as they are.
 */
function refuseAppendValues(parsed: ParsedHistory, file: string): void {
  const position = parsed.events.findIndex(
    (event) =>
      event.f === "append" &&
      event.value !== null &&
      event.value !== undefined &&
      typeof event.value !== "string",
  );
  if (position < 0) return;
  const event = parsed.events[position]!;
  const index = event.index ?? position;
  const kind = Array.isArray(event.value)
    ? "a list"
    : typeof event.value === "object"
      ? "a map"
      : `a ${typeof event.value}`;
  throw new InputError(
    `event ${index}: '${event.type}' append for process ${event.process} gives the value ${typeof event.value === "bigint" ? String(event.value) : JSON.stringify(event.value)}, ${kind} (expected a string: the kv model appends text)`,
    { file, ...parsed.positions?.get(index) },
  );
}

/**
 * Runs `work` on a parsed history, placing an input error about one of its events (an operation
 * the model cannot take) at the line and column where the event is written.
 */
function placed<T>(parsed: ParsedHistory, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (!(error instanceof InputError) || error.event === undefined || error.line !== undefined) throw error;
    const at = parsed.positions?.get(error.event);
    if (at === undefined) throw error;
    throw new InputError(error.message, { ...(error.file === undefined ? {} : { file: error.file }), ...at });
  }
}

const round = (value: number): number => Math.round(value * 1000) / 1000;

/** The sentence under an unknown verdict: which budget ran out and how far the search got. */
export function describeUnknown(
  verdict: CheckResult,
  budgets: { readonly timeoutMs: number; readonly memoryBytesMax: number },
): string {
  const progress = verdict.progress!;
  const reason =
    verdict.unknownReason === "memory"
      ? `The memory budget (--memory ${formatBytes(budgets.memoryBytesMax)}) ran out`
      : verdict.unknownReason === "timeout"
        ? `The time budget (--timeout ${formatDuration(budgets.timeoutMs)}) ran out`
        : "The step budget ran out";
  const count = (value: number): string => value.toLocaleString("en-US");
  const partitions =
    verdict.partitions === 1
      ? ""
      : `; ${progress.partitionsDecided} of ${verdict.partitions} partitions decided`;
  return (
    `${reason}: ${count(progress.operationsLinearized)} of ${count(verdict.ops)} operations linearized, ` +
    `${count(progress.statesCached)} states cached, ${formatBytes(progress.memoryBytesPeak)} at most, ` +
    `${count(progress.steps)} steps${partitions}.`
  );
}

/** Where one run writes, with its colours. */
interface CheckWriter {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly c: ChalkInstance;
}

/** Reports a file that could not be read or parsed. */
function writeBadInput(file: string, error: InputError, options: CheckRunOptions, writer: CheckWriter): void {
  if (!options.json) {
    writer.stderr.write(`${writer.c.red("error:")} ${error.describe()}\n`);
    return;
  }
  const location = { line: error.line ?? null, column: error.column ?? null };
  const line = {
    schemaVersion: checkSchemaVersion,
    file,
    result: "error",
    error: error.message,
    ...location,
  };
  writer.stdout.write(`${JSON.stringify(line)}\n`);
}

/** One `--json` line for a checked file. */
function writeReportJson(report: FileReport, writer: CheckWriter): void {
  const { verdict } = report;
  const line = {
    schemaVersion: checkSchemaVersion,
    file: report.file,
    format: report.format,
    model: report.model,
    result: verdict.result,
    ops: verdict.ops,
    partitions: verdict.partitions,
    wallMs: round(report.wallMs),
    parseMs: round(report.parseMs),
    ...(verdict.unknownReason === undefined ? {} : { unknownReason: verdict.unknownReason }),
    ...(verdict.progress === undefined ? {} : { progress: verdict.progress }),
    ...(verdict.explanation === undefined ? {} : { explanation: verdict.explanation }),
  };
  writer.stdout.write(`${JSON.stringify(line)}\n`);
}

/** A checked file's verdict line, with the explanation or the budget that ran out under it. */
function writeReportText(report: FileReport, options: CheckRunOptions, writer: CheckWriter): void {
  const { verdict } = report;
  const { c, stdout } = writer;
  const mark =
    verdict.result === "linearizable"
      ? c.green("✓ linearizable")
      : verdict.result === "not-linearizable"
        ? c.red("✗ not linearizable")
        : c.yellow(`? unknown (${verdict.unknownReason ?? "budget"})`);
  const partitions = counted(verdict.partitions, "partition");
  const details = c.dim(
    `${counted(verdict.ops, "op")}, ${partitions}, ${report.wallMs.toFixed(1)} ms [${report.format}, ${report.model}]`,
  );
  stdout.write(`${mark} ${c.bold(report.file)} ${details}\n`);
  if (verdict.explanation !== undefined) stdout.write(`  ${shortenStrings(verdict.explanation.summary)}\n`);
  if (verdict.progress !== undefined) {
    stdout.write(`  ${describeUnknown(verdict, options)}\n`);
  }
}

/** Runs the check over files and returns the exit code (see the module comment). */
export function runCheck(options: CheckRunOptions, output?: CheckOutput): number {
  const writer: CheckWriter = {
    stdout: output?.stdout ?? process.stdout,
    stderr: output?.stderr ?? process.stderr,
    c: colours(process.stdout, { json: options.json || output?.colour === false }),
  };
  const { files, problems } = historyFiles(options.files);
  for (const problem of problems) writeBadInput(problem.file, problem.error, options, writer);
  let badInput = problems.length > 0;
  let violation = false;
  let unknown = false;
  for (const file of files) {
    let report: FileReport;
    try {
      const text = readText(file);
      // Nothing at all piped in is more likely a producer that failed than a history (`[]` is an
      // empty one). A file with nothing in it is an empty history, as Porcupine's etcd_095.log.
      if (file === standardInput && text.trim() === "") {
        throw new InputError("empty input: no history to check (an empty history is written [])", { file });
      }
      const named =
        options.model === undefined && options.format === "auto" ? namedTransactionalModel(text) : undefined;
      if (named !== undefined) {
        const level = options.level ?? "strict-serializable";
        const checked = checkTxnText(file, text, { level, timeoutMs: options.timeoutMs });
        if (checked.verdict.result === "invalid") violation = true;
        if (checked.verdict.result === "unknown") unknown = true;
        writeChecked(checked, options.json, writer);
        continue;
      }
      report = checkFile(file, text, options);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      badInput = true;
      writeBadInput(file, error, options, writer);
      continue;
    }
    if (report.verdict.result === "not-linearizable") violation = true;
    if (report.verdict.result === "unknown") unknown = true;
    if (options.json) writeReportJson(report, writer);
    else writeReportText(report, options, writer);
  }
  saveCheckerCache();
  if (badInput) return ExitCode.usage;
  if (violation) return ExitCode.violation;
  if (unknown) return ExitCode.inconclusive;
  return ExitCode.ok;
}

interface CheckArguments {
  files: string[];
  format: HistoryFormat | "auto";
  model?: ModelName | TxnModelName;
  level?: ConsistencyLevel;
  timeout: string;
  memory?: string;
  json: boolean;
}

export const checkCommand: CommandModule<object, CheckArguments> = {
  ...commandHeadings.check,
  builder: (yargs) => {
    const { historyFormats, modelNames } = checkerCode();
    return yargs
      .positional("files", {
        type: "string",
        array: true,
        demandOption: true,
        describe: "history files or folders",
      })
      .option("format", {
        choices: ["auto", ...historyFormats] as const,
        default: "auto" as const,
        describe: "history format; auto detects it from the content",
      })
      .option("model", {
        choices: [...modelNames, ...txnModelNames],
        describe: "sequential model (default: the one the format implies), or a transactional data model",
      })
      .option("level", {
        choices: consistencyLevels,
        describe: "consistency level for list-append and rw-register (default strict-serializable)",
      })
      .option("timeout", { type: "string", default: "10s", describe: "time budget per file: 10s, 500ms, 2m" })
      .option("memory", {
        type: "string",
        describe: `memory budget per file: 4GiB, 512MiB (default: a quarter of this machine's memory, at most 8 GiB: ${formatBytes(defaultMemoryBytes())})`,
      })
      .option("json", { type: "boolean", default: false, describe: "print one JSON object per file" })
      .epilogue(
        "Exit code: 2 if any file is bad input, else 1 if any history is not linearizable, else 3 if any is unknown, else 0.",
      ) as never;
  },
  handler: (args) =>
    runCommand(
      () =>
        checkTransactional(args) ??
        runCheck({
          files: args.files,
          format: args.format,
          ...(args.model === undefined ? {} : { model: args.model as ModelName }),
          ...(args.level === undefined ? {} : { level: args.level }),
          timeoutMs: parseDuration(args.timeout),
          memoryBytesMax: args.memory === undefined ? defaultMemoryBytes() : parseByteSize(args.memory),
          json: args.json,
        }),
    ),
};

/**
 * Refuses the flags of one kind of check given to the other, which would otherwise be ignored:
 * `--level` belongs to the transactional models, `--memory` and `--format` to linearizability.
 */
function checkFlagsFit(args: CheckArguments, transactional: boolean): void {
  if (!transactional) {
    // Without --model, a file may name a transactional model; the run checks --level per file.
    if (args.level !== undefined && args.model !== undefined)
      throw new InputError(
        `--level: only with --model ${txnModelNames.join(" or ")}; a linearizability check has no consistency level`,
      );
    return;
  }
  if (args.memory !== undefined)
    throw new InputError(
      `--memory: only for linearizability checks; --model ${args.model} has no memory budget`,
    );
  if (args.format !== "auto")
    throw new InputError(
      `--format: ${args.format} is a linearizability history format; --model ${args.model} reads Jepsen/Elle EDN or quorumlab's JSON, told apart by their content`,
    );
}

/** Transactional models go to cli/shared/txn-check.ts; undefined for the others. */
function checkTransactional(args: CheckArguments): number | undefined {
  const transactional = (txnModelNames as readonly string[]).includes(args.model ?? "");
  checkFlagsFit(args, transactional);
  if (!transactional) return undefined;
  const { files, problems } = historyFiles(args.files);
  return runTxnCheck({
    files,
    problems,
    model: args.model as TxnModelName,
    level: args.level ?? "strict-serializable",
    timeoutMs: parseDuration(args.timeout),
    json: args.json,
  });
}
