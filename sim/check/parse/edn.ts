/**
 * A small EDN reader for history files: `;` comments, commas as whitespace, vectors, lists,
 * maps, sets, keywords, symbols, integers, floats, strings, `nil`, `true` and `false`, and `#_`
 * discards. Not supported (and reported as errors): tagged literals, characters, ratios.
 *
 * Keywords become `Keyword` objects, vectors and lists arrays, maps `EdnMap`s (keyword keys only,
 * keyed by the keyword's name), nil `null`. Every map remembers where it starts.
 */
import { InputError } from "../../errors.js";

/** An EDN keyword such as `:invoke`; `name` has no colon. */
export class Keyword {
  constructor(readonly name: string) {}
  toString(): string {
    return `:${this.name}`;
  }
}

/** An EDN symbol such as `foo`. */
export class EdnSymbol {
  constructor(readonly name: string) {}
}

/** An EDN map with keyword keys, plus its position in the text (1-based line and column). */
export class EdnMap {
  constructor(
    readonly entries: ReadonlyMap<string, EdnValue>,
    readonly line: number,
    readonly column: number,
  ) {}
  get(name: string): EdnValue | undefined {
    return this.entries.get(name);
  }
}

export type EdnValue = null | boolean | number | string | Keyword | EdnSymbol | EdnMap | EdnValue[];

/** A top-level form and where it starts. */
export interface EdnForm {
  readonly value: EdnValue;
  readonly line: number;
  readonly column: number;
}

const delimiters = new Set(["(", ")", "[", "]", "{", "}", '"', ";"]);

function isWhitespace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13 || code === 44 || code === 12;
}

/** Reads every top-level form in `text`. Throws `InputError` with the position of a problem. */
export function readEdn(text: string, file?: string): EdnForm[] {
  let position = 0;
  let line = 1;
  let lineStart = 0;
  const length = text.length;

  const fail = (message: string, at: number = position): never => {
    // Recompute the line and column of `at`.
    let errorLine = 1;
    let errorLineStart = 0;
    for (let index = 0; index < at && index < length; index++) {
      if (text.charCodeAt(index) === 10) {
        errorLine++;
        errorLineStart = index + 1;
      }
    }
    throw new InputError(message, { file, line: errorLine, column: at - errorLineStart + 1 });
  };

  const skip = (): void => {
    while (position < length) {
      const code = text.charCodeAt(position);
      if (code === 10) {
        position++;
        line++;
        lineStart = position;
      } else if (isWhitespace(code)) {
        position++;
      } else if (code === 59) {
        while (position < length && text.charCodeAt(position) !== 10) position++;
      } else if (code === 35 && text.charCodeAt(position + 1) === 95) {
        position += 2;
        read();
      } else {
        return;
      }
    }
  };

  const readToken = (): string => {
    const start = position;
    while (position < length) {
      const code = text.charCodeAt(position);
      if (isWhitespace(code) || delimiters.has(text[position]!)) break;
      position++;
    }
    return text.slice(start, position);
  };

  const readString = (): string => {
    const start = position;
    position++;
    let result = "";
    let chunkStart = position;
    while (position < length) {
      const code = text.charCodeAt(position);
      if (code === 34) {
        result += text.slice(chunkStart, position);
        position++;
        return result;
      }
      if (code === 10) {
        line++;
        lineStart = position + 1;
      }
      if (code === 92) {
        result += text.slice(chunkStart, position);
        const escaped = text[position + 1];
        const map: Record<string, string> = { n: "\n", t: "\t", r: "\r", '"': '"', "\\": "\\" };
        const replacement = escaped === undefined ? undefined : map[escaped];
        if (replacement === undefined) fail(`unsupported escape \\${escaped ?? ""} in a string`);
        result += replacement;
        position += 2;
        chunkStart = position;
        continue;
      }
      position++;
    }
    return fail('a string is not closed (expected a closing ")', start);
  };

  const readSequence = (close: string): EdnValue[] => {
    const open = position;
    position++;
    const items: EdnValue[] = [];
    for (;;) {
      skip();
      if (position >= length) fail(`a collection is not closed (expected '${close}')`, open);
      const character = text[position]!;
      if (character === close) {
        position++;
        return items;
      }
      if (character === ")" || character === "]" || character === "}") {
        fail(`unexpected '${character}' (expected '${close}' or a value)`);
      }
      items.push(read());
    }
  };

  const read = (): EdnValue => {
    skip();
    if (position >= length) return fail("unexpected end of input (expected a value)");
    const character = text[position]!;
    switch (character) {
      case "[":
        return readSequence("]");
      case "(":
        return readSequence(")");
      case "{": {
        const mapLine = line;
        const mapColumn = position - lineStart + 1;
        const items = readSequence("}");
        if (items.length % 2 !== 0) fail("a map has an odd number of forms (expected key/value pairs)");
        const entries = new Map<string, EdnValue>();
        for (let index = 0; index < items.length; index += 2) {
          const key = items[index]!;
          if (!(key instanceof Keyword)) {
            throw new InputError("map keys must be keywords", { file, line: mapLine, column: mapColumn });
          }
          entries.set(key.name, items[index + 1]!);
        }
        return new EdnMap(entries, mapLine, mapColumn);
      }
      case '"':
        return readString();
      case "#": {
        if (text[position + 1] === "{") {
          position++;
          return readSequence("}");
        }
        return fail("tagged literals are not supported");
      }
      case ")":
      case "]":
      case "}":
        return fail(`unexpected '${character}' (expected a value)`);
      default: {
        const start = position;
        const token = readToken();
        if (token === "") return fail(`unexpected '${character}'`);
        if (token === "nil") return null;
        if (token === "true") return true;
        if (token === "false") return false;
        if (token.startsWith(":")) {
          if (token.length === 1) fail("a keyword needs a name", start);
          return new Keyword(token.slice(1));
        }
        if (/^[-+]?\d+N?$/.test(token)) return Number.parseInt(token, 10);
        if (/^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?M?$/.test(token)) return Number.parseFloat(token);
        if (/^[-+]?\d/.test(token)) fail(`'${token}' is not a number EDN histories use`, start);
        return new EdnSymbol(token);
      }
    }
  };

  const forms: EdnForm[] = [];
  for (;;) {
    skip();
    if (position >= length) break;
    const formLine = line;
    const formColumn = position - lineStart + 1;
    const value = read();
    forms.push({ value, line: formLine, column: formColumn });
  }
  return forms;
}

/** An EDN value as plain JSON-like data: keywords and symbols become their names. */
export function ednToPlain(value: EdnValue): unknown {
  if (value instanceof Keyword || value instanceof EdnSymbol) return value.name;
  if (Array.isArray(value)) return value.map(ednToPlain);
  if (value instanceof EdnMap) {
    const result: Record<string, unknown> = {};
    for (const [key, item] of value.entries) result[key] = ednToPlain(item);
    return result;
  }
  return value;
}
