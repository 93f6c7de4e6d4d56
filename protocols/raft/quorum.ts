/**
 * The value a quorum has reached: sorts `values[0..count)` in place, largest first, and returns
 * the `quorum`-th largest. An insertion sort, because the arrays hold one number per node (usually
 * a handful) and `Array.prototype.sort` with a comparator allocates scratch space on every call, which
 * the commit rule and ReadIndex would pay on every acknowledgement.
 */
export function quorumValue(values: number[], count: number, quorum: number): number {
  for (let i = 1; i < count; i++) {
    const value = values[i] as number;
    let j = i - 1;
    while (j >= 0 && (values[j] as number) < value) {
      values[j + 1] = values[j] as number;
      j--;
    }
    values[j + 1] = value;
  }
  return values[quorum - 1] as number;
}
