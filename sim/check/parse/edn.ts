/**
 * A small EDN reader for history files: `;` comments, commas as whitespace, vectors, lists,
 * maps, sets, keywords, symbols, integers, floats, strings, `nil`, `true` and `false`, and `#_`
 * discards. Not supported (and reported as errors): tagged literals, characters, ratios.
 *
 * Keywords become `Keyword` objects, vectors and lists arrays, maps `EdnMap`s (keyword keys only,
 * keyed by the keyword's name), nil `null`. Every map remembers where it starts.
 */
import { InputError } from "../../errors.js";
import { inexactIntegerMessage } from "./exact-integers.js";
import { nestingMax, nestingMessage } from "./nesting.js";

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

/**
 * A floating-point number (`1.0`, `2.5e3`, `1M`), when the reader is asked to mark floats: as a
 * plain number, `1.0` would be the integer `1`.
 */
export class EdnFloat {
  constructor(
    readonly value: number,
    readonly text: string,
  ) {}
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

export type EdnValue =
  | null
  | boolean
  | number
  | string
  | Keyword
  | EdnSymbol
  | EdnFloat
  | EdnMap
  | EdnValue[];

/** How the reader reads. */
export interface EdnOptions {
  /** Read floats as `EdnFloat`s rather than numbers, so that `1.0` is not the integer `1`. */
  readonly markFloats?: boolean;
}

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
export function readEdn(text: string, file?: string, options: EdnOptions = {}): EdnForm[] {
  return new EdnReader(text, file, options.markFloats === true).readAll();
}

/**
 * Escapes a string may hold, by the character after the backslash: EDN's, and the backspace and
 * form feed Clojure's printer writes as `\b` and `\f`; `\uXXXX` is read apart.
 */
const stringEscapes: Readonly<Record<string, string>> = {
  n: "\n",
  t: "\t",
  r: "\r",
  b: "\b",
  f: "\f",
  '"': '"',
  "\\": "\\",
};

/** A reader over one text: a position, and the line it is on for error messages and maps. */
class EdnReader {
  private position = 0;
  private line = 1;
  private lineStart = 0;
  /** Collections open around the position. */
  private depth = 0;
  private readonly length: number;

  constructor(
    private readonly text: string,
    private readonly file: string | undefined,
    private readonly markFloats: boolean,
  ) {
    this.length = text.length;
  }

  readAll(): EdnForm[] {
    const forms: EdnForm[] = [];
    for (;;) {
      this.skip();
      if (this.position >= this.length) break;
      const formLine = this.line;
      const formColumn = this.position - this.lineStart + 1;
      const value = this.read();
      forms.push({ value, line: formLine, column: formColumn });
    }
    return forms;
  }

  /** Throws `InputError` with `message` at the line and column of `at`. */
  private fail(message: string, at: number = this.position): never {
    let errorLine = 1;
    let errorLineStart = 0;
    for (let index = 0; index < at && index < this.length; index++) {
      if (this.text.charCodeAt(index) === 10) {
        errorLine++;
        errorLineStart = index + 1;
      }
    }
    throw new InputError(message, { file: this.file, line: errorLine, column: at - errorLineStart + 1 });
  }

  /** Skips whitespace, commas, comments and `#_` discarded forms. */
  private skip(): void {
    const text = this.text;
    while (this.position < this.length) {
      const code = text.charCodeAt(this.position);
      if (code === 10) {
        this.position++;
        this.line++;
        this.lineStart = this.position;
      } else if (isWhitespace(code)) {
        this.position++;
      } else if (code === 59) {
        while (this.position < this.length && text.charCodeAt(this.position) !== 10) this.position++;
      } else if (code === 35 && text.charCodeAt(this.position + 1) === 95) {
        this.position += 2;
        this.read();
      } else {
        return;
      }
    }
  }

  /** Reads one value. */
  private read(): EdnValue {
    this.skip();
    if (this.position >= this.length) return this.fail("unexpected end of input (expected a value)");
    const character = this.text[this.position]!;
    switch (character) {
      case "[":
        return this.readSequence("]");
      case "(":
        return this.readSequence(")");
      case "{":
        return this.readMap();
      case '"':
        return this.readString();
      case "#": {
        if (this.text[this.position + 1] === "{") {
          this.position++;
          return this.readSequence("}");
        }
        return this.readTagged();
      }
      case ")":
      case "]":
      case "}":
        return this.fail(`unexpected '${character}' (expected a value)`);
      default:
        return this.readAtom(character);
    }
  }

  /** Reads the values up to `close`, the opening character being at the position. */
  private readSequence(close: string): EdnValue[] {
    const open = this.position;
    if (++this.depth > nestingMax) this.fail(nestingMessage, open);
    this.position++;
    const items: EdnValue[] = [];
    for (;;) {
      this.skip();
      if (this.position >= this.length) this.fail(`a collection is not closed (expected '${close}')`, open);
      const character = this.text[this.position]!;
      if (character === close) {
        this.position++;
        this.depth--;
        return items;
      }
      if (character === ")" || character === "]" || character === "}") {
        this.fail(`unexpected '${character}' (expected '${close}' or a value)`);
      }
      items.push(this.read());
    }
  }

