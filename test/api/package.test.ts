/**
 * The public API as users import it: `import { ... } from "quorumlab"`, resolved through the
 * package's `exports` (Node's self-reference from inside the package, after the build), with the
 * types file next to it.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");

describe("the quorumlab package", () => {
  it("exports one entry point with types, both built", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      exports: Record<string, { types: string; default: string } | string>;
    };
    const main = pkg.exports["."] as { types: string; default: string };
    expect(existsSync(join(root, main.types))).toBe(true);
    expect(existsSync(join(root, main.default))).toBe(true);
    expect(readFileSync(join(root, main.types), "utf8")).toMatch(/checkHistory/);
  });

  it("resolves by name and gives the node API helpers and both checkers", () => {
    const script = `
      import { checkHistory, models, atomicityInvariants, agreementInvariant, nodeInvariant, fuzzProtocol, freezeDeep } from "quorumlab";
      const history = [
        { type: "invoke", process: 1, f: "write", key: null, value: 1, timeUs: 0 },
        { type: "ok", process: 1, f: "write", key: null, value: 1, timeUs: 1 },
        { type: "invoke", process: 2, f: "read", key: null, value: null, timeUs: 2 },
        { type: "ok", process: 2, f: "read", key: null, value: 0, timeUs: 3 },
      ];
      const verdict = checkHistory(history, models.register);
      const invariant = agreementInvariant({ name: "x.agreement", statement: "s", source: "t", decided: (n) => n.v });
      console.log(JSON.stringify({
        verdict: verdict.result,
        atomicity: atomicityInvariants({ observations: () => [], logKey: "log", durability: { preparedRecord: (tx) => "p" + tx, decisionRecord: () => undefined }, settleUs: 1 }).length,
        kinds: [invariant.kind, nodeInvariant({ name: "y", statement: "s", source: "t", check: () => undefined }).kind],
        fuzz: typeof fuzzProtocol,
        frozen: Object.isFrozen(freezeDeep({ a: [1] }).a),
      }));
    `;
    const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: root,
      encoding: "utf8",
    });
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      verdict: "not-linearizable",
      atomicity: 8,
      kinds: ["safety", "safety"],
      fuzz: "function",
      frozen: true,
    });
  });

  it("documents no deep dist/ import path", () => {
    for (const file of ["README.md", "docs/node-api.md", "docs/cli.md"]) {
      expect(readFileSync(join(root, file), "utf8")).not.toMatch(/quorumlab\/dist\//);
    }
  });
});
