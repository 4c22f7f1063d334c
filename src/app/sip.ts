/**
 * The composition root's SIP half: the stack on the configured listen addresses, the
 * subscriber and publisher (UAC), the notifier and PUBLISH receiver (UAS) behind the
 * access rules, and the gateway that joins them to the presence server. Nothing else.
 */
import type { PeopleConfig, SipConfig } from "../config/index.js";
import type { BridgeError, Result } from "../errors.js";
import { Gateway, type GatewayAddresses } from "../gateway/gateway.js";
import { personLinks } from "../gateway/gateway-people.js";
import { resolveChatUser } from "../gateway/gateway-watchers.js";
import type { Clock, Logger, SipNotification, SipPublicationStatus, SipSubscriptionStatus, SipUacEvents, Store, XmppLink } from "../gateway/ports.js";
import type { PresenceServer } from "../gateway/presence-server.js";
import { presenceToDialogInfo, presenceToPidf, type MappingTable } from "../mapping/index.js";
import { parseSipBody, serializeDialogInfo, serializePidf } from "../pidf/index.js";
import { SipAccess } from "../sip/access.js";
import { DigestClient } from "../sip/digest-client.js";
import { Notifier } from "../sip/notifier.js";
import { SipPublisher } from "../sip/publisher.js";
import { PublishReceiver } from "../sip/publish-receiver.js";
import { SipStack } from "../sip/stack.js";
import { SipSubscriber } from "../sip/subscriber.js";

export interface SipSide {
  readonly stack: SipStack;
  readonly gateway: Gateway;
  readonly notifier: Notifier;
  readonly subscriber: SipSubscriber;
  readonly publisher: SipPublisher;
  /** Where each transport listens (bound ports). */
  readonly listening: readonly string[];
  stop(): Promise<void>;
}

export interface SipSideOptions {
  readonly config: SipConfig;
  readonly serverDomain: string;
  readonly presenceServer: PresenceServer;
  readonly link: XmppLink;
  readonly store: Store;
  readonly table: MappingTable;
  readonly addresses: GatewayAddresses;
  readonly people: PeopleConfig;
  readonly access: SipAccess;
  readonly version: string;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** The access rules, checked when the app is built (a bad network is a config error, not a start failure). */
export function sipAccess(config: SipConfig): Result<SipAccess, BridgeError> {
  const { access } = config;
  return SipAccess.create({
    trustedNetworks: access.trustedNetworks,
    ...(access.users.length === 0 ? {} : { digest: { realm: access.realm, users: access.users } }),
  });
}

export async function startSipSide(o: SipSideOptions): Promise<SipSide> {
  const { config, logger, clock } = o;
  const { listen } = config;
  const stack = await SipStack.start({
    transport: {
      ...(listen.udp ? { udp: listen.udp } : {}),
      ...(listen.tcp ? { tcp: listen.tcp } : {}),
      ...(listen.tls ? { tls: listen.tls } : {}),
      preferredTransport: config.transport,
      ...(config.outboundProxy === undefined ? {} : { outboundProxy: config.outboundProxy }),
    },
    aor: config.identity,
    ...(config.advertisedHost === undefined ? {} : { advertisedHost: config.advertisedHost }),
    version: o.version,
    ...(config.auth === undefined ? {} : { authenticator: new DigestClient([config.auth], { logger, clock }) }),
    logger,
    clock,
  });
  // The ports and the gateway need each other: the ports call the gateway through this late binding.
  const late: { gateway?: Gateway } = {};
  const mappingLinks = o.people.fromAddresses ? (o.table.addresses?.links ?? []).map((l) => ({ jid: l.jid, extension: l.sip })) : [];
  const people = personLinks([...o.people.links, ...mappingLinks], o.addresses);
  for (const problem of people.problems) logger.warn("gateway.link-unusable", { reason: problem });
  const uac: SipUacEvents = {
    onNotification: (n: SipNotification) => late.gateway?.onNotification(n),
    onSubscriptionStatus: (p, e, w, s: SipSubscriptionStatus) => late.gateway?.onSubscriptionStatus(p, e, w, s),
    onPublicationStatus: (p, e, s: SipPublicationStatus) => late.gateway?.onPublicationStatus(p, e, s),
  };
  const subscriber = new SipSubscriber({ stack, events: uac, store: o.store, identity: config.identity, expires: config.expires });
  const publisher = new SipPublisher({ stack, events: uac, store: o.store, expires: config.expires, refreshWithBody: config.refreshWithBody });
  // Pure: the notifier resolves its stored dialogs at construction, before the gateway exists.
  const resolve = (uri: string) => resolveChatUser(uri, { sipDomain: config.domain, serverDomain: o.serverDomain });
  const notifier = new Notifier({
    stack, resolve, access: o.access, store: o.store, logger, clock,
    limits: { minNotifyIntervalMs: config.minNotifyIntervalMs },
    render: {
      pidf: (p, presence) => serializePidf(presenceToPidf(presence, p.uri)),
      dialogInfo: (p, presence, version) => serializeDialogInfo(presenceToDialogInfo(presence, p.uri, version)),
    },
    events: {
      watcherSubscribed: (w) => late.gateway?.watcherSubscribed(w) ?? "deny",
      watcherFetched: (w) => late.gateway?.watcherFetched(w) ?? "deny",
      watcherUnsubscribed: (w, reason) => late.gateway?.watcherUnsubscribed(w, reason),
    },
  });
  // Phones and PBXs that PUBLISH to the bridge are accepted and composed; no route uses them yet (linked people).
  const receiver = new PublishReceiver({ stack, resolve, access: o.access, logger, clock, events: { published: () => undefined } });
  const gateway = new Gateway({
    presenceServer: o.presenceServer,
    link: o.link,
    addresses: o.addresses,
    table: o.table,
    subscriber,
    notifier,
    publisher,
    mode: config.mode,
    sipDomain: config.domain,
    serverDomain: o.serverDomain,
    parseBody: (body) => parseSipBody(body.content, body.contentType),
    links: people.links,
    renderPidf: (presence, entity, tupleId) => ({
      contentType: "application/pidf+xml",
      content: serializePidf(presenceToPidf(presence, entity, tupleId === undefined ? {} : { tupleId })),
    }),
    debounceMs: o.people.debounceMs,
    clock,
    logger,
  });
  late.gateway = gateway;
  gateway.attach();
  subscriber.restore();
  publisher.restore();
  const listening = (["udp", "tcp", "tls"] as const).flatMap((protocol) => {
    const bound = stack.transport.address(protocol);
    return bound === undefined ? [] : [`${protocol} ${bound.address}:${bound.port}`];
  });
  return {
    stack, gateway, notifier, subscriber, publisher, listening,
    async stop() {
      gateway.shutdown();
      const deactivated = notifier.deactivateAll();
      logger.info("sip.notifier.deactivated", { dialogs: deactivated });
      // RFC 6665 §4.1.2.3 / RFC 3903 §4.5: let the Expires: 0 requests and last NOTIFYs leave before the sockets close.
      await new Promise((resolve) => setTimeout(resolve, 300));
      receiver.stop();
      notifier.stop();
      subscriber.stop();
      publisher.stop();
      await stack.stop();
    },
  };
}
