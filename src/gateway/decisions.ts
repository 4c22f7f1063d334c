/**
 * The routing decisions of the gateway (RFC 8048, RFC 7247, RFC 6665) as pure tables
 * and functions: no I/O, each row with its citation. The adapters carry them out.
 */
export * from "./decisions-stanza-errors.js";
export * from "./decisions-sip-outcome.js";
export * from "./decisions-xmpp-watchers.js";
export * from "./decisions-sip-watchers.js";
