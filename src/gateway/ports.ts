/**
 * The ports between the gateway and its adapters. Adapters (src/xmpp, src/sip,
 * src/store) implement these with type-only imports of this file; only
 * src/app.ts knows both sides. Everything here is a contract: keep it small.
 */
import type { SipBody as ParsedSipBody } from "../pidf/types.js";
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
  /**
   * `callId;localTag;remoteTag` for notifier dialogs. Subscriber and publisher records are
   * keyed by what outlives their dialogs (`subscriber:<from> <presentity> <event>`,
   * `publisher:<presentity> <event>`), so a re-subscription or a fresh PUBLISH replaces its record.
   */
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
  /**
   * Several writes as one unit that survives a crash of this process but not necessarily
   * of the machine (SQLite: committed without waiting for the disk). For soft state written
   * behind (presence, NOTIFY bookkeeping): no fsync blocks the event loop for it.
   */
  relaxedTransaction<T>(fn: () => T): T;
  close(): void;
}

// ---------------------------------------------------------------------------
// SIP side, UAC: what the gateway asks of the SIP subscriber and publisher, and what they report
// ---------------------------------------------------------------------------

/** RFC 3856 presence (PIDF) or RFC 4235 dialog (BLF) event package. */
export type SipEventPackage = "presence" | "dialog";

/** A body as it came or goes on the wire (`application/pidf+xml`, `application/dialog-info+xml` …). */
export interface SipBody {
  readonly contentType: string;
  readonly content: string;
}

/** One NOTIFY of a subscription the bridge holds (answered 200 before this is called). */
export interface SipNotification {
  /** The remote presentity, e.g. `sip:1001@pbx.example.com`. */
  readonly presentity: string;
  readonly event: SipEventPackage;
  /** The NOTIFY's body; undefined when it had none (RFC 6665 allows an empty NOTIFY). */
  readonly body: SipBody | undefined;
  /** The Subscription-State value: `active`, `pending` or `terminated`. */
  readonly subscriptionState: "active" | "pending" | "terminated";
}

/**
 * Where a remote subscription stands. `terminated` reasons (FIELD.md §2.2): `denied` (403/603,
 * reason=rejected), `gone` (404/410/604, reason=noresource), `unsupported-event` (489),
 * `unauthorized` (digest failed twice), `invariant`, `unsubscribed` (the last watcher left),
 * `failed` (any other final error, with its status code).
 */
export type SipSubscriptionStatus =
  | { readonly state: "pending" | "active" }
  | { readonly state: "retrying"; readonly retryAt: number; readonly statusCode?: number; readonly reason?: string }
  | {
      readonly state: "terminated";
      readonly reason: "denied" | "gone" | "unsupported-event" | "unauthorized" | "invariant" | "unsubscribed" | "failed";
      readonly statusCode?: number;
    };

/** RFC 3903 publication state of one presentity the bridge publishes. */
export type SipPublicationStatus =
  | { readonly state: "published"; readonly etag: string; readonly expiresAt: number }
  | { readonly state: "retrying"; readonly retryAt: number; readonly statusCode?: number }
  | { readonly state: "removed" }
  | { readonly state: "failed"; readonly statusCode: number; readonly reason: string };

/**
 * The SIP subscriber (UAC): ONE SIP subscription per (From, presentity, event), shared by all
 * its watchers; started with the first watcher, ended (Expires: 0) after the last. `watcher`
 * is any stable id of who wants it (a bare JID). `from` defaults to the gateway identity.
 * A presentity or From that is not a SIP URI comes back as `invalid-uri`; nothing is sent.
 */
export interface SipSubscriberPort {
  subscribe(request: { presentity: string; event: SipEventPackage; watcher: string; from?: string }): Result<void, BridgeError>;
  unsubscribe(request: { presentity: string; event: SipEventPackage; watcher: string; from?: string }): void;
  /** RFC 3856 §3.3 / RFC 6665 §4.4.3 fetch (Expires: 0): one NOTIFY's body, for a probe. */
  fetch(request: { presentity: string; event: SipEventPackage; from?: string }): Promise<SipFetchResult>;
}

/** `statusCode` 0: nothing was sent (`reason` says why, e.g. `invalid-uri`). */
export type SipFetchResult =
  | { readonly ok: true; readonly notification: SipNotification }
  | { readonly ok: false; readonly statusCode: number; readonly reason: string };

/**
 * The SIP publisher (RFC 3903): the latest body per presentity wins; rapid changes are
 * coalesced, never queued, so the ESC ends in the latest state at any rate.
 */
export interface SipPublisherPort {
  publish(presentity: string, body: SipBody, options?: { event?: SipEventPackage; from?: string }): Result<void, BridgeError>;
  /** Removes the publication (Expires: 0). */
  unpublish(presentity: string, options?: { event?: SipEventPackage }): void;
}

/** What the SIP UAC side reports to the gateway. */
export interface SipUacEvents {
  onNotification(notification: SipNotification): void;
  /** `watchers`: who shares the subscription, so the gateway can answer each of them. */
  onSubscriptionStatus(presentity: string, event: SipEventPackage, watchers: readonly string[], status: SipSubscriptionStatus): void;
  onPublicationStatus(presentity: string, event: SipEventPackage, status: SipPublicationStatus): void;
}

