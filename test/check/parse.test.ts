/**
 * Goal: each parser reads its format with the format's own rules and reports malformed input
 * as an InputError with file, line and column; detection tells the formats apart.
 * Method: small inline histories.
 */
import { describe, expect, it } from "vitest";
import { checkHistory, detectFormat, modelByName, parseHistory } from "../../sim/check/index.js";
import { type Keyword, readEdn } from "../../sim/check/parse/edn.js";
import { elementOffsets } from "../../sim/check/parse/json.js";
import { jsonSyntaxErrorOffset } from "../../sim/check/parse/json-syntax.js";
import { walkJsonText } from "../../sim/check/parse/json-walk.js";
import { parseTxnHistory } from "../../sim/check/txn/index.js";
import { InputError } from "../../sim/errors.js";

function inputError(run: () => unknown): InputError {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error("expected an InputError");
}

describe("EDN reader", () => {
  it("reads comments, commas, keywords, vectors, lists, strings and nil", () => {
    const [form] = readEdn('; c\n[{:a 1, :b "x y" :c nil} (1 -2) [:k]] ; tail');
    expect(Array.isArray(form!.value)).toBe(true);
    const items = form!.value as unknown[];
    expect(items[1]).toEqual([1, -2]);
    expect((items[2] as Keyword[])[0]!.name).toBe("k");
  });

  it("reads the string escapes Clojure's reader takes: \\b, \\f and \\uXXXX besides EDN's", () => {
    const [form] = readEdn('["a\\u00e9\\u20AC" "x\\by\\fz" "\\"\\\\\\n\\t\\r"]');
    expect(form!.value).toEqual(["aé€", "x\by\fz", '"\\\n\t\r']);
    // A history whose values are written with them checks as the same history written plainly.
    const history = (
      written: string,
      read: string,
    ) => `[{:process 0, :type :invoke, :f :write, :value "${written}"}
 {:process 0, :type :ok, :f :write, :value "${written}"}
 {:process 1, :type :invoke, :f :read, :value nil}
 {:process 1, :type :ok, :f :read, :value "${read}"}]`;
    const escaped = parseHistory(history("caf\\u00e9", "café"));
    expect(checkHistory(escaped.events, escaped.model).result).toBe("linearizable");
    expect(inputError(() => readEdn('["\\u00g9"]', "h.edn")).describe()).toBe(
      "h.edn:1:3: a \\u escape needs four hex digits, as in \\u00e9",
    );
    expect(inputError(() => readEdn('["\\q"]', "h.edn")).describe()).toBe(
      "h.edn:1:3: unsupported escape \\q in a string",
    );
  });

  it("reports where an unclosed collection starts", () => {
    const error = inputError(() => readEdn("\n  [{:a 1}", "h.edn"));
    expect(error.describe()).toBe("h.edn:2:3: a collection is not closed (expected ']')");
  });

  it("refuses a map with a key twice, rather than keeping the last value", () => {
    const text =
      "[{:type :invoke, :process 0, :f :write, :value 1}\n {:type :ok, :process 0, :f :write, :value 1 :value 2}]";
    expect(inputError(() => parseHistory(text, { file: "h.edn" })).describe()).toBe(
      "h.edn:2:2: a map has the key :value twice (expected each key once)",
    );
  });
});

describe("etcd logs", () => {
  const log = [
    "INFO  jepsen.util - 0\t:invoke\t:write\t1",
    "INFO  jepsen.util - 1\t:invoke\t:cas\t[2 3]",
    "INFO  jepsen.util - 0\t:ok\t:write\t1",
    "INFO  jepsen.util - 1\t:fail\t:cas\t[2 3]",
    "INFO  jepsen.util - 2   :invoke   :read   nil",
    "INFO  jepsen.util - 2   :ok   :read   nil",
  ].join("\n");

  it("turns a failed CAS into a completed one that observed a mismatch", () => {
    const parsed = parseHistory(log, { file: "e.log" });
    expect(parsed.format).toBe("porcupine-etcd");
    expect(parsed.events[3]).toMatchObject({ type: "ok", f: "cas", value: false });
  });

  it("refuses a completed write or cas whose value is not its invocation's", () => {
    const changed = (line: number, text: string) =>
      log
        .split("\n")
        .map((old, at) => (at === line ? text : old))
        .join("\n");
    const write = inputError(() =>
      parseHistory(changed(2, "INFO  jepsen.util - 0\t:ok\t:write\t5"), { file: "e.log" }),
    );
    expect(write.describe()).toBe(
      "e.log:3:34: :ok :write for process 0 gives the value 5, its invocation 1 (expected the invocation's value)",
    );
    const cas = inputError(() =>
      parseHistory(changed(3, "INFO  jepsen.util - 1\t:fail\t:cas\t[2 4]"), { file: "e.log" }),
    );
    expect(cas.message).toBe(
      ":fail :cas for process 1 gives the value [2 4], its invocation [2 3] (expected the invocation's value)",
    );
  });

  it("names the pending operation that a completion of another function does not match", () => {
    const text = "INFO  jepsen.util - 3\t:invoke\t:cas\t[1 4]\nINFO  jepsen.util - 3\t:ok\t:read\t4";
    expect(inputError(() => parseHistory(text, { file: "e.log" })).describe()).toBe(
      "e.log:2:1: :ok :read for process 3, which has a pending :cas, not :read",
    );
    expect(
      inputError(() => parseHistory("INFO  jepsen.util - 3\t:ok\t:read\t4", { file: "e.log" })).message,
    ).toBe(":ok :read for process 3, which has no pending :read");
  });

  it("treats a nil read as absent, so reading nil after a write fails", () => {
    const parsed = parseHistory(log, { file: "e.log" });
    expect(checkHistory(parsed.events, parsed.model).result).toBe("not-linearizable");
  });

  it("names the line of a malformed event", () => {
    const error = inputError(() =>
      parseHistory(`${log}\nINFO  jepsen.util - 3\t:invoke\t:cas\t7`, { file: "e.log" }),
    );
    expect(error.describe()).toMatch(/^e\.log:7:\d+: expected \[A B\]/);
  });
});

