import type { AnyModel } from "../../sim/check/index.js";
import type { Operation } from "../../sim/history.js";

/**
 * The oracle the checker's pruning is tested against: whether some order of all completed
 * operations and some of the indeterminate ones is legal, tried exhaustively. Small histories only.
 */
export function bruteForce(operations: readonly Operation[], model: AnyModel): boolean {
  const placed = new Array<boolean>(operations.length).fill(false);
  const completed = operations.filter((operation) => operation.status === "ok").length;
  const search = (state: unknown, completedPlaced: number): boolean => {
    if (completedPlaced === completed) return true;
    for (let index = 0; index < operations.length; index++) {
      if (placed[index]) continue;
      const operation = operations[index]!;
      // Real time: every operation that returned before this one was called must come first.
      const ready = operations.every(
        (other, otherIndex) => placed[otherIndex] || !(other.returnUs < operation.callUs),
      );
      if (!ready) continue;
      const next = model.step(state, operation);
      if (next === undefined) continue;
      placed[index] = true;
      const found = search(next, completedPlaced + (operation.status === "ok" ? 1 : 0));
      placed[index] = false;
      if (found) return true;
    }
    return false;
  };
  return search(model.init(), 0);
}
