/**
 * A protocol author's mistakes, tried as a user makes them: modules and scenarios written to a
 * temporary folder, the built command (`node dist/cli/main.js`) run on them. Each mistake gets
 * one clear line and exit code 2 (a throwing handler: exit 1 and a counterexample that replays
 * to the same trace hash), never a stack trace and never exit code 70.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const main = join(root, "dist", "cli", "main.js");
let folder = "";

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), "quorumlab-mistakes-"));
});

function quorumlab(...args: string[]) {
  const result = spawnSync(process.execPath, [main, ...args], {
    cwd: folder,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function write(file: string, text: string): string {
  writeFileSync(join(folder, file), text);
  return file;
}

/** A module whose node runs `body` (JavaScript) when a client request arrives. */
function moduleWith(
  file: string,
  fields: string,
  onRequest = "ctx.reply(request, { status: 'ok', value: null });",
) {
  return write(
    file,
    `export const protocol = {
  name: ${JSON.stringify(file.replace(/\.\w+$/, ""))},
  create: (ctx) => ({ onClientRequest(request) { ${onRequest} } }),
  client: { operations: { read: 1, write: 1 }, model: "register" },
  ${fields}
};
`,
  );
}

/** One line on stderr, exit 2, no stack trace. */
function expectOneLineError(result: ReturnType<typeof quorumlab>, pattern: RegExp): void {
  expect(result.status, result.stderr + result.stdout).toBe(2);
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toMatch(/internal error/);
}

