/**
 * SIP watchers of a chat user (the bridge is their notifier) → what the XMPP user is
 * asked and what the watcher is NOTIFYed; and the publish mode: whether the chat
 * user's presence reaches the SIP side by NOTIFY, by PUBLISH, or both.
 *
 * Sources: RFC 6665 §4.2 (notifier behaviour), RFC 3856 §6 (presence authorisation:
 * pending until the presentity decides), RFC 8048 §5.3 and §7 as FIELD.md §2.2 gives them
 * (verify the section numbers against the RFC text, which was not reachable here).
 */

/** What a SUBSCRIBE is, from where it arrives and its Expires (RFC 6665 §4.1.2, §4.4.3). */
export type SipSubscribeKind = "initial" | "refresh" | "unsubscribe" | "fetch";

export function classifySubscribe(request: { readonly inDialog: boolean; readonly expires: number }): SipSubscribeKind {
  if (request.inDialog) return request.expires === 0 ? "unsubscribe" : "refresh";
  return request.expires === 0 ? "fetch" : "initial";
}

/** Whether the XMPP user lets this watcher see them (the RFC 6121 subscription of the watcher's mapped JID). */
export type WatcherAuthorization = "unknown" | "approved" | "denied";

/** The NOTIFY the watcher gets right after the response (RFC 6665 §4.2.1.1), if any. */
export type NotifyPlan =
  | { readonly state: "pending" }
  | { readonly state: "active" }
  | { readonly state: "terminated"; readonly reason: "rejected" | "timeout" }
  /** Fetch: one NOTIFY that ends the subscription at once; `body` says whether state may be shown. */
  | { readonly state: "terminated"; readonly reason?: undefined; readonly body: boolean };

/** What the XMPP side is sent, from the watcher's mapped JID to the user. */
export type XmppRequest = "none" | "subscribe" | "unsubscribe" | "probe";

export interface NotifierDecision {
  readonly response: 200;
  readonly notify: NotifyPlan | "none";
  readonly xmpp: XmppRequest;
  readonly cite: string;
}

/** A SUBSCRIBE from a SIP watcher for a chat user the bridge serves. */
export function decideSipSubscribe(kind: SipSubscribeKind, authorization: WatcherAuthorization): NotifierDecision {
  switch (kind) {
    case "initial":
      if (authorization === "approved") {
        return { response: 200, notify: { state: "active" }, xmpp: "none", cite: "RFC 6665 §4.2.1.1: already authorised → 200, NOTIFY active with the state" };
      }
      if (authorization === "denied") {
        return {
          response: 200,
          notify: { state: "terminated", reason: "rejected" },
          xmpp: "none",
          cite: "RFC 6665 §4.1.3 rejected: the user denied this watcher before; not asked again",
        };
      }
      return {
        response: 200,
        notify: { state: "pending" },
        xmpp: "subscribe",
        cite: "RFC 8048 §5.3: SUBSCRIBE → <presence type='subscribe'/> from the mapped JID; RFC 3856 §6.6: pending until the user decides",
      };
    case "refresh":
      return { response: 200, notify: "none", xmpp: "none", cite: "RFC 8048 §5.3: a refresh is absorbed by the gateway, never forwarded to XMPP" };
    case "unsubscribe":
      return {
        response: 200,
        notify: { state: "terminated", reason: "timeout" },
        xmpp: "unsubscribe",
        cite: "RFC 6665 §4.2.1.2: Expires 0 ends it with a final NOTIFY; RFC 8048 §5.3 → <presence type='unsubscribe'/>",
      };
    case "fetch":
      return {
        response: 200,
        notify: { state: "terminated", body: authorization === "approved" },
        xmpp: authorization === "approved" ? "probe" : "none",
        cite: "RFC 6665 §4.4.3: a fetch gets one terminated NOTIFY; RFC 8048 §7 → probe, state only for an authorised watcher",
      };
  }
}

/** The XMPP user answered the subscription request of a SIP watcher's mapped JID. */
export function decideUserAnswer(answer: "subscribed" | "unsubscribed"): { readonly notify: NotifyPlan; readonly cite: string } {
  return answer === "subscribed"
    ? { notify: { state: "active" }, cite: "RFC 8048 §5.3: subscribed → NOTIFY active with the user's presence (PIDF)" }
    : { notify: { state: "terminated", reason: "rejected" }, cite: "RFC 8048 §5.3: unsubscribed → NOTIFY terminated;reason=rejected" };
}

/** How a chat user's presence reaches the SIP side (config `sip.publishMode`). */
export type PublishMode = "notify" | "publish" | "both";
export const PUBLISH_MODES: readonly PublishMode[] = ["notify", "publish", "both"];

/**
 * `notify`: the bridge is the presence server of its users for SIP watchers that
 * subscribe to it (RFC 3856 notifier). `publish`: the bridge is an event publication
 * agent towards the PBX's presence server, which composes and notifies (RFC 3903 §2, for
 * PBXs that take presence that way). `both`: the two at once.
 */
export function publishRoutes(mode: PublishMode): { readonly notify: boolean; readonly publish: boolean } {
  return { notify: mode !== "publish", publish: mode !== "notify" };
}
