/**
 * Presence that XMPP users send to the component: subscription stanzas and probes
 * go to the registry (RFC 6121 §3, §4.3); a user's available/unavailable presence
 * goes to the gateway when the contact is subscribed to that user. Every stanza is
 * handled on its own: a bad one is answered and logged and touches nothing else.
 */
import { contactReceivesPresence } from "../../machines/subscription.machine.js";
import { bareJid, parseJid, xmppToPresence, type MappingTable } from "../mapping/index.js";
import type { AddressedPresence, ChatPresenceListener, ContactDirectory, Logger, XmppLink } from "./ports.js";
import { contactPresence, subscriptionStanza } from "./presence-server-stanzas.js";
import type { SubscriptionRegistry } from "./subscriptions.js";
import type { InboundKind } from "./subscriptions-types.js";

export interface InboundContext {
  readonly domain: string;
  readonly link: XmppLink;
  readonly registry: SubscriptionRegistry;
  readonly directory: ContactDirectory;
  readonly table: MappingTable;
  readonly logger: Logger;
  chatListener(): ChatPresenceListener | undefined;
}

const SUBSCRIPTION_KINDS: ReadonlySet<string> = new Set<InboundKind>(["subscribe", "subscribed", "unsubscribe", "unsubscribed", "probe"]);

export function routeInbound(ctx: InboundContext, stanza: AddressedPresence): void {
  const from = parseJid(stanza.from);
  const to = parseJid(stanza.to);
  if (!from.ok || !to.ok) {
    // The server checks addresses before routing; a bad one here is answered and dropped.
    ctx.logger.warn("presence.jid-malformed", { from: stanza.from, to: stanza.to });
    ctx.link.sendPresenceError(stanza, "jid-malformed");
    return;
  }
  if (stanza.type === "error") {
    ctx.logger.debug("presence.error-received", { from: stanza.from, to: stanza.to });
    return;
  }
  const watcher = bareJid(from.value);
  if (to.value.local === "") return gatewayPresence(ctx, stanza, watcher);
  // RFC 6121 §3.1.3: a subscription stanza to a full JID is handled as sent to the bare JID.
  const contact = bareJid({ local: to.value.local, domain: to.value.domain });
  const known = ctx.directory.lookup(contact);
  if (!known.ok) return unknownContact(ctx, stanza, contact, watcher, known.error.code);
  if (SUBSCRIPTION_KINDS.has(stanza.type)) return subscription(ctx, stanza, contact, watcher, stanza.type as InboundKind);
  return userPresence(ctx, stanza, contact, watcher, from.value.resource ?? "");
}

function subscription(ctx: InboundContext, stanza: AddressedPresence, contact: string, watcher: string, kind: InboundKind): void {
  const outcome = ctx.registry.received(contact, watcher, kind, stanza.nick === undefined ? {} : { nick: stanza.nick });
  if (outcome.refused !== undefined) {
    // RFC 6120 §8.3.3.12: over the per-watcher request rate; `wait` tells the client to retry later.
    ctx.link.sendPresenceError(stanza, "policy-violation", outcome.refused.message, "wait");
  } else if (outcome.failed !== undefined) {
    ctx.logger.error("presence.not-stored", { contact, watcher, kind, reason: outcome.failed.message });
    ctx.link.sendPresenceError(stanza, "internal-server-error", "the subscription could not be stored", "wait");
  }
}

/** Available or unavailable presence of a user: the gateway hears it only from users the contact watches. */
function userPresence(ctx: InboundContext, stanza: AddressedPresence, contact: string, user: string, resource: string): void {
  if (!contactReceivesPresence(ctx.registry.stateOf(contact, user))) {
    // RFC 6121 §4.6: directed presence; the bridge has no use for presence it did not ask for.
    ctx.logger.debug("presence.not-subscribed", { contact, watcher: user });
    return;
  }
  const listener = ctx.chatListener();
  if (listener === undefined) return;
  const { presence } = xmppToPresence(stanza, ctx.table, { entity: user, via: resource });
  listener.chatPresence({ user, resource, contact, presence });
}

/**
 * A contact the directory does not know (RFC 6121 §4.3.2: a probe gets `unsubscribed`;
 * a request gets the same, so the user's client does not wait for ever; anything else
 * is ignored, §8.5.1). A JID the rules cannot read gets jid-malformed.
 */
function unknownContact(ctx: InboundContext, stanza: AddressedPresence, contact: string, watcher: string, code: string): void {
  ctx.logger.info("presence.unknown-contact", { contact, watcher, type: stanza.type, reason: code });
  if (stanza.type !== "probe" && stanza.type !== "subscribe") return;
  if (code === "jid-malformed") return ctx.link.sendPresenceError(stanza, "jid-malformed");
  ctx.link.sendPresence(subscriptionStanza(contact, watcher, "unsubscribed", undefined));
}

/**
 * Presence to the gateway's own JID (clients show a transport in the roster,
 * FIELD.md §3): requests are approved at once and probes answered "available";
 * the gateway keeps no subscription state for itself.
 */
function gatewayPresence(ctx: InboundContext, stanza: AddressedPresence, watcher: string): void {
  const here = contactPresence(ctx.domain, watcher, undefined, undefined);
  const available: AddressedPresence = { ...here, type: "available" };
  if (stanza.type === "subscribe") {
    ctx.link.sendPresence(subscriptionStanza(ctx.domain, watcher, "subscribed", undefined));
    ctx.link.sendPresence(available);
  } else if (stanza.type === "probe") {
    ctx.link.sendPresence(available);
  } else if (stanza.type === "unsubscribe") {
    ctx.link.sendPresence(subscriptionStanza(ctx.domain, watcher, "unsubscribed", undefined));
  }
}
