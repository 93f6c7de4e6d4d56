/**
 * JSON objects that give a key twice. JSON.parse keeps the last value and drops the others
 * without a word, so `{"type": "invoke", …, "value": 1, "value": 2}` would be checked as a write
 * of 2; the readers refuse such an object instead, at the key given again.
 */
import { InputError } from "../../errors.js";
import { walkJsonText } from "./json-walk.js";

/**
 * Throws `InputError` at the first key of a JSON text that its object already holds. The text
 * must be valid JSON (JSON.parse has read it); a text whose every object is small and distinct
 * costs one pass over its characters.
 */
export function refuseDuplicateJsonKeys(text: string, file: string | undefined): void {
  // One entry per open bracket: the keys seen so far for an object, undefined for an array. An
  // event has a handful of keys, which a list holds more cheaply than a set; a large object's
  // keys move to a set.
  const open: Array<string[] | Set<string> | undefined> = [];
  walkJsonText(text, {
    open: (object) => open.push(object ? [] : undefined),
    close: () => open.pop(),
    string: (start, end, escaped, line, lineStart) => {
      const keys = open[open.length - 1];
      if (keys === undefined || !isKey(text, end + 1)) return;
      const literal = text.slice(start, end + 1);
      const key = escaped ? (JSON.parse(literal) as string) : literal.slice(1, -1);
      if (Array.isArray(keys) ? keys.includes(key) : keys.has(key)) {
        throw new InputError(
          `an object gives the key ${JSON.stringify(key)} twice (expected each key once)`,
          {
            file,
            line,
            column: start - lineStart + 1,
          },
        );
      }
      if (!Array.isArray(keys)) keys.add(key);
      else if (keys.length < 32) keys.push(key);
      else open[open.length - 1] = new Set([...keys, key]);
    },
  });
}

/** Whether the string that ends before `index` is a key: the next character after spaces is `:`. */
function isKey(text: string, index: number): boolean {
  let at = index;
  while (at < text.length) {
    const code = text.charCodeAt(at);
    if (code !== 32 && code !== 9 && code !== 10 && code !== 13) break;
    at++;
  }
  return text.charCodeAt(at) === 58;
}
