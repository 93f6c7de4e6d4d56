/**
 * The lab page of a protocol module's run. Goal: the scenario the page downloads (as it was, or
 * forked) replays with `quorumlab run FILE` wherever the reader saves it, whether the run found
 * its module through the scenario's `module:` (relative to the scenario's folder) or through
 * `--module`, and the page's replay line says which module the file loads. Method: run a
 * scenario of a small module with `--report`, take the scenario out of the page's lab data,
 * save it in another folder and run it there; fork a lab of the module and read its replay line.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Lab } from "../../reports/page/lab.js";
import type { Protocol } from "../../sim/node.js";
import { quorumlab } from "../support/quorumlab.js";

const root = join(import.meta.dirname, "..", "..");
const out = join(root, "test-output", "module-lab");
const project = join(out, "project");
const downloads = join(out, "downloads");

/** A single-copy register per node: enough of a protocol to run, report and fork. */
const moduleSource = `
export const protocol = {
  name: "lab-register",
  summary: "each node keeps its own copy",
  defaultNodes: 2,
  parseOptions: (options) => ({ ...options }),
  create: (ctx) => {
    let value = null;
    return {
      onClientRequest(request) {
        if (request.f === "write") value = request.value;
        ctx.reply(request, { status: "ok", value: request.f === "write" ? request.value : value });
      },
    };
  },
  invariants: [],
  bugs: [],
  client: { operations: { read: 1, write: 1 }, model: "register" },
};
`;

const scenarioYaml = (module: string) => `name: lab-register-run
protocol: lab-register
${module}nodes: 1
duration: 200ms
workload: {clients: 1, rate: 20}
`;

/** The scenario a report's lab downloads. */
function labScenarioOf(report: string): string {
  const html = readFileSync(report, "utf8");
  const data = /<script type="application\/json" id="lab-data">(.*?)<\/script>/s.exec(html)?.[1];
  expect(data).toBeDefined();
  return (JSON.parse(data as string) as { scenarioYaml: string }).scenarioYaml;
}

describe("a protocol module's lab", () => {
  mkdirSync(project, { recursive: true });
  mkdirSync(downloads, { recursive: true });
  const module = join(project, "lab-register.js");
  writeFileSync(module, moduleSource);

  it("downloads a scenario that finds the module of the scenario's module: from any folder", () => {
    writeFileSync(join(project, "named.yaml"), scenarioYaml("module: ./lab-register.js\n"));
    const report = join(project, "named.html");
    expect(quorumlab("run", join(project, "named.yaml"), "--quiet", "--report", report).code).toBe(0);
    const downloaded = labScenarioOf(report);
    expect(downloaded).toContain(`module: ${module}`);
    writeFileSync(join(downloads, "named.yaml"), downloaded);
    const replayed = quorumlab("run", join(downloads, "named.yaml"), "--quiet");
    expect(replayed.stderr).toBe("");
    expect(replayed.code).toBe(0);
  });

  it("records a --module the scenario did not name in the downloaded scenario", () => {
    writeFileSync(join(project, "plain.yaml"), scenarioYaml(""));
    const report = join(project, "plain.html");
    expect(
      quorumlab("run", join(project, "plain.yaml"), "--module", module, "--quiet", "--report", report).code,
    ).toBe(0);
    const downloaded = labScenarioOf(report);
    expect(downloaded).toContain(`module: ${module}`);
    writeFileSync(join(downloads, "plain.yaml"), downloaded);
    expect(quorumlab("run", join(downloads, "plain.yaml"), "--quiet").code).toBe(0);
  });

  it("says in a fork's replay line which module the downloaded file loads", async () => {
    const { protocol } = (await import(module)) as { protocol: Protocol };
    const lab = await Lab.open(protocol, scenarioYaml(`module: ${module}\n`), {
      now: () => performance.now(),
    });
    const run = await lab.fork({ at: "50ms", crash: "n1" });
    expect(run.body).toContain(
      `npx quorumlab run lab-register-run-fork.yaml   (the file “Download scenario” saves, which loads its protocol from ${module})`,
    );
  });
});

