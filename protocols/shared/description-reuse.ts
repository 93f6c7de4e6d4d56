/**
 * A node's description handed out again, the very object, while nothing it shows has changed
 * (`describe(last)` in sim/node.ts): the trace then drops it by identity, with no field-by-field
 * comparison, and nothing is allocated. `unchanged` must read every field the description is made
 * from, and say false only when one of them changed: a node that hands descriptions back has each
 * new one recorded as a change, uncompared (sim/node.ts).
 *
 * Measured on Raft's kv bench (bench/raft.ts, trace in memory): 46,234 of a run's 105,558
 * descriptions show nothing new; handing them back cut what describing allocates from 16.9 to
 * 7.9 MB a run, and the trace's copies of kept descriptions (6.7 MB, sim/trace/shapes.ts) went
 * too, since each new object is then a change: 64.6 → 53.8 MB allocated a run in all.
 */
import type { StateDescription } from "../../sim/node.js";

export interface DescriptionParts<Node, Description extends StateDescription> {
  /** A new description of `node`. */
  readonly describe: (node: Node) => Description;
  /** Whether `last`, made from `node` earlier, still shows exactly what `node` holds now. */
  readonly unchanged: (last: Description, node: Node) => boolean;
}

export class DescriptionReuse<Node, Description extends StateDescription> {
  constructor(private readonly parts: DescriptionParts<Node, Description>) {}

  /**
   * `last` when it still shows `node`, otherwise a new description. `last` must be what this
   * reuse described for the same node last (the kernel hands it back), or undefined.
   */
  describe(node: Node, last: StateDescription | undefined): Description {
    const previous = last as Description | undefined;
    if (previous !== undefined && this.parts.unchanged(previous, node)) return previous;
    return this.parts.describe(node);
  }
}