describe("Knossos histories", () => {
  it("drops failed operations and lets a nil read match anything", () => {
    const text = `[{:process 0 :type :invoke :f :write :value 5}
      {:process 0 :type :fail :f :write :value 5}
      {:process 1 :type :invoke :f :read :value nil}
      {:process 1 :type :ok :f :read :value nil}
      {:process :nemesis :type :info :f :start}
      {:process 1 :type :invoke :f :read :value nil}
      {:process 1 :type :ok :f :read :value 0}]`;
    const parsed = parseHistory(text, { file: "k.edn" });
    expect(parsed.format).toBe("knossos-edn");
    expect(parsed.model.name).toBe("cas-register");
    expect(checkHistory(parsed.events, parsed.model).result).toBe("linearizable");
  });

  it("refuses a string process at its map rather than dropping the operation as the nemesis's", () => {
    const edn = `[{:process 0 :type :invoke :f :write :value 1}
  {:process "p1" :type :invoke :f :write :value 2}]`;
    expect(inputError(() => parseHistory(edn, { file: "k.edn" })).describe()).toBe(
      "k.edn:2:3: expected :process to be an integer or a keyword such as :nemesis",
    );
    const porcupine = '{:process "p1", :type :invoke, :f :get, :key "4", :value nil}';
    expect(
      inputError(() => parseHistory(porcupine, { file: "p.edn", format: "porcupine-kv" })).describe(),
    ).toBe("p.edn:1:1: expected :process to be an integer");
    const json = '[{"type": "invoke", "process": "p1", "f": "write", "value": 1}]';
    expect(inputError(() => parseHistory(json, { file: "h.json" })).describe()).toMatch(
      /^h\.json:1:\d+: event 0: process: .*expected number, received string/,
    );
  });

  it("reads Jepsen 0.3's tagged operation records as their maps, and refuses a # that is no tag", () => {
    const record = (type: string, value: number) =>
      `#jepsen.history.Op{:index 0, :time 1, :type ${type}, :process 0, :f :write, :value ${value}}`;
    const text = [
      record(":invoke", 1),
      record(":ok", 1),
      '{:process 1 :type :invoke :f :read :value nil :at #inst "2020-01-01T00:00:00Z"}',
      "{:process 1 :type :ok :f :read :value 1}",
    ].join("\n");
    const parsed = parseHistory(text, { file: "j.edn" });
    expect(parsed.format).toBe("knossos-edn");
    expect(parsed.events).toHaveLength(4);
    expect(checkHistory(parsed.events, parsed.model).result).toBe("linearizable");
    const stale = text.replace(/:value 1\}$/, ":value 2}");
    expect(checkHistory(parseHistory(stale, { file: "j.edn" }).events, parsed.model).result).toBe(
      "not-linearizable",
    );
    expect(readEdn('["a" #inst "2020-01-01"]')[0]?.value).toEqual(["a", "2020-01-01"]);
    expect(
      inputError(() =>
        parseHistory("[{:process 0 :type :invoke :f :write :value #1}]", { file: "t.edn" }),
      ).describe(),
    ).toBe("t.edn:1:45: '#1' is not a tag (expected #name followed by a value, #{ for a set, or #_)");
  });

  it("checks each :key on its own, integers, strings and keywords apart", () => {
    const history = (readKey: string, readValue: number) => `[
      {:process 0, :type :invoke, :f :write, :key 1, :value 1}
      {:process 0, :type :ok, :f :write, :key 1, :value 1}
      {:process 0, :type :invoke, :f :write, :key 2, :value 2}
      {:process 0, :type :ok, :f :write, :key 2, :value 2}
      {:process 1, :type :invoke, :f :read, :key ${readKey}, :value nil}
      {:process 1, :type :ok, :f :read, :key ${readKey}, :value ${readValue}}]`;
    const verdict = (readKey: string, readValue: number) => {
      const parsed = parseHistory(history(readKey, readValue), { file: "k.edn" });
      return checkHistory(parsed.events, parsed.model).result;
    };
    expect(verdict("1", 1)).toBe("linearizable");
    expect(verdict("1", 2)).toBe("not-linearizable");
    expect(verdict("2", 2)).toBe("linearizable");
    // The string "1" and the keyword :k are other keys, still at Knossos's initial 0.
    expect(verdict('"1"', 1)).toBe("not-linearizable");
    expect(verdict('"1"', 0)).toBe("linearizable");
    expect(verdict(":k", 0)).toBe("linearizable");
    const parsed = parseHistory(history('"1"', 0));
    expect(parsed.events.map((event) => event.key)).toEqual(["1", "1", "2", "2", '"1"', '"1"']);
  });

  it("reads jepsen.independent [key value] tuples as keys, each starting absent", () => {
    const history = (readValue: string) => `
      {:process 0, :type :invoke, :f :cas, :value ["x" [nil 1]]}
      {:process 0, :type :ok, :f :cas, :value ["x" [nil 1]]}
      {:process 0, :type :invoke, :f :write, :value [:y 2]}
      {:process 0, :type :ok, :f :write, :value [:y 2]}
      {:process 1, :type :invoke, :f :cas, :value ["x" [5 6]]}
      {:process 1, :type :fail, :f :cas, :value ["x" [5 6]]}
      {:process 2, :type :invoke, :f :read, :value ["x" nil]}
      {:process 2, :type :ok, :f :read, :value ["x" ${readValue}]}`;
    const verdict = (readValue: string) => {
      const parsed = parseHistory(history(readValue), { file: "i.edn" });
      expect(parsed.model.name).toBe("kv");
      return checkHistory(parsed.events, parsed.model).result;
    };
    expect(verdict("1")).toBe("linearizable");
    expect(verdict("2")).toBe("not-linearizable"); // 2 went to :y, not "x"
    expect(verdict("nil")).toBe("linearizable"); // a read of nil constrains nothing
    const parsed = parseHistory(history("1"));
    expect(parsed.events.map((event) => [event.key, event.value])).toEqual([
      ['"x"', [null, 1]],
      ['"x"', true],
      [":y", 2],
      [":y", 2],
      ['"x"', [5, 6]],
      ['"x"', null],
      ['"x"', null],
      ['"x"', 1],
    ]);
    const untupled = `[{:process 0, :type :invoke, :f :write, :value ["x" 1]}
      {:process 0, :type :ok, :f :write, :value 1}]`;
    expect(inputError(() => parseHistory(untupled, { file: "i.edn" })).describe()).toBe(
      "i.edn:2:7: expected :value to be a [key value] tuple, as every invocation in this history is (jepsen.independent), not 1",
    );
  });

  it("keeps a single register's cas [expected next] a value, not a tuple", () => {
    const casOnly = `[{:process 0, :type :invoke, :f :cas, :value [0 1]}
      {:process 0, :type :ok, :f :cas, :value [0 1]}
      {:process 1, :type :invoke, :f :cas, :value [1 2]}
      {:process 1, :type :ok, :f :cas, :value [1 2]}]`;
    const parsed = parseHistory(casOnly, { file: "c.edn" });
    expect(parsed.model.name).toBe("cas-register");
    expect(parsed.events.map((event) => event.key)).toEqual([null, null, null, null]);
    expect(checkHistory(parsed.events, parsed.model).result).toBe("linearizable");
    const okTrue = `[{:process 0, :type :invoke, :f :cas, :value [0 1]}
      {:process 0, :type :ok, :f :cas, :value true}]`;
    expect(inputError(() => parseHistory(okTrue, { file: "c.edn" })).describe()).toBe(
      "c.edn:2:7: :ok :cas for process 0 gives the value true, its invocation [0 1] (expected [expected next]: a completed cas repeats it, and a cas that found another value is a :fail)",
    );
  });

  it("refuses a completion whose :key is not its invocation's, and a :key that is not a scalar", () => {
    const mismatch = `[{:process 0, :type :invoke, :f :write, :key 1, :value 1}
      {:process 0, :type :ok, :f :write, :key 2, :value 1}]`;
    expect(inputError(() => parseHistory(mismatch, { file: "k.edn" })).describe()).toBe(
      "k.edn:2:7: :ok with :key 2 completes process 0's pending :write of :key 1",
    );
    const vector = "[{:process 0, :type :invoke, :f :write, :key [1], :value 1}]";
    expect(inputError(() => parseHistory(vector, { file: "k.edn" })).describe()).toBe(
      "k.edn:1:2: expected :key to be an integer, a string or a keyword",
    );
  });

  it("refuses a whole-number float, which EDN and Knossos tell from the integer, and a float process or key", () => {
    // Knossos finds a read of 1 after a write of 1.0 not linearizable: (= 1.0 1) is false.
    const history = (
      written: string,
      read: string,
    ) => `[{:process 0, :type :invoke, :f :write, :value ${written}}
 {:process 0, :type :ok, :f :write, :value ${written}}
 {:process 1, :type :invoke, :f :read, :value nil}
 {:process 1, :type :ok, :f :read, :value ${read}}]`;
    const float = (text: string, integer: string) =>
      `:value holds the float ${text}, which EDN and Knossos tell apart from the integer ${integer} but which would compare equal to it here (expected an integer, a string, or a float with a fraction)`;
    expect(inputError(() => parseHistory(history("1.0", "1"), { file: "k.edn" })).describe()).toBe(
      `k.edn:1:2: ${float("1.0", "1")}`,
    );
    expect(inputError(() => parseHistory(history("7", "7e0"), { file: "k.edn" })).describe()).toBe(
      `k.edn:4:2: ${float("7e0", "7")}`,
    );
    const tuples = `[{:process 0, :type :invoke, :f :write, :value ["x" 2.0]}]`;
    expect(inputError(() => parseHistory(tuples, { file: "i.edn" })).describe()).toBe(
      `i.edn:1:2: ${float("2.0", "2")}`,
    );
    const txn = "[{:process 0, :type :invoke, :f :txn, :value [[:write :x 3.0]]}]";
    expect(inputError(() => parseHistory(txn, { file: "t.edn" })).message).toBe(float("3.0", "3"));
    const fraction = parseHistory(history("2.5", "2.5"));
    expect(checkHistory(fraction.events, fraction.model).result).toBe("linearizable");
    // Other fields may hold floats.
    expect(parseHistory("[{:process 0, :type :invoke, :f :write, :value 1, :time 1.0}]").events).toHaveLength(
      1,
    );
    expect(
      inputError(() =>
        parseHistory("[{:process 1.0, :type :invoke, :f :write, :value 1}]", { file: "k.edn" }),
      ).message,
    ).toBe("expected :process to be an integer or a keyword such as :nemesis");
    expect(
      inputError(() =>
        parseHistory("[{:process 1, :type :invoke, :f :write, :key 1.0, :value 1}]", { file: "k.edn" }),
      ).message,
    ).toBe("expected :key to be an integer, a string or a keyword");
  });

  it("checks mutexes", () => {
    const text = `[{:process 0 :type :invoke :f :acquire} {:process 1 :type :invoke :f :acquire}
      {:process 0 :type :ok :f :acquire} {:process 1 :type :ok :f :acquire}]`;
    const parsed = parseHistory(text);
    expect(parsed.model.name).toBe("mutex");
    expect(checkHistory(parsed.events, parsed.model).result).toBe("not-linearizable");
  });
});

