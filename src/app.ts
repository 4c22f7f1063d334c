/**
 * The composition root: builds the store, the conversion table and address rules,
 * the component link with its services, the registry and the presence server, and
 * plugs them together. Nothing else: no logic lives here.
 */
import type { Config } from "./config/index.js";
import type { BridgeError, Result } from "./errors.js";
import { domainAllowListPolicy } from "./gateway/approval-policy.js";
import type { Clock, Logger, Store } from "./gateway/ports.js";
import { PresenceServer } from "./gateway/presence-server.js";
import { SubscriptionRegistry } from "./gateway/subscriptions.js";
import { sipAccess, startSipSide, type SipSide } from "./app/sip.js";
import { addressDirectory, compileAddresses, loadTable, type MappingTable } from "./mapping/index.js";
import { SqliteStore } from "./store/index.js";
import { ComponentLink } from "./xmpp/component/index.js";
import { CONTACT_CAPS, createServices } from "./xmpp/services/index.js";

export interface AppOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** The bridge's own version, for XEP-0092. */
  readonly version: string;
  readonly clock?: Clock;
}

export interface App {
  readonly config: Config;
  readonly store: Store;
  readonly table: MappingTable;
  readonly link: ComponentLink;
  readonly presenceServer: PresenceServer;
  /** The SIP side and the gateway, once started (absent without `sip` in the config). */
  readonly sip: SipSide | undefined;
  /** Restores subscriptions, then connects; resolves once online, or with the fatal link error. */
  start(): Promise<Result<void>>;
  /** Unavailable from every contact to its watchers, the stream closed, the store closed. */
  stop(): Promise<void>;
}

/** Timers that keep the process alive: a bridge waiting to reconnect must not exit. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => ({ id: setTimeout(fn, ms) }),
  clearTimeout: (handle) => clearTimeout(handle.id as ReturnType<typeof setTimeout>),
};

export function buildApp(options: AppOptions): Result<App, readonly BridgeError[]> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const table = loadTable(config.mapping.file === undefined ? { profile: config.mapping.profile } : { file: config.mapping.file });
  if (!table.ok) return { ok: false, error: table.error };
  const book = compileAddresses(table.value.addresses, { componentDomain: config.xmpp.domain });
  if (!book.ok) return { ok: false, error: book.error.map((e) => ({ ...e, source: table.value.files[0] ?? config.mapping.profile })) };
  const opened = SqliteStore.open(config.store.path, { logger });
  if (!opened.ok) return { ok: false, error: [opened.error] };
  const store = opened.value;

  const directory = addressDirectory(book.value, config.contacts.pattern === undefined ? undefined : new RegExp(config.contacts.pattern, "u"));
  const { xmpp } = config;
  const link = new ComponentLink({
    service: xmpp.service,
    domain: xmpp.domain,
    secret: xmpp.secret,
    backoff: xmpp.reconnect,
    keepalive: xmpp.keepalive,
    connectTimeoutMs: xmpp.connectTimeoutMs,
    queueLimit: xmpp.queueLimit,
    maxStanzaBytes: xmpp.maxStanzaBytes,
    clock,
    logger,
  });
  link.setIqHandler(createServices({ domain: xmpp.domain, directory, name: xmpp.name, software: { name: "presence-bridge", version: options.version }, logger }));
  const policy = domainAllowListPolicy(config.subscriptions.approve, { otherwise: config.subscriptions.otherwise });
  const presenceServer = new PresenceServer({
    link,
    store,
    directory,
    table: table.value,
    caps: CONTACT_CAPS,
    clock,
    logger,
    registry: (effects) => new SubscriptionRegistry({ store, effects, policy, clock, logger, rateLimit: config.subscriptions.rateLimit }),
  });

  const access = config.sip === undefined ? undefined : sipAccess(config.sip);
  if (access !== undefined && !access.ok) return { ok: false, error: [{ ...access.error, message: `sip.access.trustedNetworks: ${access.error.message}` }] };

  let stopped = false;
  let sip: SipSide | undefined;
  return {
    ok: true,
    value: {
      config,
      store,
      table: table.value,
      link,
      presenceServer,
      get sip() {
        return sip;
      },
      async start() {
        if (config.sip !== undefined && access?.ok === true) {
          // The gateway plugs into the presence server before it restores and listens.
          sip = await startSipSide({
            config: config.sip, serverDomain: xmpp.serverDomain, presenceServer, link, store, table: table.value,
            addresses: book.value, people: config.people, access: access.value, version: options.version, clock, logger,
          });
        }
        presenceServer.start();
        const online = await link.start();
        // After a restart: the SIP subscriptions every stored XMPP subscription needs (restored ones are kept).
        if (online.ok && sip !== undefined) logger.info("gateway.resumed", sip.gateway.resume());
        return online;
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        // SIP first: subscriptions ended and publications removed while the store is open.
        await sip?.stop();
        presenceServer.shutdown();
        await link.stop();
        store.close();
      },
    },
  };
}
