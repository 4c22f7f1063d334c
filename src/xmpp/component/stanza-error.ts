/**
 * RFC 6120 §8.3: stanza error replies. One place builds them, so every answer has
 * the right type for its condition, swaps `to` and `from`, keeps the `id`, and no
 * error is ever answered with an error (§8.3.1).
 */
import { Element } from "ltx";
import type { StanzaErrorCondition, StanzaErrorType } from "../../gateway/ports.js";

export const STANZAS_NS = "urn:ietf:params:xml:ns:xmpp-stanzas";

/** RFC 6120 §8.3.3: the error type each condition is sent with. */
const ERROR_TYPE: Readonly<Record<StanzaErrorCondition, StanzaErrorType>> = {
  "bad-request": "modify",
  "feature-not-implemented": "cancel",
  forbidden: "auth",
  "internal-server-error": "cancel",
  "item-not-found": "cancel",
  "jid-malformed": "modify",
  "not-acceptable": "modify",
  "not-allowed": "cancel",
  "policy-violation": "modify",
  "recipient-unavailable": "wait",
  "resource-constraint": "wait",
  "service-unavailable": "cancel",
  "remote-server-timeout": "wait",
  gone: "cancel",
  "not-authorized": "auth",
  redirect: "cancel",
  "registration-required": "auth",
  "remote-server-not-found": "cancel",
  "unexpected-request": "wait",
};

/** What an error reply needs of the stanza it answers. */
export interface Answerable {
  readonly name: string;
  readonly attrs: Readonly<Record<string, unknown>>;
}

const text = (value: unknown): string | undefined => (value === undefined || value === null ? undefined : String(value));

/**
 * The error reply to `stanza`, or undefined when none is due: the stanza is itself
 * an error (RFC 6120 §8.3.1), or an iq result (§8.2.3: a result is never answered).
 * `type` overrides the condition's usual type (a rate limit is `wait`).
 */
export function errorReply(
  stanza: Answerable,
  condition: StanzaErrorCondition,
  explanation?: string,
  type?: StanzaErrorType,
): Element | undefined {
  const stanzaType = text(stanza.attrs.type);
  if (stanzaType === "error" || (stanza.name === "iq" && stanzaType === "result")) return undefined;
  const attrs: Record<string, string> = { type: "error" };
  const from = text(stanza.attrs.to);
  const to = text(stanza.attrs.from);
  const id = text(stanza.attrs.id);
  if (from !== undefined) attrs.from = from;
  if (to !== undefined) attrs.to = to;
  if (id !== undefined) attrs.id = id;
  const reply = new Element(stanza.name, attrs);
  const error = reply.c("error", { type: type ?? ERROR_TYPE[condition] });
  error.c(condition, { xmlns: STANZAS_NS });
  if (explanation !== undefined) error.c("text", { xmlns: STANZAS_NS, "xml:lang": "en" }).t(explanation);
  return reply;
}
