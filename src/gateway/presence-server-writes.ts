/**
 * Contacts' presence changes: sent at once, stored behind, every change of an interval
 * in one transaction.
 *
 * A contact's presence is soft state (RFC 6121 §4.3: the server answers a probe with
 * the LAST presence it knows; RFC 6665 §4.1.2: the SIP side tells it again on every
 * (re)subscription). The store keeps it only so that probes after a restart are
 * answered before the SIP side has spoken again. Waiting for a durable commit before
 * sending cost every change an event-loop turn and an fsync in front of the watcher
 * (the SIP → XMPP latency) and one commit per change under load. Now a crash can
 * lose the last interval of changes from the store; after the restart those contacts
 * answer a probe with the change before, until their SIP subscription, refreshed at
 * once on restore, brings the current one (seconds). Reads see a pending change.
 */
import type { Clock, Logger, PresenceStore, Store, StoredPresence, TimerHandle } from "./ports.js";

/** How long a change may wait to be stored (committed without an fsync: Store.relaxedTransaction). */
export const PRESENCE_WRITE_BEHIND_MS = 200;

export class PresenceWrites {
  private readonly pending = new Map<string, StoredPresence>();
  private timer: TimerHandle | undefined;

  constructor(
    private readonly store: PresenceStore & Partial<Pick<Store, "relaxedTransaction">>,
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly delayMs = PRESENCE_WRITE_BEHIND_MS,
  ) {}

  /** The contact's presence as the bridge knows it: a change not yet stored, else the stored one. */
  get(contact: string): StoredPresence | undefined {
    return this.pending.get(contact) ?? this.store.getPresence(contact);
  }

  /** Takes the change (a newer one of the same contact replaces it) and stores it with the next batch. */
  put(record: StoredPresence): void {
    this.pending.set(record.entity, record);
    this.timer ??= this.clock.setTimeout(() => this.flush(), this.delayMs);
  }

  /** Stores every pending change in one transaction (also at shutdown). */
  flush(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending.clear();
    const write = (): void => {
      for (const record of batch) this.store.putPresence(record);
    };
    try {
      if (this.store.relaxedTransaction === undefined) write();
      else this.store.relaxedTransaction(write);
    } catch (error) {
      // The watchers have the presence; only a restart would fall back to the older one.
      this.logger.error("presence.not-stored", { contacts: batch.length, reason: String(error) });
    }
  }
}
