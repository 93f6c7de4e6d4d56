/**
 * ReadPositions tells a monitor where each node's append-only list is still unread, and starts
 * over when the node replaced the list (a restart, a snapshot installed).
 */
import { expect, test } from "vitest";
import { ReadPositions } from "../../protocols/shared/read-positions.js";

test("reads each node's list from where it stopped, and a replaced list from its start", () => {
  const positions = new ReadPositions<{ txn: string }>();
  const first = [{ txn: "t1" }, { txn: "t2" }];
  expect(positions.unreadFrom("n1", first)).toBe(0);
  first.push({ txn: "t3" });
  expect(positions.unreadFrom("n1", first)).toBe(2);
  expect(positions.unreadFrom("n1", first)).toBe(3);
  // Another node has a place of its own.
  expect(positions.unreadFrom("n2", [{ txn: "t1" }])).toBe(0);
  // n1 replaced its list: empty at first, then with entries of its own, read from the start.
  const replaced: Array<{ txn: string }> = [];
  expect(positions.unreadFrom("n1", replaced)).toBe(0);
  replaced.push({ txn: "t1" }, { txn: "t2" }, { txn: "t3" }, { txn: "t4" });
  expect(positions.unreadFrom("n1", replaced)).toBe(0);
  // Replaced by a list already longer than what was read of the old one.
  const longer = [{ txn: "t9" }, { txn: "t8" }, { txn: "t7" }, { txn: "t6" }, { txn: "t5" }];
  expect(positions.unreadFrom("n1", longer)).toBe(0);
  expect(positions.unreadFrom("n1", longer)).toBe(5);
});
