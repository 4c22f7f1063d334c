/**
 * SIP watchers of a chat user (RFC 8048 §5.3) and the chat user's presence towards the
 * SIP side: a SUBSCRIBE becomes `<presence type='subscribe'/>` from the watcher's
 * contact JID to the user; the user's answer decides the pending dialogs; every change
 * of the user's presence goes to the notifier (NOTIFY) and, per mode, the publisher
 * (PUBLISH, RFC 3903). Refreshes never reach this file (the notifier absorbs them).
 */
import { contactReceivesPresence } from "../../machines/subscription.machine.js";
import { parseJid, parseSipUri, xmppResourcesToPresence } from "../mapping/index.js";
import { makeEntry, presenceEquals } from "../presence/index.js";
import type { Presence, PresenceEntry } from "../presence/types.js";
import { publishRoutes } from "./decisions-sip-watchers.js";
import type { GatewayOptions } from "./gateway-types.js";
import type { ApprovalDecision, ChatPresence, ServedPresentity, SipWatcher, SipWatcherEndReason } from "./ports.js";

/**
 * Request-URI → the chat user it names: a user of the XMPP server under the bridge's SIP
 * domain (else 404). Pure, so the notifier can resolve its stored dialogs before the gateway exists.
 */
export function resolveChatUser(requestUri: string, o: Pick<GatewayOptions, "sipDomain" | "serverDomain">): ServedPresentity | undefined {
  const uri = parseSipUri(requestUri);
  if (!uri.ok || uri.value.host !== o.sipDomain || uri.value.user === "") return undefined;
  // `sip:juliet@<sipDomain>` is `juliet@<serverDomain>`: the served SIP domain stands for the XMPP server's.
  const jid = parseJid(`${uri.value.user}@${o.serverDomain}`);
  if (!jid.ok || jid.value.resource !== undefined) return undefined;
  return { id: `${jid.value.local}@${jid.value.domain}`, uri: `sip:${uri.value.user}@${o.sipDomain}` };
}

/** The resource's entry as `xmppToPresence` made it from the stanza; a value without one is read as its own entry. */
function entryOf(update: ChatPresence): PresenceEntry {
  const p = update.presence;
  return (
    p.entries[0] ??
    makeEntry({ id: update.resource, availability: p.availability, show: p.show, notes: p.notes, priority: p.priority, idleSince: p.idleSince, activities: p.activities })
  );
}

export class ChatUsers {
  /** Each user's available resources, as entries (id = resource): what their presence is composed of. */
  private readonly resources = new Map<string, Map<string, PresenceEntry>>();
  private readonly current = new Map<string, Presence>();
  private readonly routes: { readonly notify: boolean; readonly publish: boolean };
  /** Linked people's presence goes through person-sync instead (returns true when it took it). */
  linked: (user: string, presence: Presence) => boolean = () => false;

  constructor(private readonly o: GatewayOptions) {
    this.routes = publishRoutes(o.mode);
  }

  resolve(requestUri: string): ServedPresentity | undefined {
    return resolveChatUser(requestUri, this.o);
  }

  /** RFC 8048 §5.3: SUBSCRIBE → subscribe from the watcher's contact JID; approved already → active at once. */
  watcherSubscribed(w: SipWatcher): ApprovalDecision {
    const contact = this.contactOf(w);
    if (contact === undefined) return "deny";
    const state = this.o.presenceServer.registry.stateOf(contact, w.presentity);
    if (contactReceivesPresence(state)) return "approve";
    const asked = this.o.presenceServer.requestSubscription(contact, w.presentity);
    if (!asked.ok) {
      this.o.logger.warn("gateway.sip-watcher-refused", { contact, watcher: w.watcher, user: w.presentity, reason: asked.error.message });
      return "deny";
    }
    this.o.logger.info("gateway.sip-watcher-pending", { contact, watcher: w.watcher, user: w.presentity, callId: w.dialogId });
    return "defer";
  }

  /** A fetch (RFC 8048 §7): the current state when the user approved this contact, else a bodiless answer. */
  watcherFetched(w: SipWatcher): ApprovalDecision {
    const contact = this.contactOf(w);
    if (contact === undefined) return "deny";
    return contactReceivesPresence(this.o.presenceServer.registry.stateOf(contact, w.presentity)) ? "approve" : "defer";
  }

