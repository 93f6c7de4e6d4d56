/**
 * A server of the two-node variants without a view service: n1 starts as primary and n2 as
 * backup of epoch (view) 1; other nodes stay idle.
 *
 * The primary sends a `heartbeat` every `pingInterval`; the backup answers with a `grant`.
 *
 * - **timeout** (the naive design of scenario B1): the backup takes over, in the next epoch, after
 *   `failoverTimeout` without a heartbeat, and the primary carries on alone (acknowledging writes
 *   nobody else has) after `failoverTimeout` without a grant. Both serve reads from local state.
 *   Under a partition both sides are primary: split brain.
 * - **lease**: a grant is a promise by the backup not to take over for a while. The primary may
 *   answer reads locally until `sentUs + lease` on its own clock, where `sentUs` is when it sent
 *   the heartbeat the grant answers. The backup takes over only after `lease·(1+ρ)/(1−ρ)` on its
 *   own clock since its last grant, with ρ = `driftBound`: if both clocks run within 1 ± ρ of real
 *   time, the old primary's lease has expired in real time before the new primary serves (Gray and
 *   Cheriton, Leases, SOSP 1989). Writes always wait for the backup. A primary that lost its
 *   backup serves alone in its epoch; nobody else can take over then.
 *
 * Servers keep their key-value state, epoch, role and eligibility durably, so a restart does not
 * lose acknowledged writes. A restarted backup asks for a fresh transfer (`join`) before it
 * applies forwards again.
 */
import type { ClientRequest, NodeId, ProtocolNode, StateDescription } from "../../sim/node.js";
import type { KvSnapshot } from "../shared/kv-store.js";
import type { Grant, Operation, PrimaryBackupMessage } from "./messages.js";
import { Replica, type ServerRole } from "./replica.js";
import { describeServer } from "./state.js";

const heartbeatTimer = "heartbeat";
/** The backup's takeover timer; the scenario action `timeout: n2` fires it. */
export const failoverTimer = "failover";

const metaKey = "meta";
const baseKey = "kv.base";
const operationsKey = "kv.operations";
const startsKey = "starts";

interface Meta {
  readonly view: number;
  readonly role: ServerRole;
  /** The backup held the primary's state in `view`, so it may take over. */
  readonly eligible: boolean;
}

export class PairServer extends Replica implements ProtocolNode<PrimaryBackupMessage> {
  readonly variant: "lease" | "timeout" = this.options.variant === "lease" ? "lease" : "timeout";
  /** Lease variant: the primary may read locally until this local time. */
  leaseUntilUs = 0;
  private eligible = false;
  /** Backup, lease variant: it promised not to take over before this local time. */
  private promiseUntilUs = 0;
  private lastGrantUs = 0;
  private readonly peer: NodeId | undefined;
  private readonly active: boolean;

  constructor(...args: ConstructorParameters<typeof Replica>) {
    super(...args);
    const [first, second] = this.ctx.nodes;
    this.active = this.ctx.id === first || this.ctx.id === second;
    this.peer = this.ctx.id === first ? second : this.ctx.id === second ? first : undefined;
  }

  onStart(info: { restarted: boolean }): void {
    if (!this.active || this.peer === undefined) return;
    // Each start is a new incarnation: after a restart within the same epoch, the backup must not
    // take this run's indices and transfers for those of the run before the crash.
    this.incarnation = (this.ctx.storage.get<number>(startsKey) ?? 0) + 1;
    this.ctx.storage.set(startsKey, this.incarnation);
    this.ctx.storage.sync();
    const meta = this.ctx.storage.get<Meta>(metaKey);
    if (!info.restarted || meta === undefined) {
      if (this.ctx.id === this.ctx.nodes[0]) {
        this.startPrimaryView(1, null);
        this.backupId = this.peer;
        this.ctx.note("became-primary", { view: 1 });
      } else {
        this.role = "backup";
        this.view = 1;
        this.synced = true;
        // It holds the (empty) state of the primary's first run.
        this.syncedIncarnation = 1;
        this.eligible = true;
      }
      this.persistMeta();
    } else {
      this.restore(meta);
    }
    this.lastGrantUs = this.ctx.now();
    // Whatever a backup promised before a restart, it keeps: a full wait starts now.
    if (this.role === "backup") this.promiseUntilUs = this.ctx.now() + this.takeoverDelayUs();
    this.armTimers();
  }

