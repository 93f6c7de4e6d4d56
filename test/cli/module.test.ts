/**
 * A protocol author's own module runs with the same tools: `run --module FILE`.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { quorumlab } from "../support/quorumlab.js";

const root = join(import.meta.dirname, "..", "..");
const out = join(root, "test-output", "module");

/** A single-copy register served by whichever node a client asks: linearizable only by luck. */
const moduleSource = `
export const protocol = {
  name: "lone-register",
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

describe("run --module", () => {
  it("runs a scenario of a protocol loaded from the user's module, history checks included", () => {
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "lone-register.mjs"), moduleSource);
    writeFileSync(
      join(out, "lone.yaml"),
      "protocol: lone-register\nnodes: 2\nduration: 2s\nworkload: {clients: 4, rate: 200, mix: {read: 1, write: 1}}\n",
    );
    const result = spawnSync(
      join(root, "node_modules", ".bin", "tsx"),
      [
        join(root, "cli", "main.ts"),
        "run",
        join(out, "lone.yaml"),
        "--module",
        join(out, "lone-register.mjs"),
        "--json",
      ],
      { encoding: "utf8" },
    );
    const json = JSON.parse(result.stdout) as {
      protocol: string;
      ok: boolean;
      history: { linearizable: boolean };
    };
    expect(json.protocol).toBe("lone-register");
    // Two independent copies answer clients at random: the checker must catch the stale reads.
    expect(json.history.linearizable).toBe(false);
    expect(json.ok).toBe(false);
    expect(result.status).toBe(1);
  });

  it("refuses a module whose protocol the scenario does not run, and a --quiet that --json would ignore", () => {
    mkdirSync(out, { recursive: true });
    const module = join(out, "unused-register.mjs");
    writeFileSync(module, moduleSource);
    const tsx = join(root, "node_modules", ".bin", "tsx");
    const unused = spawnSync(tsx, [join(root, "cli", "main.ts"), "run", "raft-basic", "--module", module], {
      encoding: "utf8",
    });
    expect(unused.status).toBe(2);
    expect(unused.stderr.trim()).toBe(
      `error: --module: ${module} is the protocol 'lone-register', and the scenario runs 'raft', so it would not be used`,
    );
    const quiet = spawnSync(tsx, [join(root, "cli", "main.ts"), "run", "raft-basic", "--quiet", "--json"], {
      encoding: "utf8",
    });
    expect(quiet.status).toBe(2);
    expect(quiet.stderr.trim()).toBe(
      "error: --quiet: shortens the terminal output, which --json replaces with one object",
    );
  });

  it("replays a scenario file with fuzz --replay as run answers it: the verdict, or one JSON object", () => {
    mkdirSync(out, { recursive: true });
    const module = join(out, "replayed-register.mjs");
    writeFileSync(module, moduleSource);
    const file = join(out, "replayed.yaml");
    writeFileSync(
      file,
      "name: replayed\nprotocol: lone-register\nnodes: 2\nduration: 2s\nworkload: {clients: 4, rate: 200, mix: {read: 1, write: 1}}\n",
    );
    const json = quorumlab("fuzz", module, "--replay", file, "--json");
    expect(json.code).toBe(1);
    const result = JSON.parse(json.stdout) as {
      ok: boolean;
      traceHash: string;
      violations: { invariant: string }[];
    };
    expect(result.ok).toBe(false);
    expect(result.violations.map((violation) => violation.invariant)).toEqual(["kv.linearizable"]);

    const text = quorumlab("fuzz", module, "--replay", file);
    expect(text.code).toBe(1);
    const lines = text.stdout.trim().split("\n");
    expect(lines[0]).toMatch(
      new RegExp(
        `^replayed  lone-register, 2 nodes, seed 0x1; \\d+ events in 2s simulated, \\d+ ms wall; trace ${result.traceHash.slice(0, 16)}$`,
      ),
    );
    expect(lines[1]).toMatch(/^✗ SAFETY VIOLATION kv\.linearizable at t=2s \(event \d+\)$/);
    expect(lines[2]).toMatch(/^ {2}Not linearizable on key "k0": /);
    expect(lines.slice(3)).toEqual(["  seed=0x1 scenario=replayed"]);
  });

  it("says which module failed to load, with exit code 2", () => {
    const result = spawnSync(
      join(root, "node_modules", ".bin", "tsx"),
      [join(root, "cli", "main.ts"), "run", "raft-basic", "--module", join(out, "missing.mjs")],
      { encoding: "utf8" },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("missing.mjs: no such protocol module");
  });

  it("says that a folder is not a module, in one line, with exit code 2", () => {
    const folder = join(out, "a-folder");
    mkdirSync(folder, { recursive: true });
    for (const args of [
      ["fuzz", folder, "--runs", "1"],
      ["run", "raft-basic", "--module", folder],
    ]) {
      const result = quorumlab(...args);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /^error: \S*a-folder: a folder, not a protocol module: give the module's \.js or \.ts file\n$/,
      );
    }
  });
});
