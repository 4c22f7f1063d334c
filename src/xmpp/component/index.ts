/** The XEP-0114 component link: the XmppLink port over @xmpp/component 0.13.1. */
export { ComponentLink, type ComponentLinkOptions } from "./link.js";
export { DEFAULT_KEEPALIVE, type KeepaliveOptions } from "./keepalive.js";
export { DEFAULT_BACKOFF, reconnectDelay, type ReconnectBackoff } from "./backoff.js";
export { errorReply, STANZAS_NS, type Answerable } from "./stanza-error.js";
export type { IqHandler } from "./inbound.js";