describe("module mistakes", () => {
  it("a module without bugs, summary, defaultNodes or parseOptions runs with the defaults", () => {
    const file = write("bare.mjs", `export const protocol = { name: "bare", create: () => ({}) };\n`);
    const result = quorumlab("fuzz", file, "--runs", "20", "--seed", "1");
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/no violation in 20 runs/);
  });

  it("parseOptions that returns nothing", () => {
    const file = moduleWith("no-options.mjs", "parseOptions: () => undefined,");
    expectOneLineError(
      quorumlab("fuzz", file, "--runs", "5"),
      /no-options\.mjs: parseOptions: returned undefined/,
    );
  });

  it("parseOptions that refuses the bugs option, for every command that turns a bug on", () => {
    const file = moduleWith(
      "strict-options.mjs",
      `parseOptions(options) {
    const unknown = Object.keys(options).filter((key) => key !== "n");
    if (unknown.length > 0) throw new Error(\`unknown option '\${unknown[0]}'\`);
    return options;
  },
  bugs: [{ name: "forget", change: "forgets", breaks: ["exception"], source: "here" }],`,
    );
    const refused =
      /^error: strict-options\.mjs: parseOptions: refused \{bugs: \["forget"\]\} \(threw: unknown option 'bugs'\); commands pass options\.bugs to turn a deliberate bug on, so parseOptions must accept bugs and pass it through\n$/;
    expectOneLineError(quorumlab("fuzz", file, "--bug", "forget", "--runs", "5"), refused);
    expectOneLineError(quorumlab("mutants", file, "--time-per", "1s"), refused);
    expectOneLineError(quorumlab("explore", file, "--nodes", "1", "--bug", "forget"), refused);
  });

  it("parseOptions that refuses two bugs together, named with the flags that asked for them", () => {
    const file = moduleWith(
      "lonely-bugs.mjs",
      `parseOptions(options) {
    if ((options.bugs ?? []).length > 1) throw new Error("one bug at a time");
    return options;
  },
  bugs: [
    { name: "forget", change: "forgets", breaks: ["exception"], source: "here" },
    { name: "repeat", change: "repeats", breaks: ["exception"], source: "here" },
  ],`,
    );
    expectOneLineError(
      quorumlab("fuzz", file, "--bug", "forget", "--bug", "repeat", "--runs", "5"),
      /^error: --bug forget --bug repeat: lonely-bugs's parseOptions refused \{bugs: \["forget","repeat"\]\}: one bug at a time\n$/,
    );
  });

  it("node counts with a reason load, and the reason is shown when a size is refused", () => {
    const file = write(
      "one-node.mjs",
      `export const protocol = {
  name: "one-node",
  create: () => ({}),
  defaultNodes: 1,
  nodeCounts: { min: 1, max: 1, reason: "one node" },
};
`,
    );
    const fine = quorumlab("fuzz", file, "--runs", "5", "--seed", "1");
    expect(fine.status, fine.stderr).toBe(0);
    expect(fine.stdout).toMatch(/1\.\.1 nodes/);
    // explore takes the protocol's own size when it runs on none from 3.
    const explored = quorumlab("explore", file, "--time", "3s");
    expect(explored.status, explored.stderr).toBe(0);
    expect(explored.stdout).toMatch(/^exploring one-node: 1 node,/m);
    expectOneLineError(
      quorumlab("fuzz", file, "--nodes", "2", "--runs", "5"),
      /^error: --nodes 2\.\.2: one-node supports exactly 1 node \(one node\), got 2$/m,
    );
  });

  it("an unknown history model, with a suggestion", () => {
    const file = write(
      "bad-model.mjs",
      `export const protocol = { name: "bad-model", create: () => ({}), client: { operations: { read: 1 }, model: "registr" } };\n`,
    );
    expectOneLineError(
      quorumlab("fuzz", file, "--runs", "5"),
      /bad-model\.mjs: client\.model: unknown history model 'registr'; did you mean 'register'\?/,
    );
  });

  it("a history model with no client operations", () => {
    const file = write(
      "no-ops.mjs",
      `export const protocol = { name: "no-ops", create: () => ({}), client: { operations: {}, model: "kv" } };\n`,
    );
    expectOneLineError(quorumlab("fuzz", file, "--runs", "5"), /no-ops\.mjs: client\.operations: empty/);
  });

  it("fields of the wrong type, one line each", () => {
    const file = write(
      "wrong.mjs",
      `export const protocol = { name: "wrong", defaultNodes: "3", bugs: {} };\n`,
    );
    const result = quorumlab("fuzz", file, "--runs", "5");
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/wrong\.mjs: defaultNodes: expected a number, got "3"/);
    expect(result.stderr).toMatch(/\nwrong\.mjs: create: missing, expected a function/);
    expect(result.stderr).toMatch(/\nwrong\.mjs: bugs: expected a list, got \{\}/);
  });

  it("schema mistakes in words: the key meant, the bound, and the value got", () => {
    const cases: ReadonlyArray<readonly [string, string, string]> = [
      [
        "crsh.mjs",
        "explore: { faults: { crsh: 1 } },",
        "explore.faults: unknown key 'crsh'; did you mean 'crash'? (allowed: drop, duplicate, crash, timeouts, drift, isolate)",
      ],
      ["zero.mjs", "defaultNodes: 0,", "defaultNodes: expected a whole number of at least 1, got 0"],
      ["half.mjs", "defaultNodes: 2.5,", "defaultNodes: expected a whole number, got 2.5"],
      [
        "safty.mjs",
        `invariants: [{ name: "x", statement: "", source: "", kind: "safty", create: () => ({}) }],`,
        `invariants.0.kind: expected one of "safety", "liveness", got "safty"; did you mean 'safety'?`,
      ],
      [
        "negative.mjs",
        "fuzz: { options: { fast: [] } },",
        "fuzz.options.fast: expected a list of at least 1 item, got 0 items",
      ],
    ];
    for (const [file, fields, line] of cases) {
      const result = quorumlab("fuzz", moduleWith(file, fields), "--runs", "1");
      expect(result.status, result.stderr).toBe(2);
      expect(result.stderr).toContain(`error: ${file}: ${line}\n`);
    }
  });

  it("fuzz hints' nodes is a range [min, max]: a list of sizes, or a range turned round, is named as such", () => {
    for (const [file, nodes] of [
      ["list.mjs", "[3, 5, 7]"],
      ["round.mjs", "[5, 3]"],
      ["one.mjs", "[1]"],
    ] as const) {
      expectOneLineError(
        quorumlab("fuzz", moduleWith(file, `fuzz: { nodes: ${nodes} },`), "--runs", "5"),
        new RegExp(
          `^error: ${file.replace(".", "\\.")}: fuzz\\.nodes: expected \\[min, max\\], the range of cluster sizes to fuzz .*, got ${nodes.replace(/ /g, "").replace(/[[\]]/g, "\\$&")}$`,
          "m",
        ),
      );
    }
    const single = quorumlab("fuzz", moduleWith("single.mjs", "fuzz: { nodes: [1, 1] },"), "--runs", "2");
    // Accepted: the campaign runs on one node (the probe answers reads wrongly, so it finds that).
    expect(single.stderr).not.toMatch(/error:/);
    expect(single.stdout).toContain("1..1 nodes");
  });

  it("explore hints may budget every fault explore knows, drift and isolate included", () => {
    const file = moduleWith("hinted.mjs", "explore: { faults: { drift: 1, isolate: 1 } },");
    const result = quorumlab("explore", file, "--nodes", "2", "--depth", "2");
    expect(result.status, result.stderr).toBe(3);
    expect(result.stdout).toContain("drift=1,isolate=1");
    const wrong = moduleWith("misspelt.mjs", "explore: { faults: { isolation: 1 } },");
    expect(quorumlab("explore", wrong, "--nodes", "2", "--depth", "2").stderr).toMatch(
      /misspelt\.mjs: explore\.faults: unknown key 'isolation'; did you mean 'isolate'\? \(allowed: drop, duplicate, crash, timeouts, drift, isolate\)/,
    );
  });

  it("a module that does not parse is named with the line and column of the mistake, JavaScript or TypeScript", () => {
    for (const file of ["unparsable.mjs", "unparsable.ts"]) {
      write(
        file,
        `export const protocol = {\n  name: "unparsable",\n  create: (ctx) => ({ onMessage( }),\n};\n`,
      );
      expectOneLineError(
        quorumlab("fuzz", file, "--runs", "5"),
        new RegExp(
          `^error: ${file.replace(".", "\\.")}:3:34: cannot load the protocol module: Expected identifier but found "}"$`,
          "m",
        ),
      );
    }
  });

  it("a module whose own import is missing says so, and does not call the module missing", () => {
    const file = write(
      "imports-missing.mjs",
      `import "./not-written-yet.mjs";\nexport const protocol = { name: "imports-missing", create: () => ({}) };\n`,
    );
    expectOneLineError(
      quorumlab("explore", file, "--depth", "2"),
      /^error: imports-missing\.mjs: cannot load the protocol module: Cannot find module '.*not-written-yet\.mjs' imported from /m,
    );
  });

  it("a module that throws at top level is named with the line and column of the throw", () => {
    const throwing = `function boom() {\n  throw new Error("top-level boom");\n}\nboom();\nexport const protocol = { name: "top", create: () => ({}) };\n`;
    const file = write("top-throw.mjs", throwing);
    expectOneLineError(
      quorumlab("fuzz", file, "--runs", "5"),
      /^error: top-throw\.mjs:2:9: cannot load the protocol module: top-level boom\n$/,
    );
    // A throw in a file the module imports is named there.
    write("top-dependency.mjs", throwing);
    const importing = write(
      "imports-throwing.mjs",
      `import "./top-dependency.mjs";\nexport const protocol = { name: "importing", create: () => ({}) };\n`,
    );
    expectOneLineError(
      quorumlab("fuzz", importing, "--runs", "5"),
      /^error: imports-throwing\.mjs: cannot load the protocol module: top-level boom \(at top-dependency\.mjs:2:9\)\n$/,
    );
  });

  it("a missing client.model is a warning, not silence", () => {
    const file = write(
      "unchecked.mjs",
      `export const protocol = { name: "unchecked", create: (ctx) => ({ onClientRequest(r) { ctx.reply(r, { status: "ok", value: null }); } }), client: { operations: { read: 1 } } };\n`,
    );
    const result = quorumlab("fuzz", file, "--runs", "5");
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/warning: unchecked\.mjs: client\.model is not set/);
  });
});

