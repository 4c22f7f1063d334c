/**
 * A token bucket per watcher for inbound subscription requests (the issue's
 * "per-watcher limit on subscription requests"). Buckets of watchers that have
 * been quiet long enough to be full again are forgotten, so memory follows the
 * number of recently active watchers, not all of them.
 */
import type { RateLimitOptions } from "./subscriptions-types.js";

interface Bucket {
  tokens: number;
  at: number;
  /** Whether this watcher was already told (one error per empty period). */
  warned: boolean;
}

export type RateVerdict = "allow" | "refuse" | "drop";

export class WatcherRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private readonly fullAfterMs: number;
  private sweepAt = 10_000;

  constructor(private readonly options: RateLimitOptions) {
    this.perMs = options.perMinute / 60_000;
    this.fullAfterMs = options.perMinute > 0 ? options.burst / this.perMs : Infinity;
  }

  /**
   * `allow` takes a token; `refuse` the first time the bucket is empty (answer
   * with an error once); `drop` after that until a token is regained.
   */
  take(watcher: string, now: number): RateVerdict {
    let bucket = this.buckets.get(watcher);
    if (bucket === undefined) {
      if (this.buckets.size >= this.sweepAt) this.sweep(now);
      bucket = { tokens: this.options.burst, at: now, warned: false };
      this.buckets.set(watcher, bucket);
    } else {
      bucket.tokens = Math.min(this.options.burst, bucket.tokens + (now - bucket.at) * this.perMs);
      bucket.at = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      bucket.warned = false;
      return "allow";
    }
    if (bucket.warned) return "drop";
    bucket.warned = true;
    return "refuse";
  }

  get size(): number {
    return this.buckets.size;
  }

  private sweep(now: number): void {
    for (const [watcher, bucket] of this.buckets) {
      if (now - bucket.at >= this.fullAfterMs) this.buckets.delete(watcher);
    }
    // Sweep again only after the map has doubled: amortised O(1) per watcher.
    this.sweepAt = Math.max(10_000, 2 * this.buckets.size);
  }
}
