/** Routing of in-dialog NOTIFYs to the subscriptions, fetches and ended dialogs they belong to (RFC 6665 §4.1.3). */
import type { Core } from "sip.js";
import type { SipBody } from "../gateway/ports.js";
import type { SipStack } from "./stack.js";
import type { RequestDisposition } from "./stack-types.js";
import { adoptNotify, dialogKey, readNotify } from "./subscriber-dialog.js";
import type { DialogRef, Subscription, SubscriberEventNoTime } from "./subscriber-types.js";

/** Answers the NOTIFY and hands a subscription's to `deliver`; "pass" leaves unknown dialogs to the core (481). */
export function routeNotify(
  request: Core.IncomingRequestMessage,
  stack: SipStack,
  dialogs: ReadonlyMap<string, DialogRef>,
  deliver: (subscription: Subscription, event: SubscriberEventNoTime, body: SipBody | undefined) => void,
): RequestDisposition {
  if (request.method !== "NOTIFY" || request.toTag === undefined) return "pass";
  const ref = dialogs.get(dialogKey(request.callId, request.toTag));
  if (!ref) return "pass"; // the core answers 481 (RFC 6665 §4.1.2.4: no such subscription)
  const uas = stack.serverTransaction(request);
  const reading = readNotify(request, ref.kind === "subscription" ? ref.subscription.event : ref.event);
  if (!reading.ok) {
    uas.reject({ statusCode: reading.status, reasonPhrase: reading.reason });
    return "handled";
  }
  const { state, body } = reading;
  if (ref.kind === "linger") {
    uas.accept({ statusCode: 200 });
    return "handled";
  }
  if (ref.kind === "fetch") {
    uas.accept({ statusCode: 200 });
    ref.onNotify({ state: state.state, body });
    return "handled";
  }
  const subscription = ref.subscription;
  const fit = subscription.dialog ? adoptNotify(subscription.dialog, request) : "other-fork";
  if (fit !== "ok") {
    // One dialog per subscription: a second fork is refused and so ends (RFC 6665 §4.1.2.4);
    // an older CSeq is out of order (RFC 3261 §12.2.2).
    uas.reject({ statusCode: fit === "other-fork" ? 481 : 500 });
    return "handled";
  }
  uas.accept({ statusCode: 200 });
  deliver(subscription, {
    type: "notify.received", state: state.state,
    ...(state.expires === undefined ? {} : { expires: state.expires }),
    ...(state.reason === undefined ? {} : { reason: state.reason }),
    ...(state.retryAfter === undefined ? {} : { retryAfter: state.retryAfter }),
  }, body);
  return "handled";
}