describe("determinism", () => {
  for (const [call, code] of [
    ["Math.random()", "Math.random();"],
    ["Date.now()", "Date.now();"],
    ["new Date()", "new Date();"],
    ["setTimeout()", "setTimeout(() => {}, 10);"],
  ] as const) {
    it(`a handler that calls ${call} is stopped with one line naming the handler`, () => {
      const file = moduleWith(
        `uses-${call.replace(/\W/g, "")}.mjs`,
        "",
        `${code} ctx.reply(request, { status: "ok" });`,
      );
      const result = quorumlab("fuzz", file, "--runs", "20", "--seed", "1");
      expectOneLineError(
        result,
        new RegExp(`n\\d onClientRequest called ${call.replace(/[().]/g, "\\$&")}: .*use ctx\\.`),
      );
    });
  }

  it("explore stops a handler that calls Date.now() the same way, in one thread, in two, and with dfs in its worker thread", () => {
    const file = moduleWith(
      "explored-clock.mjs",
      "",
      `Date.now(); ctx.reply(request, { status: "ok", value: null });`,
    );
    for (const how of [
      ["--workers", "1"],
      ["--workers", "2"],
      ["--strategy", "dfs"],
    ]) {
      const result = quorumlab("explore", file, "--nodes", "2", ...how, "--time", "30s");
      expectOneLineError(
        result,
        /^error: explored-clock\.mjs: n\d onClientRequest called Date\.now\(\): .*use ctx\.now\(\)/m,
      );
    }
  });

  it("state kept between runs at module level that shows in a counterexample is reported as nondeterminism, in text and --json, with where the runs part", () => {
    // Every run starts the counter where the last one left it: a counterexample would not replay.
    const file = moduleWith(
      "leaky.mjs",
      "",
      `globalThis.leakyCount = (globalThis.leakyCount ?? 0) + 1;
       if (request.f === "write") throw new Error("write number " + globalThis.leakyCount);
       ctx.reply(request, { status: "ok", value: null });`,
    );
    const campaign = [
      "fuzz",
      file,
      "--runs",
      "200",
      "--seed",
      "1",
      "--shrink-time",
      "5s",
      "--out",
      "leaky-out",
    ];
    // The counterexample is run twice before it is saved: the two runs part, reported as a
    // sampled run's are, with no replay command for a file that would not replay.
    const text = quorumlab(...campaign);
    expect(text.status, text.stderr).toBe(2);
    expect(text.stdout).toMatch(
      /✗ NONDETERMINISM in the counterexample of run \d+\n {2}nondeterminism: two runs of the same scenario and seed differ at event \d+ .*write number \d+/,
    );
    expect(text.stdout).toMatch(
      / {2}counterexample: leaky-out\/leaky-exception-\w+\.yaml \(it does not replay\)/,
    );
    expect(text.stdout).toMatch(
      /violation of exception in run \d+ \(after .*\), which says nothing while the same run can differ/,
    );
    expect(text.stdout).not.toMatch(/replay:|✓/);
    expect(text.stderr).not.toMatch(/error:/);
    const json = quorumlab(...campaign, "--json");
    expect(json.status, json.stderr).toBe(2);
    const outcome = JSON.parse(json.stdout);
    expect(outcome).toMatchObject({ schemaVersion: 1, violations: 0, counterexample: null });
    expect(outcome.nondeterminism).toMatchObject({
      kind: "counterexample",
      invariant: "exception",
      file: expect.stringMatching(/^leaky-out\/leaky-exception-\w+\.yaml$/),
      line: expect.any(Number),
      event: expect.any(Number),
    });
    expect(outcome.nondeterminism.first).not.toBe(outcome.nondeterminism.second);
  });

  it("a campaign whose sampled run did not replay gives no check mark, even with no violation", () => {
    // The count leaks into messages only: reads of a never-written register pass every check,
    // but no run replays.
    const file = write(
      "leaks-count.mjs",
      `export const protocol = {
  name: "leaks-count",
  create: (ctx) => ({
    onMessage() {},
    onClientRequest(request) {
      globalThis.leakedCount = (globalThis.leakedCount ?? 0) + 1;
      ctx.broadcast({ type: "served", count: globalThis.leakedCount });
      ctx.reply(request, { status: "ok", value: null });
    },
  }),
  client: { operations: { read: 1 }, model: "register" },
};
`,
    );
    const result = quorumlab("fuzz", file, "--runs", "20", "--seed", "1");
    expect(result.status, result.stderr).toBe(2);
    expect(result.stdout).toMatch(
      /✗ NONDETERMINISM in run \d+\n {2}nondeterminism: two runs of the same scenario and seed differ/,
    );
    expect(result.stdout).toMatch(
      /no violation in 20 runs .*, which says nothing while the same run can differ/,
    );
    expect(result.stdout).not.toMatch(/✓/);
  });

  it("explore reports state kept at module level as nondeterminism, whatever the strategy, instead of exploring states the protocol does not have", () => {
    // A node copies a count kept outside every node into its own state. Its states are restored
    // from snapshots, which never run a schedule again: only replaying one from the start shows
    // that it reaches another state each time.
    const node = (served: string) => `class Node {
  constructor(ctx) { this.ctx = ctx; this.served = 0; }
  onClientRequest(request) {
    this.served = ${served};
    this.ctx.reply(request, { status: "ok", value: null });
  }
}
export const protocol = {
  name: "counted",
  create: (ctx) => new Node(ctx),
  client: { operations: { read: 1, write: 1 }, model: "register" },
};
`;
    const leaky = write(
      "explored-leak.mjs",
      node("(globalThis.exploredLeak = (globalThis.exploredLeak ?? 0) + 1)"),
    );
    const clean = write("explored-clean.mjs", node("this.served + 1"));
    for (const flags of [
      ["--workers", "1"],
      ["--workers", "2"],
      ["--strategy", "dfs"],
      ["--strategy", "random"],
    ]) {
      const result = quorumlab("explore", leaky, "--nodes", "2", "--time", "3s", ...flags);
      expectOneLineError(
        result,
        /^error: explored-leak\.mjs: nondeterminism: replaying an explored schedule .*module-level variable/m,
      );
      const control = quorumlab("explore", clean, "--nodes", "2", "--time", "3s", ...flags);
      expect(control.status, control.stderr).toBe(flags[1] === "random" ? 3 : 0);
      expect(control.stdout).not.toMatch(/hidden|replayed/);
    }
  });
});

