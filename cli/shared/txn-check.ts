/**
 * `quorumlab check --model list-append|rw-register [--level …] <files...>`: the transactional
 * half of `check`. Each file (Jepsen/Elle EDN or quorumlab's JSON) is checked under the data
 * model and consistency level, and reported on one line plus its cycles (`--json`: one object
 * per file, described in docs/cli.md).
 *
 * Exit code, over all files: 2 if any file was bad input, else 1 if any history is invalid, else
 * 3 if any verdict is unknown, else 0.
 */
import { performance } from "node:perf_hooks";
import type { ChalkInstance } from "chalk";
import {
  type ConsistencyLevel,
  checkTransactions,
  describeTransaction,
  parseTxnHistory,
  type TxnCheckResult,
  type TxnHistory,
  type TxnModelName,
  txnModelNames,
} from "../../sim/check/txn/index.js";
import { ExitCode, InputError } from "../../sim/errors.js";
import { inFile, readText } from "../files.js";
import { colours, counted } from "../output.js";

/** Options of one transactional `check` run; `files` are already expanded. */
export interface TxnCheckRunOptions {
  readonly files: readonly string[];
  /** Folders that could not be walked or held no history file, reported as bad input. */
  readonly problems?: readonly { readonly file: string; readonly error: InputError }[];
  readonly model: TxnModelName;
  readonly level: ConsistencyLevel;
  readonly timeoutMs: number;
  readonly json: boolean;
}

/** Where `runTxnCheck` writes; defaults to the process's streams. */
export interface TxnCheckOutput {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly colour: boolean;
}

/** The `--json` shape's version, on every line, bad input's included (docs/cli.md). */
export const txnCheckSchemaVersion = 1;

/** Cycles and read anomalies printed per file in the terminal (all of them are in `--json`). */
const shownMax = 3;

const round = (value: number): number => Math.round(value * 1000) / 1000;

/** A checked file. */
export interface CheckedFile {
  readonly file: string;
  readonly history: TxnHistory;
  readonly verdict: TxnCheckResult;
  readonly parseMs: number;
  readonly wallMs: number;
}

/** What checking one file needs: `model` undefined takes the model the file names. */
export interface TxnFileOptions {
  readonly model?: TxnModelName;
  readonly level: ConsistencyLevel;
  readonly timeoutMs: number;
}

/**
 * Parses and checks one history: under `--model`, which must agree with the model the JSON
 * document names, if it names one; else under the document's model.
 */
export function checkTxnText(file: string, text: string, options: TxnFileOptions): CheckedFile {
  const parseStart = performance.now();
  const history = parseTxnHistory(text, file);
  const parseMs = performance.now() - parseStart;
  if (history.model !== undefined && options.model !== undefined && history.model !== options.model) {
    throw new InputError(`the file says model ${history.model}, --model says ${options.model}`, { file });
  }
  const model = options.model ?? history.model;
  if (model === undefined) {
    throw new InputError(
      `no model: give --model ${txnModelNames.join(" or ")}, or name it in the JSON document`,
      {
        file,
      },
    );
  }
  const start = performance.now();
  const verdict: TxnCheckResult = inFile(file, () =>
    checkTransactions(history, {
      model,
      level: options.level,
      timeoutMs: options.timeoutMs,
      now: () => performance.now(),
    }),
  );
  return { file, history, verdict, parseMs, wallMs: performance.now() - start };
}

/** Where one run writes, with its colours. */
export interface TxnCheckWriter {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly c: ChalkInstance;
}

/** Reports a file that could not be read or parsed. */
export function writeBadInput(file: string, error: InputError, json: boolean, writer: TxnCheckWriter): void {
  if (json) {
    const location = { line: error.line ?? null, column: error.column ?? null };
    const line = {
      schemaVersion: txnCheckSchemaVersion,
      file,
      result: "error",
      error: error.message,
      ...location,
    };
    writer.stdout.write(`${JSON.stringify(line)}\n`);
  } else writer.stderr.write(`${writer.c.red("error:")} ${error.describe()}\n`);
}