  /** RFC 8048 §5.3: the SIP unsubscribe (or expiry) → XMPP unsubscribe, once no dialog of that watcher is left. */
  watcherUnsubscribed(w: SipWatcher, reason: SipWatcherEndReason): void {
    const contact = this.contactOf(w);
    if (contact === undefined || reason !== "timeout") return;
    const notifier = this.o.notifier;
    if (notifier?.watchers(w.presentity).some((other) => other.watcher === w.watcher && other.dialogId !== w.dialogId) === true) return;
    if (contactReceivesPresence(this.o.presenceServer.registry.stateOf(contact, w.presentity))) this.o.presenceServer.registry.unsubscribe(contact, w.presentity);
  }

  /** The user answered the contact's request: `subscribed` → NOTIFY active; `unsubscribed` → terminated;reason=rejected. */
  deliverToContact(contact: string, user: string, kind: "subscribed" | "unsubscribe" | "unsubscribed"): void {
    const notifier = this.o.notifier;
    if (notifier === undefined || kind === "unsubscribe") return;
    const known = this.current.get(user);
    if (kind === "subscribed" && known !== undefined) notifier.setPresence(user, known);
    for (const w of notifier.watchers(user)) {
      if (this.contactOf(w) === contact) notifier.authorize(w.dialogId, kind === "subscribed" ? "approve" : "deny");
    }
    this.o.logger.info("gateway.user-answered", { contact, user, answer: kind });
  }

  /**
   * The user's presence (sent to every contact subscribed to them: one change, several copies),
   * composed from every available resource (`xmppResourcesToPresence`: the highest priority
   * leads, one PIDF tuple per resource). A resource going unavailable removes only its entry;
   * the last one going leaves its own unavailable presence. Nothing is told when the composed
   * value, tuples included, is what was told last.
   */
  chatPresence(update: ChatPresence): Presence | undefined {
    let byResource = this.resources.get(update.user);
    if (byResource === undefined) this.resources.set(update.user, (byResource = new Map()));
    byResource.delete(update.resource);
    if (update.presence.availability === "available") byResource.set(update.resource, entryOf(update));
    if (byResource.size === 0) this.resources.delete(update.user);
    const presence =
      byResource.size === 0 ? update.presence : xmppResourcesToPresence([...byResource.values()], this.o.table, update.user).presence;
    const previous = this.current.get(update.user);
    // The tuples are compared too: a resource that comes or goes with the same state is a new or gone tuple.
    if (previous !== undefined && presenceEquals(previous, presence, { ignoreOrigin: true })) return undefined;
    this.current.set(update.user, presence);
    if (!this.linked(update.user, presence)) this.tellSip(update.user, presence);
    return presence;
  }

  /** The user's presence as the SIP side gets it: NOTIFY to watchers, PUBLISH to the PBX (per mode). */
  tellSip(user: string, presence: Presence): void {
    if (this.routes.notify) this.o.notifier?.setPresence(user, presence);
    if (this.routes.publish && this.o.publisher !== undefined) {
      const uri = this.uriOf(user);
      if (uri === undefined) return;
      const published = this.o.publisher.publish(uri, this.o.renderPidf(presence, uri));
      if (!published.ok) this.o.logger.warn("gateway.publish-refused", { user, presentity: uri, reason: published.error.message });
    }
  }

  /** SIGTERM: every publication removed (RFC 3903 §4.5, Expires: 0). */
  unpublishAll(): number {
    if (!this.routes.publish || this.o.publisher === undefined) return 0;
    let n = 0;
    for (const user of this.current.keys()) {
      const uri = this.uriOf(user);
      if (uri === undefined) continue;
      this.o.publisher.unpublish(uri);
      n++;
    }
    return n;
  }

  presenceOf(user: string): Presence | undefined {
    return this.current.get(user);
  }

  private uriOf(user: string): string | undefined {
    const local = parseJid(user);
    return local.ok ? `sip:${local.value.local}@${this.o.sipDomain}` : undefined;
  }

  /** The SIP watcher as a contact JID (its From URI through the address rules); undefined when it is not a contact. */
  private contactOf(w: SipWatcher): string | undefined {
    const contact = this.o.addresses.sipToContact(w.watcher);
    if (!contact.ok) {
      this.o.logger.info("gateway.sip-watcher-unknown", { watcher: w.watcher, user: w.presentity, reason: contact.error.message });
      return undefined;
    }
    return contact.value;
  }
}