  private restore(meta: Meta): void {
    const base = this.ctx.storage.get<KvSnapshot>(baseKey);
    if (base !== undefined) this.kv.restore(base);
    for (const operation of this.ctx.storage.list<Operation>(operationsKey)) this.kv.execute(operation);
    this.eligible = meta.eligible;
    if (meta.role === "primary") {
      // Our backup may lack operations we applied just before the crash: transfer again.
      this.startPrimaryView(meta.view, this.peer ?? null);
    } else {
      this.role = "backup";
      this.view = meta.view;
      this.synced = false;
      if (this.peer !== undefined) this.ctx.send(this.peer, { type: "join", view: this.view });
    }
  }

  onTimer(name: string): void {
    if (!this.active) return;
    if (name === heartbeatTimer && this.role === "primary") {
      this.heartbeat();
    } else if (name === failoverTimer && this.role === "backup") {
      const promiseLeftUs = this.promiseUntilUs - this.ctx.now();
      // A promise is a promise: even a timer fired early (`timeout: nX`) waits for it to run out.
      if (this.variant === "lease" && promiseLeftUs > 0) this.ctx.setTimer(failoverTimer, promiseLeftUs);
      else if (this.eligible) this.takeOver();
      else this.armTimers();
    }
  }

  onMessage(from: NodeId, message: PrimaryBackupMessage): void {
    if (!this.active || from !== this.peer) return;
    if (this.handleReplication(from, message)) {
      if (message.type === "transfer" && this.role === "backup") this.armTimers();
    } else if (message.type === "heartbeat") {
      this.onHeartbeat(from, message.view, message.sentUs);
    } else if (message.type === "grant") {
      this.onGrant(from, message);
    } else if (message.type === "join") {
      if (this.role === "primary" && message.view <= this.view) this.addBackup();
    }
  }

  override onClientRequest(request: ClientRequest): void {
    super.onClientRequest(request);
  }

  // ---- primary ----------------------------------------------------------------------------

  private heartbeat(): void {
    if (this.peer === undefined) return;
    const nowUs = this.ctx.now();
    this.ctx.send(this.peer, { type: "heartbeat", view: this.view, sentUs: nowUs });
    if (
      this.variant === "timeout" &&
      this.backupId !== null &&
      nowUs - this.lastGrantUs >= this.options.failoverTimeoutUs
    ) {
      // The naive design: the backup stopped answering, so carry on without it.
      this.ctx.note("dropped-backup", { view: this.view });
      this.dropBackup();
    }
    this.resend();
    this.ctx.setTimer(heartbeatTimer, this.options.pingIntervalUs);
  }

  private onGrant(from: NodeId, { view, sentUs, synced }: Grant): void {
    if (view > this.view) {
      this.stepDown(view);
      return;
    }
    if (this.role !== "primary" || view < this.view) return;
    this.lastGrantUs = this.ctx.now();
    if (this.variant === "lease" && this.backupId === from) {
      this.leaseUntilUs = Math.max(this.leaseUntilUs, sentUs + this.options.leaseUs);
    }
    if (this.backupId === null || (!synced && this.backupReady)) this.addBackup();
  }

  private addBackup(): void {
    if (this.peer === undefined) return;
    if (this.backupId === null) this.backupId = this.peer;
    this.resync();
  }

  protected override onNewerView(_from: NodeId, view: number): void {
    this.stepDown(view);
  }

  private stepDown(view: number): void {
    if (this.role === "primary") this.stopBeingPrimary();
    this.role = "backup";
    this.view = view;
    this.synced = false;
    this.eligible = false;
    this.leaseUntilUs = 0;
    this.persistMeta();
    this.armTimers();
    if (this.peer !== undefined) this.ctx.send(this.peer, { type: "join", view });
  }

  // ---- backup ----------------------------------------------------------------------------