  /** Reads a map, which remembers where it starts; its keys must be keywords. */
  private readMap(): EdnMap {
    const mapLine = this.line;
    const mapColumn = this.position - this.lineStart + 1;
    const items = this.readSequence("}");
    if (items.length % 2 !== 0) this.fail("a map has an odd number of forms (expected key/value pairs)");
    const entries = new Map<string, EdnValue>();
    for (let index = 0; index < items.length; index += 2) {
      const key = items[index]!;
      if (!(key instanceof Keyword)) {
        throw new InputError("map keys must be keywords", {
          file: this.file,
          line: mapLine,
          column: mapColumn,
        });
      }
      // EDN forbids a key twice in one map; reading the last one would silently drop the first.
      if (entries.has(key.name)) {
        throw new InputError(`a map has the key :${key.name} twice (expected each key once)`, {
          file: this.file,
          line: mapLine,
          column: mapColumn,
        });
      }
      entries.set(key.name, items[index + 1]!);
    }
    return new EdnMap(entries, mapLine, mapColumn);
  }

  /** Reads a string, the opening quote being at the position. */
  private readString(): string {
    const text = this.text;
    const start = this.position;
    this.position++;
    let result = "";
    let chunkStart = this.position;
    while (this.position < this.length) {
      const code = text.charCodeAt(this.position);
      if (code === 34) {
        result += text.slice(chunkStart, this.position);
        this.position++;
        return result;
      }
      if (code === 10) {
        this.line++;
        this.lineStart = this.position + 1;
      }
      if (code === 92) {
        result += text.slice(chunkStart, this.position);
        const escaped = text[this.position + 1];
        if (escaped === "u") {
          const hex = text.slice(this.position + 2, this.position + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail("a \\u escape needs four hex digits, as in \\u00e9");
          result += String.fromCharCode(Number.parseInt(hex, 16));
          this.position += 6;
          chunkStart = this.position;
          continue;
        }
        const replacement = escaped === undefined ? undefined : stringEscapes[escaped];
        if (replacement === undefined) this.fail(`unsupported escape \\${escaped ?? ""} in a string`);
        result += replacement;
        this.position += 2;
        chunkStart = this.position;
        continue;
      }
      this.position++;
    }
    return this.fail('a string is not closed (expected a closing ")', start);
  }

  /** Reads nil, a boolean, a keyword, a number or a symbol, starting with `character`. */
  private readAtom(character: string): EdnValue {
    const start = this.position;
    const token = this.readToken();
    if (token === "") return this.fail(`unexpected '${character}'`);
    if (token === "nil") return null;
    if (token === "true") return true;
    if (token === "false") return false;
    if (token.startsWith(":")) {
      if (token.length === 1) this.fail("a keyword needs a name", start);
      return new Keyword(token.slice(1));
    }
    if (/^[-+]?\d+N?$/.test(token)) {
      const integer = Number.parseInt(token, 10);
      // Beyond ±(2^53 − 1), two different integers may read as one number.
      if (!Number.isSafeInteger(integer)) this.fail(inexactIntegerMessage(token), start);
      return integer;
    }
    if (/^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?M?$/.test(token)) {
      const float = Number.parseFloat(token);
      return this.markFloats ? new EdnFloat(float, token) : float;
    }
    if (/^[-+]?\d/.test(token)) this.fail(`'${token}' is not a number EDN histories use`, start);
    return new EdnSymbol(token);
  }

  /**
   * A tagged element, `#tag value`: the value, its tag set aside, as a reader without a handler
   * for the tag reads it. Jepsen 0.3 writes each operation as a record,
   * `#jepsen.history.Op{:index 0, :type :invoke, ...}`, which is then its map; `#inst "2020-01-01"`
   * is its string.
   */
  private readTagged(): EdnValue {
    const start = this.position;
    this.position++;
    const tag = this.readToken();
    if (!/^[A-Za-z][^#]*$/.test(tag)) {
      return this.fail(
        `'#${tag}' is not a tag (expected #name followed by a value, #{ for a set, or #_)`,
        start,
      );
    }
    return this.read();
  }

  /** Reads up to the next whitespace or delimiter. */
  private readToken(): string {
    const start = this.position;
    while (this.position < this.length) {
      const code = this.text.charCodeAt(this.position);
      if (isWhitespace(code) || delimiters.has(this.text[this.position]!)) break;
      this.position++;
    }
    return this.text.slice(start, this.position);
  }
}

/** An EDN value as plain JSON-like data: keywords and symbols become their names. */
export function ednToPlain(value: EdnValue): unknown {
  if (value instanceof Keyword || value instanceof EdnSymbol) return value.name;
  if (value instanceof EdnFloat) return value.value;
  if (Array.isArray(value)) return value.map(ednToPlain);
  if (value instanceof EdnMap) {
    const result: Record<string, unknown> = {};
    for (const [key, item] of value.entries) result[key] = ednToPlain(item);
    return result;
  }
  return value;
}
