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
  let format = options.format ?? "auto";
  if (format === "auto") {
    const detected = detectFormat(text, file);
    if (detected === undefined) {
      throw new InputError(`cannot tell the history format (expected one of ${historyFormats.join(", ")})`, {
        file,
        line: 1,
        column: 1,
      });
    }
    format = detected;
  }
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