describe("native JSON", () => {
  const events = [
    { type: "invoke", process: 0, f: "write", key: "a", value: 1, timeUs: 0 },
    { type: "ok", process: 0, f: "write", key: "a", value: 1, timeUs: 5 },
    { type: "invoke", process: 1, f: "read", key: "a", value: null, timeUs: 6 },
    { type: "ok", process: 1, f: "read", key: "a", value: 1, timeUs: 7 },
  ];

  it("reads an array, a document with a model, and JSON Lines alike", () => {
    const array = parseHistory(JSON.stringify(events, null, 1));
    const document = parseHistory(JSON.stringify({ model: "cas-register", events }));
    const lines = parseHistory(events.map((event) => JSON.stringify(event)).join("\n"));
    expect(array.format).toBe("json");
    expect(array.model.name).toBe("kv");
    expect(document.model.name).toBe("cas-register");
    expect(lines.events).toEqual(array.events);
    for (const parsed of [array, document, lines]) {
      expect(checkHistory(parsed.events, parsed.model).result).toBe("linearizable");
    }
  });

  it("reports the line and column of an invalid event", () => {
    const text =
      '[\n  {"type": "invoke", "process": 0, "f": "read"},\n  {"type": "done", "process": 0, "f": "read"}\n]';
    const error = inputError(() => parseHistory(text, { file: "h.json" }));
    expect(error.describe()).toMatch(/^h\.json:3:3: event 1: type/);
  });

  it("reports a completion without an invocation", () => {
    const error = inputError(() =>
      parseHistory('{"type": "ok", "process": 3, "f": "read", "value": 1}', { file: "h.jsonl" }),
    );
    expect(error.describe()).toContain("h.jsonl:1:1: event 0");
  });

  it("refuses a completion of another function or key than its invocation's, and takes a completion without a key", () => {
    const lines = (completion: object) =>
      `{"type": "invoke", "process": 0, "f": "write", "key": "x", "value": 1}\n${JSON.stringify({ type: "ok", process: 0, value: 1, ...completion })}`;
    const otherFunction = inputError(() => parseHistory(lines({ f: "read", key: "x" }), { file: "h.jsonl" }));
    expect(otherFunction.describe()).toBe(
      `h.jsonl:2:1: event 1: 'ok' read completes process 0's pending write (expected f "write")`,
    );
    const otherKey = inputError(() => parseHistory(lines({ f: "write", key: "y" }), { file: "h.jsonl" }));
    expect(otherKey.describe()).toBe(
      `h.jsonl:2:1: event 1: 'ok' with key "y" completes process 0's pending write of key "x" (expected the invocation's key, or none)`,
    );
    const noKey = parseHistory(lines({ f: "write" }), { file: "h.jsonl" });
    expect(checkHistory(noKey.events, noKey.model).result).toBe("linearizable");
  });

  it("checks an ok write with its completion's value, as the same history in EDN, and refuses an ok write of null", () => {
    const json = [
      '{"type": "invoke", "process": 0, "f": "write", "value": 1}',
      '{"type": "ok", "process": 0, "f": "write", "value": 2}',
      '{"type": "invoke", "process": 1, "f": "read"}',
      '{"type": "ok", "process": 1, "f": "read", "value": 2}',
    ].join("\n");
    const edn = `[{:process 0 :type :invoke :f :write :value 1}
 {:process 0 :type :ok :f :write :value 2}
 {:process 1 :type :invoke :f :read :value nil}
 {:process 1 :type :ok :f :read :value 2}]`;
    for (const text of [json, edn]) {
      const parsed = parseHistory(text);
      expect(checkHistory(parsed.events, parsed.model).result).toBe("linearizable");
    }
    const reads1 = parseHistory(json.replace('"read", "value": 2', '"read", "value": 1'));
    expect(checkHistory(reads1.events, reads1.model).result).toBe("not-linearizable");
    const nullJson = inputError(() =>
      parseHistory(json.replace('"write", "value": 2', '"write", "value": null'), { file: "h.jsonl" }),
    );
    expect(nullJson.describe()).toBe(
      "h.jsonl:2:1: event 1: 'ok' write for process 0 gives the value null, its invocation 1 (expected the value the operation wrote, or no value)",
    );
    const nilEdn = inputError(() =>
      parseHistory(edn.replace(":write :value 2", ":write"), { file: "h.edn" }),
    );
    expect(nilEdn.describe()).toBe(
      "h.edn:2:2: :ok :write for process 0 gives the value nil, its invocation 1 (expected the value the operation wrote)",
    );
  });

  it("reads an object or map back as the same value whatever the order of its keys, in JSON and EDN", () => {
    const json = (read: string, model: string) =>
      `{"model": "${model}", "events": [
  {"type": "invoke", "process": 0, "f": "write", "value": {"a": 1, "b": [{"x": 1, "y": 2}]}},
  {"type": "ok", "process": 0, "f": "write"},
  {"type": "invoke", "process": 1, "f": "read"},
  {"type": "ok", "process": 1, "f": "read", "value": ${read}}]}`;
    const edn = (read: string) => `[{:process 0, :type :invoke, :f :write, :value {:a 1, :b [{:x 1, :y 2}]}}
 {:process 0, :type :ok, :f :write, :value {:a 1, :b [{:x 1, :y 2}]}}
 {:process 1, :type :invoke, :f :read, :value nil}
 {:process 1, :type :ok, :f :read, :value ${read}}]`;
    const verdict = (text: string) => {
      const parsed = parseHistory(text);
      return checkHistory(parsed.events, parsed.model).result;
    };
    for (const model of ["register", "kv"]) {
      expect(verdict(json('{"b": [{"y": 2, "x": 1}], "a": 1}', model))).toBe("linearizable");
      expect(verdict(json('{"b": [{"y": 3, "x": 1}], "a": 1}', model))).toBe("not-linearizable");
    }
    expect(verdict(edn("{:b [{:y 2, :x 1}], :a 1}"))).toBe("linearizable");
    expect(verdict(edn("{:b [{:y 3, :x 1}], :a 1}"))).toBe("not-linearizable");
    // A cas compares the same way.
    const cas = `[{"type": "invoke", "process": 0, "f": "write", "value": {"a": 1, "b": 2}},
 {"type": "ok", "process": 0, "f": "write"},
 {"type": "invoke", "process": 0, "f": "cas", "value": [{"b": 2, "a": 1}, 3]},
 {"type": "ok", "process": 0, "f": "cas", "value": true}]`;
    expect(verdict(cas)).toBe("linearizable");
  });

  it("gives an ok write of no value its invocation's, so that an explanation does not say it returned nil", () => {
    const text = [
      '{"type": "invoke", "process": 0, "f": "write", "value": 1, "timeUs": 0}',
      '{"type": "ok", "process": 0, "f": "write", "timeUs": 10}',
      '{"type": "invoke", "process": 1, "f": "read", "timeUs": 11}',
      '{"type": "ok", "process": 1, "f": "read", "value": null, "timeUs": 20}',
    ].join("\n");
    const parsed = parseHistory(text);
    expect(parsed.events[1]).toMatchObject({ type: "ok", f: "write", value: 1 });
    const result = checkHistory(parsed.events, parsed.model);
    expect(result.result).toBe("not-linearizable");
    expect(result.explanation?.summary).toContain("write(1) → 1 by process 0");
    expect(result.explanation?.summary).not.toContain("→ nil by process 0");
  });

  it("starts the model at a document's initial value, also when the document names no model", () => {
    const read5 = [
      { type: "invoke", process: 0, f: "read" },
      { type: "ok", process: 0, f: "read", value: 5 },
    ];
    const unnamed = parseHistory(JSON.stringify({ initial: 5, events: read5 }));
    expect(unnamed.model.name).toBe("kv");
    expect(checkHistory(unnamed.events, unnamed.model).result).toBe("linearizable");
    const register = parseHistory(JSON.stringify({ initial: 5, events: read5 }), {
      defaultModel: modelByName("register"),
    });
    expect(register.model.name).toBe("register");
    expect(checkHistory(register.events, register.model).result).toBe("linearizable");
    const release = [
      { type: "invoke", process: 0, f: "release" },
      { type: "ok", process: 0, f: "release" },
    ];
    const held = parseHistory(JSON.stringify({ model: "mutex", initial: true, events: release }));
    expect(checkHistory(held.events, held.model).result).toBe("linearizable");
    const free = parseHistory(JSON.stringify({ model: "mutex", events: release }));
    expect(checkHistory(free.events, free.model).result).toBe("not-linearizable");
  });

  it("refuses an initial value the model cannot start from, rather than ignoring it", () => {
    const mutex = inputError(() =>
      parseHistory('{"model": "mutex", "initial": 7, "events": []}', { file: "h.json" }),
    );
    expect(mutex.describe()).toBe(
      "h.json:1:31: initial: the mutex model starts from true (the lock starts held) or false (free), got 7",
    );
    const multi = inputError(() =>
      parseHistory('{"model": "multi-register",\n "initial": 5, "events": []}', { file: "h.json" }),
    );
    expect(multi.describe()).toMatch(
      /^h\.json:2:13: initial: the multi-register model starts from an object of key/,
    );
    const unnamed = inputError(() =>
      parseHistory('{"initial": [1], "events": [{"type": "invoke", "process": 0, "f": "acquire"}]}', {
        file: "h.json",
      }),
    );
    expect(unnamed.message).toMatch(/^initial: the mutex model starts from true/);
    // An event's own `initial` key, earlier in the text, is not the document's.
    const nested = inputError(() =>
      parseHistory(
        '{"model": "mutex", "events": [{"type": "invoke", "process": 0, "f": "acquire", "initial": 1}],\n "initial": 7}',
        { file: "h.json" },
      ),
    );
    expect(nested.describe()).toMatch(/^h\.json:2:13: initial: the mutex model starts from true/);
  });

  it("says when a completion's timeUs puts it before its invocation", () => {
    const text =
      '{"type": "invoke", "process": 0, "f": "write", "value": 1, "timeUs": 10}\n{"type": "ok", "process": 0, "f": "write", "value": 1, "timeUs": 5}';
    const error = inputError(() => parseHistory(text, { file: "h.jsonl" }));
    expect(error.describe()).toBe(
      "h.jsonl:2:1: event 1: 'ok' for process 0 at timeUs 5 comes before its invocation, event 0 at timeUs 10 (expected a completion no earlier than its invocation: events are ordered by timeUs)",
    );
  });

  it("reports broken JSON with a position", () => {
    const error = inputError(() => parseHistory('[{"type": "invoke",,}]', { file: "h.json" }));
    expect(error.line).toBe(1);
    expect(error.message).toContain("invalid JSON");
  });
});

