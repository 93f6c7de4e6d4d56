/**
 * What every primary-backup server does, whatever decides who is primary: the replication
 * itself.
 *
 * - The **primary** applies each client operation to its key-value store, gives it the next
 *   index of the current view, and forwards it to the backup. It answers the client only when
 *   the backup confirms it applied the operation (6.824 Lab 2: "the primary forwards each
 *   operation to the backup and waits for its reply"); reads are forwarded too, so a deposed
 *   primary cannot answer from stale state (the backup rejects it: ErrWrongServer).
 * - The **backup** applies forwarded operations strictly in index order (it buffers gaps), and
 *   only for the view and primary it knows.
 * - A **new backup** receives the primary's whole state in a `transfer` before anything else;
 *   until it confirms, the primary queues client operations.
 * - Client sessions (client, seq) make retried operations exactly-once on both sides.
 *
 * Subclasses decide roles and views (view service, or heartbeats and leases) and may serve some
 * reads locally (`serveLocally`).
 */
import type { ClientRequest, NodeContext, NodeId } from "../../sim/node.js";
import { isKvFunction, type KvSnapshot, KvStateMachine } from "../shared/kv-store.js";
import type { PrimaryBackupBugName } from "./bugs.js";
import type { Forward, ForwardReply, Operation, PrimaryBackupMessage, Transfer } from "./messages.js";
import type { PrimaryBackupOptions } from "./options.js";

export type ServerRole = "primary" | "backup" | "idle";

/** A client acknowledgement a primary sent (read by the `pb.ack-after-backup` invariant). */
export interface AckRecord {
  readonly client: string;
  readonly seq: number;
  readonly view: number;
  /** The backup that should already hold the operation, or null when the primary had none. */
  readonly backup: NodeId | null;
}

interface InFlight {
  request: ClientRequest;
  readonly operation: Operation;
  readonly result: unknown;
  sentUs: number;
}

export abstract class Replica {
  readonly kind = "server";
  role: ServerRole = "idle";
  /** The view (view service) or epoch (lease, timeout) this server acts in. */
  view = 0;
  /** Primary: the backup of its view, or null when it has none. */
  backupId: NodeId | null = null;
  /** Primary: the backup confirmed the state transfer for this view (or there is no backup). */
  backupReady = true;
  /** Backup: it holds the primary's state for `view`. */
  synced = false;
  /**
   * Primary: its backup refused a forward because it knows a newer view, so this server is
   * probably deposed and its state may hold operations nobody confirmed. It serves nothing, not
   * even remembered results, until it learns a view again.
   */
  suspect = false;
  readonly acks: AckRecord[] = [];
  /**
   * Primary: its run within the view (see messages.ts). Zero unless a subclass whose primary can
   * restart within a view numbers its starts.
   */
  protected incarnation = 0;
  /** Backup: the incarnation of the primary whose state it installed. */
  protected syncedIncarnation = 0;
  protected readonly kv = new KvStateMachine();
  protected readonly bugs: ReadonlySet<PrimaryBackupBugName>;
  private nextIndex = 1;
  private readonly inFlight = new Map<number, InFlight>();
  private readonly queued: ClientRequest[] = [];
  private transferSentUs: number | undefined;
  /** Primary: the index of the latest transfer sent in this view (its state's last operation). */
  private transferIndex = 0;
  private appliedIndex = 0;
  private readonly buffered = new Map<number, Operation>();

  constructor(
    protected readonly ctx: NodeContext<PrimaryBackupMessage>,
    protected readonly options: PrimaryBackupOptions,
  ) {
    this.bugs = new Set(options.bugs);
  }

  /** Whether this server has applied (client, seq): its session has reached seq. */
  hasApplied(client: string, seq: number): boolean {
    return this.kv.hasReached(client, seq);
  }

  /** The primary this server believes in, for redirects. */
  protected abstract primaryHint(): NodeId | null;

  /** A read this server may answer from its own state (lease and timeout variants). */
  protected serveLocally(_request: ClientRequest): boolean {
    return false;
  }

  /** Called when the backup answers with a higher view than ours. */
  protected onNewerView(_from: NodeId, _view: number): void {}

  /** Called after applying an operation (durable variants log it). */
  protected onApplied(_operation: Operation): void {}

  /** Called after installing a transferred state (durable variants store it). */
  protected onInstalled(_state: KvSnapshot): void {}

