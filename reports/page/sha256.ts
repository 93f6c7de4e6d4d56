/**
 * What the page bundle puts in place of `node:crypto`: the one call the trace layer makes,
 * `createHash("sha256")`, with `update(text)` and `digest("hex")`, backed by @noble/hashes. The
 * trace hash is the SHA-256 of the trace's UTF-8 text, so the page computes the same hash as the
 * CLI; WebCrypto's `subtle.digest` would not do, as it is asynchronous and takes the whole text
 * at once, while the trace layer hashes incrementally and synchronously.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";

export interface Hash {
  update(text: string): Hash;
  digest(encoding: "hex"): string;
}

export function createHash(algorithm: string): Hash {
  if (algorithm !== "sha256") throw new Error(`the page bundle has only sha256, not ${algorithm}`);
  const state = sha256.create();
  const hash: Hash = {
    update(text) {
      state.update(utf8ToBytes(text));
      return hash;
    },
    digest() {
      return bytesToHex(state.digest());
    },
  };
  return hash;
}
