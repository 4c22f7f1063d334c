/**
 * The public surface of the subscription registry: what the presence server
 * calls, what it implements (the effects), and what it gets back.
 */
import type { SubscriptionActionName, SubscriptionStateName } from "../../machines/subscription.machine.js";
import type { BridgeError } from "../errors.js";
import type { ApprovalPolicy, Clock, Logger, Store, SubscriptionRecord } from "./ports.js";

export type { SubscriptionStateName, SubscriptionActionName };

/** The four subscription stanza types of RFC 6121 §3. */
export type SubscriptionStanzaKind = "subscribe" | "subscribed" | "unsubscribe" | "unsubscribed";
/** What a watcher can send to a contact that the registry decides on. */
export type InboundKind = SubscriptionStanzaKind | "probe";

/**
 * What the registry asks the presence server (and, through it, the gateway) to
 * do. Called only after the change they follow is committed to the store, in
 * the order the machine names them. Implementations must not throw; a link
 * that is down queues or drops (the registry re-sends what RFC 6121 asks it to).
 * All JIDs are bare and normalised.
 */
export interface SubscriptionEffects {
  /**
   * Route a subscription stanza from the contact's bare JID to the watcher's.
   * A `subscribe` carries the contact's XEP-0172 nick, which the presence server
   * knows from the address rules.
   */
  sendToWatcher(contact: string, watcher: string, kind: SubscriptionStanzaKind): void;
  /**
   * Send the contact's current presence (the last known one, from the
   * PresenceStore; `unavailable` if none) to the watcher: after an approval
   * (RFC 6121 §3.1.5), an auto-reply (§3.1.3) or a probe (§4.3.2).
   */
  sendPresence(contact: string, watcher: string): void;
  /** Send `<presence type="unavailable"/>` from the contact (RFC 6121 §3.2.2, §3.3.3). */
  sendUnavailable(contact: string, watcher: string): void;
  /**
   * A subscription request the approval policy deferred: the gateway must call
   * `approve()` or `deny()` (issue 5). Asked again at each decision deadline
   * (RFC 6121 §3.1.3: the request is re-delivered until answered).
   */
  askDecision(contact: string, watcher: string, nick: string | undefined): void;
  /**
   * An inbound `subscribed`, `unsubscribe` or `unsubscribed` that RFC 6121 §A.3
   * delivers to the contact (the gateway). Subscription requests go through
   * the policy and `askDecision` instead.
   */
  deliverToContact(contact: string, watcher: string, kind: Exclude<SubscriptionStanzaKind, "subscribe">): void;
  /** Optional: the relation changed state (start or stop the SIP side for a contact, metrics). */
  relationChanged?(change: RelationChange): void;
}

export interface RelationChange {
  readonly contact: string;
  readonly watcher: string;
  readonly before: SubscriptionStateName;
  readonly after: SubscriptionStateName;
}

/** Exponential back-off: delay n = min(maxMs, firstMs × factor^n). */
export interface BackoffOptions {
  readonly firstMs: number;
  readonly factor: number;
  readonly maxMs: number;
}

/** A token bucket per watcher for inbound `subscribe` stanzas. */
export interface RateLimitOptions {
  /** Requests a watcher may send at once. */
  readonly burst: number;
  /** Tokens regained per minute. */
  readonly perMinute: number;
}

export interface SubscriptionRegistryOptions {
  /** The whole Store, or any object with its subscription methods and `transaction`. */
  readonly store: Pick<
    Store,
    "getSubscription" | "putSubscription" | "deleteSubscription" | "listSubscriptions" | "subscriptionsOf" | "transaction"
  >;
  readonly effects: SubscriptionEffects;
  /** Decides new watchers until the gateway does (issue 5). */
  readonly policy: ApprovalPolicy;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Re-sending an unanswered `subscribe` of a contact. Default 60 s, ×2, at most 6 h. */
  readonly resend?: BackoffOptions;
  /** Asking the gateway again about a deferred request. Default 5 min, ×2, at most 24 h. */
  readonly decision?: BackoffOptions;
  /** Inbound `subscribe` rate per watcher; `false` turns it off. Default burst 50, 30 per minute. */
  readonly rateLimit?: RateLimitOptions | false;
}

/** What one call did: the states before and after and the actions run, in order. */
export interface SubscriptionOutcome {
  readonly contact: string;
  readonly watcher: string;
  readonly before: SubscriptionStateName;
  readonly after: SubscriptionStateName;
  /** Every action the machine named, across a policy cascade (e.g. subscribe → approve). */
  readonly actions: readonly SubscriptionActionName[];
  /** Set when the approval policy decided on a new request. */
  readonly decision?: "approve" | "deny" | "defer";
  /**
   * The watcher exceeded its subscription-request rate: the first excess request
   * in a refill period gets this error to send back (RFC 6120 §8.3.3.12
   * `policy-violation`, type `wait`); later ones are dropped (`dropped`), so a
   * flood never makes the bridge send a flood. Neither changes any state.
   *
   * Why not `unsubscribed`: RFC 6121 gives no rate answer, and `unsubscribed`
   * is a denial (§3.1.4) that the watcher's server applies (§A.3.4: None +
   * Pending Out → None) and shows as "rejected"; a limit is transient. An error
   * of type `wait` says "later" and changes no roster; RFC 6120 §8.3.1 forbids
   * answering an error with an error, so it cannot loop.
   */
  readonly refused?: BridgeError;
  readonly dropped?: boolean;
  /** The store refused the write: nothing changed and nothing was sent (logged). */
  readonly failed?: BridgeError;
}

export interface SubscriptionCounts {
  /** Relations held (records with any state, pending flag or pre-approval). */
  readonly total: number;
  readonly byState: Readonly<Record<SubscriptionStateName, number>>;
  readonly preApproved: number;
  /** Watchers that receive some contact's presence (from / both). */
  readonly watchers: number;
  /** Contacts with at least one relation. */
  readonly contacts: number;
  /** Deadlines armed in the scheduler. */
  readonly deadlines: number;
}

export interface RestoreReport {
  readonly subscriptions: number;
  /** Deadlines re-armed (resend and decision). */
  readonly deadlines: number;
  /** Of those, already due: they fire at once, in batches. */
  readonly overdue: number;
  readonly ms: number;
}

export type { SubscriptionRecord };
