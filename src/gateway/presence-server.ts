/**
 * The presence server: the XMPP half of the bridge. It owns the component's
 * domain; it routes what XMPP users send to bridged contacts (subscriptions and
 * probes to the registry, users' presence to the gateway), sends contacts'
 * presence to their watchers (on change only), and resynchronises after every
 * reconnect. The gateway (SIP side) drives it through the methods below.
 */
import { ok, type Result } from "../errors.js";
import type { MappingTable } from "../mapping/index.js";
import { presenceEquals } from "../presence/index.js";
import type { Presence } from "../presence/types.js";
import type { Caps } from "../xmpp/types.js";
import type { ChatPresenceListener, Clock, ContactDirectory, Logger, PresenceStore, Store, XmppLink, XmppLinkStatus } from "./ports.js";
import { routeInbound } from "./presence-server-inbound.js";
import { contactPresence, subscriptionStanza, unavailable } from "./presence-server-stanzas.js";
import { broadcastOffline, resync, type SyncContext, type SyncReport } from "./presence-server-sync.js";
import { PresenceWrites } from "./presence-server-writes.js";
import type { SubscriptionRegistry } from "./subscriptions.js";
import type { SubscriptionEffects, SubscriptionOutcome } from "./subscriptions-types.js";

/** What the gateway may hear of subscriptions beyond presence: decisions to take, stanzas for the contact. */
export type SubscriptionListener = Partial<Pick<SubscriptionEffects, "askDecision" | "deliverToContact" | "relationChanged">>;

export interface PresenceServerOptions {
  readonly link: XmppLink;
  /** Where the last known presence of each contact is kept (answers probes after a restart). */
  readonly store: PresenceStore & Partial<Pick<Store, "transaction">>;
  /** Builds the registry with the effects this server implements. */
  readonly registry: (effects: SubscriptionEffects) => SubscriptionRegistry;
  readonly directory: ContactDirectory;
  /** Reads users' presence for the gateway (xmppToPresence). */
  readonly table: MappingTable;
  /** XEP-0115 caps of a contact, put on its available presence. */
  readonly caps?: Caps;
  readonly clock: Clock;
  readonly logger: Logger;
}

export class PresenceServer {
  readonly registry: SubscriptionRegistry;
  private chatListener: ChatPresenceListener | undefined;
  private subscriptionListener: SubscriptionListener = {};
  private lastSync: Promise<SyncReport> | undefined;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly sync: SyncContext;
  private readonly writes: PresenceWrites;

  constructor(private readonly options: PresenceServerOptions) {
    this.writes = new PresenceWrites(options.store, options.logger, options.clock);
    this.registry = options.registry(this.effects());
    this.sync = {
      link: options.link,
      registry: this.registry,
      logger: options.logger,
      presenceFor: (contact, watcher) => this.presenceFor(contact, watcher),
    };
  }

  /** Restores the registry from the store and starts listening on the link. Call before the link starts. */
  start(): void {
    const report = this.registry.restore();
    this.options.logger.info("presence-server.started", { domain: this.options.link.domain, subscriptions: report.subscriptions });
    this.unsubscribe.push(
      this.options.link.onPresence((stanza) =>
        routeInbound(
          {
            domain: this.options.link.domain,
            link: this.options.link,
            registry: this.registry,
            directory: this.options.directory,
            table: this.options.table,
            logger: this.options.logger,
            chatListener: () => this.chatListener,
          },
          stanza,
        ),
      ),
      this.options.link.onStatus((status) => this.onLinkStatus(status)),
    );
    // The link may already be online (the status event came before we listened).
    if (this.options.link.status().state === "online") this.onLinkStatus(this.options.link.status());
  }

  /** The gateway plugs in here to hear chat users' presence (issue 5). */
  setChatPresenceListener(listener: ChatPresenceListener | undefined): void {
    this.chatListener = listener;
  }

  setSubscriptionListener(listener: SubscriptionListener): void {
    this.subscriptionListener = listener;
  }

