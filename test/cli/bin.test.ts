/**
 * The installed command: `npx quorumlab` runs dist/cli/main.js directly, so the build must leave
 * it executable with its shebang (a fresh clone's `npm install` builds it).
 */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");

describe("the quorumlab bin", () => {
  it("is built executable, with a node shebang, where package.json points", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      bin: Record<string, string>;
    };
    const bin = join(root, pkg.bin.quorumlab as string);
    const stat = statSync(bin, { throwIfNoEntry: false });
    expect(stat, `${bin} is missing: run npm run build`).toBeDefined();
    expect((stat?.mode ?? 0) & 0o111).not.toBe(0);
    expect(readFileSync(bin, "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
  });
});
