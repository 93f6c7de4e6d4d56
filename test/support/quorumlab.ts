/**
 * The command line as a user runs it, from source (tsx), with colour off: its exit code and what
 * it printed.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const root = join(import.meta.dirname, "..", "..");
const tsx = join(root, "node_modules", ".bin", "tsx");

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function quorumlab(...args: string[]): Ran {
  return quorumlabFed("", ...args);
}

/** `quorumlab` with `input` on its standard input. */
export function quorumlabFed(input: string, ...args: string[]): Ran {
  return spawned({ input }, args);
}

/** `quorumlab` run in the folder `cwd`, for relative paths that name files in it. */
export function quorumlabIn(cwd: string, ...args: string[]): Ran {
  return spawned({ input: "", cwd }, args);
}

function spawned(options: { input: string; cwd?: string }, args: readonly string[]): Ran {
  const result = spawnSync(tsx, [join(root, "cli", "main.ts"), ...args], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
    ...options,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
