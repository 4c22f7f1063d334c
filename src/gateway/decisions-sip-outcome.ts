/**
 * What the XMPP watchers of a bridged contact see when the SIP subscription to its
 * presentity has an outcome, and what the SIP subscription does next.
 *
 * Sources: RFC 6665 §4.1.3 (the `Subscription-State` reasons, read from the RFC as
 * known: deactivated, probation, rejected, timeout, giveup, noresource, invariant) and
 * §4.1.2.2 (failed refreshes); RFC 8048 §5.2 for the XMPP side, as FIELD.md §2.2 gives it
 * (its body text was not reachable here: verify the section numbers before quoting them).
 * Unlike Kamailio's pua_xmpp, no reason but `rejected` (and 403/603) removes the
 * watcher's roster subscription.
 */
import { stanzaErrorFor, type StanzaError } from "./decisions-stanza-errors.js";

export type SubscriptionStateValue = "active" | "pending" | "terminated";

/** RFC 6665 §4.1.3 reason codes. */
export const TERMINATION_REASONS = ["deactivated", "probation", "rejected", "timeout", "giveup", "noresource", "invariant"] as const;
export type TerminationReason = (typeof TERMINATION_REASONS)[number];

/** A `Subscription-State` header as the SIP side parsed it. */
export interface SubscriptionStateHeader {
  readonly state: SubscriptionStateValue;
  /** Any token: unknown reasons are allowed (RFC 6665 §4.1.3). */
  readonly reason?: string;
  /** Seconds (RFC 6665 §4.1.3 `retry-after`), a non-negative integer. */
  readonly retryAfter?: number;
}

/** What the XMPP watchers of the contact receive. */
export type XmppOutcome =
  | { readonly kind: "none" }
  | { readonly kind: "subscribed" }
  | { readonly kind: "unsubscribed" }
  | { readonly kind: "unavailable" }
  | { readonly kind: "error"; readonly error: StanzaError };

/** What the SIP subscription does next. `backoff`: the subscriber's exponential back-off with jitter. */
export type SipFollowUp =
  | { readonly kind: "none" }
  | { readonly kind: "resubscribe"; readonly afterMs: number | "backoff" }
  | { readonly kind: "end" };

export interface OutcomeDecision {
  readonly xmpp: XmppOutcome;
  readonly sip: SipFollowUp;
  /** Worth a log line of its own (e.g. `invariant`: nothing will change, nothing to retry). */
  readonly log?: string;
  /** The rule this row follows. */
  readonly cite: string;
}

export interface OutcomeOptions {
  /** RFC 6665 `noresource`: the presentity is gone. Default `unavailable` (the roster entry stays). */
  readonly noresource?: "unavailable" | "unsubscribed";
}

const NONE = { kind: "none" } as const;
const END = { kind: "end" } as const;
const AT_ONCE = { kind: "resubscribe", afterMs: 0 } as const;
const BACKOFF = { kind: "resubscribe", afterMs: "backoff" } as const;

/** `retry-after` seconds → ms, when it is a usable value (LIBRARIES.md §1: sip.js's unit trap). */
const retryAfterMs = (seconds: number | undefined): number | undefined =>
  seconds !== undefined && Number.isInteger(seconds) && seconds >= 0 ? seconds * 1_000 : undefined;

