/**
 * Reuses the last message sent when the next one is equal to it. A broadcast whose messages are
 * alike (a Raft leader's AppendEntries to followers at the same position) then hands the kernel
 * one object, which the trace serializes once: sending each follower its own copy cost Raft's kv
 * bench (bench/raft.ts, trace hashed) 6 to 13% more CPU time over several alternating runs.
 * Messages are immutable once sent, so sharing is safe.
 *
 * Equality is the caller's function over the message's own fields: comparing field by field
 * through a `for…in` loop cost about 400 ns a message in a micro-benchmark (about 4 times the cost
 * of building the message), and was the largest share of a uniform Raft fuzz campaign's loop that
 * its previous shape did not have; a comparison written out field by field costs about 50 ns.
 */
import type { Message } from "../../sim/node.js";

export class MessageReuse<M extends Message> {
  private last: M | undefined;

  /** `same(sent, next)`: whether `next` says exactly what `sent` said (every field equal). */
  constructor(private readonly same: (sent: M, next: M) => boolean) {}

  /** `message`, or the last message given if it is the same. */
  of(message: M): M {
    const last = this.last;
    if (last !== undefined && this.same(last, message)) return last;
    this.last = message;
    return message;
  }
}

/** Whether two lists hold the same items (by identity), in the same order. */
export function sameItems(left: readonly unknown[], right: readonly unknown[]): boolean {
  if (left.length !== right.length) return false;
  for (let index = 0; index < left.length; index++) if (left[index] !== right[index]) return false;
  return true;
}
