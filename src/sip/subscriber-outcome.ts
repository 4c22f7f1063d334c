/** What the subscriber makes of its own SUBSCRIBE's outcome (RFC 6665 §4.1.2): one machine event. */
import type { RequestOutcome } from "./stack-types.js";
import { adoptResponse } from "./subscriber-dialog.js";
import { numberHeader, retryAfterSeconds } from "./subscriber-headers.js";
import type { Subscription, SubscriberEventNoTime } from "./subscriber-types.js";

/** A SUBSCRIBE's outcome as a machine event; a 2xx also teaches the dialog its remote side. */
export function eventOf(outcome: RequestOutcome, dialog: NonNullable<Subscription["dialog"]>): SubscriberEventNoTime {
  const { response, statusCode } = outcome;
  if (outcome.localFailure === "transport-error") return { type: "transport.failed" };
  if (statusCode >= 200 && statusCode < 300) {
    adoptResponse(dialog, response);
    const expires = numberHeader(response, "expires");
    return { type: "subscribe.accepted", ...(expires === undefined ? {} : { expires }) };
  }
  const retryAfter = retryAfterSeconds(response);
  const minExpires = numberHeader(response, "min-expires");
  return {
    type: "request.failed", status: statusCode,
    ...(retryAfter === undefined ? {} : { retryAfter }),
    ...(minExpires === undefined ? {} : { minExpires }),
  };
}
