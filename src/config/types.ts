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

/** One SIP listen address; port 0 picks a free one. */
export interface SipListenConfig {
  readonly host: string;
  readonly port: number;
}

export interface SipConfig {
  readonly listen: {
    readonly udp?: SipListenConfig;
    readonly tcp?: SipListenConfig;
    readonly tls?: SipListenConfig & { readonly ca?: string; readonly cert?: string; readonly key?: string; readonly rejectUnauthorized?: boolean };
  };
  /** The preferred transport: the first of udp, tcp, tls that listens unless set. */
  readonly transport: "udp" | "tcp" | "tls";
  /** The SIP presence server / PBX every request outside a dialog is sent to (RFC 3261 §8.1.2 outbound proxy). */
  readonly outboundProxy?: string;
  readonly advertisedHost?: string;
  /** The gateway's own address of record: the From of its SUBSCRIBEs and PUBLISHes. */
  readonly identity: string;
  /** The SIP domain of the chat users the bridge serves (`sip:juliet@<domain>`). */
  readonly domain: string;
  /** Digest credentials the gateway answers 401/407 with (PRESENCE_BRIDGE_SIP_AUTH_PASSWORD). */
  readonly auth?: { readonly username: string; readonly password: string; readonly realm?: string };
  /** Who may SUBSCRIBE and PUBLISH to the bridge: trusted networks, else our own digest users. */
  readonly access: {
    readonly trustedNetworks: readonly string[];
    readonly realm: string;
    readonly users: readonly { readonly user: string; readonly password: string }[];
  };
  /** `notify`: serve SIP watchers; `publish`: PUBLISH chat presence to the PBX; `both`. */
  readonly mode: "notify" | "publish" | "both";
  /** Kamailio with publ_cache=2 loses the state on a body-less PUBLISH refresh. */
  readonly refreshWithBody: boolean;
  /** Seconds asked for in SUBSCRIBE and PUBLISH. */
  readonly expires: number;
  /** Body-only NOTIFYs of one dialog at least this far apart. */
  readonly minNotifyIntervalMs: number;
}

/** Linked people: one person with a JID and an extension. */
export interface PeopleConfig {
  readonly links: readonly { readonly jid: string; readonly extension: string }[];
  /** Also link the mapping's `addresses.links`. */
  readonly fromAddresses: boolean;
  readonly debounceMs: number;
}

export interface Config {
  readonly xmpp: XmppConfig;
  readonly store: StoreConfig;
  readonly mapping: MappingConfig;
  readonly subscriptions: SubscriptionsConfig;
  readonly contacts: ContactsConfig;
  readonly log: LogConfig;
  /** Absent: the presence server runs alone (no SIP side). */
  readonly sip?: SipConfig;
  readonly people: PeopleConfig;
}
