/**
 * `quorumlab new`, as a protocol author uses it: from an empty temporary folder, create the
 * starter, then fuzz it, run its scenario, typecheck it and run its own vitest test (with the
 * package and vitest "installed" as links in the folder's node_modules).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const main = join(root, "dist", "cli", "main.js");
let folder = "";

function inFolder(command: string, args: readonly string[], cwd = folder) {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const quorumlab = (...args: string[]) => inFolder(process.execPath, [main, ...args]);

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), "quorumlab-new-"));
});

describe("quorumlab new", () => {
  it("creates the folder, names every file and prints the next commands", () => {
    const result = quorumlab("new", "my-register");
    expect(result.status, result.stderr).toBe(0);
    expect(readdirSync(join(folder, "my-register")).sort()).toEqual([
      "client.ts",
      "invariants.ts",
      "my-register.test.ts",
      "my-register.ts",
      "my-register.yaml",
      "package.json",
      "tsconfig.json",
    ]);
    expect(result.stdout).toContain("npx quorumlab fuzz my-register/my-register.ts --time 30s");
    expect(result.stdout).toContain("npx quorumlab run my-register/my-register.yaml");
    expect(result.stdout).toContain("npx quorumlab lab my-register/my-register.ts ");
  });

  it("gives a protocol that fuzzes clean and whose scenario runs, found through the scenario", () => {
    const fuzz = quorumlab(
      "fuzz",
      "my-register/my-register.ts",
      "--runs",
      "150",
      "--seed",
      "7",
      "--nodes",
      "3..5",
    );
    expect(fuzz.status, fuzz.stdout + fuzz.stderr).toBe(0);
    expect(fuzz.stdout).toMatch(/fuzz my-register .*✓ no violation in 150 runs/s);
    const run = quorumlab("run", "my-register/my-register.yaml", "--json");
    expect(run.status, run.stderr).toBe(0);
    const outcome = JSON.parse(run.stdout) as {
      protocol: string;
      expectationsMet: boolean;
      history: { ops: number };
    };
    expect(outcome.protocol).toBe("my-register");
    expect(outcome.expectationsMet).toBe(true);
    expect(outcome.history.ops).toBeGreaterThan(50);
    // The blank lab of the new protocol: its default cluster, no faults (the page is tested in
    // test/reports/lab.browser.test.ts).
    const lab = quorumlab(
      "lab",
      "my-register/my-register.ts",
      "--out",
      "my-register/lab.html",
      "--duration",
      "1s",
    );
    expect(lab.status, lab.stderr).toBe(0);
    expect(lab.stderr).toMatch(/^lab written to my-register\/lab\.html: my-register, 3 nodes, \d+ events/);
  });

  it("typechecks, and its own vitest test passes", () => {
    const modules = join(folder, "node_modules");
    mkdirSync(modules, { recursive: true });
    if (!existsSync(join(modules, "quorumlab"))) symlinkSync(root, join(modules, "quorumlab"));
    if (!existsSync(join(modules, "vitest")))
      symlinkSync(join(root, "node_modules", "vitest"), join(modules, "vitest"));
    const project = join(folder, "my-register");
    const tsc = inFolder(join(root, "node_modules", ".bin", "tsc"), ["-p", "."], project);
    expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);
    const vitest = inFolder(join(root, "node_modules", ".bin", "vitest"), ["run"], project);
    expect(vitest.status, vitest.stdout + vitest.stderr).toBe(0);
    expect(vitest.stdout).toMatch(/1 passed/);
  });

  it("refuses an existing folder and an unusable name, with exit code 2", () => {
    const again = quorumlab("new", "my-register");
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/^error: my-register: already exists and is not empty/);
    const bad = quorumlab("new", "My Register");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/not a usable protocol name/);
    writeFileSync(join(folder, "a-file"), "");
    const file = quorumlab("new", "a-file");
    expect(file.status).toBe(2);
    expect(file.stderr).toBe("error: a-file: is a file, not a folder; choose another name\n");
    const under = quorumlab("new", "a-file/x-reg");
    expect(under.status).toBe(2);
    expect(under.stderr).toMatch(/^error: a-file\/x-reg: cannot create the folder: .*\n$/);
    // npm refuses to install a package into a package of the same name.
    for (const name of ["quorumlab", "vitest"]) {
      const taken = quorumlab("new", name);
      expect(taken.status).toBe(2);
      expect(taken.stdout).toBe("");
      expect(taken.stderr).toBe(
        `error: '${name}' is the name of a package the new folder's package.json depends on, and npm installs no package into one of the same name; choose another name\n`,
      );
      expect(existsSync(join(folder, name))).toBe(false);
    }
  });
});
