/**
 * A ring member: one node of a consistent-hashing experiment (Karger et al. 1997; Chord §4.2;
 * Dynamo §4.2–4.3; bounded loads: Mirrokni, Thorup and Zadimoghaddam 2016).
 *
 * Every node knows the experiment (options.ts): the keys, the placements and the timeline of
 * membership changes. A change is carried out by the node it names, on a timer at its time: the
 * joiner (or leaver) computes, for every placement, the assignment of every key before and after,
 * notes the movement (`membership-change`) and the load spread after it (`load`), and announces
 * the new membership with a `Membership` message so every node's view (and its state strip)
 * follows. Ownership is a pure function of (key, membership), so nothing else needs agreeing;
 * a node that is crashed at its change time simply does not carry it out.
 *
 * State shown in traces: whether the node is in the ring, the membership it knows, its tokens on
 * the ring (for the circle drawing of the report) and its key count under every placement.
 */
import type { NodeContext, NodeId, ProtocolNode, StartInfo, StateDescription } from "../../sim/node.js";
import {
  changeFigures,
  loadFigures,
  type Measured,
  measure,
  type PlacementChange,
  placementKey,
  placementRing,
  stepKeys,
} from "./experiment.js";
import { keyRange } from "./figures.js";
import type { RingExperimentOptions } from "./options.js";
import type { Ring } from "./ring.js";

/** Sent by the node that joined or left to every other node. */
export interface MembershipMessage {
  readonly type: "Membership";
  /** Index of the change in the timeline (later changes win over late messages). */
  readonly changeIndex: number;
  readonly step: string;
  readonly members: readonly string[];
  /** Placement key → label → number of keys owned after the change. */
  readonly loads: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export type RingMessage = MembershipMessage;

const viewKey = "view";

interface StoredView {
  readonly changeIndex: number;
  readonly members: readonly string[];
  readonly loads: MembershipMessage["loads"];
}

export class RingMemberNode implements ProtocolNode<RingMessage> {
  readonly label: string;
  /** Index of the last change this node knows of; -1 for the initial membership. */
  changeIndex = -1;
  members: readonly string[];
  loads: MembershipMessage["loads"] = {};
  /** The rings of the current membership by placement key (mod-N has none); for invariants. */
  rings = new Map<string, Ring>();
  /** The figures of the last change this node carried out, and a counter for monitors. */
  lastChange: Readonly<Record<string, PlacementChange>> | undefined;
  lastChangeStep = "";
  changesMade = 0;
  private readonly keys: readonly string[];
  private readonly steps: readonly string[];

  constructor(
    private readonly ctx: NodeContext<RingMessage>,
    readonly options: RingExperimentOptions,
  ) {
    const index = ctx.nodes.indexOf(ctx.id);
    this.label = options.labels.length === 0 ? ctx.id : (options.labels[index] ?? ctx.id);
    this.members = this.initialMembers();
    this.keys = keyRange(options.keyCount, options.keyPrefix);
    this.steps = stepKeys(options.changes);
  }

  onStart(info: StartInfo): void {
    const stored = this.ctx.storage.get<StoredView>(viewKey);
    if (info.restarted && stored !== undefined) {
      this.changeIndex = stored.changeIndex;
      this.members = stored.members;
      this.loads = stored.loads;
    } else if (this.label === this.members[0]) {
      // The first initial member reports the starting load, once.
      const measured = measure(this.options, this.members, this.keys);
      this.loads = this.loadsByPlacement(measured);
      this.ctx.note("load", {
        step: "initial",
        members: [...this.members],
        placements: this.summary(measured),
      });
    }
    this.rebuildRings();
    const nowUs = this.ctx.now();
    this.options.changes.forEach((change, index) => {
      if (change.label !== this.label || index <= this.changeIndex) return;
      if (change.atUs >= nowUs) this.ctx.setTimer(`change-${index}`, change.atUs - nowUs);
    });
  }

