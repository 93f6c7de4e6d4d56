/**
 * A server of the view-service variant (MIT 6.824 Lab 2, 2015, Part B). It pings the view service
 * (n1) every `pingInterval` and takes its role from the view it gets back. As primary it
 * acknowledges a view (pings with its number) only once its backup confirmed the state
 * transfer, so the view service never promotes a backup that lacks acknowledged writes.
 * Servers keep their state in memory: a restarted server pings with view 0 and is treated as a
 * new, empty server.
 */
import type { NodeId, ProtocolNode, StateDescription } from "../../sim/node.js";
import type { PrimaryBackupMessage, View } from "./messages.js";
import { Replica } from "./replica.js";
import { describeServer } from "./state.js";

const pingTimer = "ping";

export class ViewServer extends Replica implements ProtocolNode<PrimaryBackupMessage> {
  private known: View = { viewnum: 0, primary: null, backup: null };
  private readonly viewService: NodeId = this.ctx.nodes[0] as NodeId;

  /** False after a restart: the server lost its state and may not be primary until synced. */
  private firstBoot = true;

  onStart(info: { restarted: boolean }): void {
    this.firstBoot = !info.restarted;
    this.ping();
  }

  onTimer(name: string): void {
    if (name !== pingTimer) return;
    this.ping();
    this.resend();
  }

  onMessage(from: NodeId, message: PrimaryBackupMessage): void {
    if (!this.handleReplication(from, message) && message.type === "view" && from === this.viewService) {
      this.adopt(message.view);
    }
  }

  override onClientRequest(request: Parameters<Replica["onClientRequest"]>[0]): void {
    super.onClientRequest(request);
  }

  /**
   * The view this server acknowledges: as primary, only once its backup holds the state. A server
   * the view names primary but that does not serve (it restarted, or was a backup without the
   * state) must never acknowledge: that would let the view service promote the backup of a view
   * in which no transfer took place. It pings view 0 instead, which tells the service it is lost.
   */
  get ackedView(): number {
    if (this.known.primary === this.ctx.id && this.role !== "primary") return 0;
    if (this.role === "primary" && !this.backupReady) return this.known.viewnum - 1;
    return this.known.viewnum;
  }

  private ping(): void {
    this.ctx.send(this.viewService, { type: "ping", viewnum: Math.max(0, this.ackedView) });
    this.ctx.setTimer(pingTimer, this.options.pingIntervalUs);
  }

  private adopt(view: View): void {
    if (view.viewnum <= this.known.viewnum) return;
    const previous = this.known;
    this.known = view;
    const me = this.ctx.id;
    // Only a server that holds the current state may serve as primary: the primary or a synced
    // backup of the view before (or a server that never crashed, in view 1, when there is no state
    // yet). A restarted
    // server named primary waits, empty, for the view service to notice it is gone.
    const holdsState =
      this.role === "primary" ||
      (this.role === "backup" && this.synced) ||
      (view.viewnum === 1 && this.firstBoot);
    if (view.primary === me && !holdsState) {
      this.view = view.viewnum;
      this.role = "idle";
      return;
    }
    if (view.primary === me) {
      // A backup promoted keeps its state; a primary that stays primary keeps it too.
      if (previous.primary !== me || previous.backup !== view.backup || this.role !== "primary") {
        if (this.role !== "primary") this.ctx.note("became-primary", { view: view.viewnum });
        this.startPrimaryView(view.viewnum, view.backup);
      } else {
        this.view = view.viewnum;
      }
      return;
    }
    if (this.role === "primary") this.stopBeingPrimary();
    this.view = view.viewnum;
    if (view.backup === me) {
      // The state a backup holds is good only for the view it got it in: views it missed may have
      // had no backup (the primary served alone) or another one. It keeps its state only from the
      // view just before, with the same primary; otherwise it waits for the primary's transfer.
      const consecutive = view.viewnum === previous.viewnum + 1 && previous.primary === view.primary;
      if (this.role !== "backup" || !consecutive) this.synced = false;
      this.role = "backup";
    } else {
      this.role = "idle";
      this.synced = false;
    }
  }

  protected primaryHint(): NodeId | null {
    return this.known.primary;
  }

  protected acceptsPrimary(from: NodeId, view: number): boolean {
    return view === this.known.viewnum && from === this.known.primary;
  }

  protected acceptsTransfer(from: NodeId, view: number): boolean {
    // The primary may learn of the view before we do; trust a transfer for a newer view.
    if (view > this.known.viewnum) {
      this.known = { viewnum: view, primary: from, backup: this.ctx.id };
      if (this.role === "primary") this.stopBeingPrimary();
      return true;
    }
    return view === this.known.viewnum && from === this.known.primary && this.known.backup === this.ctx.id;
  }

  /** The server's description (state.ts), naming the primary of the view it knows. */
  describe(): StateDescription {
    return describeServer(this, this.known.primary);
  }
}
