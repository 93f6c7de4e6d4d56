/**
 * What the page bundle puts in place of `node:crypto`: the one call the trace layer makes,
 * `createHash("sha256")` with `update(text)` and `digest("hex")`. The trace hash is the SHA-256
 * of the trace's UTF-8 text; the page computes it with WebCrypto (`crypto.subtle.digest`, native
 * and available to `file://` pages), which is asynchronous, while the trace layer hashes
 * synchronously. So `digest` here keeps the text and returns `deferredHash`, and the lab calls
 * `digestDeferred()` right after the run to get the real hash. (A hash written in JavaScript took
 * 2.7 s for a 39 MB trace on the reference machine, WebCrypto a small fraction of that.)
 */

/** What `digest` returns in the page: a stand-in for the hash `digestDeferred` computes. */
export const deferredHash = "sha256-pending";

export interface Hash {
  update(text: string): Hash;
  digest(encoding: "hex"): string;
}

let pending: string[] | undefined;

export function createHash(algorithm: string): Hash {
  if (algorithm !== "sha256") throw new Error(`the page bundle has only sha256, not ${algorithm}`);
  const parts: string[] = [];
  const hash: Hash = {
    update(text) {
      parts.push(text);
      return hash;
    },
    digest() {
      pending = parts;
      return deferredHash;
    },
  };
  return hash;
}

/** The hex SHA-256 of the text last digested, or undefined when nothing waits (in Node). */
export async function digestDeferred(): Promise<string | undefined> {
  const parts = pending;
  pending = undefined;
  if (parts === undefined) return undefined;
  const bytes = new TextEncoder().encode(parts.join(""));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