describe("JSON that breaks where JSON.parse names no position", () => {
  const event = (type: string, f: string, value: string) =>
    `{"type": "${type}", "process": 0, "f": "${f}", "value": ${value}}`;

  it("is placed at the line and column where it stops being JSON, not at 1:1", () => {
    // "Unexpected token '}'" and "Unexpected end of JSON input" carry no position.
    const literal = `[\n${event("invoke", "write", "1")},\n${event("ok", "write", "tru")}]`;
    expect(inputError(() => parseHistory(literal, { file: "h.json" })).describe()).toBe(
      "h.json:3:56: invalid JSON (Unexpected token '}')",
    );
    const cut = `[\n${event("invoke", "write", "1")},\n`;
    expect(inputError(() => parseHistory(cut, { file: "h.json" })).describe()).toBe(
      "h.json:3:1: invalid JSON (Unexpected end of JSON input)",
    );
    // A document over several lines whose first line is no value is not JSON Lines.
    const document = `{"model": "kv", "events": [\n  ${event("invoke", "write", "1")}\n  ${event("ok", "write", "1")}\n]}`;
    expect(inputError(() => parseHistory(document, { file: "h.json" })).describe()).toBe(
      "h.json:3:3: invalid JSON (Expected ',' or ']' after array element)",
    );
    const lines = `${event("invoke", "write", "1")}\n${event("ok", "write", "1")}, x`;
    expect(inputError(() => parseHistory(lines, { file: "h.jsonl" })).describe()).toBe(
      "h.jsonl:2:55: invalid JSON (Unexpected non-whitespace character after JSON)",
    );
  });

  it("is placed so in a transactional history too, which is not read as EDN for it", () => {
    const txn = (type: string) =>
      `{"type": "${type}", "process": 0, "f": "txn", "value": [["append", "x", 1]]}`;
    const document = `{"model": "list-append", "events": [\n  ${txn("invoke")},\n  ${txn("ok")}\n  ${txn("invoke")}\n]}`;
    expect(inputError(() => parseTxnHistory(document, "t.json")).describe()).toBe(
      "t.json:4:3: not JSON: Expected ',' or ']' after array element",
    );
    const lines = `${txn("invoke")}\n${txn("ok").replace("1]]", "1]")}`;
    expect(inputError(() => parseTxnHistory(lines, "t.jsonl")).describe()).toBe(
      "t.jsonl:2:70: not JSON: Expected ',' or ']' after array element",
    );
  });

  it("is found where JSON.parse finds it", () => {
    const samples = [
      "[1,2]",
      '{"a":[1,{"b":null}],"c":"x\\u00e9\\n"}',
      "[",
      "[1,]",
      '{"a" 1}',
      '{"a":1,}',
      "[1 2]",
      '"abc',
      '"a\\x"',
      "tru",
      "[01]",
      "-",
      "1e",
      "[]x",
      "{}",
      " 5 ",
      '{"a":"\t"}',
      "[-0.5e+3]",
      "{,}",
      '{"a":1}}',
      "[true,false,null]",
      "[.5]",
      '"\\u12g4"',
    ];
    for (const text of samples) {
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      expect(jsonSyntaxErrorOffset(text) === undefined, text).toBe(valid);
    }
    expect(jsonSyntaxErrorOffset('{"a": [1, 2}')).toBe(11);
    expect(jsonSyntaxErrorOffset('{"a": nul}')).toBe(9);
  });
});

