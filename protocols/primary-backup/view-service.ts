/**
 * The view service of MIT 6.824 Lab 2 (2015), Part A: node n1 decides which server is primary and
 * which is backup, in numbered views.
 *
 * Servers ping every `pingInterval` with the view they have acknowledged. A server is dead after
 * `deadPings` intervals without a ping, or when it pings with view 0 while holding a role (it
 * restarted and lost its state). The service moves to view v+1 only when the primary of view v
 * has acknowledged v, which the primary does only once its backup holds its state; this is what
 * guarantees that the next primary, chosen among the current primary and backup, has every
 * acknowledged write. Without a backup to promote, a dead primary leaves the service stuck:
 * unavailable but safe.
 */
import type { NodeContext, NodeId, ProtocolNode, StateDescription } from "../../sim/node.js";
import type { PrimaryBackupBugName } from "./bugs.js";
import type { PrimaryBackupMessage, View } from "./messages.js";
import type { PrimaryBackupOptions } from "./options.js";

const tickTimer = "tick";
const viewKey = "view";
const ackedKey = "acked";

export class ViewServiceNode implements ProtocolNode<PrimaryBackupMessage> {
  readonly kind = "view-service";
  readonly role = "view-service";
  view: View = { viewnum: 0, primary: null, backup: null };
  /** The primary of the current view has acknowledged it. */
  primaryAcked = false;
  /** The view before the current one, and whether its primary had acknowledged it (for invariants). */
  previous: { readonly view: View; readonly acked: boolean } | undefined;
  private readonly lastPingUs = new Map<NodeId, number>();
  /** Servers that restarted while holding a role in the current view. */
  private readonly lost = new Set<NodeId>();
  private readonly bugs: ReadonlySet<PrimaryBackupBugName>;

  constructor(
    private readonly ctx: NodeContext<PrimaryBackupMessage>,
    private readonly options: PrimaryBackupOptions,
  ) {
    this.bugs = new Set(options.bugs);
  }

  onStart(): void {
    this.view = this.ctx.storage.get<View>(viewKey) ?? this.view;
    this.primaryAcked = this.ctx.storage.get<boolean>(ackedKey) ?? false;
    this.ctx.setTimer(tickTimer, this.options.pingIntervalUs);
  }

  onTimer(name: string): void {
    if (name !== tickTimer) return;
    this.advance();
    this.ctx.setTimer(tickTimer, this.options.pingIntervalUs);
  }

  /**
   * The view service keeps no data and serves no clients: a client that asks it hears nothing, and
   * after its timeout asks the next server.
   */
  onClientRequest(): void {}

  onMessage(from: NodeId, message: PrimaryBackupMessage): void {
    if (message.type !== "ping") return;
    this.lastPingUs.set(from, this.ctx.now());
    const { viewnum, primary, backup } = this.view;
    if (from === primary && message.viewnum === viewnum && !this.primaryAcked) {
      this.primaryAcked = true;
      this.ctx.storage.set(ackedKey, true);
      this.ctx.storage.sync();
    }
    if (message.viewnum === 0 && viewnum > 0 && (from === primary || from === backup)) this.lost.add(from);
    this.advance();
    this.ctx.send(from, { type: "view", view: this.view });
  }

  private alive(server: NodeId): boolean {
    const lastUs = this.lastPingUs.get(server);
    if (lastUs === undefined || this.lost.has(server)) return false;
    return this.ctx.now() - lastUs < this.options.deadPings * this.options.pingIntervalUs;
  }

  /** Moves to the next view if something changed and the primary acknowledged the current one. */
  private advance(): void {
    const { viewnum, primary, backup } = this.view;
    // BUG(view-without-ack): the view changes even though the primary has not acknowledged it.
    if (viewnum > 0 && !this.primaryAcked && !this.bugs.has("view-without-ack")) return;
    const idle = this.ctx.peers.filter(
      (server) => server !== primary && server !== backup && this.alive(server),
    );
    if (viewnum === 0) {
      const first = [...this.lastPingUs.keys()].find((server) => this.alive(server));
      if (first !== undefined) this.install(first, null);
      return;
    }
    if (primary === null || !this.alive(primary)) {
      if (backup !== null && this.alive(backup)) this.install(backup, idle[0] ?? null);
      return;
    }
    if (backup !== null && !this.alive(backup)) {
      this.install(primary, idle[0] ?? null);
      return;
    }
    if (backup === null && idle[0] !== undefined) this.install(primary, idle[0]);
  }

  private install(primary: NodeId, backup: NodeId | null): void {
    this.previous = { view: this.view, acked: this.primaryAcked };
    this.view = { viewnum: this.view.viewnum + 1, primary, backup };
    this.primaryAcked = false;
    this.lost.clear();
    this.ctx.storage.set(viewKey, this.view);
    this.ctx.storage.set(ackedKey, false);
    // A view is on disk before any server hears of it: views never go back, even after a crash.
    // BUG(unsynced-view): the view is written, but servers hear of it before it is synced.
    if (!this.bugs.has("unsynced-view")) this.ctx.storage.sync();
    this.ctx.note("view", { ...this.view });
  }

  /** The current view and whether its primary acknowledged it; the view number is the term. */
  describe(): StateDescription {
    return {
      role: this.role,
      term: this.view.viewnum,
      view: this.view.viewnum,
      primary: this.view.primary,
      backup: this.view.backup,
      acked: this.primaryAcked,
    };
  }
}
