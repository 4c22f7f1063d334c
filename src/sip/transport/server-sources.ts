/**
 * Where each request handed to sip.js came from, by server transaction key, so
 * its responses leave the way it arrived: on the same connection for TCP/TLS
 * (RFC 3261 §18.2.2) and over UDP for UDP even when the Via names another transport.
 */
import type { Source } from "./context.js";
import type { Clock, TimerHandle } from "./options.js";
import type { StreamConnection } from "./stream.js";

export class ServerSources {
  private readonly entries = new Map<string, { readonly source: Source; readonly timer: TimerHandle }>();

  /** `lifetimeMs` bounds an entry sip.js never answers (RFC 3261 Timer C, 3 min, is the longest wait). */
  constructor(private readonly clock: Clock, private readonly lifetimeMs: number) {}

  get size(): number {
    return this.entries.size;
  }

  remember(key: string, source: Source): void {
    this.forget(key);
    this.entries.set(key, { source, timer: this.clock.setTimeout(() => this.entries.delete(key), this.lifetimeMs) });
  }

  get(key: string): Source | undefined {
    return this.entries.get(key)?.source;
  }

  forget(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.clock.clearTimeout(entry.timer);
    this.entries.delete(key);
  }

  forgetConnection(connection: StreamConnection): void {
    for (const [key, entry] of this.entries) if (entry.source.connection === connection) this.forget(key);
  }

  clear(): void {
    for (const key of [...this.entries.keys()]) this.forget(key);
  }
}
