/**
 * When a subscription's record goes to the store. A change of what the subscription IS
 * (its state, its dialog's identity or target, its watchers) is written durably at the end
 * of the event-loop turn, all of the turn's in one transaction (a restart that re-subscribes
 * 100,000 contacts commits once, not 100,000 times: one fsync each had the event loop
 * blocked for ~35 s and every SUBSCRIBE timing out). Losing a turn's records in a crash
 * costs nothing lasting: the record only lets a restart continue the same dialog; without
 * it the contact is subscribed anew from the XMPP subscriptions, which are committed before
 * anything is sent. A NOTIFY that keeps the state as it was changes only
 * bookkeeping: the remote CSeq and the expiry. Those are written behind, all the
 * subscriptions touched in one transaction per `delayMs`, because one durable commit
 * per NOTIFY was most of the bridge's work under load (a profile of the closed loop:
 * 19 % of the CPU, and the reason it stayed near 800 changes/s).
 *
 * What a crash can lose is that last interval of bookkeeping, and it does not matter:
 * a restored subscription is refreshed at once (the `subscription.resumed` event), whose
 * 200 and NOTIFY teach the expiry again; an older remote CSeq only lets one NOTIFY
 * through that the check would have refused (RFC 3261 §12.2.2 is about order within a
 * running dialog, which the live record keeps exactly).
 */
import type { DialogStore, Logger, Store } from "../gateway/ports.js";
import { toRecord } from "./subscriber-store.js";
import type { Subscription } from "./subscriber-types.js";

export class SubscriptionWrites {
  private readonly dirty = new Map<string, Subscription>();
  /** A durable flush is due at the end of this turn (setImmediate). */
  private flushing = false;

  constructor(
    private readonly store: (DialogStore & Partial<Pick<Store, "transaction" | "relaxedTransaction">>) | undefined,
    private readonly logger: Logger,
    /** Asks for `flush()` to be called in about `delayMs` (one pending request at a time). */
    private readonly schedule: () => void,
  ) {}

  /** Pending bookkeeping writes (for tests and metrics). */
  get pending(): number {
    return this.dirty.size;
  }

  /** Writes the record durably at the end of this turn, with everything else pending. */
  now(subscription: Subscription): void {
    if (!this.store) return;
    this.dirty.set(subscription.key, subscription);
    if (this.flushing) return;
    this.flushing = true;
    setImmediate(() => {
      this.flushing = false;
      this.flush("durable");
    });
  }

  /** Writes the record with the next batch. */
  later(subscription: Subscription): void {
    if (!this.store) return;
    if (this.dirty.size === 0) this.schedule();
    this.dirty.set(subscription.key, subscription);
  }

  /** The subscription ended: its record is deleted, no pending write may bring it back. */
  forget(subscription: Subscription): void {
    this.dirty.delete(subscription.key);
    this.store?.deleteDialog(`subscriber:${subscription.key}`);
  }

  /** Commits every pending record in one transaction: durable, or without an fsync (Store.relaxedTransaction). */
  flush(mode: "durable" | "relaxed" = "relaxed"): void {
    if (!this.store || this.dirty.size === 0) return;
    const batch = [...this.dirty.values()].filter((s) => !s.retired);
    this.dirty.clear();
    const store = this.store;
    const write = (): void => {
      for (const subscription of batch) store.putDialog(toRecord(subscription));
    };
    try {
      if (mode === "durable" && store.transaction !== undefined) store.transaction(write);
      else if (store.relaxedTransaction !== undefined) store.relaxedTransaction(write);
      else write();
    } catch (error) {
      // The live subscriptions are right; only a restart would start from older bookkeeping.
      this.logger.error("sip.subscription.not-stored", { subscriptions: batch.length, reason: String(error) });
    }
  }
}

/** What a NOTIFY must leave as it was for its write to wait: the state and the dialog's identity, target and route. */
export function substance(subscription: Subscription): string {
  const d = subscription.dialog;
  return d === undefined
    ? String(subscription.snapshot.value)
    : `${String(subscription.snapshot.value)}\n${d.callId}\n${d.localTag}\n${d.remoteTag ?? ""}\n${d.remoteTarget}\n${d.routeSet.join(",")}`;
}
