/**
 * A module's declarations of roles, log and strip are checked when it is loaded: a misspelt log
 * form or field, a leading role that is no role, a colour for no role and an accessor that is not
 * a function are each one line naming the field, and so is a field a letter or two from a
 * protocol field's. Every built-in protocol's declarations pass the same checks.
 */
import { describe, expect, it } from "vitest";
import { protocols } from "../../protocols/index.js";
import { isModelName } from "../../sim/check/models/index.js";
import { InputError } from "../../sim/errors.js";
import { checkProtocol } from "../../sim/protocol-check.js";

/** A module's protocol with `fields` added. */
function moduleWith(fields: Record<string, unknown>): unknown {
  return {
    name: "declared",
    create: () => ({ onMessage() {} }),
    client: { operations: { read: 1, write: 1 }, model: "register" },
    ...fields,
  };
}

function problems(fields: Record<string, unknown>): string[] {
  try {
    checkProtocol(moduleWith(fields), "declared.mjs");
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message.split("\n").map((line) => line.replace(/^declared\.mjs: /, ""));
  }
  return [];
}

const roles = {
  names: ["leader", "follower"],
  leading: ["leader"],
  roleOf: (node: { role: string }) => node.role,
};

describe("a module's roles, log and strip", () => {
  it("are taken as declared when they are right", () => {
    expect(
      problems({
        roles: { ...roles, colours: { leader: "#ffb74d" }, termOf: () => 1 },
        log: { forms: [{ field: "logTerms", form: "term-starts" }], lastIndexField: "lastIndex" },
        strip: { sources: [{ field: "log", firstWord: true }], colours: { commit: "#81c784" } },
      }),
    ).toEqual([]);
  });

  const mistakes: ReadonlyArray<readonly [string, Record<string, unknown>, string]> = [
    [
      "a misspelt log form",
      { log: { forms: [{ field: "log", form: "term-stars" }], lastIndexField: "last" } },
      'log.forms.0.form: expected one of "entries", "term-starts", "term-runs", got "term-stars"; did you mean \'term-starts\'?',
    ],
    [
      "a term-starts log without its last index",
      { log: { forms: [{ field: "logTerms", form: "term-starts" }] } },
      "log.forms.0: a term-starts log needs log.lastIndexField, the description field with its last index",
    ],
    [
      "a misspelt strip field",
      { strip: { sources: [{ fld: "log" }] } },
      "strip.sources.0: unknown key 'fld' (allowed: field, firstWord)",
    ],
    [
      "a leading role that is no role",
      { roles: { ...roles, leading: ["leder"] } },
      "roles.leading.0: 'leder' is not one of roles.names; did you mean 'leader'?",
    ],
    [
      "a colour for no role",
      { roles: { ...roles, colours: { leadr: "#fff" } } },
      "roles.colours.leadr: 'leadr' is not one of roles.names; did you mean 'leader'?",
    ],
    [
      "a role accessor that is not a function",
      { roles: { ...roles, roleOf: "role" } },
      "roles.roleOf: expected a function",
    ],
    [
      "a misspelt roles field",
      { roles: { ...roles, leader: ["leader"] } },
      "roles: unknown key 'leader' (allowed: names, leading, colours, roleOf, termOf, groupOf)",
    ],
  ];

  for (const [what, fields, line] of mistakes) {
    it(`refuse ${what}, in one line naming the field`, () => {
      expect(problems(fields)).toContain(line);
    });
  }
});

describe("a module's client operations", () => {
  it("are ones its history model knows, checked when the module loads", () => {
    expect(problems({ client: { operations: { read: 1, write: 1, cas: 1 }, model: "register" } })).toEqual([
      "client.operations.cas: the register model has no 'cas' (its operations: read, write, get, put)",
    ]);
    expect(problems({ client: { operations: { aquire: 1, release: 1 }, model: "mutex" } })).toEqual([
      "client.operations.aquire: the mutex model has no 'aquire'; did you mean 'acquire'? (its operations: acquire, release)",
    ]);
    expect(
      problems({ client: { operations: { read: 1, write: 1, cas: 1 }, model: "cas-register" } }),
    ).toEqual([]);
  });
});

describe("a module's own fields", () => {
  it("are kept, unless a name is a letter or two from a protocol field's", () => {
    expect(problems({ homepage: "https://example.org", replicas: 3 })).toEqual([]);
    expect(problems({ invariant: [], bug: [] })).toEqual([
      "invariant: not a field of a protocol; did you mean 'invariants'? (a module's own data takes a name no protocol field is close to)",
      "bug: not a field of a protocol; did you mean 'bugs'? (a module's own data takes a name no protocol field is close to)",
    ]);
  });
});

describe("a module's timers", () => {
  it("are names, and the fields that name timers name declared ones", () => {
    expect(problems({ timers: ["tick", "election"], electionTimer: "election" })).toEqual([]);
    expect(problems({ timers: ["tick", ""] })).toEqual(["timers.1: expected a non-empty string"]);
    expect(problems({ timers: "tick" })).toEqual(['timers: expected a list, got "tick"']);
    expect(
      problems({
        timers: ["tick", "election"],
        electionTimer: "electon",
        explore: { timers: ["tick", "tock"] },
        bugs: [
          {
            name: "early",
            summary: "fires early",
            breaks: ["kv.linearizable"],
            change: "fires early",
            source: "none",
            explore: { timers: ["tik"] },
          },
        ],
      }),
    ).toEqual([
      "electionTimer: 'electon' is not one of timers; did you mean 'election'?",
      "explore.timers.1: 'tock' is not one of timers; did you mean 'tick'?",
      "bugs.0.explore.timers.0: 'tik' is not one of timers; did you mean 'tick'?",
    ]);
    // Undeclared, any name goes.
    expect(problems({ electionTimer: "anything", explore: { timers: ["tock"] } })).toEqual([]);
  });
});

describe("the built-in protocols' declarations", () => {
  for (const [name, protocol] of protocols) {
    it(`${name}'s roles, log and strip pass the checks a module's do, and so do its client operations and timers`, () => {
      const { roles, log, strip, client, timers, electionTimer, explore } = protocol;
      expect(problems({ roles, log, strip })).toEqual([]);
      expect(problems({ timers, electionTimer, explore })).toEqual([]);
      // A model a module may name: the client's operations are ones it knows.
      if (client?.model !== undefined && isModelName(client.model)) expect(problems({ client })).toEqual([]);
    });
  }
});

describe("a module that checks nothing", () => {
  it("is warned that runs check only exceptions, and with a leading role, the leader under --liveness", () => {
    const bare = { name: "bare", create: () => ({ onMessage() {} }) };
    expect(checkProtocol(bare, "bare.mjs").warnings).toEqual([
      "no invariants and no client.model: runs check nothing but exceptions",
    ]);
    expect(checkProtocol({ ...bare, roles }, "bare.mjs").warnings).toEqual([
      "no invariants and no client.model: runs check nothing but exceptions, and under --liveness that a leader is elected",
    ]);
  });
});
