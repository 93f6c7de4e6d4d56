/** A campaign's corpus on disk (`--corpus DIR`): one JSON file per entry, named by its plan. */
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../../sim/errors.js";
import { type CorpusEntry, corpusFileName, corpusFileText, parseCorpusFile } from "../../sim/fuzz/corpus.js";
import type { FuzzSettings } from "../../sim/fuzz/plan.js";
import { displayPath, makeOutputFolder } from "../files.js";

/** Reads every corpus file of `dir` (sorted by name); a missing folder is an empty corpus. */
export function loadCorpus(dir: string, settings: FuzzSettings): CorpusEntry[] {
  if (!existsSync(dir)) return [];
  const entries: CorpusEntry[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith(".json")) continue;
    const file = join(dir, name);
    let entry: CorpusEntry | undefined;
    try {
      entry = parseCorpusFile(readFileSync(file, "utf8"), settings);
    } catch (error) {
      const at =
        error instanceof InputError && error.line !== undefined && error.column !== undefined
          ? { line: error.line, column: error.column }
          : {};
      throw new InputError(`--corpus: ${(error as Error).message}`, { file: displayPath(file), ...at });
    }
    if (entry !== undefined) entries.push(entry);
  }
  return entries;
}

/** Writes the entries a campaign found; returns how many files are new. */
export function saveCorpus(dir: string, settings: FuzzSettings, entries: readonly CorpusEntry[]): number {
  makeOutputFolder(dir, "--corpus");
  let written = 0;
  for (const entry of entries) {
    const file = join(dir, corpusFileName(settings, entry.plan));
    if (existsSync(file)) continue;
    // Written aside and renamed: a campaign killed mid-write, or another one sharing the folder,
    // never leaves a half file that would stop every later campaign with an input error.
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, corpusFileText(settings, entry));
    renameSync(partial, file);
    written++;
  }
  return written;
}