  onClientRequest(request: ClientRequest): void {
    if (!isKvFunction(request.f)) {
      this.ctx.reply(request, { status: "fail", error: `unknown operation '${request.f}'` });
      return;
    }
    if (this.role !== "primary" || this.suspect) {
      const leader = this.role === "primary" ? null : this.primaryHint();
      this.ctx.reply(
        request,
        leader === null || leader === this.ctx.id ? { status: "redirect" } : { status: "redirect", leader },
      );
      return;
    }
    // A retry of an operation still waiting for the backup: answer it when the backup confirms.
    for (const entry of this.inFlight.values()) {
      if (entry.request.id === request.id) {
        entry.request = request;
        return;
      }
    }
    if (!this.backupReady) {
      this.queued.push(request);
      return;
    }
    // Executed already (an abandoned forward whose effect reached the backup by transfer since).
    const done = this.kv.resultOf(request.client, request.seq);
    if (done !== undefined) {
      this.acknowledge(request, done.value);
      return;
    }
    // A copy of an older request, arriving late (a duplicated message): its client has moved on
    // and waits for no answer, and the session no longer keeps that result to answer with.
    if (this.kv.hasReached(request.client, request.seq)) return;
    const operation: Operation = {
      client: request.client,
      seq: request.seq,
      f: request.f,
      key: request.key,
      value: request.value,
    };
    if (this.serveLocally(request)) {
      const local = this.kv.read(request.key);
      this.ctx.reply(request, { status: "ok", value: local });
      return;
    }
    const result = this.apply(operation);
    // BUG(ack-before-backup): the client hears "ok" before the backup has the operation.
    if (this.backupId === null || this.bugs.has("ack-before-backup")) {
      this.acknowledge(request, result);
      if (this.backupId === null) return;
    }
    const index = this.nextIndex++;
    this.inFlight.set(index, { request, operation, result, sentUs: this.ctx.now() });
    this.ctx.send(this.backupId, {
      type: "forward",
      view: this.view,
      incarnation: this.incarnation,
      index,
      operation,
    });
  }

  /** Handles the replication messages; returns false for messages the subclass must handle. */
  protected handleReplication(from: NodeId, message: PrimaryBackupMessage): boolean {
    switch (message.type) {
      case "forward":
        this.onForward(from, message);
        return true;
      case "forward-reply":
        this.onForwardReply(from, message);
        return true;
      case "transfer":
        this.onTransfer(from, message);
        return true;
      case "transfer-reply":
        // Only the answer to the latest transfer: a late answer to an earlier one (before a
        // resync) comes from a backup that may lack operations this primary applied since.
        if (
          this.role === "primary" &&
          !this.backupReady &&
          message.view === this.view &&
          message.incarnation === this.incarnation &&
          message.index === this.transferIndex &&
          from === this.backupId
        )
          this.backupBecameReady();
        return true;
      default:
        return false;
    }
  }

  /** Whether `from` is the primary this backup follows in `view`. */
  protected abstract acceptsPrimary(from: NodeId, view: number): boolean;

  private onForward(from: NodeId, forward: Forward): void {
    const { view, incarnation, index, operation } = forward;
    if (
      this.role !== "backup" ||
      !this.synced ||
      view !== this.view ||
      incarnation !== this.syncedIncarnation ||
      !this.acceptsPrimary(from, view)
    ) {
      this.ctx.send(from, { type: "forward-reply", view: this.view, incarnation, index, ok: false });
      return;
    }
    if (index <= this.appliedIndex) {
      this.ctx.send(from, { type: "forward-reply", view, incarnation, index, ok: true });
      return;
    }
    this.buffered.set(index, operation);
    for (
      let next = this.buffered.get(this.appliedIndex + 1);
      next !== undefined;
      next = this.buffered.get(this.appliedIndex + 1)
    ) {
      this.buffered.delete(this.appliedIndex + 1);
      this.appliedIndex++;
      this.apply(next);
      this.ctx.send(from, { type: "forward-reply", view, incarnation, index: this.appliedIndex, ok: true });
    }
  }

  private onForwardReply(from: NodeId, { view, incarnation, index, ok }: ForwardReply): void {
    if (this.role !== "primary" || from !== this.backupId) return;
    if (view > this.view) {
      this.suspect = true;
      for (const entry of this.inFlight.values()) this.ctx.reply(entry.request, { status: "redirect" });
      this.inFlight.clear();
      this.onNewerView(from, view);
      return;
    }
    // A reply to a forward of an earlier view or of this server's run before a restart.
    if (view !== this.view || incarnation !== this.incarnation) return;
    const entry = this.inFlight.get(index);
    if (entry === undefined) return;
    this.inFlight.delete(index);
    if (ok) {
      if (!this.bugs.has("ack-before-backup")) this.acknowledge(entry.request, entry.result);
      return;
    }
    // The backup lost its state for this view (it restarted): send it the state again.
    this.ctx.reply(entry.request, { status: "redirect" });
    this.resync();
  }

