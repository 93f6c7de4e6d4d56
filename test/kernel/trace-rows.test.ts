/**
 * The compact row store encodes each row in as few words as its fields need (sim/trace/rows.ts):
 * whatever the fields, every row must read back as it was written, in order and at any index.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { emptyRow, type Row, RowStore, rowKind } from "../../sim/trace/rows.js";

type Written = Omit<Row, "kind"> & { kind: number };

const int32 = fc.integer({ min: 0, max: 0x7fffffff });
/** Small numbers mostly (the packed and delta forms), large ones now and then (the full forms). */
const symbol = fc.oneof(fc.integer({ min: 0, max: 1100 }), int32);
const time = fc.oneof(
  fc.integer({ min: 0, max: 5_000_000 }),
  fc.double({ min: 0, max: 1e12, noNaN: true }),
  fc.constant(2 ** 40 + 0.5),
);

const row: fc.Arbitrary<Written> = fc.record({
  kind: fc.integer({ min: rowKind.object, max: rowKind.client }),
  t: time,
  e: fc.oneof(fc.integer({ min: 0, max: 50 }), int32),
  from: symbol,
  to: symbol,
  id: fc.oneof(fc.constant(0), int32),
  type: symbol,
  extra: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 4 }), int32),
  ref: fc.oneof(fc.constant(undefined), fc.object()),
});

/** What a row reads back as: an object row keeps its reference alone. */
function expected(written: Written): Row {
  if (written.kind !== rowKind.object) return { ...written };
  return { ...emptyRow(), ref: written.ref };
}

/** Rows in time order as a run writes them: times and event numbers that repeat or step by one. */
function runLike(count: number): Written[] {
  const rows: Written[] = [];
  let t = 0;
  let e = 0;
  for (let index = 0; index < count; index++) {
    if (index % 3 === 0) t += 1 + (index % 1000);
    if (index % 2 === 0) e++;
    const kind = (index % 7) + 1;
    rows.push({
      kind,
      t,
      e,
      from: index % 5,
      to: index % 1500,
      id: kind <= rowKind.duplicate ? index : 0,
      type: index % 11,
      extra: kind === rowKind.duplicate ? index + 1 : 0,
      ref: kind === rowKind.send ? { index } : undefined,
    });
  }
  return rows;
}

describe("trace row store", () => {
  it("reads back any rows as written, in order", () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 200 }), (rows) => {
        const store = new RowStore();
        for (const written of rows) store.add(written.kind, written, written.extra, written.ref);
        expect(store.size).toBe(rows.length);
        rows.forEach((written, index) => {
          expect({ ...store.read(index) }).toEqual(expected(written));
        });
      }),
    );
  });

  it("reads back rows across many chunks, in order and at any index", () => {
    const rows = runLike(60_000);
    const store = new RowStore();
    for (const written of rows) store.add(written.kind, written, written.extra, written.ref);
    rows.forEach((written, index) => {
      expect({ ...store.read(index) }).toEqual(expected(written));
    });
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: rows.length - 1 }), { minLength: 1 }), (indexes) => {
        for (const index of indexes)
          expect({ ...store.read(index) }).toEqual(expected(rows[index] as Written));
      }),
      { numRuns: 50 },
    );
  });

  it("keeps every reference of a chunk holding more than the room made for them at once", () => {
    // Object rows take one word and a reference each: a chunk of them holds far more references
    // than the 16,384 a chunk makes room for when it starts.
    const store = new RowStore();
    const refs = Array.from({ length: 100_000 }, (_, index) => ({ index }));
    for (const ref of refs) store.add(rowKind.object, emptyRow(), 0, ref);
    refs.forEach((ref, index) => {
      expect(store.read(index).ref).toBe(ref);
    });
    expect(store.read(70_000).ref).toBe(refs[70_000]);
    expect(store.read(20_000).ref).toBe(refs[20_000]);
  });

  it("reads rows written after a read began", () => {
    const rows = runLike(30_000);
    const store = new RowStore();
    for (let index = 0; index < rows.length; index++) {
      const written = rows[index] as Written;
      store.add(written.kind, written, written.extra, written.ref);
      if (index % 997 === 0) {
        for (let read = Math.max(0, index - 3); read <= index; read++) {
          expect({ ...store.read(read) }).toEqual(expected(rows[read] as Written));
        }
      }
    }
    expect({ ...store.read(rows.length - 1) }).toEqual(expected(rows[rows.length - 1] as Written));
  });

  it("says which row it has not got", () => {
    const store = new RowStore();
    store.add(rowKind.state, { ...emptyRow(), t: 1, e: 1 }, 0, undefined);
    expect(() => store.read(1)).toThrow(/no row 1 of 1/);
  });
});