describe("a node's describe() or fingerprint() that throws", () => {
  /** A class node (its state in fields) whose `extra` method fails once it has served a request. */
  const failing = (name: string, extra: string) => `class Node {
  constructor(ctx) { this.ctx = ctx; this.served = 0; }
  onClientRequest(request) { this.served++; this.ctx.reply(request, { status: "ok", value: null }); }
  ${extra}
}
export const protocol = {
  name: ${JSON.stringify(name)},
  create: (ctx) => new Node(ctx),
  client: { operations: { read: 1, write: 1 }, model: "register" },
};
`;

  it("figures(records) that changes the records, throws or returns no object is one line naming the module file, exit 2, whatever the output flags", () => {
    // The protocols are named apart from their files, so that the line shows which it names.
    const cases: ReadonlyArray<readonly [string, string, RegExp]> = [
      [
        "reversing",
        "records.reverse(); return {};",
        /^error: reversing-figures\.mjs: figures\(records\) threw TypeError: Cannot assign to read only property '0' .*\(at reversing-figures\.mjs:\d+:\d+\); figures only read the records/m,
      ],
      [
        "editing",
        "records[0].kind = 'x'; return {};",
        /^error: editing-figures\.mjs: figures\(records\) threw TypeError: Cannot assign to read only property 'kind'/m,
      ],
      [
        "counting",
        "return records.length;",
        /^error: counting-figures\.mjs: figures\(records\) returned \d+; it returns an object of named numbers/m,
      ],
    ];
    // One that only reads runs as before.
    write(
      "reading-figures.mjs",
      failing("reading", "").replace(
        "client: {",
        "figures(records) { return { records: records.length }; },\n  client: {",
      ),
    );
    write(
      "reading.yaml",
      "protocol: reading\nmodule: ./reading-figures.mjs\nnodes: 1\nduration: 100ms\nexpect: {safe: true}\n",
    );
    const json = quorumlab("run", "reading.yaml", "--json");
    expect(json.status, json.stderr).toBe(0);
    expect((JSON.parse(json.stdout) as { figures: { records: number } }).figures.records).toBeGreaterThan(1);
    for (const [name, body, error] of cases) {
      write(
        `${name}-figures.mjs`,
        failing(name, "").replace("client: {", `figures(records) { ${body} },\n  client: {`),
      );
      write(
        `${name}.yaml`,
        `protocol: ${name}\nmodule: ./${name}-figures.mjs\nnodes: 1\nduration: 100ms\nexpect: {safe: true}\n`,
      );
      for (const flags of [[], ["--quiet"], ["--json"]]) {
        const result = quorumlab("run", `${name}.yaml`, ...flags);
        expectOneLineError(result, error);
        if (flags.includes("--json"))
          expect(JSON.parse(result.stdout)).toMatchObject({ schemaVersion: 1, result: "error", exitCode: 2 });
        else expect(result.stdout).toBe("");
      }
      expectOneLineError(quorumlab("verify", `${name}.yaml`, "--json"), error);
      // Among other files, the others still run, and the exit is 2, not "met its expectations".
      const several = quorumlab("verify", "reading.yaml", `${name}.yaml`);
      expectOneLineError(several, error);
      expect(several.stdout).toMatch(/^✓ reading .*\n1 of 1 scenarios met their expectations\n$/);
    }
  });

  it("describe() is one line naming the node and where it threw, exit 2, not an internal error", () => {
    write(
      "bad-describe.mjs",
      failing(
        "bad-describe",
        `describe() { if (this.served > 0) throw new TypeError("no description"); return { served: 0 }; }`,
      ),
    );
    write(
      "bad-describe.yaml",
      "protocol: bad-describe\nmodule: ./bad-describe.mjs\nnodes: 2\nduration: 1s\nworkload: {clients: 1, rate: 20, mix: {read: 1}}\n",
    );
    expectOneLineError(
      quorumlab("run", "bad-describe.yaml"),
      /^error: bad-describe\.mjs: n\d: describe\(\) threw TypeError: no description \(at bad-describe\.mjs:\d+:\d+\); what shows a node must not fail/m,
    );
  });

  it("describe() that sends or sets a timer is one line naming the node and the call, exit 2", () => {
    write(
      "acting-describe.mjs",
      failing(
        "acting-describe",
        `describe() { this.ctx.setTimer("tick", 1000); return { served: this.served }; }`,
      ),
    );
    write(
      "acting-describe.yaml",
      "protocol: acting-describe\nmodule: ./acting-describe.mjs\nnodes: 2\nduration: 1s\nworkload: {clients: 1, rate: 20, mix: {read: 1}}\n",
    );
    expectOneLineError(
      quorumlab("run", "acting-describe.yaml"),
      /^error: acting-describe\.mjs: n\d: describe\(\) called ctx\.setTimer: describing a node only reads it/m,
    );
  });

  it("roles.roleOf, read after every step, is one line too", () => {
    const file = write(
      "bad-role.mjs",
      failing("bad-role", "").replace(
        "client: {",
        `roles: { names: ["server"], leading: ["server"], roleOf: (node) => { if (node.served > 0) throw new Error("no role"); return "server"; } },
  client: {`,
      ),
    );
    expectOneLineError(
      quorumlab("fuzz", file, "--runs", "5", "--seed", "1"),
      /^error: bad-role\.mjs: n\d: roles\.roleOf or roles\.termOf threw Error: no role \(at bad-role\.mjs:\d+:\d+\); what shows a node must not fail/m,
    );
  });

  it("fingerprint() is one line naming the node and where it threw, exit 2, in one thread and in two", () => {
    const module = write(
      "bad-fingerprint.mjs",
      failing(
        "bad-fingerprint",
        `fingerprint() { if (this.served > 0) throw new RangeError("no fingerprint"); return this.served; }`,
      ),
    );
    for (const workers of ["1", "2"]) {
      expectOneLineError(
        quorumlab("explore", module, "--nodes", "2", "--time", "5s", "--workers", workers),
        /^error: bad-fingerprint\.mjs: n\d's state could not be fingerprinted: its fingerprint\(\) threw RangeError: no fingerprint \(at bad-fingerprint\.mjs:\d+:\d+\)/m,
      );
    }
  });
});

