/**
 * The compiled command line (`npm run build` first) stopped by a signal, as Ctrl-C or a CI
 * runner's cancellation stops it: its exit code and what it printed.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";

const root = join(import.meta.dirname, "..", "..");
const cli = join(root, "dist", "cli", "main.js");

export interface Ended {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Starts `quorumlab ...command`, sends `signal` `afterMs` after `started(stdout)` first holds
 * (at once when it holds of nothing printed), and waits for its end.
 */
export function signalled(
  signal: NodeJS.Signals,
  command: readonly string[],
  started: (out: string) => boolean,
  afterMs: number,
): Promise<Ended> {
  const child = spawn("node", [cli, ...command], { cwd: root, env: { ...process.env, NO_COLOR: "1" } });
  let stdout = "";
  let stderr = "";
  let sent = false;
  const send = () => {
    if (sent) return;
    sent = true;
    setTimeout(() => child.kill(signal), afterMs);
  };
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    if (started(stdout)) send();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  if (started("")) send();
  return new Promise((done) => {
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}
