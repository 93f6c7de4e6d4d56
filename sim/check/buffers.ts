/**
 * Typed arrays for the linearizability search, reused from one search to the next.
 *
 * Why: a fuzz campaign checks one history per run, and each search needs a dozen integer arrays
 * (its entry list, bitset, cache and state tables). Allocated fresh, they are off-heap buffers
 * that V8 counts toward its young generation, so they brought young collections forward into
 * the checks, where the whole run is still alive: the collector then copied and promoted a run's
 * worth of objects each time. Measured on 5-node Raft fuzz runs, reusing them cut what each young
 * collection copies by about a third.
 *
 * Arrays are handed out by power-of-two size class (at least the length asked for; searches index
 * them, never read their length for bounds) and zero-filled. A search gives its arrays back when
 * it reaches a verdict it keeps to itself; arrays of an abandoned search are left to the garbage
 * collector. The pool keeps a few arrays per size class, and none above 4 MB (a long search's
 * cache), so it stays small.
 */

const keptPerClass = 8;
const smallestClass = 16;
const largestKept = 1 << 20;

const free = new Map<number, Int32Array<ArrayBuffer>[]>();

function sizeClass(length: number): number {
  let size = smallestClass;
  while (size < length) size *= 2;
  return size;
}

/** A zero-filled array of at least `length` elements (exactly `length` when it is a power of two ≥ 16). */
export function takeInt32(length: number): Int32Array<ArrayBuffer> {
  const size = sizeClass(length);
  const array = free.get(size)?.pop();
  if (array === undefined) return new Int32Array(size);
  array.fill(0);
  return array;
}

/** Returns arrays to the pool; the caller must not use them afterwards. */
export function giveInt32(...arrays: Int32Array<ArrayBuffer>[]): void {
  for (const array of arrays) {
    const size = array.length;
    if (size < smallestClass || size > largestKept || (size & (size - 1)) !== 0) continue;
    let list = free.get(size);
    if (list === undefined) {
      list = [];
      free.set(size, list);
    }
    if (list.length < keptPerClass && !list.includes(array)) list.push(array);
  }
}