/** One `--json` line for a checked file (docs/cli.md). */
function writeCheckedJson(checked: CheckedFile, writer: TxnCheckWriter): void {
  const { history, verdict } = checked;
  const line = {
    schemaVersion: txnCheckSchemaVersion,
    file: checked.file,
    format: history.format,
    model: verdict.model,
    level: verdict.level,
    result: verdict.result,
    anomalies: verdict.anomalies,
    allowedAnomalies: verdict.allowedAnomalies,
    transactions: verdict.transactions,
    edges: verdict.edges,
    components: verdict.components,
    wallMs: round(checked.wallMs),
    parseMs: round(checked.parseMs),
    cycles: verdict.cycles,
    reads: verdict.reads,
    ...(verdict.unknownReason === undefined ? {} : { unknownReason: verdict.unknownReason }),
  };
  writer.stdout.write(`${JSON.stringify(line)}\n`);
}

/** A checked file's verdict line. */
function writeVerdictLine(checked: CheckedFile, writer: TxnCheckWriter): void {
  const { history, verdict } = checked;
  const { c } = writer;
  const mark =
    verdict.result === "valid"
      ? c.green(`✓ ${verdict.level}`)
      : verdict.result === "invalid"
        ? c.red(`✗ not ${verdict.level} (${verdict.anomalies.join(", ")})`)
        : c.yellow(`? unknown (${verdict.unknownReason ?? "budget"})`);
  const allowed =
    verdict.allowedAnomalies.length === 0 ? "" : `, allowed: ${verdict.allowedAnomalies.join(", ")}`;
  const details = c.dim(
    `${counted(verdict.transactions, "txn")}, ${counted(verdict.edges, "edge")}, ${checked.wallMs.toFixed(1)} ms [${history.format}, ${verdict.model}${allowed}]`,
  );
  writer.stdout.write(`${mark} ${c.bold(checked.file)} ${details}\n`);
}

/**
 * The first cycles and read anomalies (`shownMax` of each), then every transaction they involve,
 * described.
 */
function writeFindings(checked: CheckedFile, writer: TxnCheckWriter): void {
  const { history, verdict } = checked;
  const { c, stdout } = writer;
  const involved = new Set<number>();
  for (const cycle of verdict.cycles.slice(0, shownMax)) {
    stdout.write(`  ${c.bold(cycle.name)}: ${cycle.cycle.map((id) => `T${id}`).join(" → ")}\n`);
    for (const step of cycle.steps) {
      stdout.write(`    T${step.from} ${c.cyan(`-${step.kind}->`)} T${step.to}: ${step.why}\n`);
      involved.add(step.from);
    }
  }
  for (const anomaly of verdict.reads.slice(0, shownMax)) {
    stdout.write(`  ${c.bold(anomaly.name)}: ${anomaly.why}\n`);
    for (const id of anomaly.transactions) involved.add(id);
  }
  for (const id of [...involved].sort((left, right) => left - right)) {
    stdout.write(c.dim(`    ${describeTransaction(history.transactions[id]!)}\n`));
  }
}

/** A checked file's report: one `--json` line, or its verdict line and findings. */
export function writeChecked(checked: CheckedFile, json: boolean, writer: TxnCheckWriter): void {
  if (json) {
    writeCheckedJson(checked, writer);
    return;
  }
  writeVerdictLine(checked, writer);
  writeFindings(checked, writer);
}

/** Runs the transactional check over files and returns the exit code. */
export function runTxnCheck(options: TxnCheckRunOptions, output?: TxnCheckOutput): number {
  const writer: TxnCheckWriter = {
    stdout: output?.stdout ?? process.stdout,
    stderr: output?.stderr ?? process.stderr,
    c: colours(process.stdout, { json: options.json || output?.colour === false }),
  };
  const problems = options.problems ?? [];
  if (options.files.length === 0 && problems.length === 0) throw new InputError("no history files given");
  for (const problem of problems) writeBadInput(problem.file, problem.error, options.json, writer);
  let badInput = problems.length > 0;
  let violation = false;
  let unknown = false;
  for (const file of options.files) {
    let checked: CheckedFile;
    try {
      checked = checkTxnText(file, readText(file), options);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      badInput = true;
      writeBadInput(file, error, options.json, writer);
      continue;
    }
    if (checked.verdict.result === "invalid") violation = true;
    if (checked.verdict.result === "unknown") unknown = true;
    writeChecked(checked, options.json, writer);
  }
  if (badInput) return ExitCode.usage;
  if (violation) return ExitCode.violation;
  if (unknown) return ExitCode.inconclusive;
  return ExitCode.ok;
}
