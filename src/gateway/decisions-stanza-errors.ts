/**
 * A SIP final response → the XMPP stanza error a watcher receives (RFC 7247 §8.2,
 * "Mapping of SIP Response Codes to XMPP Errors"), with the error type RFC 6120 §8.3.3
 * gives each condition.
 *
 * Provenance, honestly: the body of RFC 7247 could not be read from this workplace (the
 * stored copies give only its first page), so this table is reconstructed from the
 * STOX documents as remembered, FIELD.md §2.1 and Kamailio's `get_error_reason` variant.
 * Rows with a `note` are those where sources disagree or memory is unsure: check them
 * against RFC 7247 §8.2 before citing the table as normative.
 */

/** RFC 6120 §8.3.2. */
export type StanzaErrorType = "auth" | "cancel" | "continue" | "modify" | "wait";

/** RFC 6120 §8.3.3 defined conditions (those a SIP response can map to). */
export type StanzaErrorCondition =
  | "bad-request" | "feature-not-implemented" | "forbidden" | "gone" | "internal-server-error"
  | "item-not-found" | "jid-malformed" | "not-acceptable" | "not-allowed" | "not-authorized"
  | "policy-violation" | "recipient-unavailable" | "redirect" | "registration-required"
  | "remote-server-not-found" | "remote-server-timeout" | "resource-constraint"
  | "service-unavailable" | "unexpected-request";

/** RFC 6120 §8.3.3: the type each condition is defined (or exemplified) with. */
export const CONDITION_TYPES: Readonly<Record<StanzaErrorCondition, StanzaErrorType>> = Object.freeze({
  "bad-request": "modify", // §8.3.3.1
  "feature-not-implemented": "cancel", // §8.3.3.3
  forbidden: "auth", // §8.3.3.4
  gone: "cancel", // §8.3.3.5
  "internal-server-error": "cancel", // §8.3.3.6
  "item-not-found": "cancel", // §8.3.3.7
  "jid-malformed": "modify", // §8.3.3.8
  "not-acceptable": "modify", // §8.3.3.9
  "not-allowed": "cancel", // §8.3.3.10
  "not-authorized": "auth", // §8.3.3.11
  "policy-violation": "modify", // §8.3.3.12
  "recipient-unavailable": "wait", // §8.3.3.13
  redirect: "modify", // §8.3.3.14
  "registration-required": "auth", // §8.3.3.15
  "remote-server-not-found": "cancel", // §8.3.3.16
  "remote-server-timeout": "wait", // §8.3.3.17
  "resource-constraint": "wait", // §8.3.3.18
  "service-unavailable": "cancel", // §8.3.3.19
  "unexpected-request": "wait", // §8.3.3.22
});

export interface SipErrorRow {
  readonly condition: StanzaErrorCondition;
  /** Where sources disagree or the row is unsure. */
  readonly note?: string;
}

/** RFC 7247 §8.2 (reconstructed): SIP status → condition. */
export const SIP_TO_XMPP_ERRORS: ReadonlyMap<number, SipErrorRow> = new Map<number, SipErrorRow>([
  [300, { condition: "redirect" }], // and every 3xx, see stanzaErrorFor
  [400, { condition: "bad-request" }],
  [401, { condition: "not-authorized" }],
  [402, { condition: "bad-request", note: "RFC 6120 has no payment-required (RFC 3920's); unsure" }],
  [403, { condition: "forbidden" }],
  [404, { condition: "item-not-found" }],
  [405, { condition: "not-allowed" }],
  [406, { condition: "not-acceptable" }],
  [407, { condition: "registration-required" }],
  [408, { condition: "remote-server-timeout", note: "Kamailio's variant (FIELD.md §2.1) says service-unavailable" }],
  [410, { condition: "gone" }],
  [413, { condition: "policy-violation" }],
  [414, { condition: "policy-violation" }],
  [415, { condition: "bad-request", note: "unsure: not-acceptable would also fit" }],
  [416, { condition: "bad-request", note: "unsure: jid-malformed would also fit" }],
  [420, { condition: "bad-request" }],
  [421, { condition: "bad-request" }],
  [423, { condition: "bad-request", note: "unsure: resource-constraint would also fit; the subscriber retries 423 itself" }],
  [480, { condition: "recipient-unavailable" }],
  [481, { condition: "item-not-found" }],
  [482, { condition: "not-acceptable" }],
  [483, { condition: "not-acceptable" }],
  [484, { condition: "jid-malformed", note: "memory of RFC 7247 says item-not-found; jid-malformed fits 'address incomplete'" }],
  [485, { condition: "item-not-found" }],
  [486, { condition: "recipient-unavailable" }],
  [487, { condition: "service-unavailable", note: "unsure" }],
  [488, { condition: "not-acceptable" }],
  [489, { condition: "feature-not-implemented", note: "unsure: policy-violation in some readings" }],
  [491, { condition: "unexpected-request" }],
  [493, { condition: "bad-request" }],
  [500, { condition: "internal-server-error" }],
  [501, { condition: "feature-not-implemented" }],
  [502, { condition: "remote-server-not-found" }],
  [503, { condition: "service-unavailable" }],
  [504, { condition: "remote-server-timeout" }],
  [505, { condition: "not-acceptable" }],
  [513, { condition: "policy-violation" }],
  [600, { condition: "service-unavailable" }],
  [603, { condition: "service-unavailable" }],
  [604, { condition: "item-not-found" }],
  [606, { condition: "not-acceptable" }],
]);

export interface StanzaError {
  readonly condition: StanzaErrorCondition;
  readonly type: StanzaErrorType;
  /** The SIP status it stands for (for `<text/>` and logs). */
  readonly sipStatus: number;
}

/**
 * The stanza error for a SIP failure response (300..699). A status the table does not
 * list is read as the x00 of its class (RFC 3261 §8.1.3.2: an unrecognised final
 * response is treated as the x00 response of its class).
 */
export function stanzaErrorFor(status: number): StanzaError {
  const code = Math.trunc(status);
  // The table holds 300, 400, 500 and 600, so the class row always exists.
  const { condition } = SIP_TO_XMPP_ERRORS.get(code) ?? SIP_TO_XMPP_ERRORS.get(classOf(code)) ?? CLASS_FALLBACK;
  return { condition, type: CONDITION_TYPES[condition], sipStatus: code };
}

const CLASS_FALLBACK: SipErrorRow = { condition: "service-unavailable" };

/** The x00 of a status's class, clamped to the failure classes 3xx..6xx. */
function classOf(status: number): number {
  const hundreds = Math.floor(status / 100);
  return Math.min(6, Math.max(3, hundreds)) * 100;
}
