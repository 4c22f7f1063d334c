/**
 * The gateway: joins the presence server (XMPP) and the SIP side so that presence stays
 * in sync both ways (issue 5, FIELD.md §2.2). It is the listener of both sides and the
 * caller of both; what each route does lives in its own file:
 * - gateway-phones.ts: XMPP watchers of phone contacts (RFC 8048 §5.2);
 * - gateway-watchers.ts: SIP watchers of chat users and PUBLISH to the PBX (RFC 8048 §5.3);
 * - gateway-people.ts: linked people (a JID and an extension).
 */
import { LinkedPeople } from "./gateway-people.js";
import { PeopleSync } from "./gateway-sync.js";
import { ChatUsers } from "./gateway-watchers.js";
import { PhoneContacts } from "./gateway-phones.js";
import type { GatewayOptions } from "./gateway-types.js";
import type {
  ApprovalDecision,
  ChatPresence,
  SipEventPackage,
  SipNotification,
  SipNotifierEvents,
  SipPublicationStatus,
  SipSubscriptionStatus,
  SipUacEvents,
  SipWatcher,
  SipWatcherEndReason,
} from "./ports.js";
import type { SubscriptionListener } from "./presence-server.js";

export type { GatewayAddresses, GatewayOptions } from "./gateway-types.js";

export class Gateway implements SipUacEvents, SipNotifierEvents {
  readonly phones: PhoneContacts;
  readonly users: ChatUsers;
  readonly people: LinkedPeople;
  readonly sync: PeopleSync;
  private stopped = false;

  constructor(private readonly o: GatewayOptions) {
    this.phones = new PhoneContacts(o);
    this.users = new ChatUsers(o);
    this.people = new LinkedPeople(o, o.links ?? []);
    this.sync = new PeopleSync(o, o.links ?? [], o.debounceMs ?? 250);
    this.users.linked = (user, presence) => this.people.ofUser(user) !== undefined && this.sync.chatChanged(user, presence);
  }

  /** Plugs into the presence server; call before it starts. */
  attach(): void {
    const listener: SubscriptionListener = {
      askDecision: (contact, watcher) => this.phones.askDecision(contact, watcher),
      deliverToContact: (contact, watcher, kind) => this.users.deliverToContact(contact, watcher, kind),
      relationChanged: (change) => this.phones.relationChanged(change),
    };
    this.o.presenceServer.setSubscriptionListener(listener);
    this.o.presenceServer.setChatPresenceListener({ chatPresence: (update: ChatPresence) => this.users.chatPresence(update) });
  }

  /** After the stores are restored: every wanted SIP subscription is (re)established. */
  resume(): { readonly subscriptions: number; readonly askedUsers: number; readonly phones: number } {
    return { subscriptions: this.phones.resubscribeAll(), askedUsers: this.people.askUsers(), phones: this.sync.watchPhones() };
  }

  /** PresentityResolver for the notifier and the PUBLISH receiver. */
  readonly resolve = (requestUri: string) => this.users.resolve(requestUri);

  // ---- SIP UAC (subscriber, publisher)
  onNotification(notification: SipNotification): void {
    if (this.stopped) return;
    const contact = this.o.addresses.sipToContact(notification.presentity);
    const link = contact.ok ? this.people.ofContact(contact.value) : undefined;
    if (link === undefined || notification.event !== "presence" || notification.body === undefined) {
      this.phones.onNotification(notification, contact);
      return;
    }
    // A linked person's extension: person-sync merges it with the chat side and tells the contact's watchers.
    const parsed = this.o.parseBody(notification.body);
    if (parsed.ok) this.sync.phoneNotified(link, parsed.value, notification.presentity);
    else this.o.logger.warn("gateway.notify-body-unreadable", { contact: link.contact, presentity: notification.presentity, reason: parsed.error.message });
  }

  onSubscriptionStatus(presentity: string, event: SipEventPackage, _watchers: readonly string[], status: SipSubscriptionStatus): void {
    if (!this.stopped) this.phones.onSubscriptionStatus(presentity, event, status);
  }

  onPublicationStatus(presentity: string, event: SipEventPackage, status: SipPublicationStatus): void {
    const level = status.state === "failed" ? "warn" : "debug";
    this.o.logger[level]("gateway.publication", { presentity, event, state: status.state, ...(status.state === "failed" ? { statusCode: status.statusCode, reason: status.reason } : {}) });
  }

  // ---- SIP UAS (notifier)
  watcherSubscribed(watcher: SipWatcher): ApprovalDecision {
    return this.stopped ? "deny" : this.users.watcherSubscribed(watcher);
  }

  watcherFetched(watcher: SipWatcher): ApprovalDecision {
    return this.stopped ? "deny" : this.users.watcherFetched(watcher);
  }

  watcherUnsubscribed(watcher: SipWatcher, reason: SipWatcherEndReason): void {
    if (!this.stopped) this.users.watcherUnsubscribed(watcher, reason);
  }

  /**
   * SIGTERM: SIP subscriptions ended (Expires: 0) and publications removed. The XMPP side
   * (unavailable to watchers) is the presence server's shutdown; notifier dialogs are the app's.
   */
  shutdown(): { readonly unsubscribed: number; readonly unpublished: number } {
    const unsubscribed = this.phones.endAll();
    this.sync.stop();
    const unpublished = this.users.unpublishAll();
    this.stopped = true;
    this.o.logger.info("gateway.stopped", { unsubscribed, unpublished });
    return { unsubscribed, unpublished };
  }
}
