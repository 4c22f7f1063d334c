/**
 * The one schema of the config file (JSON Schema 2020-12): the file, the
 * PRESENCE_BRIDGE_* environment variables and the defaults all pass through it.
 * Every object is closed (`additionalProperties: false`): an unknown key is an
 * error that names it.
 */

const ms = (description: string, minimum = 1) => ({ type: "integer", minimum, description });
const closed = (properties: Record<string, unknown>, required: string[] = []) => ({
  type: "object",
  additionalProperties: false,
  properties,
  ...(required.length === 0 ? {} : { required }),
});

const listen = (extra: Record<string, unknown> = {}) =>
  closed({ host: { type: "string", minLength: 1 }, port: { type: "integer", minimum: 0, maximum: 65535 }, ...extra }, ["port"]);
const sipUri = { type: "string", pattern: "^sips?:[^\\s]+$" };

/** The SIP side (issue 4 and 5); without it the bridge runs the presence server only. */
const SIP_SCHEMA = closed(
  {
    listen: closed({
      udp: listen(),
      tcp: listen(),
      tls: listen({ ca: { type: "string" }, cert: { type: "string" }, key: { type: "string" }, rejectUnauthorized: { type: "boolean" } }),
    }),
    transport: { enum: ["udp", "tcp", "tls"], description: "the preferred transport (Via, URIs without one)" },
    outboundProxy: { ...sipUri, description: "the SIP presence server / PBX every request outside a dialog goes to (RFC 3261 §8.1.2); requests in a dialog follow its route set" },
    advertisedHost: { type: "string", minLength: 1 },
    identity: { ...sipUri, description: "the gateway's own address of record (From of its requests)" },
    domain: { type: "string", pattern: "^[^@/\\s:]+$", description: "the SIP domain of the chat users the bridge serves" },
    auth: closed({ username: { type: "string", minLength: 1 }, password: { type: "string", minLength: 1 }, realm: { type: "string", minLength: 1 } }, ["username", "password"]),
    access: closed({
      trustedNetworks: { type: "array", items: { type: "string", minLength: 1 } },
      realm: { type: "string", minLength: 1 },
      users: { type: "array", items: closed({ user: { type: "string", minLength: 1 }, password: { type: "string", minLength: 1 } }, ["user", "password"]) },
    }),
    mode: { enum: ["notify", "publish", "both"] },
    refreshWithBody: { type: "boolean", description: "send the body with PUBLISH refreshes (Kamailio publ_cache)" },
    expires: { type: "integer", minimum: 60, description: "seconds asked for in SUBSCRIBE and PUBLISH" },
    minNotifyIntervalMs: { type: "integer", minimum: 0 },
  },
  ["listen", "identity", "domain"],
);

export const CONFIG_SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  ...closed(
    {
      $schema: { type: "string" },
      xmpp: closed(
        {
          service: { type: "string", pattern: "^xmpp://[^/\\s]+:[0-9]{1,5}$", description: "xmpp://host:port of the component listener" },
          domain: { type: "string", pattern: "^[^@/\\s]+$", description: "the component's domain" },
          secret: { type: "string", minLength: 1, description: "the component secret (PRESENCE_BRIDGE_XMPP_SECRET)" },
          serverDomain: { type: "string", pattern: "^[^@/\\s]+$" },
          name: { type: "string", minLength: 1 },
          reconnect: closed({
            initialDelayMs: ms("ceiling of the first reconnect delay"),
            maxDelayMs: ms("highest reconnect delay"),
            factor: { type: "number", minimum: 1 },
            jitter: { type: "number", minimum: 0, maximum: 1 },
          }),
          keepalive: {
            anyOf: [
              { const: false },
              closed({ intervalMs: ms("time between pings", 1000), timeoutMs: ms("ping timeout", 100), target: { type: "string", minLength: 1 } }),
            ],
          },
          connectTimeoutMs: ms("time to get online before retrying", 100),
          queueLimit: { type: "integer", minimum: 1 },
          maxStanzaBytes: { type: "integer", minimum: 1024 },
        },
        ["service", "domain", "secret"],
      ),
      store: closed({ path: { type: "string", minLength: 1 } }, ["path"]),
      mapping: closed({ profile: { type: "string", pattern: "^[a-z0-9][a-z0-9-]*$" }, file: { type: "string", minLength: 1 } }),
      subscriptions: closed({
        approve: { type: "array", items: { type: "string", minLength: 1 } },
        otherwise: { enum: ["approve", "deny", "defer"] },
        rateLimit: {
          anyOf: [{ const: false }, closed({ burst: { type: "integer", minimum: 1 }, perMinute: { type: "number", exclusiveMinimum: 0 } }, ["burst", "perMinute"])],
        },
      }),
      contacts: closed({ pattern: { type: "string", minLength: 1 } }),
      log: closed({ level: { enum: ["debug", "info", "warn", "error"] } }),
      sip: SIP_SCHEMA,
      people: closed({
        links: {
          type: "array",
          description: "a person's JID and phone extension (or SIP URI)",
          items: closed({ jid: { type: "string", pattern: "^[^@/\\s]+@[^@/\\s]+$" }, extension: { type: "string", minLength: 1 } }, ["jid", "extension"]),
        },
        fromAddresses: { type: "boolean", description: "also link the mapping's addresses.links" },
        debounceMs: { type: "integer", minimum: 0, description: "flapping is merged over this long" },
      }),
    },
    ["xmpp", "store"],
  ),
} as const;