// ---------------------------------------------------------------------------
// SIP side, UAS: SIP watchers of the presentities the bridge serves (notifier),
// and SIP publishers of their state (PUBLISH receiver, RFC 3903 ESC)
// ---------------------------------------------------------------------------

/** A presentity the bridge serves to SIP watchers, e.g. a chat user seen as `sip:alice@example.com`. */
export interface ServedPresentity {
  /** The gateway's key (e.g. the bare JID); every callback and port call names the presentity by it. */
  readonly id: string;
  /** Its SIP URI: the `entity` of the PIDF and dialog-info bodies sent for it. */
  readonly uri: string;
}

/** Which served presentity a Request-URI names; undefined means 404 (RFC 3261 §8.2.2.1). */
export type PresentityResolver = (requestUri: string) => ServedPresentity | undefined;

/** One SIP watcher's subscription: one notifier dialog. */
export interface SipWatcher {
  /** `callId;localTag;remoteTag`, the key of its {@link SipDialogRecord}. */
  readonly dialogId: string;
  /** {@link ServedPresentity.id}. */
  readonly presentity: string;
  /** The watcher's From URI, e.g. `sip:bob@example.com`. */
  readonly watcher: string;
  readonly event: SipEventPackage;
  /** Set when the watcher passed our digest challenge as this user. */
  readonly authenticatedUser?: string;
}

/** RFC 6665 §4.1.3 reasons, plus `notify-failed` (RFC 6665 §4.2.2: 481/408 to a NOTIFY). */
export type SipWatcherEndReason =
  | "timeout" | "rejected" | "noresource" | "deactivated" | "probation" | "giveup" | "invariant" | "notify-failed";

/** What the notifier asks and tells the gateway. Called synchronously. */
export interface SipNotifierEvents {
  /**
   * A new subscription (RFC 8048 §5.3: becomes an XMPP `subscribe`). `approve`: active at
   * once; `deny`: 403, no dialog; `defer`: 200 and NOTIFY `pending` until {@link SipNotifierPort.authorize}.
   */
  watcherSubscribed(watcher: SipWatcher): ApprovalDecision;
  /** The subscription ended (unsubscribe and expiry both say `timeout`). Refreshes are absorbed, never reported. */
  watcherUnsubscribed(watcher: SipWatcher, reason: SipWatcherEndReason): void;
  /**
   * A fetch (`Expires: 0` outside a dialog, RFC 6665 §4.4.3; RFC 8048 §7: a probe). `approve`:
   * one terminated NOTIFY with the current state; `defer`: the same without state; `deny`: 403.
   */
  watcherFetched(watcher: SipWatcher): ApprovalDecision;
}

/** What the gateway asks of the notifier. */
export interface SipNotifierPort {
  /** Decides a pending subscription: NOTIFY `active` with the state, or `terminated;reason=rejected`. */
  authorize(dialogId: string, decision: "approve" | "deny"): void;
  /** {@link authorize} for every dialog of one watcher of one presentity. */
  authorizeWatcher(presentity: string, watcher: string, decision: "approve" | "deny"): void;
  /** The presentity's current state: its active watchers get NOTIFYs, coalesced per dialog. */
  setPresence(presentity: string, presence: Presence): void;
  /** The bridge no longer serves it: its watchers get `terminated;reason=noresource`. */
  removePresentity(presentity: string): void;
  watchers(presentity?: string): readonly SipWatcher[];
}

/** One RFC 3903 publication held by the receiver: one source of a presentity's state. */
export interface SipPublication {
  /** The current SIP-ETag (a new one after every refresh or modify, RFC 3903 §6). */
  readonly etag: string;
  readonly event: SipEventPackage;
  /** As it came on the wire. */
  readonly body: SipBody;
  /** The body parsed (src/pidf): the gateway maps it with src/mapping, no second parse. */
  readonly document: ParsedSipBody;
  /** The publisher's From URI. */
  readonly publisher: string;
  readonly expiresAt: number;
  /** ms since epoch of the last initial or modifying PUBLISH. */
  readonly updatedAt: number;
}

/** What the PUBLISH receiver tells the gateway. */
export interface SipPublicationEvents {
  /**
   * The publications of a presentity changed (initial, modify, remove, expiry; a refresh
   * changes no state and is not reported). `publications` is every current one, oldest
   * update first; none left means no SIP publisher speaks for it any more. Composition is
   * the gateway's: `sipToPresence` per publication, then `compose` (src/mapping, src/presence).
   */
  published(presentity: string, publications: readonly SipPublication[]): void;
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
  | "remote-server-timeout"
  // RFC 7247 §4's table of SIP failures (src/gateway/decisions-stanza-errors.ts) needs these too.
  | "gone"
  | "not-authorized"
  | "redirect"
  | "registration-required"
  | "remote-server-not-found"
  | "unexpected-request";

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
