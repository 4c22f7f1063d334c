/** Subscriptions to and from the DialogStore (role `subscriber`), checked on the way back in. */
import type { DialogStore, Logger, SipDialogRecord } from "../gateway/ports.js";
import type { PersistedSubscription, Subscription } from "./subscriber-types.js";

const STATES = new Set(["init", "notifyWait", "pending", "active", "waitingToRetry", "unsubscribing"]);

export function toRecord(subscription: Subscription): SipDialogRecord {
  const { context } = subscription.snapshot;
  const state: PersistedSubscription = {
    from: subscription.from,
    presentity: subscription.presentity,
    event: subscription.event,
    watchers: [...subscription.watchers],
    value: String(subscription.snapshot.value),
    context,
    dialog: subscription.dialog,
  };
  return { id: `subscriber:${subscription.key}`, role: "subscriber", state, expiresAt: context.expiresAt || context.retryAt };
}

function isPersisted(value: unknown): value is PersistedSubscription {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  const context = v.context as Record<string, unknown> | undefined;
  return typeof v.from === "string" && typeof v.presentity === "string" && (v.event === "presence" || v.event === "dialog") &&
    Array.isArray(v.watchers) && v.watchers.every((w) => typeof w === "string") && typeof v.value === "string" && STATES.has(v.value) &&
    typeof context === "object" && context !== null && typeof context.id === "string" && typeof context.requestedExpires === "number";
}

/** Hands each well-formed record to `resume`; a damaged one is logged and deleted, the rest go on. */
export function restoreSubscriptions(store: DialogStore, logger: Logger, resume: (record: PersistedSubscription) => void): number {
  let count = 0;
  for (const record of [...store.listDialogs("subscriber")]) {
    if (!isPersisted(record.state)) {
      logger.warn("sip.subscription.restore-skipped", { id: record.id, reason: "malformed record" });
      store.deleteDialog(record.id);
      continue;
    }
    resume(record.state);
    count++;
  }
  return count;
}
