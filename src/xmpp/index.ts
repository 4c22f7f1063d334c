/** The XMPP side: the `<presence/>` codec (pure) and the types of its values. */
export * from "./types.js";
export { parseXmppPresence, type ParsedXmppPresence, type XmppParseLimits } from "./stanza-parse.js";
export { serializeXmppPresence, xmppPresenceToElement } from "./stanza-serialize.js";
export { STANZA_NS } from "./stanza-values.js";
