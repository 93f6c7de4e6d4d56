/**
 * itemsFrom and dropFirst give what `slice(start)` and `splice(0, count)` give, without the copy
 * when nothing is cut off, for every start and count of a short list.
 */
import { describe, expect, test } from "vitest";
import { dropFirst, itemsFrom } from "../../protocols/shared/lists.js";

describe("list helpers", () => {
  test("itemsFrom equals slice, and is the list itself from index 0", () => {
    const list = [1, 2, 3, 4];
    for (let start = 0; start <= list.length + 1; start++) {
      expect(itemsFrom(list, start)).toEqual(list.slice(start));
    }
    expect(itemsFrom(list, 0)).toBe(list);
    expect(itemsFrom(list, 1)).not.toBe(list);
  });

  test("dropFirst removes the first items in place, as splice does", () => {
    for (let count = 0; count <= 5; count++) {
      const list = ["a", "b", "c", "d"];
      const expected = [...list];
      expected.splice(0, count);
      dropFirst(list, count);
      expect(list).toEqual(expected);
    }
  });
});