/** A NOTIFY's `Subscription-State` → the decision. */
export function decideNotifyState(header: SubscriptionStateHeader, options: OutcomeOptions = {}): OutcomeDecision {
  if (header.state === "active") {
    return { xmpp: { kind: "subscribed" }, sip: NONE, cite: "RFC 8048 §5.2: NOTIFY active → <presence type='subscribed'/>" };
  }
  if (header.state === "pending") {
    return { xmpp: NONE, sip: NONE, cite: "RFC 8048 §5.2: pending → nothing; the XMPP subscription stays pending" };
  }
  const retry = retryAfterMs(header.retryAfter);
  switch (header.reason) {
    case "deactivated":
      return { xmpp: NONE, sip: AT_ONCE, cite: "RFC 6665 §4.1.3: deactivated — SHOULD retry immediately with a new subscription" };
    case "timeout":
      return { xmpp: NONE, sip: AT_ONCE, cite: "RFC 6665 §4.1.3: timeout — MAY re-subscribe immediately" };
    case "probation":
      return {
        xmpp: NONE,
        sip: retry === undefined ? BACKOFF : { kind: "resubscribe", afterMs: retry },
        cite: "RFC 6665 §4.1.3: probation — retry later, no sooner than retry-after seconds",
      };
    case "giveup":
      return {
        xmpp: NONE,
        sip: retry === undefined ? AT_ONCE : { kind: "resubscribe", afterMs: retry },
        cite: "RFC 6665 §4.1.3: giveup — wait retry-after seconds if given, else MAY retry immediately",
      };
    case "rejected":
      return { xmpp: { kind: "unsubscribed" }, sip: END, cite: "RFC 6665 §4.1.3: rejected — SHOULD NOT re-subscribe; RFC 8048 §5.2 → unsubscribed" };
    case "noresource":
      return {
        xmpp: { kind: options.noresource ?? "unavailable" },
        sip: END,
        cite: "RFC 6665 §4.1.3: noresource — the resource no longer exists, SHOULD NOT re-subscribe",
      };
    case "invariant":
      return {
        xmpp: NONE,
        sip: END,
        log: "invariant",
        cite: "RFC 6665 §4.1.3: invariant — the state will not change, SHOULD NOT re-subscribe; the roster entry stays",
      };
    default:
      // Back-off rather than at once: a notifier that keeps terminating must not make a tight loop.
      return {
        xmpp: NONE,
        sip: retry === undefined ? BACKOFF : { kind: "resubscribe", afterMs: retry },
        cite: "RFC 6665 §4.1.3: no or unknown reason — MAY re-subscribe, after retry-after when given",
      };
  }
}

/** RFC 6665 §4.1.2.2: a refresh failing with these ends the subscription. */
export const REFRESH_TERMINATING = Object.freeze([404, 405, 410, 416, 480, 481, 482, 483, 484, 485, 489, 501, 604]);

export interface FailureContext {
  /** The first SUBSCRIBE of the subscription, or a refresh of an established one. */
  readonly phase: "initial" | "refresh";
  /** `Retry-After` of the response, in seconds. */
  readonly retryAfter?: number;
}

/**
 * A failure (3xx..6xx) final response to a SUBSCRIBE, after the SIP side has done what
 * it does itself (digest on 401/407, Min-Expires on 423): the decision for the watchers.
 */
export function decideSubscribeFailure(status: number, context: FailureContext): OutcomeDecision {
  if (status < 300) {
    return { xmpp: NONE, sip: NONE, cite: "RFC 6665 §4.1.2.1: a 2xx accepts; the state arrives in the NOTIFY" };
  }
  if (status === 403 || status === 603) {
    return { xmpp: { kind: "unsubscribed" }, sip: END, cite: "RFC 8048 §5.2: 403 or 603 → <presence type='unsubscribed'/>" };
  }
  if (context.phase === "initial") {
    return { xmpp: { kind: "error", error: stanzaErrorFor(status) }, sip: END, cite: "RFC 8048 §5.2, RFC 7247 §8.2: other failures → stanza error" };
  }
  const retry = retryAfterMs(context.retryAfter);
  const later = retry === undefined ? BACKOFF : ({ kind: "resubscribe", afterMs: retry } as const);
  if (REFRESH_TERMINATING.includes(status)) {
    // The XMPP subscription looks permanent (RFC 8048 §5.2): the contact goes offline and the bridge subscribes afresh later.
    return { xmpp: { kind: "unavailable" }, sip: later, cite: "RFC 6665 §4.1.2.2: this refresh failure terminates the subscription" };
  }
  return { xmpp: NONE, sip: later, cite: "RFC 6665 §4.1.2.2: other refresh failures leave the subscription valid until it expires" };
}
