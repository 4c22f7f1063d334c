/**
 * RFC 3261 §17.2.2: a non-INVITE server transaction over UDP keeps its final
 * response for Timer J (64*T1) and answers request retransmissions with it.
 * sip.js sets Timer J to 0, so without this a retransmitted request would reach
 * sip.js as a new request (a second dialog for a SUBSCRIBE).
 */
import type { Clock, TimerHandle } from "./options.js";

interface Cached {
  readonly resend: () => void;
  readonly timer: TimerHandle;
}

export class ResponseCache {
  private readonly entries = new Map<string, Cached>();

  constructor(private readonly clock: Clock, private readonly lifetimeMs: number, private readonly maxEntries = 50_000) {}

  get size(): number {
    return this.entries.size;
  }

  /** `key` is the server transaction key (branch, sent-by, method); `resend` writes the response again. */
  remember(key: string, resend: () => void): void {
    this.forget(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.forget(oldest);
    }
    const timer = this.clock.setTimeout(() => this.entries.delete(key), this.lifetimeMs);
    this.entries.set(key, { resend, timer });
  }

  /** Re-sends the cached response for a retransmitted request; false when there is none. */
  answer(key: string): boolean {
    const cached = this.entries.get(key);
    if (!cached) return false;
    cached.resend();
    return true;
  }

  forget(key: string): void {
    const cached = this.entries.get(key);
    if (!cached) return;
    this.clock.clearTimeout(cached.timer);
    this.entries.delete(key);
  }

  clear(): void {
    for (const key of [...this.entries.keys()]) this.forget(key);
  }
}
