/**
 * A node's last description recorded, and the test the trace puts each new one to: is it other
 * data than the last one (`sameDescription`: a field holding `undefined` counts as absent, field
 * order does not count)? The very object handed over last is the same data at once. A description
 * with the same field names as the last one is compared by the generated code of its shape
 * (shapes.ts), any other by `sameDescription`.
 *
 * A node that has handed its last description back (`describe(last)`, sim/node.ts) says by doing
 * so that it hands over a new object only when what it shows changed, and is taken at its word:
 * its new objects are recorded without a comparison. Measured on Raft's kv bench (bench/raft.ts,
 * trace in memory), where all 59,324 new descriptions of a run differ from the one before,
 * comparing them took about 5% of the run (alternated in one process, 15 runs a side).
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
   * Whether the node has handed the same object out twice in a row: from then on each new object
   * it hands over is a change (see the header), kept as it is.
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
      if (typeof next === "object" && next !== null) this.repeats = true;
      return false;
    }
    this.handed = next;
    if (this.repeats) {
      this.description = next;
      return true;
    }
    const last = this.description;
    if (last === next) return false;
    const shape = this.shape;
    if (shape !== undefined && typeof next === "object" && next !== null) {
      // A field of the shape that differs makes other data, whatever other fields either holds,
      // so only equal fields need the field names checked (`hasShape`'s walk over them).
      if (!shape.same(last as object, next)) {
        if (!this.copies) {
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
      changed && this.copies && nextShape !== undefined ? nextShape.copy(next as object) : next;
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

  /**
   * Forgets the last description (the node crashed: its next one is kept whatever it says, and the
   * node object that gives it is new, so it is not taken at its word until it hands one back).
   */
  forget(): void {
    this.description = undefined;
    this.handed = undefined;
    this.repeats = false;
    this.shape = undefined;
    this.exact = false;
  }
}
