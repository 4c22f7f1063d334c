/**
 * The ports between the gateway and its adapters. Adapters (src/xmpp, src/sip,
 * src/store) implement these with type-only imports of this file; only
 * src/app.ts knows both sides. Everything here is a contract: keep it small.
 */
import type { Presence } from "../presence/types.js";

/** Time and timers, injectable so that tests drive deadlines with a simulated clock. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}
export interface TimerHandle {
  readonly id: unknown;
}

/** Structured logs: one event, one line, with the keys operators search by (STYLE.md §11). */
export type LogFields = Readonly<Record<string, unknown>>;
export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

// ---------------------------------------------------------------------------
// Subscriptions between XMPP watchers and bridged contacts (RFC 6121)
// ---------------------------------------------------------------------------

/**
 * RFC 6121 §A: the subscription state of a (contact, watcher) pair, seen from the
 * contact. `from`: the watcher receives the contact's presence; `to`: the contact
 * receives the watcher's presence; pendingIn: the watcher asked and waits for
 * approval; pendingOut: the contact asked the watcher; preApproved: the contact
 * approved before the watcher asked (RFC 6121 §3.4).
 */
export interface SubscriptionRecord {
  /** Bare JID of the bridged contact, e.g. `1001@sip.example.com`. */
  readonly contact: string;
  /** Bare JID of the XMPP watcher, e.g. `juliet@capulet.lit`. */
  readonly watcher: string;
  readonly state: "none" | "to" | "from" | "both";
  readonly pendingIn: boolean;
  readonly pendingOut: boolean;
  readonly preApproved: boolean;
  /** The XEP-0172 nick the watcher sent with its request, kept for the approval. */
  readonly nick?: string;
  /** ms since epoch of the last change. */
  readonly updatedAt: number;
}

/** What the presence server decides for a new watcher until the gateway answers. */
export type ApprovalDecision = "approve" | "deny" | "defer";

export interface ApprovalPolicy {
  decide(contact: string, watcher: string): ApprovalDecision;
}

/** The last presence the bridge knows of an entity (a contact or a chat user). */
export interface StoredPresence {
  readonly entity: string;
  readonly presence: Presence;
  readonly updatedAt: number;
}

// ---------------------------------------------------------------------------
// The store
// ---------------------------------------------------------------------------

/**
 * Persistence. Synchronous on purpose: the embedded SQLite store commits before a
 * call returns, so "acknowledged" (a stanza or a SIP response sent after the call)
 * means "durable". A shared server store would put a write-ahead queue behind
 * the same methods.
 */
export interface SubscriptionStore {
  getSubscription(contact: string, watcher: string): SubscriptionRecord | undefined;
  putSubscription(record: SubscriptionRecord): void;
  deleteSubscription(contact: string, watcher: string): void;
  /** Every (contact, watcher) pair, for the restore after a restart. */
  listSubscriptions(): Iterable<SubscriptionRecord>;
  /** Watchers of one contact. */
  subscriptionsOf(contact: string): readonly SubscriptionRecord[];
}

export interface PresenceStore {
  getPresence(entity: string): StoredPresence | undefined;
  putPresence(record: StoredPresence): void;
  listPresence(): Iterable<StoredPresence>;
}

/** A SIP dialog the bridge must keep across a restart (notifier dialogs, subscriber dialogs). */
export interface SipDialogRecord {
  /** `callId;localTag;remoteTag`. */
  readonly id: string;
  readonly role: "notifier" | "subscriber" | "publisher";
  /** JSON-safe state of the dialog and its machine (route set, CSeq, expiry …). */
  readonly state: unknown;
  /** ms since epoch when the dialog expires unless refreshed. */
  readonly expiresAt: number;
}

export interface DialogStore {
  putDialog(record: SipDialogRecord): void;
  deleteDialog(id: string): void;
  listDialogs(role?: SipDialogRecord["role"]): Iterable<SipDialogRecord>;
}

export interface Store extends SubscriptionStore, PresenceStore, DialogStore {
  /** Several writes as one durable unit. */
  transaction<T>(fn: () => T): T;
  close(): void;
}
