/** Namespaces the `<presence/>` codec reads and writes. */
export const STANZA_NS = {
  client: "jabber:client",
  server: "jabber:server",
  /** XEP-0114: the stream namespace of an external component. */
  component: "jabber:component:accept",
  /** XEP-0115 entity capabilities. */
  caps: "http://jabber.org/protocol/caps",
  /** XEP-0203 delayed delivery. */
  delay: "urn:xmpp:delay",
  /** XEP-0319 last user interaction in presence. */
  idle: "urn:xmpp:idle:1",
  /** XEP-0172 user nickname. */
  nick: "http://jabber.org/protocol/nick",
} as const;

/** The namespaces a `<presence/>` may be in; "" is no namespace (the stream default applies). */
export const PRESENCE_NAMESPACES: ReadonlySet<string> = new Set([
  "",
  STANZA_NS.client,
  STANZA_NS.server,
  STANZA_NS.component,
]);

// XEP-0082 §3.2 DateTime: CCYY-MM-DDThh:mm:ss[.sss]TZD, TZD being Z or ±hh:mm.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

const daysIn = (year: number, month: number): number =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

/** Whether `value` is an XEP-0082 DateTime with a real calendar date. */
export function isDateTime(value: string): boolean {
  const match = DATE_TIME.exec(value);
  if (match === null) return false;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month);
}

/** RFC 6121 §4.7.2.3: an integer -128..127. */
export const MIN_PRIORITY = -128;
export const MAX_PRIORITY = 127;

export const clampPriority = (priority: number): number =>
  Math.min(MAX_PRIORITY, Math.max(MIN_PRIORITY, Math.trunc(priority))) || 0;

/** `xs:byte` lexical form, whitespace already collapsed: optional sign, digits. */
export const INTEGER = /^[+-]?\d+$/;
