/**
 * One pass over the tokens of a JSON text that JSON.parse has already read, for the checks that
 * need what JSON.parse forgets: where a token was written, and how (a key given twice, an integer
 * JavaScript cannot hold exactly, a value nested too deep, where each event starts). The walker
 * knows only brackets, strings and numbers, and where each starts; every check keeps its own
 * rule in its own file.
 */

/**
 * What a walk reports. Each callback gets the token's place as its offset and the 1-based line
 * and the offset its line starts at, so that a walk allocates nothing per token.
 */
export interface JsonTokenVisitor {
  /** A `{` (`object` true) or a `[`, at `start`. */
  readonly open?: (object: boolean, start: number, line: number, lineStart: number) => void;
  /** A `}` or a `]`. */
  readonly close?: () => void;
  /**
   * A string literal from its opening quote at `start` to its closing one at `end`; `escaped`
   * when it holds a backslash (its text is then not the characters between the quotes).
   */
  readonly string?: (start: number, end: number, escaped: boolean, line: number, lineStart: number) => void;
  /** A number literal, as written, starting at `start`. Numbers are read only for a visitor that takes them. */
  readonly number?: (literal: string, start: number, line: number, lineStart: number) => void;
}

const numberToken = /-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/y;

/**
 * Walks `text`, valid JSON, calling `visitor` for each token it takes, in order: from its start,
 * or from offset `from`, which must be outside strings (a token's start, or the space between).
 */
export function walkJsonText(text: string, visitor: JsonTokenVisitor, from = 0): void {
  const { open, close, string, number } = visitor;
  let line = 1;
  let lineStart = 0;
  if (from > 0) {
    for (let at = text.indexOf("\n"); at >= 0 && at < from; at = text.indexOf("\n", at + 1)) {
      line++;
      lineStart = at + 1;
    }
  }
  for (let index = from; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 10) {
      line++;
      lineStart = index + 1;
    } else if (code === 34) {
      const start = index;
      let escaped = false;
      index++;
      while (index < text.length && text.charCodeAt(index) !== 34) {
        if (text.charCodeAt(index) === 92) {
          escaped = true;
          index++;
        }
        index++;
      }
      string?.(start, index, escaped, line, lineStart);
    } else if (code === 123 || code === 91) {
      open?.(code === 123, index, line, lineStart);
    } else if (code === 125 || code === 93) {
      close?.();
    } else if (number !== undefined && (code === 45 || (code >= 48 && code <= 57))) {
      numberToken.lastIndex = index;
      const literal = numberToken.exec(text)?.[0];
      if (literal === undefined) continue;
      number(literal, index, line, lineStart);
      index += literal.length - 1;
    }
  }
}
