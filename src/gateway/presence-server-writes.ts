/**
 * Contacts' presence changes, stored before they are sent, one transaction per
 * event-loop turn. A durable write per change would cost one fsync each (SQLite
 * FULL sync: about 2 ms under load, which capped a burst at ~400 changes/s); a
 * burst of changes now shares one commit, and each change is still on disk before
 * any watcher hears of it. Reads see a pending change at once.
 */
import type { Logger, PresenceStore, Store, StoredPresence } from "./ports.js";

export class PresenceWrites {
  private readonly pending = new Map<string, { record: StoredPresence; send: () => void }>();
  private scheduled = false;

  constructor(
    private readonly store: PresenceStore & Partial<Pick<Store, "transaction">>,
    private readonly logger: Logger,
  ) {}

  /** The contact's presence as the bridge knows it: a change not yet committed, else the stored one. */
  get(contact: string): StoredPresence | undefined {
    return this.pending.get(contact)?.record ?? this.store.getPresence(contact);
  }

  /** Queues the change; `send` runs once it is committed. A newer change of the same contact replaces it. */
  put(record: StoredPresence, send: () => void): void {
    this.pending.delete(record.entity);
    this.pending.set(record.entity, { record, send });
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Commits every queued change in one transaction, then sends them in order. */
  flush(): void {
    this.scheduled = false;
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending.clear();
    const write = (): void => {
      for (const { record } of batch) this.store.putPresence(record);
    };
    try {
      if (this.store.transaction === undefined) write();
      else this.store.transaction(write);
    } catch (error) {
      // The presence is still true: watchers hear it; only a restart would fall back to the older one.
      this.logger.error("presence.not-stored", { contacts: batch.length, reason: String(error) });
    }
    for (const { record, send } of batch) {
      try {
        send();
      } catch (error) {
        this.logger.error("presence.broadcast-failed", { contact: record.entity, reason: String(error) });
      }
    }
  }
}