  private onTransfer(from: NodeId, { view, incarnation, state, index }: Transfer): void {
    if (view < this.view) return;
    // A late copy of a transfer this backup already moved past (it applied later forwards, or
    // installed one from the primary's later incarnation) would erase them: ignore it.
    if (
      view === this.view &&
      this.role === "backup" &&
      this.synced &&
      (incarnation < this.syncedIncarnation ||
        (incarnation === this.syncedIncarnation && index < this.appliedIndex))
    )
      return;
    if (!this.acceptsTransfer(from, view)) return;
    this.view = view;
    this.role = "backup";
    this.kv.restore(state);
    this.onInstalled(state);
    this.synced = true;
    this.syncedIncarnation = incarnation;
    this.appliedIndex = index;
    this.buffered.clear();
    this.ctx.send(from, { type: "transfer-reply", view, incarnation, index });
  }

  /** Whether to install a transfer from `from` for `view` (the subclass knows the views). */
  protected abstract acceptsTransfer(from: NodeId, view: number): boolean;

  private acknowledge(request: ClientRequest, result: unknown): void {
    this.acks.push({ client: request.client, seq: request.seq, view: this.view, backup: this.backupId });
    this.ctx.reply(request, { status: "ok", value: result });
  }

  private apply(operation: Operation): unknown {
    const outcome = this.kv.execute(operation);
    if (outcome.effective) this.onApplied(operation);
    return outcome.result;
  }

  /**
   * Starts serving as primary of `view` with `backup`: operations still in flight from an earlier
   * view are answered with a redirect (they are in our state and will reach the backup through
   * the transfer; a retry finds them in the session table), and a backup gets the whole state.
   */
  protected startPrimaryView(view: number, backup: NodeId | null): void {
    this.role = "primary";
    this.suspect = false;
    this.view = view;
    this.backupId = backup;
    this.abandonInFlight();
    this.nextIndex = 1;
    if (backup === null) {
      this.backupBecameReady();
      return;
    }
    this.backupReady = false;
    this.sendTransfer();
  }

  /** Leaves the primary role: answers waiting clients with a redirect. */
  protected stopBeingPrimary(): void {
    this.suspect = false;
    this.abandonInFlight();
    for (const request of this.queued) this.ctx.reply(request, { status: "redirect" });
    this.queued.length = 0;
    this.backupId = null;
    this.backupReady = true;
  }

  /** Forgets the backup (timeout variant): in-flight operations are acknowledged at once. */
  protected dropBackup(): void {
    this.backupId = null;
    for (const entry of this.inFlight.values()) this.acknowledge(entry.request, entry.result);
    this.inFlight.clear();
    this.backupBecameReady();
  }

  private abandonInFlight(): void {
    for (const entry of this.inFlight.values()) {
      if (!this.bugs.has("ack-before-backup")) this.ctx.reply(entry.request, { status: "redirect" });
    }
    this.inFlight.clear();
  }

  private sendTransfer(): void {
    if (this.backupId === null) return;
    this.transferSentUs = this.ctx.now();
    this.transferIndex = this.nextIndex - 1;
    this.ctx.send(this.backupId, {
      type: "transfer",
      view: this.view,
      incarnation: this.incarnation,
      state: this.kv.snapshot(),
      index: this.transferIndex,
    });
  }

  /** Asks for a fresh transfer to the current backup (it lost its state). */
  protected resync(): void {
    if (this.role !== "primary" || this.backupId === null) return;
    this.abandonInFlight();
    this.backupReady = false;
    this.sendTransfer();
  }

  private backupBecameReady(): void {
    this.backupReady = true;
    this.transferSentUs = undefined;
    const queued = this.queued.splice(0);
    for (const request of queued) this.onClientRequest(request);
  }

  /** Re-sends forwards and transfers that went unanswered for `resendUs`. */
  protected resend(): void {
    if (this.role !== "primary" || this.backupId === null) return;
    const nowUs = this.ctx.now();
    if (!this.backupReady) {
      if (this.transferSentUs === undefined || nowUs - this.transferSentUs >= this.options.resendUs)
        this.sendTransfer();
      return;
    }
    for (const [index, entry] of this.inFlight) {
      if (nowUs - entry.sentUs < this.options.resendUs) continue;
      entry.sentUs = nowUs;
      this.ctx.send(this.backupId, {
        type: "forward",
        view: this.view,
        incarnation: this.incarnation,
        index,
        operation: entry.operation,
      });
    }
  }

  /** Operations forwarded and not yet confirmed (for state descriptions). */
  get inFlightCount(): number {
    return this.inFlight.size;
  }
}
