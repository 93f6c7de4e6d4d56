/**
 * A lazy election timer, for protocols whose followers restart a countdown whenever they hear
 * from the leader (Raft, Multi-Paxos).
 *
 * Hearing from the leader only moves the deadline; the kernel timer is set again only when the
 * new deadline comes before the one it is due at. When the timer fires before the deadline, it
 * re-arms itself for the remainder. So a stream of heartbeats and accepts costs one queued timer
 * per timeout instead of one per message. A firing before the timer's own due time is a
 * scenario's forced `timeout`, and counts as expired at once.
 */
import type { NodeContext } from "../../sim/node.js";

export class LazyElectionTimer {
  private deadlineUs = 0;
  private dueUs = 0;

  constructor(
    private readonly ctx: NodeContext,
    private readonly name: string,
  ) {}

  /** Restarts the countdown: the election is due `timeoutUs` from now. */
  reset(timeoutUs: number): void {
    this.deadlineUs = this.ctx.now() + timeoutUs;
    if (!this.ctx.hasTimer(this.name) || this.deadlineUs < this.dueUs) {
      this.dueUs = this.deadlineUs;
      this.ctx.setTimer(this.name, timeoutUs);
    }
  }

  /**
   * Called when the timer fires: true when the election is due (the deadline has passed, or the
   * firing was forced); otherwise it re-arms for the rest of the countdown and returns false.
   */
  expired(): boolean {
    const nowUs = this.ctx.now();
    // Two microseconds of slack: a drifting clock rounds local times.
    const forced = nowUs < this.dueUs - 2;
    if (forced || nowUs >= this.deadlineUs) return true;
    this.dueUs = this.deadlineUs;
    this.ctx.setTimer(this.name, this.deadlineUs - nowUs);
    return false;
  }
}
