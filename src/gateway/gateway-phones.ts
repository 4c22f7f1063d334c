/**
 * XMPP watchers of a phone contact (RFC 8048 §5): one SIP subscription per contact,
 * shared by its watchers (the subscriber counts them), started with the first watcher
 * that wants it and ended after the last; the SIP outcome decides the pending requests;
 * every NOTIFY body becomes the contact's presence for all its watchers.
 */
import { contactReceivesPresence, watcherReceivesPresence } from "../../machines/subscription.machine.js";
import { sipToPresence } from "../mapping/index.js";
import type { Result } from "../errors.js";
import { stanzaErrorFor } from "./decisions-stanza-errors.js";
import type { GatewayOptions } from "./gateway-types.js";
import type { SipNotification, SipSubscriptionStatus, SubscriptionRecord } from "./ports.js";
import type { RelationChange } from "./subscriptions-types.js";

const EVENT = "presence" as const;

/** The watcher wants the contact's presence: it receives it, or waits for approval. */
const wants = (record: SubscriptionRecord | undefined): boolean =>
  record !== undefined && (record.pendingIn || record.state === "from" || record.state === "both");

export class PhoneContacts {
  /** Where each shared SIP subscription stands, by presentity (SIP URI). */
  private readonly status = new Map<string, SipSubscriptionStatus>();

  constructor(private readonly o: GatewayOptions) {}

  /** RFC 8048 §5.2: a deferred XMPP subscribe → the shared SUBSCRIBE; active already → approve now. */
  askDecision(contact: string, watcher: string): void {
    const presentity = this.o.addresses.contactToSip(contact);
    if (!presentity.ok) {
      this.o.presenceServer.deny(contact, watcher);
      return;
    }
    if (this.status.get(presentity.value)?.state === "active") {
      this.o.presenceServer.approve(contact, watcher);
      return;
    }
    this.join(presentity.value, contact, watcher);
  }

  /** Starts or ends this watcher's share of the SIP subscription as the relation changes. */
  relationChanged(change: RelationChange): void {
    if (watcherReceivesPresence(change.after) === watcherReceivesPresence(change.before) && contactReceivesPresence(change.after) === contactReceivesPresence(change.before)) {
      // Only the pending flags moved: askDecision (or the decision) handles those.
      if (!wants(this.o.presenceServer.registry.get(change.contact, change.watcher))) this.leave(change.contact, change.watcher);
      return;
    }
    if (wants(this.o.presenceServer.registry.get(change.contact, change.watcher))) {
      const presentity = this.o.addresses.contactToSip(change.contact);
      if (presentity.ok) this.join(presentity.value, change.contact, change.watcher);
    } else {
      this.leave(change.contact, change.watcher);
    }
  }

  /** After a restart: every watcher that wants a contact's presence has its share again (restored ones are kept). */
  resubscribeAll(): number {
    let n = 0;
    for (const record of this.o.presenceServer.registry.relations()) {
      if (!wants(record)) continue;
      const presentity = this.o.addresses.contactToSip(record.contact);
      if (presentity.ok && this.join(presentity.value, record.contact, record.watcher)) n++;
    }
    return n;
  }

  /** `known`: the presentity's contact when the caller has already worked it out (once per NOTIFY). */
  onNotification(n: SipNotification, known?: Result<string>): void {
    if (n.event !== EVENT || n.body === undefined) return;
    const contact = known ?? this.o.addresses.sipToContact(n.presentity);
    if (!contact.ok) return;
    const parsed = this.o.parseBody(n.body);
    if (!parsed.ok) {
      this.o.logger.warn("gateway.notify-body-unreadable", { contact: contact.value, presentity: n.presentity, reason: parsed.error.message });
      return;
    }
    const { presence } = sipToPresence(parsed.value, this.o.table, { side: "sip", entity: n.presentity });
    const set = this.o.presenceServer.setContactPresence(contact.value, presence);
    if (!set.ok) this.o.logger.warn("gateway.contact-presence-refused", { contact: contact.value, reason: set.error.message });
  }

  onSubscriptionStatus(presentity: string, event: string, status: SipSubscriptionStatus): void {
    if (event !== EVENT) return;
    this.status.set(presentity, status);
    const contact = this.o.addresses.sipToContact(presentity);
    if (!contact.ok) return;
    const relations = this.o.presenceServer.registry.relationsOf(contact.value);
    const server = this.o.presenceServer;
    this.o.logger.info("gateway.sip-subscription", { contact: contact.value, presentity, state: status.state, ...("reason" in status ? { reason: status.reason } : {}) });
    if (status.state === "active") {
      // RFC 8048 §5.2: NOTIFY active → subscribed, to every watcher still waiting.
      for (const r of relations) if (r.pendingIn) server.approve(r.contact, r.watcher);
      return;
    }
    if (status.state !== "terminated" || status.reason === "unsubscribed") return;
    this.status.delete(presentity);
    for (const r of relations) {
      if (status.reason === "denied") {
        // RFC 8048 §5.2: rejected, 403, 603 → unsubscribed (a pending request refused, an approved one cancelled).
        if (r.pendingIn) server.deny(r.contact, r.watcher);
        else if (watcherReceivesPresence(server.registry.stateOf(r.contact, r.watcher))) server.registry.cancel(r.contact, r.watcher);
      } else if (r.pendingIn) {
        // RFC 7247 §4 (decisions-stanza-errors.ts): the SIP failure as a stanza error to the waiting watcher, then no relation.
        const error = stanzaErrorFor(status.statusCode ?? 500);
        this.o.link.sendPresenceError({ type: "subscribe", from: r.watcher, to: r.contact, status: {}, priority: 0 }, error.condition, `SIP ${error.sipStatus}`, error.type);
        server.deny(r.contact, r.watcher);
      }
    }
  }

  /** SIGTERM: every share given back, so the subscriber ends each SIP subscription (Expires: 0). */
  endAll(): number {
    let n = 0;
    for (const record of this.o.presenceServer.registry.relations()) {
      if (!wants(record)) continue;
      this.leave(record.contact, record.watcher);
      n++;
    }
    return n;
  }

  private join(presentity: string, contact: string, watcher: string): boolean {
    const started = this.o.subscriber.subscribe({ presentity, event: EVENT, watcher });
    if (!started.ok) {
      this.o.logger.warn("gateway.subscribe-refused", { contact, watcher, presentity, reason: started.error.message });
      return false;
    }
    return true;
  }

  private leave(contact: string, watcher: string): void {
    const presentity = this.o.addresses.contactToSip(contact);
    if (presentity.ok) this.o.subscriber.unsubscribe({ presentity: presentity.value, event: EVENT, watcher });
  }
}
