/**
 * Linked people kept in sync (issue 5): the PersonSyncFleet merges each person's phone
 * state (the SIP subscription to the extension) with their chat state (the user's XMPP
 * presence), debounces flapping, and says what each side is told: the phone contact's
 * XMPP watchers (tellChat), the person's SIP watchers and the PBX (tellSip). What the
 * bridge PUBLISHed for the person comes back in the extension's NOTIFYs; it is stripped
 * by its tuple id (person-sync-echo.ts), so a change never echoes back where it came from.
 */
import { sipToPresence } from "../mapping/index.js";
import type { SipBody as ParsedSipBody } from "../pidf/types.js";
import type { Presence } from "../presence/types.js";
import { publishRoutes } from "./decisions-sip-watchers.js";
import type { PersonLink } from "./gateway-people.js";
import type { GatewayOptions } from "./gateway-types.js";
import { bridgeTupleId, withoutOwnElements } from "./person-sync-echo.js";
import { PersonSyncFleet } from "./person-sync.js";

/** The SIP subscriber's watcher id for a person's own subscription to their extension. */
const linkWatcher = (link: PersonLink): string => `link:${link.user}`;

export class PeopleSync {
  private readonly fleet: PersonSyncFleet;
  private readonly routes: { readonly notify: boolean; readonly publish: boolean };

  constructor(private readonly o: GatewayOptions, private readonly links: readonly PersonLink[], debounceMs: number) {
    this.routes = publishRoutes(o.mode);
    this.fleet = new PersonSyncFleet({
      clock: o.clock,
      logger: o.logger,
      policy: { debounceMs, notify: this.routes.notify, publish: this.routes.publish },
      effects: {
        tellChat: ({ person, presence }) => {
          const set = o.presenceServer.setContactPresence(person.contact, presence);
          if (!set.ok) o.logger.warn("gateway.contact-presence-refused", { contact: person.contact, reason: set.error.message });
        },
        tellSip: ({ person, notify, publish }) => {
          if (notify !== undefined && this.routes.notify) o.notifier?.setPresence(person.jid, notify);
          if (publish !== undefined && this.routes.publish && o.publisher !== undefined) {
            // As the person's extension, under our own tuple id: the PBX composes it with the phone's.
            const body = o.renderPidf(publish, person.sipUri, bridgeTupleId(person));
            const sent = o.publisher.publish(person.sipUri, body);
            o.logger.debug("gateway.publish", { user: person.jid, presentity: person.sipUri, availability: publish.availability, show: publish.show });
            if (!sent.ok) o.logger.warn("gateway.publish-refused", { user: person.jid, presentity: person.sipUri, reason: sent.error.message });
          }
        },
        echoDropped: (echo) => o.logger.debug("gateway.echo-dropped", { user: echo.person.jid, side: echo.side, by: echo.by }),
      },
    });
    for (const link of links) this.fleet.link({ jid: link.user, sipUri: link.phone, contact: link.contact });
  }

  /** Each person's phone is watched by the bridge itself, whether or not an XMPP user watches it. */
  watchPhones(): number {
    let n = 0;
    for (const link of this.links) {
      if (this.o.subscriber.subscribe({ presentity: link.phone, event: "presence", watcher: linkWatcher(link) }).ok) n++;
    }
    return n;
  }

  /** A NOTIFY body of a linked extension: the phone side, without what the bridge published itself. */
  phoneNotified(link: PersonLink, doc: ParsedSipBody, presentity: string): void {
    let body = doc;
    if (doc.kind === "pidf") {
      const stripped = withoutOwnElements(doc, bridgeTupleId({ jid: link.user }));
      if (stripped.onlyOwn) {
        this.fleet.echoReceived(link.user, "sip");
        return;
      }
      body = stripped.doc;
    }
    const { presence } = sipToPresence(body, this.o.table, { side: "sip", entity: presentity });
    this.fleet.phoneChanged(link.phone, presence);
  }

  /** The user's composed chat presence. True when the person is linked (the fleet decides what the SIP side hears). */
  chatChanged(user: string, presence: Presence): boolean {
    return this.fleet.chatChanged(user, presence);
  }

  /** SIGTERM: the bridge's own subscriptions to the extensions end too (Expires: 0). */
  stop(): void {
    this.fleet.stop();
    for (const link of this.links) this.o.subscriber.unsubscribe({ presentity: link.phone, event: "presence", watcher: linkWatcher(link) });
  }
}
