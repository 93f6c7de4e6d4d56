/**
 * A node's last description recorded, and the test the trace puts each new one to: is it other
 * data than the last one (`sameDescription`: a field holding `undefined` counts as absent, field
 * order does not count)? A description with the same field names as the last one is compared by
 * the generated code of its shape (shapes.ts), any other by `sameDescription`.
 */
import { sameDescription } from "./compare.js";
import { type DescriptionShape, hasShape, shapeOf } from "./shapes.js";

export class LastDescription {
  /** The last description, as kept: the same data as the one recorded last. */
  private description: unknown = undefined;
  /** The shape of `description`, when it has generated code (undefined otherwise). */
  private shape: DescriptionShape | undefined = undefined;

  /**
   * `copies`: keep a plain object with a shape as a copy (`current`), for a trace that holds its
   * descriptions in memory (shapes.ts says why).
   */
  constructor(private readonly copies: boolean) {}

  /** Takes `next` as the last description; true when it is other data than the one before. */
  changed(next: unknown): boolean {
    const last = this.description;
    if (last === next) return false;
    const shape = this.shape;
    if (shape !== undefined && hasShape(next, shape)) {
      if (shape.same(last as object, next as object)) return false;
      this.description = this.copies ? shape.copy(next as object) : next;
      return true;
    }
    const nextShape = shapeOf(next);
    const changed = !sameDescription(last, next);
    this.shape = nextShape;
    this.description =
      changed && this.copies && nextShape !== undefined ? nextShape.copy(next as object) : next;
    return changed;
  }

  /** The last description as kept, to be recorded when `changed` said true (immutable). */
  get current(): unknown {
    return this.description;
  }

  /** Forgets the last description (the node crashed: its next one is kept whatever it says). */
  forget(): void {
    this.description = undefined;
    this.shape = undefined;
  }
}
