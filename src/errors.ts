/**
 * The registry of typed error codes: one place, one spelling.
 *
 * External input never throws out of a codec or loader: it comes back as a
 * {@link BridgeError} inside a {@link Result}, and the adapter that received
 * it turns it into the protocol's answer (400, `bad-request`) and a log line.
 */

export const ERROR_CODES = {
  // XML well-formedness and safety (src/xml)
  "not-well-formed": "the XML is not well-formed",
  "entity-declaration": "the document declares entities or has a DTD internal subset; presence bodies need none",
  "external-dtd": "the document refers to an external DTD; it is never fetched",
  "too-large": "the body is larger than the configured size cap",
  "too-deep": "elements are nested deeper than the configured limit",
  "invalid-utf8": "the body is not valid UTF-8",
  "empty-body": "the body is empty",
  // Body shape (src/pidf, src/xmpp)
  "unexpected-root": "the root element is not the one this content type requires",
  "unknown-content-type": "the content type is not one the bridge reads",
  "invalid-value": "an element or attribute holds a value the standard does not allow",
  "missing-attribute": "a required attribute is missing",
  "missing-element": "a required element is missing",
  // Mapping tables (src/mapping)
  "invalid-json": "the file is not valid JSON",
  "schema-violation": "the file does not match mappings/schema.json",
  "unsupported-version": "the table's format version is not one this bridge reads",
  "unknown-profile": "no shipped profile has that name",
  "extends-cycle": "tables extend each other in a cycle",
  "invalid-template": "a status or note template is malformed",
  "invalid-pattern": "a note pattern is not a valid regular expression",
  "duplicate-rule": "two rules of a table share an id, or a rule is both removed and redefined",
  "unknown-rule": "remove names a rule that the extended table does not have",
  // Addresses (src/mapping/addresses*)
  "jid-malformed": "the address is not a valid JID (RFC 7622), or cannot be escaped into one (XEP-0106)",
  "invalid-uri": "the address is not a valid SIP URI (RFC 3261 §19.1)",
  "unsupported-uri-scheme": "the URI scheme is not sip or sips",
  // The XMPP link and its services (src/xmpp)
  "not-authorized": "the XMPP server refused the component secret (XEP-0114 handshake)",
  "conflict": "the XMPP server already has a component connected for this domain",
  "connection-failed": "the XMPP server could not be reached or closed the stream",
  "remote-server-timeout": "the XMPP server did not answer in time",
  "item-not-found": "no bridged contact has that address",
  // Configuration (src/config)
  "unknown-key": "the configuration has a key the bridge does not know",
  "missing-key": "the configuration lacks a required key",
  // Subscriptions (src/gateway) — RFC 6120 §8.3.3 condition names
  "policy-violation": "the sender exceeded a local policy, such as the rate of subscription requests",
  // Store (src/store)
  "store-corrupt": "the database file is not a SQLite database or is damaged",
  "store-unreadable": "the database file cannot be opened, read or written",
  "store-schema-newer": "the database was written by a newer presence-bridge; its schema is not one this version reads",
  // Files and usage (src/cli)
  "file-not-found": "the file does not exist or cannot be read",
  "usage": "the command line is not valid",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** A problem with external input: what went wrong and where. */
export interface BridgeError {
  readonly code: ErrorCode;
  /** One sentence for an operator: names the problem, never a stack trace. */
  readonly message: string;
  /** Where in the input: `line 3, column 5`, or a JSON pointer such as `/rules/2/match`. */
  readonly at?: string;
  /** Which input: a file path, a peer address, a JID. */
  readonly source?: string;
}

export type Result<T, E = BridgeError> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: E };

export const ok = <T>(value: T): { readonly ok: true; readonly value: T } => ({ ok: true, value });

export const fail = (
  code: ErrorCode,
  message: string,
  at?: string,
  source?: string,
): { readonly ok: false; readonly error: BridgeError } => ({
  ok: false,
  error: { code, message, ...(at === undefined ? {} : { at }), ...(source === undefined ? {} : { source }) },
});

/** `source: at: message (code)` — the one-line form used on stderr and in logs. */
export function formatError(error: BridgeError): string {
  const where = [error.source, error.at].filter((part) => part !== undefined && part !== "").join(": ");
  return `${where === "" ? "" : `${where}: `}${error.message} (${error.code})`;
}
