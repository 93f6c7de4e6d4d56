/**
 * The fuzz workflow (.github/workflows/fuzz.yml): a step that pipes a command into another
 * (`fuzz ... --json | tee out.json`) must fail when the command fails. GitHub runs a step's
 * script with `bash -e` and no pipefail, so without it the step takes tee's exit code and a
 * shard that found a violation would pass.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";

const root = join(import.meta.dirname, "..", "..");

interface Step {
  readonly name?: string;
  readonly run?: string;
  readonly shell?: string;
}

/** A script without its command substitutions, `$(…)`, whose pipes do not decide a step's exit code. */
function outsideSubstitutions(script: string): string {
  let text = script;
  for (let previous = ""; previous !== text; ) {
    previous = text;
    text = text.replace(/\$\([^()]*\)/g, "");
  }
  return text;
}

describe("the fuzz workflow", () => {
  test("every step that pipes a command sets pipefail", () => {
    const workflow = parse(readFileSync(join(root, ".github", "workflows", "fuzz.yml"), "utf8")) as {
      jobs: Record<string, { steps: Step[] }>;
    };
    const piped = Object.values(workflow.jobs)
      .flatMap((job) => job.steps)
      .filter((step) => step.run !== undefined && /[^|]\|[^|]/.test(outsideSubstitutions(step.run)));
    expect(piped.length).toBeGreaterThan(0);
    for (const step of piped) {
      const pipefail = step.shell === "bash" || /^\s*set -[a-z]*o pipefail/m.test(step.run ?? "");
      expect(pipefail, `${step.name ?? step.run}`).toBe(true);
    }
  });
});