  private onHeartbeat(from: NodeId, view: number, sentUs: number): void {
    if (view < this.view) {
      // A stale primary: tell it about our epoch so it steps down.
      this.ctx.send(from, { type: "grant", view: this.view, sentUs, synced: false });
      return;
    }
    if (view > this.view || this.role !== "backup") {
      if (this.role === "primary") this.stopBeingPrimary();
      this.role = "backup";
      this.view = view;
      this.synced = false;
      this.eligible = false;
      this.leaseUntilUs = 0;
      this.persistMeta();
    }
    // The grant is a promise not to take over before the failover timer runs out.
    this.armTimers();
    this.promiseUntilUs = this.ctx.now() + this.takeoverDelayUs();
    this.ctx.send(from, { type: "grant", view, sentUs, synced: this.synced });
  }

  private takeOver(): void {
    this.ctx.note("became-primary", { view: this.view + 1 });
    this.startPrimaryView(this.view + 1, null);
    this.leaseUntilUs = 0;
    this.lastGrantUs = this.ctx.now();
    this.persistMeta();
    this.armTimers();
  }

  /** Backup: how long after a grant it may take over, on its own clock. */
  private takeoverDelayUs(): number {
    if (this.variant === "timeout") return this.options.failoverTimeoutUs;
    // BUG(lease-ignores-drift): wait exactly one lease, with no margin for drift.
    if (this.bugs.has("lease-ignores-drift")) return this.options.leaseUs;
    const drift = this.options.driftBound;
    return Math.ceil((this.options.leaseUs * (1 + drift)) / (1 - drift));
  }

  private armTimers(): void {
    if (this.role === "primary") {
      this.ctx.cancelTimer(failoverTimer);
      if (!this.ctx.hasTimer(heartbeatTimer)) this.ctx.setTimer(heartbeatTimer, 0);
    } else {
      this.ctx.cancelTimer(heartbeatTimer);
      this.ctx.setTimer(failoverTimer, this.takeoverDelayUs());
    }
  }

  // ---- roles, reads and durability ---------------------------------------------------------

  /** Whether this server may act as the primary right now (read by `pb.lease-exclusive`). */
  holdsLease(): boolean {
    if (this.role !== "primary") return false;
    return this.backupId === null || this.ctx.now() < this.leaseUntilUs;
  }

  /** The drift bound the lease design assumes (read by `pb.lease-exclusive`). */
  get driftBound(): number {
    return this.options.driftBound;
  }

  /** This server's local clock (read by `pb.lease-exclusive` to check the drift bound). */
  localNowUs(): number {
    return this.ctx.now();
  }

  protected override serveLocally(request: ClientRequest): boolean {
    if (request.f !== "read" && request.f !== "get") return false;
    if (this.variant === "timeout") return true;
    // Under a valid lease, and only when no write waits for the backup: a local read must not
    // see a write that may yet be lost.
    return this.backupId !== null && this.inFlightCount === 0 && this.ctx.now() < this.leaseUntilUs;
  }

  protected primaryHint(): NodeId | null {
    return this.role === "primary" ? this.ctx.id : (this.peer ?? null);
  }

  protected acceptsPrimary(from: NodeId, view: number): boolean {
    return from === this.peer && view === this.view;
  }

  protected acceptsTransfer(from: NodeId, view: number): boolean {
    if (from !== this.peer || view < this.view) return false;
    if (this.role === "primary") this.stopBeingPrimary();
    this.leaseUntilUs = 0;
    return true;
  }

  protected override onApplied(operation: Operation): void {
    this.ctx.storage.append(operationsKey, operation);
    // The backup acknowledges an operation only once it is on disk.
    this.ctx.storage.sync();
  }

  protected override onInstalled(state: KvSnapshot): void {
    this.ctx.storage.set(baseKey, state);
    this.ctx.storage.truncate(operationsKey, 0);
    this.eligible = true;
    this.persistMeta();
  }

  private persistMeta(): void {
    const meta: Meta = { view: this.view, role: this.role, eligible: this.eligible };
    this.ctx.storage.set(metaKey, meta);
    this.ctx.storage.sync();
  }

  /** The server's description (state.ts), with the primary's lease end in the lease variant. */
  describe(): StateDescription {
    const state = describeServer(this, this.role === "primary" ? this.ctx.id : (this.peer ?? null));
    return this.variant === "lease" && this.role === "primary"
      ? { ...state, leaseUntilUs: this.leaseUntilUs }
      : state;
  }
}