  /**
   * The contact's new presence: sent to every watcher at once, when it differs from
   * the last one (what the value says, not where it came from), and stored behind
   * (PresenceWrites: soft state, one commit per interval). Returns how many watchers
   * it went to; 0 when nothing changed.
   */
  setContactPresence(contact: string, presence: Presence): Result<{ readonly changed: boolean; readonly watchers: number }> {
    const known = this.options.directory.lookup(contact);
    if (!known.ok) return known;
    const jid = known.value.jid;
    const previous = this.writes.get(jid);
    if (previous !== undefined && presenceEquals(previous.presence, presence, { ignoreOrigin: true, ignoreEntries: true })) {
      return ok({ changed: false, watchers: 0 });
    }
    this.writes.put({ entity: jid, presence, updatedAt: this.options.clock.now() });
    const watchers = this.registry.watchersOf(jid);
    for (const watcher of watchers) this.options.link.sendPresence(contactPresence(jid, watcher, presence, this.options.caps));
    this.options.logger.debug("presence.broadcast", { contact: jid, watchers: watchers.length, availability: presence.availability, show: presence.show });
    return ok({ changed: true, watchers: watchers.length });
  }

  /** The contact's last known presence. */
  contactPresence(contact: string): Presence | undefined {
    return this.writes.get(contact)?.presence;
  }

  /** The contact asks `user` for their presence (outbound `subscribe` with the contact's nick). */
  requestSubscription(contact: string, user: string): Result<SubscriptionOutcome> {
    return this.decide(contact, user, (c, w) => this.registry.subscribe(c, w));
  }

  /** The contact (the gateway, for it) approves a watcher, or pre-approves one (RFC 6121 §3.4). */
  approve(contact: string, watcher: string): Result<SubscriptionOutcome> {
    return this.decide(contact, watcher, (c, w) => this.registry.approve(c, w));
  }

  /** The contact refuses a watcher or cancels its subscription. */
  deny(contact: string, watcher: string): Result<SubscriptionOutcome> {
    return this.decide(contact, watcher, (c, w) => this.registry.deny(c, w));
  }

  /** The resync that follows the latest (re)connect, for tests and the start command. */
  synced(): Promise<SyncReport> | undefined {
    return this.lastSync;
  }

  /** Unavailable from every contact to its watchers (SIGTERM); then nothing more is sent or heard. */
  shutdown(): number {
    for (const off of this.unsubscribe.splice(0)) off();
    this.writes.flush();
    const sent = broadcastOffline(this.sync, unavailable);
    this.registry.close();
    this.options.logger.info("presence-server.stopped", { unavailable: sent });
    return sent;
  }

  // ------------------------------------------------------------------ internals

  private decide(contact: string, watcher: string, act: (contact: string, watcher: string) => SubscriptionOutcome): Result<SubscriptionOutcome> {
    const known = this.options.directory.lookup(contact);
    if (!known.ok) return known;
    const outcome = act(known.value.jid, watcher);
    return outcome.failed === undefined ? ok(outcome) : { ok: false, error: outcome.failed };
  }

  private onLinkStatus(status: XmppLinkStatus): void {
    if (status.state !== "online") return;
    this.lastSync = resync(this.sync).catch((error: unknown) => {
      this.options.logger.error("presence.resync-failed", { reason: String(error) });
      return { presence: 0, probes: 0, subscribes: 0, complete: false };
    });
  }

  private presenceFor(contact: string, watcher: string) {
    return contactPresence(contact, watcher, this.writes.get(contact)?.presence, this.options.caps);
  }

  private effects(): SubscriptionEffects {
    const link = this.options.link;
    const nickOf = (contact: string): string | undefined => {
      const known = this.options.directory.lookup(contact);
      return known.ok ? known.value.name : undefined;
    };
    return {
      sendToWatcher: (contact, watcher, kind) => link.sendPresence(subscriptionStanza(contact, watcher, kind, kind === "subscribe" ? nickOf(contact) : undefined)),
      sendPresence: (contact, watcher) => link.sendPresence(this.presenceFor(contact, watcher)),
      sendUnavailable: (contact, watcher) => link.sendPresence(unavailable(contact, watcher)),
      askDecision: (contact, watcher, nick) => {
        const ask = this.subscriptionListener.askDecision;
        if (ask === undefined) this.options.logger.info("subscription.decision-needed", { contact, watcher, nick });
        else ask.call(this.subscriptionListener, contact, watcher, nick);
      },
      deliverToContact: (contact, watcher, kind) => {
        const deliver = this.subscriptionListener.deliverToContact;
        if (deliver === undefined) this.options.logger.debug("subscription.for-contact", { contact, watcher, kind });
        else deliver.call(this.subscriptionListener, contact, watcher, kind);
      },
      relationChanged: (change) => this.subscriptionListener.relationChanged?.(change),
    };
  }
}
