/**
 * RFC 3261 §17.1.1.2 (Timer A/B) and §17.1.2.2 (Timer E/F) for requests sent over
 * UDP: sip.js implements neither, since it assumes a reliable transport.
 */
import type { Clock, TimerHandle } from "./options.js";

export interface PendingRequest {
  /** Sends the request bytes again to the same hop. */
  readonly resend: () => void;
  /** Called once when Timer B/F fires without a final response. */
  readonly onTimeout: () => void;
  readonly invite: boolean;
}

interface Entry extends PendingRequest {
  interval: number;
  proceeding: boolean;
  retransmit: TimerHandle;
  giveUp: TimerHandle;
}

export class Retransmitter {
  private readonly pending = new Map<string, Entry>();

  constructor(private readonly clock: Clock, private readonly t1: number, private readonly t2: number) {}

  get size(): number {
    return this.pending.size;
  }

  /** `key` is `branch|method` of the request just sent. */
  start(key: string, request: PendingRequest): void {
    this.stop(key);
    const entry: Entry = {
      ...request,
      interval: this.t1,
      proceeding: false,
      retransmit: this.clock.setTimeout(() => this.fire(key), this.t1),
      // Timer B / Timer F: 64*T1.
      giveUp: this.clock.setTimeout(() => this.timeout(key), 64 * this.t1),
    };
    this.pending.set(key, entry);
  }

  /** A response with the same branch and method arrived. */
  onResponse(key: string, status: number): void {
    const entry = this.pending.get(key);
    if (!entry) return;
    // §17.1.1.2: any response stops INVITE retransmission; §17.1.2.2: a final one stops non-INVITE.
    if (status >= 200 || entry.invite) {
      this.stop(key);
      return;
    }
    // §17.1.2.2: in Proceeding, retransmit every T2.
    entry.proceeding = true;
  }

  stop(key: string): void {
    const entry = this.pending.get(key);
    if (!entry) return;
    this.clock.clearTimeout(entry.retransmit);
    this.clock.clearTimeout(entry.giveUp);
    this.pending.delete(key);
  }

  stopAll(): void {
    for (const key of [...this.pending.keys()]) this.stop(key);
  }

  private fire(key: string): void {
    const entry = this.pending.get(key);
    if (!entry) return;
    entry.resend();
    // §17.1.1.2: Timer A doubles without cap; §17.1.2.2: Timer E doubles up to T2, or is T2 once Proceeding.
    entry.interval = entry.invite ? entry.interval * 2 : entry.proceeding ? this.t2 : Math.min(entry.interval * 2, this.t2);
    entry.retransmit = this.clock.setTimeout(() => this.fire(key), entry.interval);
  }

  private timeout(key: string): void {
    const entry = this.pending.get(key);
    if (!entry) return;
    this.stop(key);
    entry.onTimeout();
  }
}
