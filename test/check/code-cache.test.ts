/**
 * Goal: the checker that `quorumlab check` loads as one bundle through V8's code cache gives the
 * same verdicts as the library, writes its cache where it is told (and nowhere when turned off),
 * uses a cache it wrote, and survives a cache V8 refuses by compiling and writing a good one.
 * Method: bundle the sources, load them with and without a cache file in a temporary folder, and
 * compare verdicts on generated CAS and kv histories with `checkOperations` of the library.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import {
  bundleChecker,
  cacheFolder,
  loadChecker,
  saveCache,
  withHash,
} from "../../cli/shared/checker-code.js";
import { generateHistory } from "../../sim/check/generate.js";
import { checkOperations, modelByName } from "../../sim/check/index.js";
import { InputError } from "../../sim/errors.js";
import { pairOperations } from "../../sim/history.js";

const source = withHash(bundleChecker());

let loads = 0;

/**
 * Loads the bundle under a new file name each time: V8 keeps scripts compiled in this process by
 * source and name, and would hand back the same script without looking at the cache.
 */
function load(cacheFile: string | undefined) {
  loads++;
  return loadChecker({ source, filename: `checker-${loads}.cjs`, cacheFile });
}

describe("the checker bundle and its code cache", () => {
  it("gives the library's verdicts, with and without the cache it wrote", () => {
    const cacheFile = path.join(mkdtempSync(path.join(tmpdir(), "quorumlab-cache-")), "checker.v8cache");
    const first = load(cacheFile);
    expect(first.cacheUsed).toBe(false);
    const histories = [1, 2, 3].flatMap((seed) =>
      (["cas-register", "kv"] as const).map((kind) => ({
        kind,
        events: generateHistory({
          operations: 120,
          clients: 6,
          kind,
          random: seedrandom(`cache-${seed}`),
          crashProbability: 0.2,
        }),
      })),
    );
    const verdicts = (code: typeof first.code) =>
      histories.map(({ kind, events }) =>
        code.checkOperations(pairOperations(events), code.modelByName(kind)),
      );
    const expected = histories.map(({ kind, events }) =>
      checkOperations(pairOperations(events), modelByName(kind)),
    );
    expect(verdicts(first.code)).toEqual(expected);
    saveCache(first);
    expect(existsSync(cacheFile)).toBe(true);
    const second = load(cacheFile);
    expect(second.cacheUsed).toBe(true);
    expect(verdicts(second.code)).toEqual(expected);
  });

  it("compiles anew and writes a good cache over one V8 refuses", () => {
    const cacheFile = path.join(mkdtempSync(path.join(tmpdir(), "quorumlab-cache-")), "checker.v8cache");
    writeFileSync(cacheFile, "not a code cache");
    const refused = load(cacheFile);
    expect(refused.cacheUsed).toBe(false);
    expect(refused.code.modelByName("register").name).toBe("register");
    saveCache(refused);
    expect(readFileSync(cacheFile, "utf8")).not.toBe("not a code cache");
    expect(load(cacheFile).cacheUsed).toBe(true);
  });

  it("makes missing folders for the cache, and gives up quietly where it cannot write", () => {
    const folder = mkdtempSync(path.join(tmpdir(), "quorumlab-cache-"));
    const nested = path.join(folder, "a", "b", "checker.v8cache");
    saveCache(load(nested));
    expect(existsSync(nested)).toBe(true);
    const file = path.join(folder, "a-file");
    writeFileSync(file, "");
    const underFile = path.join(file, "checker.v8cache");
    expect(() => saveCache(load(underFile))).not.toThrow();
    expect(existsSync(underFile)).toBe(false);
  });

  it("throws the CLI's own InputError, so bad input is reported as such", () => {
    const { code } = load(undefined);
    expect(() => code.parseHistory("{ not json", { file: "bad.json", format: "json" })).toThrow(InputError);
  });

  it("keeps the cache in the folder the environment names, or nowhere", () => {
    expect(cacheFolder({ QUORUMLAB_CACHE_DIR: "off" })).toBeUndefined();
    expect(cacheFolder({ QUORUMLAB_CACHE_DIR: "" })).toBeUndefined();
    expect(cacheFolder({ QUORUMLAB_CACHE_DIR: "/var/cache/q" })).toBe("/var/cache/q");
    expect(cacheFolder({ XDG_CACHE_HOME: "/home/u/.xdg" })).toBe("/home/u/.xdg/quorumlab");
    expect(cacheFolder({})).toMatch(/[\\/]\.cache[\\/]quorumlab$/);
  });
});
