/** The checks on a SUBSCRIBE before the notifier accepts it (RFC 6665 §4.2.1.1, RFC 3261 §8.2). */
import type { Core } from "sip.js";
import type { PresentityResolver, ServedPresentity, SipEventPackage } from "../gateway/ports.js";
import { accepts, ALLOW_EVENTS, isEventPackage, NOTIFY_TYPE, parseEvent, parseExpires, type EventHeader } from "./notifier-wire.js";
import type { SubscriptionLimits } from "./notifier-types.js";

export interface Refusal {
  readonly ok: false;
  readonly status: number;
  readonly reason: string;
  /** For the log: `bad-event:foo`, `interval-too-brief` … */
  readonly problem: string;
  readonly extraHeaders: readonly string[];
}

const refuse = (status: number, reason: string, problem: string, extraHeaders: readonly string[] = []): Refusal =>
  ({ ok: false, status, reason, problem, extraHeaders });

type Message = Pick<Core.IncomingRequestMessage, "getHeader" | "getHeaders">;

/** RFC 6665 §4.2.1.1: 489 with Allow-Events for a package we do not serve. */
export function checkEvent(message: Message): Refusal | { readonly ok: true; readonly event: SipEventPackage; readonly header: EventHeader } {
  const header = parseEvent(message.getHeader("event"));
  if (header === undefined || !isEventPackage(header.name)) return refuse(489, "Bad Event", `bad-event:${header?.name ?? "none"}`, [ALLOW_EVENTS]);
  return { ok: true, event: header.name, header };
}

/** RFC 6665 §4.2.1.1: the granted duration; 423 + Min-Expires below the minimum, lowered above the maximum. */
export function checkExpires(message: Message, limits: SubscriptionLimits): Refusal | { readonly ok: true; readonly expires: number } {
  const asked = parseExpires(message.getHeader("expires"));
  if (asked !== undefined && Number.isNaN(asked)) return refuse(400, "Bad Expires", "bad-expires");
  const requested = asked ?? limits.defaultExpires;
  if (requested > 0 && requested < limits.minExpires) {
    return refuse(423, "Interval Too Brief", "interval-too-brief", [`Min-Expires: ${limits.minExpires}`]);
  }
  return { ok: true, expires: Math.min(requested, limits.maxExpires) };
}

export interface AcceptedSubscribe {
  readonly ok: true;
  readonly presentity: ServedPresentity;
  readonly event: SipEventPackage;
  readonly eventHeader: string;
  readonly expires: number;
  readonly watcher: string;
}

/** An out-of-dialog SUBSCRIBE: resource, package, body type, duration, dialog needs. */
export function checkInitialSubscribe(
  message: Message & Pick<Core.IncomingRequestMessage, "ruri" | "from">,
  resolve: PresentityResolver,
  limits: SubscriptionLimits,
): Refusal | AcceptedSubscribe {
  // RFC 3261 §8.2.2.1: a Request-URI we do not serve.
  const presentity = resolve(message.ruri?.toString() ?? "");
  if (presentity === undefined) return refuse(404, "Not Found", "unknown-presentity");
  const event = checkEvent(message);
  if (!event.ok) return event;
  // RFC 6665 §4.2.1.1 / RFC 3261 §21.4.7: 406 when Accept names none of the package's types.
  const type = NOTIFY_TYPE[event.event];
  if (!accepts(message.getHeaders("accept"), type)) return refuse(406, "Not Acceptable", "not-acceptable", [`Accept: ${type}`]);
  const expires = checkExpires(message, limits);
  if (!expires.ok) return expires;
  // RFC 6665 §4.1.2.1: SUBSCRIBE is dialog-creating and must carry a Contact.
  if (message.getHeader("contact") === undefined) return refuse(400, "Missing Contact", "missing-contact");
  return { ok: true, presentity, event: event.event, eventHeader: event.header.raw, expires: expires.expires, watcher: addressOfRecord(message.from?.uri) };
}

/** `sip:user@host` of a From URI, without port or parameters: how the gateway names a SIP watcher. */
export function addressOfRecord(uri: { readonly scheme: string; readonly user?: string; readonly host: string } | undefined): string {
  if (uri === undefined) return "";
  return `${uri.scheme}:${uri.user === undefined || uri.user === "" ? "" : `${uri.user}@`}${uri.host}`;
}