describe("the JSON token walker", () => {
  // Brackets and quotes inside strings, escaped ones among them, are no tokens.
  const text = '[{"a": "[{\\"}", "b": [1, {"c": "x\\\\"}]},\n {"d": "]"}, [{"e": 2}]]';

  it("gives each bracket its offset, line and column, past the brackets and quotes in strings", () => {
    const opened: string[] = [];
    let closed = 0;
    walkJsonText(text, {
      open: (object, start, line, lineStart) =>
        opened.push(`${object ? "{" : "["} ${start} ${line}:${start - lineStart + 1}`),
      close: () => closed++,
    });
    expect(opened).toEqual([
      "[ 0 1:1",
      "{ 1 1:2",
      "[ 21 1:22",
      "{ 25 1:26",
      "{ 42 2:2",
      "[ 54 2:14",
      "{ 55 2:15",
    ]);
    expect(closed).toBe(opened.length);
  });

  it("starts at an offset with that offset's line, as a walk from the start would have it", () => {
    const fromStart: string[] = [];
    const fromSecondLine: string[] = [];
    const record = (into: string[]) => (_object: boolean, start: number, line: number, lineStart: number) =>
      into.push(`${start} ${line}:${start - lineStart + 1}`);
    walkJsonText(text, { open: record(fromStart) });
    walkJsonText(text, { open: record(fromSecondLine) }, text.indexOf("\n") + 1);
    expect(fromSecondLine).toEqual(fromStart.slice(4));
  });

  it("finds the objects that are an array's elements, at the depth asked", () => {
    expect(elementOffsets(text, 1)).toEqual([1, 42]);
    expect(elementOffsets(text, 2)).toEqual([55]);
    expect(elementOffsets('{"events": [{"a": "{"}, {"b": [{}]}]}', 2)).toEqual([12, 24]);
  });
});

