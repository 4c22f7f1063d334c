/**
 * What a SUBSCRIBE's final response or a terminated NOTIFY means for the subscriber
 * (RFC 6665 §4.1.2.2, §4.1.3; the gateway's choices per FIELD.md §2.2). Pure tables.
 */
import type { SipSubscriptionStatus } from "../src/gateway/ports.js";

export type TerminatedReason = Extract<SipSubscriptionStatus, { state: "terminated" }>["reason"];

/** RFC 6665 §4.1.3 reason codes. */
export type SubscriptionReason = "deactivated" | "probation" | "rejected" | "timeout" | "giveup" | "noresource" | "invariant";

export type FailureClass =
  /** Try again after a back-off (or the Retry-After). */
  | { readonly kind: "retry" }
  /** RFC 6665 §4.1.2.1 / RFC 3261 §10.2.8: 423 — ask again with Min-Expires. */
  | { readonly kind: "interval-too-brief" }
  /** RFC 6665 §4.1.2.2: 481 to a refresh — the dialog is gone; a new subscription at once. */
  | { readonly kind: "dialog-gone" }
  /** Stop and tell the gateway why. */
  | { readonly kind: "fatal"; readonly reason: TerminatedReason };

/** Final non-2xx to a SUBSCRIBE. `inDialog`: it was a refresh. */
export function classifyFailure(status: number, inDialog: boolean): FailureClass {
  switch (status) {
    case 423:
      return { kind: "interval-too-brief" };
    case 481:
      return inDialog ? { kind: "dialog-gone" } : { kind: "retry" };
    case 489: // RFC 6665 §8.3.1 Bad Event: the notifier does not know this package
      return { kind: "fatal", reason: "unsupported-event" };
    case 401:
    case 407: // only reaches the machine once digest gave up (no credentials, or rejected twice)
      return { kind: "fatal", reason: "unauthorized" };
    case 403:
    case 603: // RFC 8048 §5.2 / FIELD.md §2.2: 403 and 603 become `unsubscribed`
      return { kind: "fatal", reason: "denied" };
    case 404:
    case 410:
    case 484:
    case 604:
      return { kind: "fatal", reason: "gone" };
    case 408: // Timer F, or a proxy's timeout
    case 480: // Temporarily Unavailable
    case 482:
    case 483:
    case 486:
    case 491:
    case 600:
      return { kind: "retry" };
    default:
      if (status >= 500 && status <= 599 && status !== 501 && status !== 505) return { kind: "retry" };
      return { kind: "fatal", reason: "failed" };
  }
}

export type TerminationHandling =
  /** deactivated, timeout: RFC 6665 §4.1.3 "SHOULD re-subscribe immediately". */
  | { readonly kind: "resubscribe-now" }
  /** probation, giveup, unknown or no reason: later (after retry-after when given). */
  | { readonly kind: "resubscribe-later" }
  | { readonly kind: "stop"; readonly reason: TerminatedReason };

/** A `Subscription-State: terminated;reason=…` NOTIFY (FIELD.md §2.2). */
export function classifyTermination(reason: string | undefined): TerminationHandling {
  switch (reason?.toLowerCase()) {
    case "deactivated":
    case "timeout":
      return { kind: "resubscribe-now" };
    case "rejected": // no retry; the watcher is told `unsubscribed`
      return { kind: "stop", reason: "denied" };
    case "noresource":
      return { kind: "stop", reason: "gone" };
    case "invariant": // no retry; log it, keep the XMPP subscription
      return { kind: "stop", reason: "invariant" };
    default:
      // probation, giveup; RFC 6665 §4.1.3: without a (known) reason the subscriber may retry at any time.
      return { kind: "resubscribe-later" };
  }
}
