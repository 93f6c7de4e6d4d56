/** History parsers: one per format, and `parseHistory` to pick one. */
import { InputError } from "../../errors.js";
import { detectFormat } from "../detect.js";
import type { AnyModel } from "../model.js";
import { parseJsonHistory } from "./json.js";
import { parseKnossosEdn } from "./knossos-edn.js";
import { parsePorcupineEtcd } from "./porcupine-etcd.js";
import { parsePorcupineKv } from "./porcupine-kv.js";
import { type HistoryFormat, historyFormats, type ParsedHistory } from "./types.js";

export { EdnMap, EdnSymbol, type EdnValue, ednToPlain, Keyword, readEdn } from "./edn.js";
export { parseJsonHistory } from "./json.js";
export { parseKnossosEdn } from "./knossos-edn.js";
export { parsePorcupineEtcd } from "./porcupine-etcd.js";
export { parsePorcupineKv } from "./porcupine-kv.js";
export { type HistoryFormat, historyFormats, type ParsedHistory } from "./types.js";

/** Options for parseHistory. */
export interface ParseOptions {
  /** The file name, for messages and for telling empty files apart. */
  readonly file?: string;
  /** A format, or `auto` (the default) to detect it from the content. */
  readonly format?: HistoryFormat | "auto";
  /** For native JSON without a `model` field. */
  readonly defaultModel?: AnyModel;
}

/** Parses history text in any supported format. Throws `InputError` on malformed input. */
export function parseHistory(text: string, options: ParseOptions = {}): ParsedHistory {
  const file = options.file;
  const format = options.format ?? "auto";
  if (format === "auto") {
    const detected = detectFormat(text, file);
    if (detected === undefined) {
      throw new InputError(`cannot tell the history format (expected one of ${historyFormats.join(", ")})`, {
        file,
        line: 1,
        column: 1,
      });
    }
    return parseAs(detected, text, options);
  }
  try {
    return parseAs(format, text, options);
  } catch (error) {
    // A file in another format than the one given fails on its first character of that format's
    // syntax (`a keyword needs a name` for JSON read as EDN): say which format it looks like.
    const looks = error instanceof InputError ? detectFormat(text, file) : undefined;
    if (looks === undefined || looks === format) throw error;
    throw new InputError(
      `${(error as InputError).message} (read as ${format}, as --format says; the file looks like ${looks}: give --format ${looks}, or leave --format out to tell by the content)`,
      withLocation(error as InputError),
    );
  }
}

function parseAs(format: HistoryFormat, text: string, options: ParseOptions): ParsedHistory {
  const file = options.file;
  switch (format) {
    case "porcupine-etcd":
      return parsePorcupineEtcd(text, file);
    case "porcupine-kv":
      return parsePorcupineKv(text, file);
    case "knossos-edn":
      return parseKnossosEdn(text, file);
    case "json":
      return parseJsonHistory(text, file, options.defaultModel);
  }
}

/** The location fields an `InputError` has, to give to another one. */
function withLocation(error: InputError): { file?: string; line?: number; column?: number; event?: number } {
  return {
    ...(error.file === undefined ? {} : { file: error.file }),
    ...(error.line === undefined ? {} : { line: error.line }),
    ...(error.column === undefined ? {} : { column: error.column }),
    ...(error.event === undefined ? {} : { event: error.event }),
  };
}
