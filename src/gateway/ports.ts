/**
 * The ports between the gateway and its adapters. Adapters (src/xmpp, src/sip,
 * src/store) implement these with type-only imports of this file; only
 * src/app.ts knows both sides. Everything here is a contract: keep it small.
 */
import type { BridgeError, Result } from "../errors.js";
import type { Presence } from "../presence/types.js";
import type { XmppPresence } from "../xmpp/types.js";

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
  /**
   * Deadlines are data (STYLE.md §3), so a restart re-arms them from the record.
   * RFC 6121 §3.1.2: while pendingOut, the contact's subscribe is re-sent at
   * `resendAt` (components have no stream management; stanzas are lost across a
   * reconnect); `resendCount` drives the back-off.
   */
  readonly resendAt?: number;
  readonly resendCount?: number;
  /**
   * RFC 6121 §3.1.3: while pendingIn, a deferred request is delivered to the
   * gateway again at `decideBy` until it approves or denies; `askCount` drives
   * the back-off.
   */
  readonly decideBy?: number;
  readonly askCount?: number;
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

// ---------------------------------------------------------------------------
// The XMPP link: the XEP-0114 component stream the presence server speaks on
// ---------------------------------------------------------------------------

/** A presence stanza on the component stream: both ends always named (XEP-0114 §3). */
export type AddressedPresence = XmppPresence & { readonly from: string; readonly to: string };

/** RFC 6120 §8.3.3 stanza error conditions the bridge sends. */
export type StanzaErrorCondition =
  | "bad-request"
  | "feature-not-implemented"
  | "forbidden"
  | "internal-server-error"
  | "item-not-found"
  | "jid-malformed"
  | "not-acceptable"
  | "not-allowed"
  | "policy-violation"
  | "recipient-unavailable"
  | "resource-constraint"
  | "service-unavailable"
  | "remote-server-timeout";

/** RFC 6120 §8.3.2 error types. */
export type StanzaErrorType = "auth" | "cancel" | "continue" | "modify" | "wait";

/**
 * `connecting`: first attempt; `online`: handshake done; `reconnecting`: down, the next
 * attempt is scheduled; `stopped`: closed on purpose; `failed`: a fatal error
 * (not-authorized, conflict) — the link will not retry.
 */
export type XmppLinkState = "connecting" | "online" | "reconnecting" | "stopped" | "failed";

export interface XmppLinkStatus {
  readonly state: XmppLinkState;
  /** 1 for the first connection, n for the (n-1)th reconnection. */
  readonly attempt: number;
  /** When reconnecting: ms until the next attempt. */
  readonly retryInMs?: number;
  /** Why the link went down or failed. */
  readonly error?: BridgeError;
}

/** Counters an operator reads to see whether the link loses stanzas. */
export interface XmppLinkCounters {
  readonly sent: number;
  readonly received: number;
  /** Stanzas waiting for the link to come back. */
  readonly queued: number;
  /** Presence replaced in the queue by a newer one for the same (from, to) pair. */
  readonly droppedPresence: number;
  /** Other stanzas dropped because the queue was full. */
  readonly droppedOther: number;
  readonly reconnects: number;
}

/**
 * The component stream as the presence server sees it. `send*` never throws: while
 * the link is down stanzas wait in a bounded queue (a newer presence for the same
 * (from, to) pair replaces the older one). Inbound presence arrives parsed; a
 * malformed stanza has already been answered with its error by the link.
 */
export interface XmppLink {
  /** The component's domain, e.g. `sip.example.com`. */
  readonly domain: string;
  status(): XmppLinkStatus;
  counters(): XmppLinkCounters;
  sendPresence(presence: AddressedPresence): void;
  /**
   * RFC 6120 §8.3: the error reply to a presence (`to`/`from` swapped, same id). Never to
   * an error. `type` overrides the condition's usual error type (a rate limit is `wait`).
   */
  sendPresenceError(original: AddressedPresence, condition: StanzaErrorCondition, text?: string, type?: StanzaErrorType): void;
  /** Presence addressed to the domain or one of its contacts. Returns an unsubscribe function. */
  onPresence(handler: (presence: AddressedPresence) => void): () => void;
  onStatus(handler: (status: XmppLinkStatus) => void): () => void;
}

/** A chat user's presence towards a contact that is subscribed to them (RFC 6121 `to`/`both`). */
export interface ChatPresence {
  /** Bare JID of the chat user. */
  readonly user: string;
  /** The resource that sent it ("" when the stanza came from a bare JID). */
  readonly resource: string;
  /** Bare JID of the contact it was sent to. */
  readonly contact: string;
  /** The stanza's presence as the conversion table reads it. */
  readonly presence: Presence;
}

/** What the gateway (SIP side) plugs into the presence server to hear chat users' presence. */
export interface ChatPresenceListener {
  chatPresence(update: ChatPresence): void;
}

/**
 * The bridged contacts as the XMPP services see them (disco, vCard, the XEP-0100
 * prompt). Built by app.ts from the address rules; the SIP side may add a directory.
 */
export interface ContactDirectory {
  /** The contact a JID names, or why it names none (`jid-malformed`, `item-not-found`). */
  lookup(jid: string): Result<ContactInfo>;
  /** XEP-0100: "1001", "sip:1001@pbx", "alice@example.com" → the contact's JID. */
  resolvePrompt(input: string): Result<string>;
}

export interface ContactInfo {
  /** Bare JID, e.g. `1001@sip.example.com`. */
  readonly jid: string;
  /** The SIP URI the contact stands for. */
  readonly sip: string;
  /** Display name (vCard FN, XEP-0172 nick). */
  readonly name: string;
}
