/**
 * Hand serialization of the frequent records: field by field, in the order `JSON.stringify` writes
 * the equivalent record object, so the streamed and the kept paths give the same bytes (a test
 * holds them to it). Strings come as symbols, whose JSON text the symbol table keeps.
 */
import { InputError } from "../errors.js";
import { formatDuration } from "../time.js";
import { type ClientEventFields, clientKinds, dropReasons } from "./format.js";
import type { RowFields } from "./rows.js";

/**
 * The fields every message record starts with; endpoints and type as symbols. They are the kept
 * trace's row fields (rows.ts), so a message record goes into the store as the kernel gave it.
 */
export type MessageFields = RowFields;

/** When and where a node record happened; the node as a symbol. */
export interface NodeFields {
  readonly t: number;
  readonly e: number;
  readonly node: number;
}

export class LineWriter {
  /** The last message serialized, and its JSON text ("" when it has none). */
  private lastMessage: unknown;
  private lastMessageJson: string | undefined;

  /** `symbolJson[symbol]`: the JSON text of each symbol's string. */
  constructor(private readonly symbolJson: readonly string[]) {}

  /** A message record of `kind` without fields of its own (`deliver`). */
  message(kind: string, fields: MessageFields): string {
    return `${this.messageHead(kind, fields)}}`;
  }

  send(fields: MessageFields, msg: unknown): string {
    const head = this.messageHead("send", fields);
    // A broadcast sends one message object to every peer in a row: serialize it once. (Messages
    // are immutable once sent, so the object's text cannot have changed.)
    if (msg !== this.lastMessage || this.lastMessageJson === undefined) {
      this.lastMessage = msg;
      try {
        this.lastMessageJson = JSON.stringify(msg) ?? "";
      } catch (error) {
        const { t, e, from, to, type } = fields;
        throw notJson(
          error,
          `a ${this.name(type)} message from ${this.name(from)} to ${this.name(to)}`,
          t,
          e,
        );
      }
    }
    const body = this.lastMessageJson;
    return body === "" ? `${head}}` : `${head},"msg":${body}}`;
  }

  drop(fields: MessageFields, reasonCode: number): string {
    return `${this.messageHead("drop", fields)},"reason":"${dropReasons[reasonCode]}"}`;
  }

  duplicate(fields: MessageFields, copy: number): string {
    return `${this.messageHead("duplicate", fields)},"copy":${copy}}`;
  }

  state(at: NodeFields, state: unknown): string {
    const head = `{"kind":"state","t":${at.t},"e":${at.e},"node":${this.symbolJson[at.node]}`;
    let body: string | undefined;
    try {
      body = JSON.stringify(state);
    } catch (error) {
      throw notJson(error, `${this.name(at.node)}'s state description`, at.t, at.e);
    }
    return body === undefined ? `${head}}` : `${head},"state":${body}}`;
  }

  timer(at: NodeFields, name: number): string {
    return `{"kind":"timer","t":${at.t},"e":${at.e},"node":${this.symbolJson[at.node]},"name":${this.symbolJson[name]}}`;
  }

  /** A client record; `at.node` is the client's symbol, `kindCode` indexes `clientKinds`. */
  client(kindCode: number, at: NodeFields, event: ClientEventFields): string {
    try {
      return this.clientLine(kindCode, at, event);
    } catch (error) {
      throw notJson(
        error,
        `the value of ${this.name(at.node)}'s ${clientKinds[kindCode]} record`,
        at.t,
        at.e,
      );
    }
  }

  private clientLine(kindCode: number, at: NodeFields, event: ClientEventFields): string {
    const head = `{"kind":"${clientKinds[kindCode]}","t":${at.t},"e":${at.e},"client":${this.symbolJson[at.node]},"process":${JSON.stringify(event.process)},"f":${JSON.stringify(event.f)},"key":${JSON.stringify(event.key)},"value":${JSON.stringify(event.value ?? null)}`;
    return event.error === undefined ? `${head}}` : `${head},"error":${JSON.stringify(event.error)}}`;
  }

  /** The string a symbol stands for. */
  private name(symbol: number): string {
    return JSON.parse(this.symbolJson[symbol] ?? '""') as string;
  }

  /** The fields every message record starts with, as JSON object text without its closing brace. */
  private messageHead(kind: string, fields: MessageFields): string {
    const json = this.symbolJson;
    return `{"kind":"${kind}","t":${fields.t},"e":${fields.e},"from":${json[fields.from]},"to":${json[fields.to]},"id":${fields.id},"type":${json[fields.type]}`;
  }
}

/**
 * The error for protocol data that JSON cannot write (a BigInt, a cycle): a mistake in the
 * protocol's module, named with the record it was in.
 */
export function notJson(error: unknown, what: string, timeUs: number, event: number): InputError {
  const reason = (error instanceof Error ? error.message : String(error)).split("\n")[0];
  return new InputError(
    `${what} at t=${formatDuration(timeUs)} (event ${event}) cannot be written to the trace: ${reason}. ` +
      "Messages, state descriptions, replies, notes and witnesses must be plain JSON data (docs/node-api.md)",
  );
}
