/**
 * Goal: docs/cli.md names every flag each command's `--help` lists, under that command's heading,
 * and names no flag of a command that its `--help` does not list. Method: run `quorumlab <command>
 * --help` for every command and compare its flags with the `--flag` words of the command's section
 * (flags a section mentions of another command, such as `run --report` under `report`, are allowed
 * when that command has them).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { benches } from "../../cli/bench.js";
import { quorumlab } from "../support/quorumlab.js";

const root = join(import.meta.dirname, "..", "..");
const doc = readFileSync(join(root, "docs", "cli.md"), "utf8");
const commands = [
  "list",
  "run",
  "verify",
  "bench",
  "check",
  "report",
  "lab",
  "fuzz",
  "explore",
  "mutants",
  "new",
];

/** The flags a command's help lists, each also as its `no-` form. */
function helpFlags(command: string): Set<string> {
  const { code, stdout } = quorumlab(command, "--help");
  expect(code).toBe(0);
  const flags = [...stdout.matchAll(/^\s+(?:-\w, )?--([\w-]+)/gm)].map((match) => match[1] as string);
  return new Set(flags.filter((flag) => flag !== "help" && flag !== "version"));
}

/** The `--flag` words of the command's sections of docs/cli.md (`check` has two). */
function documentedFlags(command: string): Set<string> {
  const sections = doc
    .split(/^## /m)
    .filter(
      (section) =>
        section.startsWith(`\`quorumlab ${command} `) || section.startsWith(`\`quorumlab ${command}\``),
    );
  expect(sections.length).toBeGreaterThan(0);
  return new Set(
    sections.flatMap((section) =>
      [...section.matchAll(/--(?:\[no-\])?([a-z][\w-]*)/g)].map((match) => match[1] as string),
    ),
  );
}

describe("docs/cli.md and --help", () => {
  const help = new Map(commands.map((command) => [command, helpFlags(command)]));
  const known = new Set(
    [...help.values()].flatMap((flags) => [...flags].flatMap((flag) => [flag, `no-${flag}`])),
  );

  it.each(commands)("documents every flag of %s", (command) => {
    const documented = documentedFlags(command);
    const missing = [...(help.get(command) ?? [])].filter(
      (flag) => !documented.has(flag) && !documented.has(`no-${flag}`),
    );
    expect(missing).toEqual([]);
  });

  it.each(commands)("names no flag that %s or another command lacks", (command) => {
    const unknown = [...documentedFlags(command)].filter((flag) => !known.has(flag));
    expect(unknown).toEqual([]);
  });
});

describe("bench in docs/cli.md and --help", () => {
  const section = doc.split(/^## /m).find((text) => text.startsWith("`quorumlab bench ")) ?? "";
  const names = [...new Set(benches.map(([name]) => name.split(".")[0] as string))];

  it.each(names)("names the benchmark %s under bench, as its JSON does", (name) => {
    expect(section).toContain(`\`${name}`);
  });

  it("lists every benchmark --only can pick in bench --help", () => {
    const { stdout } = quorumlab("bench", "--help");
    for (const [name] of benches) expect(stdout.replace(/\s+/g, " ")).toContain(name);
  });
});