describe("format detection", () => {
  it("tells the formats apart by content", () => {
    expect(detectFormat("INFO  jepsen.util - 0\t:invoke\t:read\tnil")).toBe("porcupine-etcd");
    expect(detectFormat('{:process 0, :type :invoke, :f :get, :key "1", :value nil}')).toBe("porcupine-kv");
    expect(detectFormat("; comment\n[{:process 0 :type :invoke :f :read}]")).toBe("knossos-edn");
    expect(detectFormat("({:type :invoke, :f :read, :process 0})")).toBe("knossos-edn");
    expect(detectFormat('[{"type": "invoke"}]')).toBe("json");
    expect(detectFormat('{"type": "invoke", "process": 0}')).toBe("json");
    expect(detectFormat("hello")).toBeUndefined();
  });

  it("reads comments and nothing else, as standard input has no extension to go by, as an empty EDN history", () => {
    expect(detectFormat("; no operations were recorded\n;; none at all\n")).toBe("knossos-edn");
    const parsed = parseHistory("; no operations were recorded\n", { file: "/dev/stdin" });
    expect(parsed.format).toBe("knossos-edn");
    expect(checkHistory(parsed.events, parsed.model).result).toBe("linearizable");
    expect(detectFormat("  \n", "/dev/stdin")).toBe("json");
    expect(detectFormat("; c\n", "e.log")).toBe("porcupine-etcd");
  });

  it("says which format a file looks like when the one --format gives cannot read it", () => {
    const json = '[{"type":"invoke","process":0,"f":"write","value":1,"timeUs":0}]\n';
    expect(() => parseHistory(json, { file: "h.json", format: "knossos-edn" })).toThrow(
      new InputError(
        "a keyword needs a name (read as knossos-edn, as --format says; the file looks like json: give --format json, or leave --format out to tell by the content)",
        { file: "h.json", line: 1, column: 9 },
      ),
    );
    const edn = "{:type :invoke :process 0 :f :write :value 1}\n";
    expect(() => parseHistory(edn, { file: "h.edn", format: "json" })).toThrow(
      /the file looks like knossos-edn/,
    );
    // A file of the format given keeps its own message.
    expect(() => parseHistory('[{"type":"invoke"}', { file: "h.json", format: "json" })).toThrow(
      /^invalid JSON \([^)]*\)$/,
    );
  });

  it("reads an empty file as an empty history", () => {
    const parsed = parseHistory("", { file: "etcd_095.log" });
    expect(parsed.events).toEqual([]);
    expect(checkHistory(parsed.events, parsed.model).result).toBe("linearizable");
  });
});

