/**
 * Porcupine's key/value logs (`kv/cNN-{ok,bad}.txt`): one EDN map per line,
 *
 *     {:process P, :type :invoke|:ok, :f :get|:put|:append, :key "K", :value V}
 *
 * in real-time order; V is nil or a string. A `:get` invocation carries nil and its `:ok` the
 * string read. Every key starts as `""`; the model is `kv` with that initial value.
 */
import { InputError } from "../../errors.js";
import type { HistoryEvent } from "../../history.js";
import { kvModelOf } from "../models/kv.js";
import { EdnMap, Keyword, readEdn } from "./edn.js";
import type { MutableEvent, ParsedHistory } from "./types.js";

const functions = new Set(["get", "put", "append"]);
const types = new Set(["invoke", "ok", "fail", "info"]);

/** Parses a kv log. Throws `InputError` naming the line of the first problem. */
export function parsePorcupineKv(text: string, file?: string): ParsedHistory {
  const events: HistoryEvent[] = [];
  const pending = new Map<number, MutableEvent>();
  const forms = readEdn(text, file);
  const positions = new Map<number, { line: number; column: number }>();
  forms.forEach((form, index) => {
    const where = { file, line: form.line, column: form.column };
    positions.set(index, { line: form.line, column: form.column });
    const map = form.value;
    if (!(map instanceof EdnMap)) throw new InputError("expected a map {:process …, :type …, :f …}", where);
    const process = map.get("process");
    const type = map.get("type");
    const f = map.get("f");
    const key = map.get("key");
    const value = map.get("value") ?? null;
    if (typeof process !== "number" || !Number.isInteger(process)) {
      throw new InputError("expected :process to be an integer", where);
    }
    if (!(type instanceof Keyword) || !types.has(type.name)) {
      throw new InputError("expected :type to be :invoke, :ok, :fail or :info", where);
    }
    if (!(f instanceof Keyword) || !functions.has(f.name)) {
      throw new InputError("expected :f to be :get, :put or :append", where);
    }
    if (typeof key !== "string") throw new InputError('expected :key to be a string such as "0"', where);
    if (value !== null && typeof value !== "string")
      throw new InputError("expected :value to be nil or a string", where);
    const timeUs = events.length;
    if (type.name === "invoke") {
      if (pending.has(process)) {
        throw new InputError(`process ${process} invokes while its previous operation is pending`, where);
      }
      const event: MutableEvent = { type: "invoke", process, f: f.name, key, value, timeUs, index };
      pending.set(process, event);
      events.push(event);
      return;
    }
    const invocation = pending.get(process);
    if (invocation === undefined || invocation.f !== f.name || invocation.key !== key) {
      throw new InputError(
        `:${type.name} for process ${process}, which has no matching pending invocation`,
        where,
      );
    }
    pending.delete(process);
    const completion = type.name as "ok" | "fail" | "info";
    events.push({
      type: completion,
      process,
      f: f.name,
      key,
      value: completion === "ok" ? value : null,
      timeUs,
      index,
    });
  });
  return { format: "porcupine-kv", events, model: kvModelOf({ initial: "" }), positions };
}