describe("a report of a protocol module's trace", () => {
  const folder = join(out, "roles");
  mkdirSync(folder, { recursive: true });
  // n1 is the primary from the start: one leadership, at time 0.
  writeFileSync(
    join(folder, "primary.mjs"),
    `export const protocol = {
  name: "primary-only",
  defaultNodes: 2,
  create: (ctx) => ({
    role: ctx.id === "n1" ? "primary" : "backup",
    describe() { return { role: this.role }; },
    onClientRequest(request) { ctx.reply(request, { status: "ok", value: null }); },
  }),
  roles: { names: ["primary", "backup"], leading: ["primary"], roleOf: (node) => node.role },
};
`,
  );
  writeFileSync(
    join(folder, "primary.yaml"),
    "name: primary-run\nprotocol: primary-only\nmodule: ./primary.mjs\nnodes: 2\nduration: 100ms\n",
  );
  const trace = join(folder, "primary.jsonl");
  const ran = quorumlab(
    "run",
    join(folder, "primary.yaml"),
    "--trace",
    trace,
    "--report",
    join(folder, "r.txt"),
  );

  it("counts the module's leaders, as the run does, in run --report and in report --module", () => {
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain("n1 becomes primary");
    expect(readFileSync(join(folder, "r.txt"), "utf8")).toContain("leader changes 1");
    const report = quorumlab("report", trace, "--format", "text", "--module", join(folder, "primary.mjs"));
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toMatch(/0 {2}n1 becomes primary\n/);
    expect(report.stdout).toContain("leader changes 1");
    expect(report.stderr).not.toContain("note:");
  });

  it("says what is missing without --module, and refuses a module of another protocol", () => {
    const report = quorumlab("report", trace, "--format", "text");
    expect(report.code).toBe(0);
    expect(report.stderr).toBe(
      "note: primary-only is not a built-in protocol: without its module (--module FILE) the report shows no roles, leaders or logs\n",
    );
    writeFileSync(
      join(folder, "other.mjs"),
      'export const protocol = { name: "other", create: () => ({}) };\n',
    );
    const other = quorumlab("report", trace, "--module", join(folder, "other.mjs"));
    expect(other.code).toBe(2);
    expect(other.stdout).toBe("");
    expect(other.stderr.trim().split("\n").at(-1)).toMatch(
      /^error: --module: .*other\.mjs is not the protocol the trace ran, 'primary-only'$/,
    );
  });
});

describe("a protocol module's counterexample report", () => {
  const folder = join(out, "counterexamples");
  mkdirSync(folder, { recursive: true });
  // One node; the bug makes it forget every write, which a read then misses.
  const module = join(folder, "forgetful.mjs");
  writeFileSync(
    module,
    `export const protocol = {
  name: "forgetful",
  defaultNodes: 1,
  parseOptions: (options) => ({ bugs: [], ...options }),
  create: (ctx, options) => ({
    onClientRequest(request) {
      if (request.f === "write" && !options.bugs.includes("forget-writes")) ctx.storage.set("v/" + request.key, request.value);
      const value = request.f === "write" ? request.value : (ctx.storage.get("v/" + request.key) ?? null);
      ctx.reply(request, { status: "ok", value });
    },
  }),
  bugs: [{ name: "forget-writes", change: "writes are not stored", breaks: ["kv.linearizable"], source: "test", explore: { operations: 2 } }],
  client: { operations: { read: 1, write: 1 }, model: "register" },
};
`,
  );

  it.each([
    ["fuzz", ["--runs", "200", "--nodes", "1"]],
    ["explore", ["--nodes", "1"]],
  ])("of %s is a lab whose scenario loads the module, as run --report's is", (command, flags) => {
    const found = join(folder, command);
    const result = quorumlab(command, module, "--bug", "forget-writes", ...flags, "--out", found, "--json");
    expect(result.code, result.stderr).toBe(1);
    const report = readdirSync(found).find((name) => name.endsWith(".html"));
    expect(report).toBeDefined();
    expect(labScenarioOf(join(found, report as string))).toContain(`module: ${module}`);
  });
});
