/** The typed, frozen configuration every part of the bridge reads. */

export interface XmppConfig {
  /** `xmpp://host:port` of the XMPP server's component listener (XEP-0114). */
  readonly service: string;
  /** The component's domain: bridged contacts are `ext@domain`. */
  readonly domain: string;
  /** The component secret shared with the server. Prefer PRESENCE_BRIDGE_XMPP_SECRET. */
  readonly secret: string;
  /** The XMPP server's own domain (its users'). Default: the component domain minus its first label. */
  readonly serverDomain: string;
  /** The gateway's name in disco and its vCard. */
  readonly name: string;
  readonly reconnect: {
    readonly initialDelayMs: number;
    readonly maxDelayMs: number;
    readonly factor: number;
    readonly jitter: number;
  };
  /** XEP-0199 pings to the server; `false` turns them off. */
  readonly keepalive: false | { readonly intervalMs: number; readonly timeoutMs: number; readonly target: string };
  readonly connectTimeoutMs: number;
  readonly queueLimit: number;
  readonly maxStanzaBytes: number;
}

export interface StoreConfig {
  /** SQLite file; `:memory:` keeps nothing across a restart. */
  readonly path: string;
}

export interface MappingConfig {
  /** A shipped profile (`default`, `asterisk`, …) or a table file; file wins when both are given. */
  readonly profile: string;
  readonly file?: string;
}

export interface SubscriptionsConfig {
  /** Watcher domains approved at once (`*.example.com` covers subdomains). Default: the server's domain. */
  readonly approve: readonly string[];
  /** What other watchers get until the gateway decides. */
  readonly otherwise: "approve" | "deny" | "defer";
  /** Inbound subscription requests per watcher; `false` turns the limit off. */
  readonly rateLimit: false | { readonly burst: number; readonly perMinute: number };
}

export interface ContactsConfig {
  /** When set, only SIP URIs matching this regular expression are contacts (others: item-not-found). */
  readonly pattern?: string;
}

export interface LogConfig {
  readonly level: "debug" | "info" | "warn" | "error";
}

export interface Config {
  readonly xmpp: XmppConfig;
  readonly store: StoreConfig;
  readonly mapping: MappingConfig;
  readonly subscriptions: SubscriptionsConfig;
  readonly contacts: ContactsConfig;
  readonly log: LogConfig;
}
