/**
 * Goal: a SIGINT or SIGTERM that comes while a command loads (before its handler listens) is kept
 * for it, so that it ends as an interrupt later does, not silently; and one no command takes over
 * ends the process as it would have. Method: a process of its own (the compiled
 * cli/shared/interrupt.js, `npm run build` first) sends itself the signal at each point of the
 * hand-over; a signal sent to oneself waits, pending, until this thread next runs its events, so
 * where it lands does not depend on timing.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const interrupt = pathToFileURL(join(root, "dist", "cli", "shared", "interrupt.js")).href;

/** Runs `body` as a module with `listenEarly`, `releaseEarly` and `listenForInterrupt` in scope. */
function script(body: string) {
  const text = `import { listenEarly, listenForInterrupt, releaseEarly } from ${JSON.stringify(interrupt)};
// A guard, not a measure: a signal lost leaves nothing to wait for. It also keeps the process
// running until the signal comes (Node's watch on signals alone does not).
setTimeout(() => { console.log("lost"); process.exit(1); }, 20000);
${body}
process.exit(0);`;
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", text], { encoding: "utf8" });
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

const aborted = `await new Promise((done) => interrupt.signal.aborted ? done() : interrupt.signal.addEventListener("abort", done));
console.log(interrupt.signal.aborted, interrupt.exitCode());
interrupt.release();`;

describe("a signal while a command loads", () => {
  it("heard before the command listens: the command's interrupt is aborted at once, with its exit code", () => {
    const ended = script(`listenEarly();
process.kill(process.pid, "SIGINT");
await new Promise((done) => process.once("SIGINT", done));
const interrupt = listenForInterrupt();
${aborted}`);
    expect(ended.stderr).toBe("");
    expect(ended.stdout).toBe("true 130\n");
    expect(ended.status).toBe(0);
  });

  it("still pending as the command starts listening: not lost in the hand-over", () => {
    const ended = script(`listenEarly();
process.kill(process.pid, "SIGTERM");
const interrupt = listenForInterrupt();
${aborted}`);
    expect(ended.stdout).toBe("true 143\n");
    expect(ended.status).toBe(0);
  });

  it("kept with no command to take it over (a usage error, --help): the process ends by it", () => {
    const ended = script(`listenEarly();
process.kill(process.pid, "SIGTERM");
await new Promise((done) => process.once("SIGTERM", done));
releaseEarly();
await new Promise(() => {});`);
    expect(ended.stdout).toBe("");
    expect(ended.signal).toBe("SIGTERM");
  });

  it("none: releasing changes nothing, and a command listens as before", () => {
    const ended = script(`listenEarly();
releaseEarly();
const interrupt = listenForInterrupt();
console.log(interrupt.signal.aborted, interrupt.exitCode());
process.kill(process.pid, "SIGINT");
${aborted}`);
    expect(ended.stdout).toBe("false 0\ntrue 130\n");
  });
});
