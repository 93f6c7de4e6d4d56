/**
 * How deeply a history's values may nest. Histories nest a few levels (a list of maps of
 * micro-operations); a value nested thousands deep is no history, and the reader, the models'
 * value keys and explanations, which recurse, would run out of stack on it.
 */
import { InputError } from "../../errors.js";
import { walkJsonText } from "./json-walk.js";

/** The deepest nesting of lists, vectors, maps and objects a history may hold. */
export const nestingMax = 1000;

/** The message for a collection opened one level deeper than `nestingMax`. */
export const nestingMessage = `nesting deeper than ${nestingMax} levels (expected a history's few levels of lists and maps)`;

/** Whether a parsed JSON value nests more than `levels` arrays and objects deep. */
export function nestsDeeper(value: unknown, levels: number): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (levels === 0) return true;
  for (const item of Array.isArray(value) ? value : Object.values(value)) {
    if (nestsDeeper(item, levels - 1)) return true;
  }
  return false;
}

/**
 * Throws `InputError` at the first `[` or `{` of a JSON text, from `start`, that opens a level
 * deeper than `levels` (counted from `start`); does nothing when there is none.
 */
export function refuseDeepJsonText(
  text: string,
  file: string | undefined,
  start: number,
  levels: number,
): void {
  let depth = 0;
  walkJsonText(
    text,
    {
      open: (_object, at, line, lineStart) => {
        depth++;
        if (depth > levels) throw new InputError(nestingMessage, { file, line, column: at - lineStart + 1 });
      },
      close: () => {
        depth--;
      },
    },
    start,
  );
}
