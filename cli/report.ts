/**
 * `quorumlab report <trace.jsonl>`: turns a trace file into a report (HTML by default, or
 * Markdown, text, Jepsen EDN, ShiViz or Mermaid). `reports/` renders; cli/shared/report-file.ts
 * writes the file.
 */
import { createHash } from "node:crypto";
import type { CommandModule } from "yargs";
import { protocols } from "../protocols/index.js";
import { shellWord } from "../reports/escape.js";
import {
  checkRecord,
  formatForPath,
  type ReportFormat,
  renderReport,
  reportFormats,
} from "../reports/index.js";
import { ExitCode, InputError } from "../sim/errors.js";
import type { Protocol } from "../sim/node.js";
import { parseTrace, type TraceLine } from "../sim/trace.js";
import { readText } from "./files.js";
import { runCommand } from "./output.js";
import { commandHeadings } from "./shared/command-headings.js";
import { registryWith } from "./shared/module-registry.js";
import { reportOptions, runOfTrace, writeReport } from "./shared/report-file.js";
import { standardInput } from "./shared/standard-input.js";

export interface ReportArgs {
  trace: string;
  out?: string;
  format?: string;
  module?: string;
}

/**
 * The trace's protocol: a built-in one by its name, or the one `--module` loads, which must be the
 * protocol the trace ran. Without it, a trace of a module's protocol is reported without what the
 * protocol declares of its roles and logs (no leader, no log drawn), and a note says so.
 */
async function traceProtocol(
  records: readonly TraceLine[],
  module: string | undefined,
  format: ReportFormat,
): Promise<Protocol | undefined> {
  const header = records[0];
  if (header?.kind !== "header") return undefined;
  if (module === undefined) {
    if (!protocols.has(header.protocol) && (format === "html" || format === "md" || format === "text"))
      process.stderr.write(
        `note: ${header.protocol} is not a built-in protocol: without its module (--module FILE) the report shows no roles, leaders or logs\n`,
      );
    return protocols.get(header.protocol);
  }
  const protocol = (await registryWith([module])).get(header.protocol);
  if (protocol === undefined)
    throw new InputError(`--module: ${module} is not the protocol the trace ran, '${header.protocol}'`);
  return protocol;
}

/**
 * Reads and checks a trace file. A line that is not JSON, or a record without the fields its kind
 * needs, is an `InputError` naming file:line.
 */
export function readTraceFile(path: string): TraceLine[] {
  const text = readText(path);
  if (looksLikeScenario(text)) {
    // `run` reads no standard input: piped in, the scenario is named by a file it could be in.
    const scenario = path === standardInput ? "FILE.yaml" : shellWord(path);
    throw new InputError(
      `a scenario file, not a trace: 'quorumlab run ${scenario} --report report.html' runs it and makes its report ('quorumlab report' reads the trace 'run --trace' writes)`,
      { file: path, line: 1, column: 1 },
    );
  }
  let records: TraceLine[];
  try {
    records = parseTrace(text);
  } catch (error) {
    const message = (error as Error).message;
    const match = /^line (\d+): (.*)$/s.exec(message);
    const column = jsonErrorColumn(message);
    throw new InputError(match?.[2] ?? message, {
      file: path,
      ...(match?.[1] === undefined ? {} : { line: Number(match[1]) }),
      ...(column === undefined ? {} : { column }),
    });
  }
  // parseTrace skips blank lines, so map record positions back to file lines.
  const lineNumbers: number[] = [];
  text.split("\n").forEach((raw, index) => {
    if (raw.trim() !== "") lineNumbers.push(index + 1);
  });
  records.forEach((record, index) => {
    const problem = checkRecord(record);
    if (problem !== undefined) {
      throw new InputError(problem, {
        file: path,
        ...(lineNumbers[index] === undefined ? {} : { line: lineNumbers[index] }),
      });
    }
  });
  checkComplete(text, records, path, lineNumbers[lineNumbers.length - 1] ?? 1);
  return records;
}

