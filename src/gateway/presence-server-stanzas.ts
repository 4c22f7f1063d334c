/**
 * The presence stanzas a contact sends, built from the canonical value (the presence
 * core decides show, status and idle; this only addresses them and adds XEP-0115
 * caps and the XEP-0172 nick).
 */
import { presenceToXmpp } from "../mapping/index.js";
import type { Presence } from "../presence/types.js";
import type { Caps } from "../xmpp/types.js";
import type { AddressedPresence } from "./ports.js";
import type { SubscriptionStanzaKind } from "./subscriptions-types.js";

const EMPTY_STATUS = Object.freeze({});

/**
 * The contact's presence for one watcher. Caps go on available presence only
 * (XEP-0115 §4: they describe an entity that is there). No known presence reads as
 * unavailable (RFC 6121 §4.3.2: a probe of an absent contact gets unavailable).
 */
export function contactPresence(contact: string, watcher: string, presence: Presence | undefined, caps: Caps | undefined): AddressedPresence {
  if (presence === undefined) return unavailable(contact, watcher);
  const stanza = presenceToXmpp(presence);
  return {
    ...stanza,
    from: contact,
    to: watcher,
    ...(stanza.type === "available" && caps !== undefined ? { caps } : {}),
  };
}

export function unavailable(contact: string, watcher: string): AddressedPresence {
  return { type: "unavailable", from: contact, to: watcher, status: EMPTY_STATUS, priority: 0 };
}

/** A subscription stanza from the contact; a `subscribe` carries the contact's name (XEP-0172 §4.2). */
export function subscriptionStanza(contact: string, watcher: string, kind: SubscriptionStanzaKind, nick: string | undefined): AddressedPresence {
  return {
    type: kind,
    from: contact,
    to: watcher,
    status: EMPTY_STATUS,
    priority: 0,
    ...(kind === "subscribe" && nick !== undefined ? { nick } : {}),
  };
}

/** RFC 6121 §4.3: the contact asks the user's server for the user's presence. */
export function probe(contact: string, user: string): AddressedPresence {
  return { type: "probe", from: contact, to: user, status: EMPTY_STATUS, priority: 0 };
}