describe("integers beyond ±(2^53 − 1)", () => {
  const message = (literal: string) =>
    `integer ${literal} is beyond ±2^53−1 and cannot be compared exactly; write it as a string`;

  it("are refused where they are written in EDN, not rounded into another value", () => {
    const text = `[{:process 0, :type :invoke, :f :write, :value 99999999999999999999999999999}
 {:process 0, :type :ok, :f :write, :value 99999999999999999999999999999}
 {:process 1, :type :invoke, :f :read, :value nil}
 {:process 1, :type :ok, :f :read, :value 99999999999999999999999999998}]`;
    const error = inputError(() => parseHistory(text, { file: "k.edn" }));
    expect(error.describe()).toBe(`k.edn:1:48: ${message("99999999999999999999999999999")}`);
    expect(inputError(() => readEdn("[1 -9007199254740992N]")).message).toBe(message("-9007199254740992N"));
    expect(readEdn("[9007199254740991 -9007199254740991]")[0]!.value).toEqual([
      9007199254740991, -9007199254740991,
    ]);
  });

  it("are refused in JSON, which JSON.parse would round, at the number's line and column", () => {
    const text = `{"model": "register", "events": [
  {"type": "invoke", "process": 0, "f": "write", "value": 9007199254740993, "timeUs": 1},
  {"type": "ok", "process": 0, "f": "write", "value": 9007199254740993, "timeUs": 2},
  {"type": "invoke", "process": 1, "f": "read", "value": null, "timeUs": 3, "error": "12345678901234567890"},
  {"type": "ok", "process": 1, "f": "read", "value": 9007199254740992, "timeUs": 4}]}`;
    const error = inputError(() => parseHistory(text, { file: "h.json" }));
    expect(error.describe()).toBe(`h.json:2:59: ${message("9007199254740993")}`);
    const lines =
      '{"type": "invoke", "process": 0, "f": "write", "value": 1}\n{"type": "ok", "process": 1e16, "f": "write"}';
    expect(inputError(() => parseHistory(lines, { file: "h.jsonl" })).describe()).toBe(
      `h.jsonl:2:27: ${message("1e16")}`,
    );
  });

  it("are refused in JSON beyond the largest double, which JSON.parse reads as Infinity", () => {
    const infinite = (literal: string) =>
      `number ${literal} is beyond the largest JavaScript can hold (about 1.8e308) and would read as Infinity; write it as a string`;
    // 1e400 and 2e400 would both read as Infinity, and the read would match the write.
    const text = `[{"type": "invoke", "process": 0, "f": "write", "value": 1e400},
 {"type": "ok", "process": 0, "f": "write"},
 {"type": "invoke", "process": 1, "f": "read"},
 {"type": "ok", "process": 1, "f": "read", "value": 2e400}]`;
    expect(inputError(() => parseHistory(text, { file: "h.json" })).describe()).toBe(
      `h.json:1:58: ${infinite("1e400")}`,
    );
    const digits = `-1${"0".repeat(400)}`;
    const lines = `{"type": "invoke", "process": 0, "f": "write", "value": 1, "timeUs": ${digits}}`;
    expect(inputError(() => parseHistory(lines, { file: "h.jsonl" })).describe()).toBe(
      `h.jsonl:1:70: ${infinite(digits)}`,
    );
    const txn = `{"model": "list-append", "events": [
  {"type": "invoke", "process": 0, "f": "txn", "value": [["append", "x", 1]], "timeUs": 1E999}]}`;
    expect(inputError(() => parseTxnHistory(txn, "t.json")).describe()).toBe(
      `t.json:2:89: ${infinite("1E999")}`,
    );
    expect(
      parseHistory('[{"type": "invoke", "process": 0, "f": "write", "value": 2.5e-300}]').events,
    ).toHaveLength(1);
  });

  it("are refused in etcd logs", () => {
    const log = [
      "INFO  jepsen.util - 3\t:invoke\t:write\t99999999999999999999",
      "INFO  jepsen.util - 3\t:ok\t:write\t99999999999999999999",
    ].join("\n");
    expect(inputError(() => parseHistory(log, { file: "e.log" })).describe()).toBe(
      `e.log:1:38: ${message("99999999999999999999")}`,
    );
    const cas = "INFO  jepsen.util - 12345678901234567890\t:invoke\t:cas\t[1 2]";
    expect(inputError(() => parseHistory(cas, { file: "e.log" })).describe()).toBe(
      `e.log:1:21: ${message("12345678901234567890")}`,
    );
  });
});

