/**
 * The subscriber's dialog (RFC 3261 §12, RFC 6665 §4.1.2): JSON-safe state that the store
 * keeps, the requests built from it, and what a 2xx or a NOTIFY teaches it.
 */
import { randomBytes } from "node:crypto";
import type { Core } from "sip.js";
import type { SipBody, SipEventPackage } from "../gateway/ports.js";
import type { RequestSpec } from "./stack-types.js";

export interface SubscriberDialogState {
  readonly callId: string;
  readonly localTag: string;
  localSeq: number;
  remoteTag: string | undefined;
  remoteSeq: number | undefined;
  /** Where in-dialog requests go: the notifier's Contact (the presentity until we learn it). */
  remoteTarget: string;
  /** Route header values, in order. */
  routeSet: string[];
}

/** RFC 3856 §6.6 / RFC 4235 §3.4: the body each package asks for. */
export const ACCEPT: Readonly<Record<SipEventPackage, string>> = {
  presence: "application/pidf+xml",
  dialog: "application/dialog-info+xml",
};

export const newToken = (): string => randomBytes(9).toString("base64url");

export function newDialog(presentity: string): SubscriberDialogState {
  return { callId: newToken(), localTag: newToken(), localSeq: 0, remoteTag: undefined, remoteSeq: undefined, remoteTarget: presentity, routeSet: [] };
}

/** The dialog's key in the core's terms (Call-ID + local tag): a NOTIFY's To tag is our From tag. */
export const dialogKey = (callId: string, localTag: string): string => `${callId}\u0000${localTag}`;

export interface SubscribeParts {
  readonly dialog: SubscriberDialogState;
  readonly from: string;
  readonly presentity: string;
  readonly event: SipEventPackage;
  readonly expires: number;
}

/** SUBSCRIBE: out of dialog before the remote tag is known, inside it afterwards (refresh, Expires: 0). */
export function subscribeSpec(parts: SubscribeParts): RequestSpec {
  const { dialog } = parts;
  dialog.localSeq += 1;
  const inDialog = dialog.remoteTag !== undefined;
  return {
    method: "SUBSCRIBE",
    requestUri: inDialog ? dialog.remoteTarget : parts.presentity,
    from: parts.from,
    to: parts.presentity,
    callId: dialog.callId,
    fromTag: dialog.localTag,
    ...(inDialog && dialog.remoteTag !== undefined ? { toTag: dialog.remoteTag } : {}),
    cseq: dialog.localSeq,
    routeSet: inDialog ? dialog.routeSet : [],
    // RFC 6665 §8.2.1 Event, §4.1.2.1 Expires; RFC 3856 §6.6 Accept; Contact: SUBSCRIBE creates and refreshes a dialog.
    extraHeaders: [`Event: ${parts.event}`, `Accept: ${ACCEPT[parts.event]}`, `Expires: ${parts.expires}`],
    withContact: true,
  };
}

const uriOf = (value: string | undefined): string | undefined => {
  if (value === undefined) return undefined;
  const m = /<([^>]+)>/.exec(value);
  return (m ? m[1] : value.split(";")[0])?.trim();
};

/** RFC 3261 §12.1.2: a 2xx establishing the dialog gives the remote tag, target and (reversed) route set. */
export function adoptResponse(dialog: SubscriberDialogState, response: Core.IncomingResponseMessage): void {
  const target = uriOf(response.getHeader("contact"));
  if (dialog.remoteTag === undefined) {
    dialog.remoteTag = response.toTag;
    dialog.routeSet = response.getHeaders("record-route").flatMap(splitRoutes).reverse();
  }
  if (target !== undefined && response.toTag === dialog.remoteTag) dialog.remoteTarget = target;
}

export type NotifyFit = "ok" | "other-fork" | "out-of-order";

/**
 * A NOTIFY in this dialog: the first one may create it (RFC 6665 §4.1.2.4, the route set as
 * a UAS sees it), later ones refresh the target. A NOTIFY from another fork is not ours to
 * keep (one dialog per subscription); an older CSeq is refused (RFC 3261 §12.2.2).
 */
export function adoptNotify(dialog: SubscriberDialogState, notify: Core.IncomingRequestMessage): NotifyFit {
  if (dialog.remoteTag === undefined) {
    dialog.remoteTag = notify.fromTag;
    dialog.routeSet = notify.getHeaders("record-route").flatMap(splitRoutes);
  } else if (dialog.remoteTag !== notify.fromTag) {
    return "other-fork";
  }
  if (dialog.remoteSeq !== undefined && notify.cseq <= dialog.remoteSeq) return "out-of-order";
  dialog.remoteSeq = notify.cseq;
  const target = uriOf(notify.getHeader("contact"));
  if (target !== undefined) dialog.remoteTarget = target;
  return "ok";
}

/** `<sip:p1;lr>, <sip:p2;lr>` → each route value (commas inside <> are part of the URI). */
function splitRoutes(value: string): string[] {
  return (value.match(/<[^>]*>[^,]*/g) ?? [value]).map((v) => v.trim()).filter((v) => v !== "");
}

export interface SubscriptionStateHeader {
  readonly state: "active" | "pending" | "terminated";
  readonly expires?: number;
  readonly reason?: string;
  /** Seconds (RFC 6665 §4.1.3; sip.js's grammar drops it into params and its Subscriber reads it as ms). */
  readonly retryAfter?: number;
}

/** RFC 6665 §8.2.3 `Subscription-State`; undefined when missing or malformed (the NOTIFY gets 400). */
export function parseSubscriptionState(value: string | undefined): SubscriptionStateHeader | undefined {
  if (value === undefined) return undefined;
  const [head = "", ...params] = value.split(";");
  const state = head.trim().toLowerCase();
  if (state !== "active" && state !== "pending" && state !== "terminated") return undefined;
  let expires: number | undefined;
  let reason: string | undefined;
  let retryAfter: number | undefined;
  for (const param of params) {
    const [name = "", raw = ""] = param.split("=");
    const key = name.trim().toLowerCase();
    const text = raw.trim();
    if (key === "expires" && /^\d+$/.test(text)) expires = Number(text);
    else if (key === "retry-after" && /^\d+$/.test(text)) retryAfter = Number(text);
    else if (key === "reason" && text !== "") reason = text.toLowerCase();
  }
  return {
    state,
    ...(expires === undefined ? {} : { expires }),
    ...(reason === undefined ? {} : { reason }),
    ...(retryAfter === undefined ? {} : { retryAfter }),
  };
}

export type NotifyReading =
  | { readonly ok: true; readonly state: SubscriptionStateHeader; readonly body: SipBody | undefined }
  | { readonly ok: false; readonly status: number; readonly reason: string };

/** What a NOTIFY says, or the error to answer it with. */
export function readNotify(request: Core.IncomingRequestMessage, expectedEvent: SipEventPackage): NotifyReading {
  const event = (request.getHeader("event") ?? "").split(";")[0]?.trim().toLowerCase();
  // RFC 6665 §8.2.1 / §4.1.3: the NOTIFY's Event must be the SUBSCRIBE's.
  if (event !== expectedEvent) return { ok: false, status: 489, reason: "Bad Event" };
  const state = parseSubscriptionState(request.getHeader("subscription-state"));
  if (!state) return { ok: false, status: 400, reason: "Missing or bad Subscription-State" };
  const contentType = request.getHeader("content-type")?.split(";")[0]?.trim();
  const body = request.body !== "" && contentType !== undefined ? { contentType, content: request.body } : undefined;
  return { ok: true, state, body };
}