describe("a node without the handler a delivery needs", () => {
  /** A module with client operations whose nodes are `node` (a JavaScript object literal). */
  const withNode = (name: string, node: string) => `export const protocol = {
  name: ${JSON.stringify(name)},
  create: (ctx) => (${node}),
  client: { operations: { read: 1, write: 1 }, model: "register" },
};
`;

  it("a client request to a node without onClientRequest is one line naming the module and the node, in run, fuzz and explore", () => {
    const module = write("no-request-handler.mjs", withNode("no-request-handler", "{}"));
    write(
      "no-request-handler.yaml",
      "protocol: no-request-handler\nmodule: ./no-request-handler.mjs\nnodes: 2\nduration: 1s\nworkload: {clients: 1, rate: 20}\n",
    );
    const line =
      /^error: no-request-handler\.mjs: n\d received a request from client c1, and its node has no onClientRequest: clients may ask any node/m;
    expectOneLineError(quorumlab("run", "no-request-handler.yaml"), line);
    expectOneLineError(quorumlab("fuzz", module, "--runs", "5", "--seed", "1"), line);
    expectOneLineError(quorumlab("explore", module, "--nodes", "2", "--time", "5s"), line);
  });

  it("a node that ignores requests in its handler runs clean (the handler, not an answer, is what is asked for)", () => {
    const module = write("ignores-requests.mjs", withNode("ignores-requests", "{ onClientRequest() {} }"));
    const result = quorumlab("fuzz", module, "--runs", "5", "--seed", "1");
    expect(result.status, result.stderr).toBe(0);
  });

  it("an async handler is one line naming the module, the node and the handler, exit 2", () => {
    const module = write(
      "async-handler.mjs",
      withNode(
        "async-handler",
        `{ async onClientRequest(request) { await null; ctx.reply(request, { status: "ok", value: null }); } }`,
      ),
    );
    expectOneLineError(
      quorumlab("fuzz", module, "--runs", "5", "--seed", "1"),
      /^error: async-handler\.mjs: n\d: onClientRequest returned a Promise \(is it async\?\)/m,
    );
  });

  it("a message to a node without onMessage names the message and its sender", () => {
    write(
      "no-message-handler.mjs",
      withNode(
        "no-message-handler",
        `{ onStart() { if (ctx.id === "n1") ctx.send("n2", { type: "hello" }); }, onClientRequest() {} }`,
      ),
    );
    write(
      "no-message-handler.yaml",
      "protocol: no-message-handler\nmodule: ./no-message-handler.mjs\nnodes: 2\nduration: 1s\n",
    );
    expectOneLineError(
      quorumlab("run", "no-message-handler.yaml"),
      /^error: no-message-handler\.mjs: n2 received a "hello" message from n1, and its node has no onMessage: a node that is sent messages needs the handler/m,
    );
  });

  it("a timer that expires on a node without onTimer names the node and the timer, in run, fuzz and explore", () => {
    const node = `{ onStart() { ctx.setTimer("tick", 10); }, onClientRequest(request) { ctx.reply(request, { status: "ok", value: null }); } }`;
    const module = write("no-timer-handler.mjs", withNode("no-timer-handler", node));
    write(
      "no-timer-handler.yaml",
      "protocol: no-timer-handler\nmodule: ./no-timer-handler.mjs\nnodes: 1\nduration: 1s\n",
    );
    const line =
      /^error: no-timer-handler\.mjs: n1's timer "tick" expired, and its node has no onTimer: a node that sets timers, or whose election timer a scenario fires, needs the handler/m;
    expectOneLineError(quorumlab("run", "no-timer-handler.yaml"), line);
    expectOneLineError(quorumlab("fuzz", module, "--runs", "5", "--seed", "1", "--nodes", "1"), line);
    expectOneLineError(quorumlab("explore", module, "--nodes", "1", "--time", "5s"), line);
  });

  it("a handler's name misspelt is one line naming it and the handler meant, whether the node is a class or an object", () => {
    const cases: ReadonlyArray<readonly [string, string, string]> = [
      [
        "misspelt-start",
        `new (class { constructor() { this.started = false; } onstart() { this.started = true; } onClientRequest(request) { ctx.reply(request, { status: "ok", value: null }); } })()`,
        "its node has onstart, which nothing calls; did you mean onStart?",
      ],
      [
        "misspelt-timer",
        `{ onStart() { ctx.setTimer("tick", 10); }, onTimeout() {}, onClientRequest(request) { ctx.reply(request, { status: "ok", value: null }); } }`,
        "its node has onTimeout, which nothing calls; did you mean onTimer?",
      ],
    ];
    for (const [name, node, problem] of cases) {
      const module = write(`${name}.mjs`, withNode(name, node));
      expectOneLineError(
        quorumlab("fuzz", module, "--runs", "3", "--nodes", "1"),
        new RegExp(
          `^error: ${name}\\.mjs: n1: ${problem.replace(/[?]/g, "\\?")} \\(docs/node-api\\.md, "The handlers"\\)$`,
          "m",
        ),
      );
    }
    // A helper next to the handler it resembles is the node's own business.
    const both = write(
      "timer-and-timeout.mjs",
      withNode(
        "timer-and-timeout",
        `{ onTimer() { this.onTimeout(); }, onTimeout() {}, onClientRequest(request) { ctx.reply(request, { status: "ok", value: null }); } }`,
      ),
    );
    expect(quorumlab("fuzz", both, "--runs", "3", "--nodes", "1").stderr).not.toMatch(/which nothing calls/);
  });
});

