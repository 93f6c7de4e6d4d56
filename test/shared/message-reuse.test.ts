/**
 * MessageReuse hands out the last message again exactly when the caller's equality says the next
 * one is the same; Raft's AppendEntries equality notices a change in any one field, so a follower
 * is never sent another follower's message.
 */
import { describe, expect, test } from "vitest";
import type { AppendEntries, Entry } from "../../protocols/raft/messages.js";
import { sameAppendEntries } from "../../protocols/raft/messages.js";
import { MessageReuse, sameItems } from "../../protocols/shared/message-reuse.js";

const entry: Entry = Object.freeze({ term: 2, command: { kind: "noop" as const } });
const other: Entry = Object.freeze({ term: 2, command: { kind: "noop" as const } });

function appendEntries(fields: Partial<AppendEntries> = {}): AppendEntries {
  return {
    type: "AppendEntries",
    term: 3,
    leaderId: "n1",
    prevLogIndex: 4,
    prevLogTerm: 2,
    entries: [entry],
    leaderCommit: 4,
    round: 7,
    ...fields,
  };
}

describe("MessageReuse", () => {
  test("returns the last message while the next ones are the same, a new one after a change", () => {
    const reuse = new MessageReuse(sameAppendEntries);
    const first = appendEntries();
    expect(reuse.of(first)).toBe(first);
    expect(reuse.of(appendEntries())).toBe(first);
    const changed = appendEntries({ prevLogIndex: 5 });
    expect(reuse.of(changed)).toBe(changed);
    expect(reuse.of(appendEntries())).not.toBe(first);
  });

  test("sameItems compares by identity, in order", () => {
    expect(sameItems([entry], [entry])).toBe(true);
    expect(sameItems([], [])).toBe(true);
    expect(sameItems([entry], [other])).toBe(false);
    expect(sameItems([entry], [entry, entry])).toBe(false);
  });
});

describe("sameAppendEntries", () => {
  const changes: { readonly [K in keyof AppendEntries]?: AppendEntries[K] } = {
    term: 4,
    leaderId: "n2",
    prevLogIndex: 5,
    prevLogTerm: 3,
    entries: [other],
    leaderCommit: 5,
    round: 8,
  };

  test("a change to any one field makes another message", () => {
    const base = appendEntries();
    // Every field but the type (which is the same for every AppendEntries) has a change above,
    // so a field added to the message and not to the comparison fails here.
    expect(Object.keys(changes).sort()).toEqual(
      Object.keys(base)
        .filter((key) => key !== "type")
        .sort(),
    );
    for (const [field, value] of Object.entries(changes)) {
      expect(sameAppendEntries(base, appendEntries({ [field]: value }))).toBe(false);
    }
    expect(sameAppendEntries(base, appendEntries({ entries: [entry] }))).toBe(true);
    expect(sameAppendEntries(base, appendEntries({ entries: [] }))).toBe(false);
  });
});
