/**
 * XMPP watchers of a bridged contact → the one SIP subscription to its presentity,
 * shared by all of them (started by the first watcher, ended after the last), as a pure
 * ledger value and the decisions on it.
 *
 * RFC 8048 §5.2 (as FIELD.md §2.2 gives it) maps each XMPP subscribe to a SUBSCRIBE; the
 * bridge shares one per presentity instead, so the PBX sees one watcher (the bridge) and
 * per-watcher approval is the presence server's (the ApprovalPolicy port) until the
 * SIP side answers for everyone.
 */
import type { ApprovalDecision } from "./ports.js";
import type { OutcomeDecision } from "./decisions-sip-outcome.js";
import type { StanzaError } from "./decisions-stanza-errors.js";

/** The SIP subscription's state as the gateway tracks it. */
export type SharedSipState = "none" | "pending" | "active";

export interface SharedSubscription {
  /** The SIP presentity: `sip:1001@pbx.example.com`. */
  readonly presentity: string;
  /** Bare JIDs of the XMPP watchers, sorted and unique. */
  readonly watchers: readonly string[];
  readonly sip: SharedSipState;
  /** The bridge holds a last known presence of the presentity. */
  readonly known: boolean;
}

export type SipSubscriptionAction =
  | { readonly kind: "none" }
  /** SUBSCRIBE, Event: presence, Accept: application/pidf+xml; refreshed by the subscriber. */
  | { readonly kind: "subscribe" }
  /** SUBSCRIBE with Expires: 0 in the dialog (RFC 6665 §4.1.2.3). */
  | { readonly kind: "unsubscribe" }
  /** A one-time SUBSCRIBE with Expires: 0 (RFC 6665 §4.4.3, polling). */
  | { readonly kind: "fetch" };

/** What one watcher (or each watcher) receives from the contact JID. */
export type WatcherReply =
  | { readonly kind: "subscribed" }
  | { readonly kind: "unsubscribed" }
  | { readonly kind: "unavailable" }
  /** The contact's last known presence, from the store. */
  | { readonly kind: "last-known" }
  | { readonly kind: "error"; readonly error: StanzaError };

export interface SharedDecision {
  readonly next: SharedSubscription;
  readonly sip: SipSubscriptionAction;
  /** Replies, each to the watchers named. */
  readonly replies: readonly { readonly to: readonly string[]; readonly reply: WatcherReply }[];
  readonly cite: string;
}

export const sharedSubscription = (presentity: string): SharedSubscription =>
  Object.freeze({ presentity, watchers: Object.freeze([]), sip: "none", known: false });

const NO_SIP = { kind: "none" } as const;

function withWatcher(list: readonly string[], watcher: string): readonly string[] {
  if (list.includes(watcher)) return list;
  return Object.freeze([...list, watcher].sort());
}

/**
 * `<presence type='subscribe'/>` from `watcher`. `approval` is the presence server's
 * policy: `deny` refuses at once (no SIP traffic), `approve` answers `subscribed` at once,
 * `defer` waits for the SIP side's answer.
 */
export function onXmppSubscribe(s: SharedSubscription, watcher: string, approval: ApprovalDecision): SharedDecision {
  if (approval === "deny") {
    return { next: s, sip: NO_SIP, replies: [{ to: [watcher], reply: { kind: "unsubscribed" } }], cite: "RFC 6121 §3.1.3: the contact refuses → unsubscribed" };
  }
  const next = { ...s, watchers: withWatcher(s.watchers, watcher) };
  const greet = [
    { to: [watcher], reply: { kind: "subscribed" } as const },
    ...(s.known ? [{ to: [watcher], reply: { kind: "last-known" } as const }] : []),
  ];
  if (s.sip === "none") {
    return {
      next: { ...next, sip: "pending" },
      sip: { kind: "subscribe" },
      replies: approval === "approve" ? greet : [],
      cite: "RFC 8048 §5.2: subscribe → SUBSCRIBE (the first watcher starts the shared subscription)",
    };
  }
  if (s.sip === "active" || approval === "approve") {
    return { next, sip: NO_SIP, replies: greet, cite: "RFC 6121 §3.1.3: an approved subscription is answered subscribed, then the current presence" };
  }
  return { next, sip: NO_SIP, replies: [], cite: "RFC 8048 §5.2: the SIP subscription is pending; so is this one" };
}