describe("an invariant whose create fails", () => {
  const withMonitor = (file: string, create: string) =>
    write(
      file,
      `class Node { constructor(ctx) { this.ctx = ctx; } onClientRequest(r) { this.ctx.reply(r, { status: "ok", value: null }); } }
const checked = { name: "my.checked", statement: "s", source: "this test", kind: "safety", create: ${create} };
export const protocol = { name: "monitored", create: (ctx) => new Node(ctx), invariants: [checked], client: { operations: { read: 1 }, model: "register" } };
`,
    );

  it("is one line naming the invariant, exit 2: it throws, or returns no monitor", () => {
    expectOneLineError(
      quorumlab(
        "fuzz",
        withMonitor("monitor-throws.mjs", `() => { throw new RangeError("no monitor today"); }`),
        "--runs",
        "3",
      ),
      /^error: monitor-throws\.mjs: invariant my\.checked: create threw RangeError: no monitor today \(at monitor-throws\.mjs:\d+:\d+\)$/m,
    );
    expectOneLineError(
      quorumlab("fuzz", withMonitor("monitor-number.mjs", "() => 7"), "--runs", "3"),
      /^error: monitor-number\.mjs: invariant my\.checked: create returned 7: it must return the monitor/m,
    );
  });

  it("is one line too when its monitor misspells afterStep or atEnd (as a field or a class method), has neither, or has one that is no function", () => {
    const cases: ReadonlyArray<readonly [string, string, string]> = [
      [
        "afterstep",
        "() => ({ afterstep: () => ({ message: 'x' }) })",
        "its monitor has afterstep, which nothing calls; did you mean afterStep?",
      ],
      [
        "atend",
        "() => ({ afterStep: () => undefined, atend: () => ({ message: 'x' }) })",
        "its monitor has atend, which nothing calls; did you mean atEnd?",
      ],
      [
        "class",
        "() => new (class { afterstep() { return { message: 'x' }; } })()",
        "its monitor has afterstep, which nothing calls; did you mean afterStep?",
      ],
      [
        "neither",
        "() => ({ state: {} })",
        "create returned a monitor with neither afterStep nor atEnd, so nothing checks it",
      ],
      ["number", "() => ({ afterStep: 3 })", "its monitor's afterStep is 3, where a function was expected"],
    ];
    for (const [name, create, problem] of cases) {
      const result = quorumlab("fuzz", withMonitor(`monitor-${name}.mjs`, create), "--runs", "3");
      expectOneLineError(result, new RegExp(`invariant my\\.checked: ${problem.replace(/[?()]/g, "\\$&")}`));
    }
  });
});

