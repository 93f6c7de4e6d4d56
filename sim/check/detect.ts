/**
 * Telling history formats apart by their content (the CLI's `--format auto`):
 * - `INFO  jepsen.util - …` lines: Porcupine etcd log;
 * - JSON (an array, an object or JSON Lines with quoted keys such as `"type"`): native JSON;
 * - EDN maps one per line with `:key "…"`, starting with `{`: Porcupine kv log;
 * - other EDN (`[`, `(`, `;` or `{` with `:type` keywords): Knossos.
 * An empty file is an empty history; its extension picks the format name (`.log`, `.txt`, `.edn`).
 * (`quorumlab check` refuses empty input before it gets here: see cli/check.ts.)
 */
import type { HistoryFormat } from "./parse/types.js";

/** Guesses the format of a history file; `undefined` when nothing fits. */
export function detectFormat(text: string, file?: string): HistoryFormat | undefined {
  let start = 0;
  let commented = false;
  for (;;) {
    while (start < text.length && /\s|,/.test(text[start]!)) start++;
    if (text[start] === ";") {
      commented = true;
      while (start < text.length && text[start] !== "\n") start++;
      continue;
    }
    break;
  }
  if (start >= text.length) {
    if (file?.endsWith(".log") === true) return "porcupine-etcd";
    if (file?.endsWith(".txt") === true) return "porcupine-kv";
    // Only EDN has `;` comments: comments and nothing else are an empty EDN history.
    if (file?.endsWith(".edn") === true || commented) return "knossos-edn";
    return "json";
  }
  const head = text.slice(start, start + 4096);
  if (/^INFO\s+jepsen\.util\s+-/.test(head)) return "porcupine-etcd";
  const first = head[0];
  if (first === "[" || first === "{") {
    if (/^[[{]\s*"/.test(head) || /^\[\s*[[{]\s*"/.test(head) || /^\[\s*\]/.test(head)) return "json";
    const firstLine = head.split("\n")[0] ?? "";
    if (first === "{" && /:key\s+"/.test(firstLine) && /:type\s+:/.test(firstLine)) return "porcupine-kv";
    if (/:type\s+:|:process\s/.test(head)) return "knossos-edn";
    return undefined;
  }
  if (first === "(") return "knossos-edn";
  // Jepsen 0.3's operation records: `#jepsen.history.Op{:index 0, :type :invoke, ...}`.
  if (/^#[A-Za-z][\w.$-]*\s*\{/.test(head) && /:type\s+:|:process\s/.test(head)) return "knossos-edn";
  if (text[0] === ";") return "knossos-edn";
  return undefined;
}