  onTimer(name: string): void {
    if (!name.startsWith("change-")) return;
    const index = Number(name.slice("change-".length));
    const change = this.options.changes[index];
    if (change === undefined) return;
    const before = this.members;
    const after =
      change.kind === "join"
        ? before.includes(change.label)
          ? before
          : [...before, change.label]
        : before.filter((label) => label !== change.label);
    const step = this.steps[index] as string;
    if (after === before || after.length === before.length || after.length === 0) {
      this.ctx.note("membership-change-skipped", { step, members: [...before] });
      return;
    }
    const measuredBefore = measure(this.options, before, this.keys);
    const measuredAfter: Measured = measure(this.options, after, this.keys);
    const figures = changeFigures(measuredBefore, measuredAfter, this.keys);
    this.lastChange = figures;
    this.lastChangeStep = step;
    this.changesMade++;
    const placements: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(figures)) {
      const { loads: _loads, ...rest } = entry;
      placements[key] = rest;
    }
    this.ctx.note("membership-change", {
      step,
      change: `${change.kind} ${change.label}`,
      members: [...after],
      keys: this.keys.length,
      placements,
    });
    this.ctx.note("load", { step, members: [...after], placements: this.summary(measuredAfter) });
    this.adopt(index, after, this.loadsByPlacement(measuredAfter));
    this.ctx.broadcast({ type: "Membership", changeIndex: index, step, members: after, loads: this.loads });
  }

  onMessage(_from: NodeId, message: RingMessage): void {
    if (message.type !== "Membership" || message.changeIndex <= this.changeIndex) return;
    this.adopt(message.changeIndex, message.members, message.loads);
  }

  private initialMembers(): readonly string[] {
    if (this.options.initial.length > 0) return this.options.initial;
    if (this.options.labels.length > 0) return this.options.labels;
    return this.ctx.nodes;
  }

  private adopt(changeIndex: number, members: readonly string[], loads: MembershipMessage["loads"]): void {
    this.changeIndex = changeIndex;
    this.members = members;
    this.loads = loads;
    const stored: StoredView = { changeIndex, members, loads };
    this.ctx.storage.set(viewKey, stored);
    this.rebuildRings();
  }

  private rebuildRings(): void {
    this.rings = new Map();
    for (const spec of this.options.placements) {
      const ring = placementRing(spec, this.members, this.options.bugs);
      if (ring !== undefined) this.rings.set(placementKey(spec), ring);
    }
  }

  private loadsByPlacement(measured: Measured): MembershipMessage["loads"] {
    const loads: Record<string, Record<string, number>> = {};
    for (const [key, figures] of Object.entries(loadFigures(measured))) loads[key] = { ...figures.loads };
    return loads;
  }

  private summary(measured: Measured): Record<string, unknown> {
    const summary: Record<string, unknown> = {};
    for (const [key, figures] of Object.entries(loadFigures(measured))) summary[key] = figures;
    return summary;
  }

  /** The ring drawn by reports: this node's tokens under the placement with the most vnodes. */
  private drawnRing(): { placement: string; vnodes: number; tokens: number[] } | undefined {
    let best: { placement: string; ring: Ring } | undefined;
    for (const [placement, ring] of this.rings) {
      if (best === undefined || ring.vnodesPerNode > best.ring.vnodesPerNode) best = { placement, ring };
    }
    if (best === undefined) return undefined;
    const ownIndex = best.ring.nodes.indexOf(this.label);
    const tokens: number[] = [];
    if (ownIndex >= 0) {
      for (let index = 0; index < best.ring.tokens.length; index++) {
        if (best.ring.tokenOwnerIndexes[index] === ownIndex) tokens.push(best.ring.tokens[index] as number);
      }
    }
    return { placement: best.placement, vnodes: best.ring.vnodesPerNode, tokens };
  }

  /** Membership, this node's key counts per placement, and its ring tokens for the report. */
  describe(): StateDescription {
    const inRing = this.members.includes(this.label);
    const keys: Record<string, number> = {};
    for (const [placement, loads] of Object.entries(this.loads)) keys[placement] = loads[this.label] ?? 0;
    return {
      role: inRing ? "member" : "outside",
      label: this.label,
      members: [...this.members],
      keys,
      ring: this.drawnRing(),
    };
  }
}
