/**
 * Copies of stored values with the shapes a store gives back: optional fields
 * absent rather than undefined, open shapes (presence, dialog state) through
 * JSON as their columns hold them.
 */
import type { SipDialogRecord, StoredPresence, SubscriptionRecord } from "../gateway/ports.js";

export function copySubscription(record: SubscriptionRecord): SubscriptionRecord {
  return {
    contact: record.contact,
    watcher: record.watcher,
    state: record.state,
    pendingIn: record.pendingIn,
    pendingOut: record.pendingOut,
    preApproved: record.preApproved,
    ...(record.nick === undefined ? {} : { nick: record.nick }),
    updatedAt: record.updatedAt,
    ...(record.resendAt === undefined ? {} : { resendAt: record.resendAt }),
    ...(record.resendCount === undefined ? {} : { resendCount: record.resendCount }),
    ...(record.decideBy === undefined ? {} : { decideBy: record.decideBy }),
    ...(record.askCount === undefined ? {} : { askCount: record.askCount }),
  };
}

/** `JSON.stringify` of a value that must be JSON: `undefined` is stored as null. */
export const toJson = (value: unknown): string => JSON.stringify(value) ?? "null";

export function copyPresence(record: StoredPresence): StoredPresence {
  return { entity: record.entity, presence: JSON.parse(toJson(record.presence)) as StoredPresence["presence"], updatedAt: record.updatedAt };
}

export function copyDialog(record: SipDialogRecord): SipDialogRecord {
  return { id: record.id, role: record.role, state: JSON.parse(toJson(record.state)) as unknown, expiresAt: record.expiresAt };
}