describe("a handler that throws", () => {
  it("is a finding: exit 1, a counterexample whose trace replays to the same hash, with and without --module", () => {
    const file = moduleWith(
      "thrower.mjs",
      "",
      `if (request.f === "write" && request.value === 3) throw new RangeError("no threes");
       ctx.reply(request, { status: "ok", value: request.value });`,
    );
    const fuzz = quorumlab("fuzz", file, "--runs", "100", "--seed", "1", "--json", "--out", "cx");
    expect(fuzz.status, fuzz.stderr).toBe(1);
    const outcome = JSON.parse(fuzz.stdout) as {
      counterexample: { file: string; invariant: string; message: string; traceHash: string; replay: string };
    };
    const cx = outcome.counterexample;
    expect(cx.invariant).toBe("exception");
    expect(cx.message).toMatch(
      /^n\d onClientRequest threw RangeError: no threes \(at thrower\.mjs:\d+:\d+\)$/,
    );
    expect(cx.traceHash).toMatch(/^[0-9a-f]{64}$/);
    expect(cx.replay).toContain("--module thrower.mjs");
    for (const args of [[cx.file], [cx.file, "--module", file]]) {
      const run = quorumlab("run", ...args, "--json");
      expect(run.status, run.stderr).toBe(1);
      expect((JSON.parse(run.stdout) as { traceHash: string }).traceHash).toBe(cx.traceHash);
    }
    const text = quorumlab("run", cx.file);
    expect(text.stdout).toMatch(/thrown at .*thrower\.mjs:\d+:\d+/);
    expect(text.stdout).toMatch(/replay: npx quorumlab run cx\//);
  });

  it("a receiver that changes a message it got fails where it does so, and explore's counterexample replays to the same hash", () => {
    const file = write(
      "shares-log.mjs",
      `class Node {
  constructor(ctx) { this.ctx = ctx; this.log = []; }
  onClientRequest(request) {
    this.log.push(request.value ?? 0);
    for (const peer of this.ctx.peers) this.ctx.send(peer, { type: "append", log: this.log });
    this.ctx.reply(request, { status: "ok", value: null });
  }
  onMessage(from, message) { message.log.push("echo"); }
}
export const protocol = { name: "shares-log", create: (ctx) => new Node(ctx), client: { operations: { read: 1, write: 1 }, model: "register" } };
`,
    );
    const explored = quorumlab("explore", file, "--nodes", "2", "--json", "--out", "shares-out");
    expect(explored.status, explored.stderr).toBe(1);
    const cx = (
      JSON.parse(explored.stdout) as {
        counterexample: {
          file: string;
          invariant: string;
          message: string;
          traceHash: string;
          reproduced: boolean;
        };
      }
    ).counterexample;
    expect(cx.invariant).toBe("exception");
    expect(cx.message).toMatch(
      /^n\d onMessage threw TypeError: .*not extensible \(at shares-log\.mjs:8:\d+\); .* are frozen: change a copy/,
    );
    expect(cx.reproduced).toBe(true);
    const run = quorumlab("run", cx.file, "--module", file, "--json");
    expect(run.status, run.stderr).toBe(1);
    expect((JSON.parse(run.stdout) as { traceHash: string }).traceHash).toBe(cx.traceHash);
    // The file names its module, so it replays on its own, as a fuzzer's counterexample does.
    const alone = quorumlab("run", cx.file, "--json");
    expect(alone.status, alone.stderr).toBe(1);
    expect((JSON.parse(alone.stdout) as { traceHash: string }).traceHash).toBe(cx.traceHash);
  });

  it("sending to a node that does not exist is an exception of the sender, not an internal error", () => {
    const file = moduleWith("lost.mjs", "", `ctx.send("n42", { type: "hello" });`);
    const result = quorumlab("fuzz", file, "--runs", "10", "--seed", "1", "--json", "--out", "lost-out");
    expect(result.status, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/"invariant":"exception"/);
    expect(result.stdout).toMatch(/n42/);
  });
});

describe("TypeScript modules and mutants", () => {
  const source = `import type { Protocol } from "quorumlab";
/** One copy in durable storage; a copy of a request is answered, not run again. */
interface Answer { readonly value: unknown }
export const protocol: Protocol = {
  name: "typed",
  summary: "one copy",
  defaultNodes: 1,
  parseOptions: (options) => ({ bugs: [], ...options }),
  create: (ctx, options) => {
    const stale = (options.bugs as string[]).includes("forget-writes");
    return {
      onClientRequest(request) {
        let answer = ctx.storage.get<Answer>(\`answer/\${request.id}\`);
        if (answer === undefined) {
          if (request.f === "write" && !stale) ctx.storage.set(\`value/\${request.key}\`, request.value);
          const value = request.f === "write" ? request.value : (ctx.storage.get(\`value/\${request.key}\`) ?? null);
          answer = { value };
          ctx.storage.set(\`answer/\${request.id}\`, answer);
          ctx.storage.sync();
        }
        ctx.reply(request, { status: "ok", value: answer.value });
      },
    };
  },
  invariants: [],
  bugs: [
    {
      name: "forget-writes",
      change: "writes are not stored",
      breaks: ["kv.linearizable"],
      source: "test",
      // A write, then a read that misses it: two operations on the one node.
      explore: { operations: 2 },
    },
  ],
  client: { operations: { read: 1, write: 1 }, model: "register" },
};
`;

  it("loads a .ts module, and mutants lists and finds its deliberate bugs", () => {
    const file = write("typed.ts", source);
    const fuzz = quorumlab("fuzz", file, "--runs", "30", "--seed", "1", "--nodes", "1");
    expect(fuzz.status, fuzz.stderr).toBe(0);
    const list = quorumlab("mutants", file, "--list", "--json");
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toContain('"bug":"forget-writes"');
    const table = quorumlab("mutants", file, "--time-per", "20s", "--no-correct", "--json");
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/"detected":true/);
    // Explored breadth first: the module's own bug, and none of the built-in protocols'.
    const explored = quorumlab("mutants", file, "--explore", "--time-per", "20s", "--json");
    expect(explored.status, explored.stderr).toBe(0);
    const rows = (
      JSON.parse(explored.stdout) as {
        explore: Array<{ protocol: string; bug: string; found: boolean; nodes: number }>;
      }
    ).explore;
    expect(rows.map((row) => [row.protocol, row.bug, row.found, row.nodes])).toEqual([
      ["typed", "forget-writes", true, 1],
    ]);
  });

  it("mutants on a module whose correct protocol breaks the bug's invariant says the detection shows nothing", () => {
    // One value for every key: a read of one key answers another's write, bug or no bug.
    const file = write(
      "keyless.ts",
      source.replace('name: "typed"', 'name: "keyless"').replace(/value\/\$\{request\.key\}/g, "value"),
    );
    const table = quorumlab("mutants", file, "--time-per", "20s");
    expect(table.status, table.stderr).toBe(1);
    expect(table.stdout).toMatch(/keyless +│ \(correct\) +│ VIOLATION +│ kv\.linearizable/);
    expect(table.stdout).toContain(
      "✗ the correct keyless breaks kv.linearizable itself, so a bug detected by that invariant shows nothing until it is fixed; `npx quorumlab fuzz keyless.ts` finds and saves a run that breaks it",
    );
  });

  it("a liveness bug of a protocol that leads breaks liveness.leader, the check fuzz --liveness reports", () => {
    // Every node leads from the start, unless the bug keeps them all following.
    const leading = (file: string, kind: string, roles = true) =>
      write(
        file,
        `export const protocol = {
  name: ${JSON.stringify(file.replace(/\.\w+$/, ""))},
  parseOptions: (options) => ({ bugs: [], ...options }),
  create: (ctx, options) => ({
    role: options.bugs.includes("never-lead") ? "follower" : "leader",
    onTimer() {},
  }),
  ${roles ? 'roles: { names: ["leader", "follower"], leading: ["leader"], roleOf: (node) => node.role },' : ""}
  electionTimer: "election",
  bugs: [{ name: "never-lead", change: "no node leads", breaks: ["liveness.leader"], source: "test"${kind} }],
};
`,
      );
    const file = leading("leads.mjs", ', kind: "liveness"');
    const list = quorumlab("mutants", file, "--list", "--json");
    expect(list.status, list.stderr).toBe(0);
    expect((JSON.parse(list.stdout) as { bugs: Array<{ breaks: string[] }> }).bugs[0]?.breaks).toEqual([
      "liveness.leader",
    ]);
    const fuzz = quorumlab("fuzz", file, "--bug", "never-lead", "--liveness", "--runs", "5", "--json");
    expect(fuzz.status, fuzz.stderr).toBe(1);
    expect(fuzz.stdout).toContain('"invariant":"liveness.leader"');
    expectOneLineError(
      quorumlab("mutants", leading("safety-leads.mjs", ""), "--list"),
      /safety-leads\.mjs: bugs\.0\.breaks\.0: 'liveness\.leader' is a liveness check, which only `--liveness` makes: declare the bug kind: "liveness"/,
    );
    expectOneLineError(
      quorumlab("mutants", leading("leaderless.mjs", ', kind: "liveness"', false), "--list"),
      /leaderless\.mjs: bugs\.0\.breaks\.0: 'liveness\.leader' is checked only for a protocol with a leading role \(roles\.leading\) and an electionTimer/,
    );
    // Raft's fixed election timeout names it too.
    const raft = JSON.parse(quorumlab("mutants", "--list", "--json", "--protocol", "raft").stdout) as {
      bugs: Array<{ bug: string; breaks: string[] }>;
    };
    expect(raft.bugs.find((bug) => bug.bug === "fixed-election-timeout")?.breaks).toEqual([
      "liveness.leader",
    ]);
  });

  it("mutants says when a bug was detected by an invariant it does not declare it breaks", () => {
    const file = write(
      "misdeclared.ts",
      source
        .replace('name: "typed"', 'name: "misdeclared"')
        .replace('breaks: ["kv.linearizable"]', 'breaks: ["exception"]'),
    );
    const table = quorumlab("mutants", file, "--time-per", "20s", "--no-correct");
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toMatch(
      /^note: forget-writes was detected by kv\.linearizable, which is not among the invariants it declares it breaks \(exception\): its `breaks` leaves something out, or the run shows another fault$/m,
    );
    // A bug detected by what it declares gets no note.
    expect(
      quorumlab("mutants", write("declared.ts", source), "--time-per", "20s", "--no-correct").stdout,
    ).not.toContain("note:");
  });

  it("mutants --explore names the liveness bugs it leaves out, and refuses a module with no other", () => {
    const module = (file: string, bugs: string) =>
      write(
        file,
        `export const protocol = {
  name: ${JSON.stringify(file.replace(/\.\w+$/, ""))},
  parseOptions: (options) => ({ bugs: [], ...options }),
  create: (ctx, options) => ({
    role: options.bugs.includes("never-lead") ? "follower" : "leader",
    onStart() { if (options.bugs.includes("boom")) throw new Error("boom"); },
  }),
  roles: { names: ["leader", "follower"], leading: ["leader"], roleOf: (node) => node.role },
  electionTimer: "election",
  bugs: [${bugs}],
};
`,
      );
    const liveness = `{ name: "never-lead", id: "L1", kind: "liveness", change: "no node leads", breaks: ["liveness.leader"], source: "test" }`;
    const safety = `{ name: "boom", change: "a start throws", breaks: ["exception"], source: "test" }`;
    const both = quorumlab(
      "mutants",
      module("both.mjs", `${liveness}, ${safety}`),
      "--explore",
      "--time-per",
      "10s",
    );
    expect(both.status, both.stderr).toBe(0);
    expect(both.stdout).toContain("│ both     │ boom │ bfs (shortest) │ exception │");
    expect(both.stdout).toContain(
      "not explored, as liveness bugs (exploration checks safety; `quorumlab mutants` fuzzes them with --liveness): both L1 never-lead\n",
    );
    expectOneLineError(
      quorumlab("mutants", module("live-only.mjs", liveness), "--explore", "--time-per", "10s"),
      /^error: --explore: live-only declares liveness bugs only \(never-lead\), and exploration checks safety: `quorumlab mutants live-only\.mjs` fuzzes them with --liveness$/m,
    );
  });

  it("mutants on a module without deliberate bugs says where to declare them", () => {
    const file = write("bugless.mjs", `export const protocol = { name: "bugless", create: () => ({}) };\n`);
    expect(quorumlab("mutants", file, "--list").stdout).toContain(
      "bugless.mjs declares no deliberate bugs yet: add them to its `bugs`",
    );
    for (const explore of [[], ["--explore"]]) {
      expectOneLineError(
        quorumlab("mutants", file, ...explore),
        /^error: bugless\.mjs: bugless declares no deliberate bugs: add them to its `bugs`/m,
      );
    }
  });
});