/** `<presence type='unsubscribe'/>` from `watcher`: the last one ends the SIP subscription. */
export function onXmppUnsubscribe(s: SharedSubscription, watcher: string): SharedDecision {
  if (!s.watchers.includes(watcher)) return { next: s, sip: NO_SIP, replies: [], cite: "not a watcher: nothing to end" };
  const watchers = Object.freeze(s.watchers.filter((w) => w !== watcher));
  if (watchers.length > 0) {
    return { next: { ...s, watchers }, sip: NO_SIP, replies: [], cite: "other watchers remain: the shared SUBSCRIBE stays" };
  }
  return {
    next: { ...s, watchers, sip: "none" },
    sip: s.sip === "none" ? NO_SIP : { kind: "unsubscribe" },
    replies: [],
    cite: "RFC 8048 §5.2: the last unsubscribe → SUBSCRIBE Expires: 0 (RFC 6665 §4.1.2.3)",
  };
}

/** `<presence type='probe'/>` from `watcher`. */
export function onXmppProbe(s: SharedSubscription, watcher: string): SharedDecision {
  if (!s.watchers.includes(watcher)) {
    return { next: s, sip: NO_SIP, replies: [], cite: "RFC 6121 §4.3: presence goes only to subscribed watchers" };
  }
  if (s.known) {
    return { next: s, sip: NO_SIP, replies: [{ to: [watcher], reply: { kind: "last-known" } }], cite: "RFC 8048 §7: a probe is answered from the last known state" };
  }
  if (s.sip === "none") {
    return { next: s, sip: { kind: "fetch" }, replies: [], cite: "RFC 8048 §7, RFC 6665 §4.4.3: nothing known and no subscription → fetch" };
  }
  return { next: s, sip: NO_SIP, replies: [], cite: "the subscription's first NOTIFY will answer" };
}

/** A NOTIFY body arrived: the presentity's presence is known from now on. */
export const onPresenceKnown = (s: SharedSubscription): SharedSubscription => (s.known ? s : { ...s, known: true });

/**
 * Applies an outcome decision (decisions-sip-outcome.ts) to the ledger: who is told
 * what, and the SIP subscription's new state. The SIP follow-up itself (subscribe again,
 * after how long) stays `outcome.sip`, which the subscriber carries out.
 */
export function onSipOutcome(s: SharedSubscription, outcome: OutcomeDecision): SharedDecision {
  const all = s.watchers;
  const sip: SharedSipState =
    outcome.sip.kind === "end" ? "none" : outcome.sip.kind === "resubscribe" ? "pending" : outcome.xmpp.kind === "subscribed" ? "active" : s.sip;
  switch (outcome.xmpp.kind) {
    case "subscribed":
      return { next: { ...s, sip }, sip: NO_SIP, replies: all.length === 0 ? [] : [{ to: all, reply: { kind: "subscribed" } }], cite: outcome.cite };
    case "unsubscribed":
    case "error":
      // The roster subscriptions end with the SIP one: nobody watches any more.
      return {
        next: { ...s, watchers: Object.freeze([]), sip: "none" },
        sip: NO_SIP,
        replies: all.length === 0 ? [] : [{ to: all, reply: outcome.xmpp }],
        cite: outcome.cite,
      };
    case "unavailable":
      return { next: { ...s, sip }, sip: NO_SIP, replies: all.length === 0 ? [] : [{ to: all, reply: { kind: "unavailable" } }], cite: outcome.cite };
    case "none":
      return { next: { ...s, sip }, sip: NO_SIP, replies: [], cite: outcome.cite };
  }
}