describe("deeply nested values", () => {
  const message = "nesting deeper than 1000 levels (expected a history's few levels of lists and maps)";
  const nested = (levels: number, open = "[", close = "]") =>
    `${open.repeat(levels)}1${close.repeat(levels)}`;

  it("are refused by the EDN reader at the collection that goes too deep, not with a stack overflow", () => {
    const text = `[{:process 0, :type :invoke, :f :write, :value ${nested(5000)}}]`;
    expect(inputError(() => parseHistory(text, { file: "k.edn" })).describe()).toBe(
      `k.edn:1:1046: ${message}`,
    );
    expect(readEdn(nested(1000))[0]!.value).toBeDefined();
    expect(inputError(() => readEdn(`\n ${nested(1001, "(", ")")}`, "v.edn")).describe()).toBe(
      `v.edn:2:1002: ${message}`,
    );
  });

  it("are refused in JSON at the bracket that goes too deep, in an event's value and in initial", () => {
    const event = (value: string) => `{"type": "invoke", "process": 0, "f": "write", "value": ${value}}`;
    const array = `[\n${event(nested(5000))}]`;
    expect(inputError(() => parseHistory(array, { file: "h.json" })).describe()).toBe(
      `h.json:2:1057: ${message}`,
    );
    const lines = `${event("1")}\n${event(`{"a": ${nested(5000)}}`)}`;
    expect(inputError(() => parseHistory(lines, { file: "h.jsonl" })).describe()).toBe(
      `h.jsonl:2:1062: ${message}`,
    );
    const initial = `{"model": "register", "initial": ${nested(3000)}, "events": []}`;
    expect(inputError(() => parseHistory(initial, { file: "h.json" })).describe()).toBe(
      `h.json:1:1034: ${message}`,
    );
    expect(parseHistory(`[${event(nested(999))}]`).events).toHaveLength(1);
  });
});

describe("JSON objects that give a key twice", () => {
  it("are refused at the key given again, rather than read as its last value", () => {
    const text =
      '[{"type": "invoke", "process": 0, "f": "write", "value": 1},\n {"type": "ok", "process": 0, "f": "write", "value": 1, "value" : 2}]';
    expect(inputError(() => parseHistory(text, { file: "h.json" })).describe()).toBe(
      'h.json:2:57: an object gives the key "value" twice (expected each key once)',
    );
    const escaped = '{"type": "invoke", "process": 0, "f": "write", "value": {"a\\u0062": 1, "ab": 2}}';
    expect(inputError(() => parseHistory(escaped, { file: "h.jsonl" })).message).toBe(
      'an object gives the key "ab" twice (expected each key once)',
    );
    const document = '{"model": "list-append", "model": "rw-register", "events": []}';
    expect(inputError(() => parseTxnHistory(document, "t.json")).describe()).toBe(
      't.json:1:26: an object gives the key "model" twice (expected each key once)',
    );
    const wide = Array.from({ length: 100 }, (_, index) => `"k${index}": ${index}`).join(", ");
    const wideText = `[{"type": "invoke", "process": 0, "f": "write", "value": {${wide}, "k40": 0}}]`;
    expect(inputError(() => parseHistory(wideText)).message).toBe(
      'an object gives the key "k40" twice (expected each key once)',
    );
    expect(parseHistory(wideText.replace(', "k40": 0', "")).events).toHaveLength(1);
    // The same key in different objects, nested or side by side, and a key-like string value.
    const fine =
      '[{"type": "invoke", "process": 0, "f": "write", "value": {"a": {"a": 1}, "b": [{"a": 1}, {"a": "a"}]}}]';
    expect(parseHistory(fine).events).toHaveLength(1);
  });
});

describe("large JSON histories", () => {
  it("parse in time that grows with their length, not its square", () => {
    const events: object[] = [];
    for (let index = 0; index < 20_000; index++) {
      events.push({ type: "invoke", process: index % 8, f: "write", key: `k${index % 50}`, value: index });
      events.push({ type: "ok", process: index % 8, f: "write", key: `k${index % 50}`, value: index });
    }
    const lines = JSON.stringify(events).replaceAll("},{", "},\n{");
    expect(parseHistory(lines, { file: "big.json" }).events).toHaveLength(40_000);
    const transactions = JSON.stringify({
      model: "list-append",
      events: events.map((event, index) => ({
        type: (event as { type: string }).type,
        process: index % 2 === 0 ? index : index - 1,
        value: [["append", "x", index >> 1]],
      })),
    }).replaceAll("},{", "},\n{");
    expect(parseTxnHistory(transactions, "big.json").transactions).toHaveLength(20_000);
    // Placing each event by walking the text from its start took minutes here, past the suite's
    // time limit for a test; placed by a search over line starts, it takes a fraction of a second.
  });
});