describe("an output folder that cannot be written", () => {
  it("is refused before the search starts, so nothing found is lost", () => {
    const file = write("not-a-folder", "a file\n");
    for (const command of [
      ["fuzz", "raft", "--bug", "stale-local-read", "--time", "60s"],
      ["explore", "raft", "--bug", "stale-local-read", "--time", "60s"],
      ["mutants", "--protocol", "paxos", "--time-per", "60s"],
    ]) {
      const result = quorumlab(...command, "--out", `${file}/inside`);
      expectOneLineError(
        result,
        /^error: --out: not-a-folder is a file, not a folder \(--out not-a-folder\/inside\)$/m,
      );
    }
  });

  it.runIf(process.platform === "linux")(
    "a folder that cannot be made is one line and exit 2 once the finding is in, not a command that never returns",
    () => {
      // Under /proc, Node 20's recursive mkdir spins on the error forever.
      const result = quorumlab(
        "explore",
        "raft",
        "--bug",
        "commit-previous-term",
        "--out",
        "/proc/quorumlab-out",
      );
      expectOneLineError(result, /^error: --out: cannot make the folder \/proc\/quorumlab-out: ENOENT/m);
    },
    60_000,
  );
});

describe("scenario mistakes", () => {
  const cases: ReadonlyArray<readonly [string, string, RegExp]> = [
    [
      "unknown-protocol.yaml",
      "protocol: rafft\nduration: 1s\n",
      /:1:11: unknown protocol 'rafft'; did you mean 'raft'\?/,
    ],
    [
      "unknown-option.yaml",
      "protocol: raft\nduration: 1s\noptions:\n  preVot: true\n",
      /:4:11: options: unknown raft option 'preVot'.*did you mean 'preVote'\?/,
    ],
    [
      "overlap.yaml",
      "protocol: raft\nduration: 1s\nfaults:\n  - {at: 1ms, partition: [[n1, n2], [n2, n3]]}\n",
      /:4:38: 'n2' is in groups 1 and 2: partition groups must not overlap/,
    ],
    [
      "unknown-node.yaml",
      "protocol: raft\nduration: 1s\nfaults:\n  - {at: 1ms, crash: n9}\n",
      /:4:22: unknown target 'n9'/,
    ],
    [
      "unknown-op.yaml",
      "protocol: raft\nduration: 1s\nworkload: {clients: 1, rate: 5, mix: {read: 1, increment: 1}}\n",
      /:3:\d+: raft's clients do not offer 'increment'/,
    ],
    [
      "unknown-invariant.yaml",
      "protocol: raft\nduration: 1s\nexpect:\n  violates: [raft.leader-completenes]\n",
      /:4:14: expect.violates: raft has no invariant 'raft.leader-completenes'; did you mean 'raft.leader-completeness'\?/,
    ],
    [
      "bad-size.yaml",
      "protocol: sharded-kv\nnodes: 7\nduration: 1s\n",
      /:2:8: nodes: sharded-kv supports 6 or more nodes, in multiples of 3, got 7/,
    ],
    [
      "lost-module.yaml",
      "protocol: mine\nmodule: ./nowhere.ts\nduration: 1s\n",
      /:2:9: module: no file nowhere\.ts/,
    ],
  ];
  for (const [file, text, pattern] of cases) {
    it(`${file}: file:line:col, exit 2`, () => {
      write(file, text);
      expectOneLineError(quorumlab("run", file), new RegExp(`^error: ${file}${pattern.source}`));
    });
  }

  it("run exits 1 when an expectation is not met", () => {
    write("early-leader.yaml", "protocol: raft\nduration: 1s\nexpect:\n  leader: {by: 1ms}\n");
    const result = quorumlab("run", "early-leader.yaml", "--quiet");
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/expectations not met: leader by 1ms/);
  });

  it("--nodes outside what the protocol supports", () => {
    expectOneLineError(
      quorumlab("fuzz", "sharded-kv", "--nodes", "4..5", "--runs", "1"),
      /sharded-kv supports 6 or more/,
    );
  });
});
