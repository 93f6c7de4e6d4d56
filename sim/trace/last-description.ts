/**
 * A node's last description recorded, and the test the trace puts each new one to: is it other
 * data than the last one (`sameDescription`: a field holding `undefined` counts as absent, field
 * order does not count)? The very object handed over last is the same data at once. A description
 * with the same field names as the last one is compared by the generated code of its shape
 * (shapes.ts), any other by `sameDescription`.
 */
import { sameDescription } from "./compare.js";
import { type DescriptionShape, hasShape, shapeOf } from "./shapes.js";

export class LastDescription {
  /** The last description, as kept: the same data as the one recorded last. */
  private description: unknown = undefined;
  /**
   * The object the node handed over last: a node may hand the same description out again while
   * nothing it shows changed (`describe(last)`, sim/node.ts), and that is dropped at once.
   */
  private handed: unknown = undefined;
  /**
   * Whether the node has handed the same object out twice in a row: then each new object it hands
   * over is a change, kept by the trace anyway, and a copy would only add work (see `changed`).
   */
  private repeats = false;
  /**
   * The shape whose generated code compares the next description with `description` (undefined
   * when it has none), and whether `description`'s fields are exactly the shape's (`hasShape`).
   * A description kept without that check (see `changed`) is checked when it is next found equal.
   */
  private shape: DescriptionShape | undefined = undefined;
  private exact = false;

  /**
   * `copies`: keep a plain object with a shape as a copy (`current`), for a trace that holds its
   * descriptions in memory (shapes.ts says why).
   */
  constructor(private readonly copies: boolean) {}

  /** Takes `next` as the last description; true when it is other data than the one before. */
  changed(next: unknown): boolean {
    if (next === this.handed) {
      this.repeats = true;
      return false;
    }
    this.handed = next;
    const last = this.description;
    if (last === next) return false;
    const shape = this.shape;
    if (shape !== undefined && typeof next === "object" && next !== null) {
      // A field of the shape that differs makes other data, whatever other fields either holds,
      // so only equal fields need the field names checked (`hasShape`'s walk over them).
      if (!shape.same(last as object, next)) {
        if (!this.copies || this.repeats) {
          this.description = next;
          this.exact = false;
          return true;
        }
        if (hasShape(next, shape)) {
          this.description = shape.copy(next);
          this.exact = true;
          return true;
        }
      } else if ((this.exact || hasShape(last, shape)) && hasShape(next, shape)) {
        return false;
      }
    }
    const nextShape = shapeOf(next);
    const changed = !sameDescription(last, next);
    this.shape = nextShape;
    this.exact = nextShape !== undefined;
    this.description =
      changed && this.copies && !this.repeats && nextShape !== undefined
        ? nextShape.copy(next as object)
        : next;
    return changed;
  }

  /** The object the node handed over last (the same data as `current`). */
  get given(): unknown {
    return this.handed;
  }

  /** The last description as kept, to be recorded when `changed` said true (immutable). */
  get current(): unknown {
    return this.description;
  }

  /** Forgets the last description (the node crashed: its next one is kept whatever it says). */
  forget(): void {
    this.description = undefined;
    this.handed = undefined;
    this.shape = undefined;
    this.exact = false;
  }
}