/**
 * A scenario given where a trace belongs: YAML, not JSON Lines, with a top-level `protocol` key.
 * Parsed as a trace, it would get only "not JSON" for its first line.
 */
function looksLikeScenario(text: string): boolean {
  return !text.trimStart().startsWith("{") && /^protocol:[ \t]*\S/m.test(text);
}

/** The 1-based column of a JSON parse error, when the parser's message gives its position. */
function jsonErrorColumn(message: string): number | undefined {
  const column = /\(line \d+ column (\d+)\)/.exec(message)?.[1];
  if (column !== undefined) return Number(column);
  const position = /at position (\d+)/.exec(message)?.[1];
  return position === undefined ? undefined : Number(position) + 1;
}

/**
 * Refuses a trace that is not the whole of what a run wrote: one cut short at a line's end (no
 * `end` record), or one whose lines were changed, taken out or added since (the `end` record's
 * hash is the SHA-256 of every line before it, as written). A report of either would tell of a
 * run that never happened: one cut before its violation reads as a clean run.
 */
function checkComplete(text: string, records: readonly TraceLine[], path: string, lastLine: number): void {
  const end = records[records.length - 1];
  if (end?.kind !== "end") {
    throw new InputError(
      `the trace stops at line ${lastLine} without its end record: the file was cut short (a run that was stopped, or a copy of part of it)`,
      { file: path, line: lastLine },
    );
  }
  const endLine = text.lastIndexOf('{"kind":"end"');
  const hashed = createHash("sha256")
    .update(endLine < 0 ? text : text.slice(0, endLine))
    .digest("hex");
  if (endLine < 0 || hashed !== end.traceHash) {
    throw new InputError(
      "the end record's trace hash is not the hash of the lines before it: lines were changed, removed or added since the run wrote them",
      { file: path, line: lastLine },
    );
  }
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  ...commandHeadings.report,
  builder: (yargs) =>
    yargs
      .positional("trace", {
        type: "string",
        demandOption: true,
        describe: "trace file (JSON Lines, from --trace)",
      })
      .option("out", { type: "string", describe: "write here (default, or -: standard output)" })
      .option("module", {
        type: "string",
        describe: "the protocol module the trace's run loaded (.js or .ts): its roles, leaders and logs",
      })
      .option("format", {
        type: "string",
        choices: reportFormats,
        describe:
          "html (default, or from --out's extension), md, text, edn (Jepsen history), shiviz, mermaid",
      })
      .example("$0 report trace.jsonl --out report.html", "a self-contained HTML page")
      .example("$0 report trace.jsonl --format md", "Markdown for a pull request comment")
      .example(
        "$0 report trace.jsonl --format edn --out history.edn",
        "the client history for Knossos or Elle",
      )
      .example("$0 report trace.jsonl --module ./my-register.ts", "a trace of your own protocol"),
  handler: (args) =>
    runCommand(async () => {
      const records = readTraceFile(args.trace);
      // `--out -` is standard output, as the default is.
      const out = args.out === "-" ? undefined : args.out;
      const format =
        (args.format as ReportFormat | undefined) ?? (out === undefined ? "html" : formatForPath(out));
      // A trace of a built-in scenario becomes a lab page when the scenario replays it exactly, and
      // the run tells the timeline its scenario's notes and the steps that leave no record.
      const replayed =
        format === "html" || format === "md" || format === "text" ? runOfTrace(records) : undefined;
      const protocol = await traceProtocol(records, args.module, format);
      const options = { format, ...replayed, protocol };
      if (out === undefined) {
        process.stdout.write(renderReport(records, format, reportOptions(format, options, records)));
      } else {
        writeReport(records, out, options);
        process.stderr.write(`report written to ${out}\n`);
      }
      return ExitCode.ok;
    }),
};
