/**
 * The two address forms the rules move between: JIDs (RFC 7622) and SIP URIs
 * (RFC 3261 §19.1). Only what the address rules need: parts, checks, normal forms.
 */
import { fail, ok, type Result } from "../errors.js";

export interface Jid {
  /** The localpart as written (XEP-0106 escapes kept), case-mapped; "" for a domain JID. */
  readonly local: string;
  readonly domain: string;
  readonly resource?: string;
}

export interface SipUri {
  readonly scheme: "sip" | "sips";
  /** The user part with %-escapes decoded; "" when the URI has none. */
  readonly user: string;
  /** Lower-cased; IPv6 references keep their brackets. */
  readonly host: string;
  readonly port?: number;
  /** `;name=value` parameters as written (names lower-cased). */
  readonly params: Readonly<Record<string, string>>;
}

// RFC 7622 §3.1: each part is at most 1023 octets.
const MAX_PART = 1023;
const bytes = (s: string): number => Buffer.byteLength(s, "utf8");
// RFC 7622 §3.3 (PRECIS IdentifierClass): no controls or spaces; plus the characters §3.3.1
// forbids in a localpart (XEP-0106 escapes them).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LOCAL_FORBIDDEN = /[\s"&'/:<>@]/;
// A DNS name or an IP literal (RFC 7622 §3.2); no spaces, no `@`, `/`.
const DOMAIN = /^(?:\[[0-9a-f:.]+\]|[^\s@/\\[\]<>"'&:]+)$/i;

const jidPart = (name: string, value: string): Result<string> =>
  bytes(value) > MAX_PART
    ? fail("jid-malformed", `the ${name} is longer than 1023 bytes (RFC 7622 §3.1)`)
    : CONTROL.test(value)
      ? fail("jid-malformed", `the ${name} holds a control character (RFC 7622 §3.3)`)
      : ok(value);

/**
 * RFC 7622 §3.1: `[localpart@]domainpart[/resourcepart]`. The domain loses a
 * trailing dot and is lower-cased; the localpart is lower-cased (§3.3.1 case mapping,
 * as servers do before routing).
 */
export function parseJid(text: string): Result<Jid> {
  const slash = text.indexOf("/");
  const bare = slash < 0 ? text : text.slice(0, slash);
  const resource = slash < 0 ? undefined : text.slice(slash + 1);
  const at = bare.indexOf("@");
  const local = at < 0 ? "" : bare.slice(0, at);
  const domain = (at < 0 ? bare : bare.slice(at + 1)).replace(/\.$/, "").toLowerCase();
  if (at >= 0 && local === "") return fail("jid-malformed", `"${text}" has an empty localpart before "@"`);
  if (LOCAL_FORBIDDEN.test(local)) return fail("jid-malformed", `the localpart "${local}" holds a character RFC 7622 §3.3.1 forbids; escape it (XEP-0106)`);
  if (domain === "" || !DOMAIN.test(domain)) return fail("jid-malformed", `"${text}" has no valid domainpart`);
  if (resource === "") return fail("jid-malformed", `"${text}" has an empty resourcepart after "/"`);
  for (const [name, value] of [["localpart", local], ["domainpart", domain], ["resourcepart", resource ?? ""]] as const) {
    const checked = jidPart(name, value);
    if (!checked.ok) return checked;
  }
  const jid = { local: local.toLowerCase(), domain };
  return ok(resource === undefined ? jid : { ...jid, resource });
}

export const bareJid = (jid: Jid): string => (jid.local === "" ? jid.domain : `${jid.local}@${jid.domain}`);

// RFC 3261 §25.1: user = 1*( unreserved / escaped / user-unreserved ).
const USER_CHAR = /[A-Za-z0-9\-_.!~*'()&=+$,;?/]/;
const HOST = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?)$/;

function decodeUser(user: string, text: string): Result<string> {
  for (let i = 0; i < user.length; i++) {
    const char = user[i] as string;
    if (char === "%") {
      if (!/^[0-9a-fA-F]{2}$/.test(user.slice(i + 1, i + 3))) return fail("invalid-uri", `"${text}" has a malformed %-escape in its user part`);
      i += 2;
    } else if (!USER_CHAR.test(char)) {
      return fail("invalid-uri", `"${text}" has "${char}" in its user part; RFC 3261 §25.1 wants it %-escaped`);
    }
  }
  try {
    return ok(decodeURIComponent(user));
  } catch {
    return fail("invalid-uri", `"${text}" has %-escapes in its user part that are not UTF-8`);
  }
}

/** RFC 3261 §19.1.1: `sip:user[:password]@host[:port][;params][?headers]`. Passwords are refused. */
export function parseSipUri(text: string): Result<SipUri> {
  const colon = text.indexOf(":");
  const scheme = colon < 0 ? "" : text.slice(0, colon).toLowerCase();
  if (scheme !== "sip" && scheme !== "sips") {
    return fail("unsupported-uri-scheme", `"${text}" is not a sip: or sips: URI`);
  }
  const rest = text.slice(colon + 1).replace(/\?.*$/, "");
  const [address = "", ...paramParts] = rest.split(";");
  const at = address.lastIndexOf("@");
  const userinfo = at < 0 ? "" : address.slice(0, at);
  const hostport = at < 0 ? address : address.slice(at + 1);
  if (userinfo.includes(":")) return fail("invalid-uri", `"${text}" carries a password; RFC 3261 §19.1.1 says not to`);
  if (at >= 0 && userinfo === "") return fail("invalid-uri", `"${text}" has an empty user part before "@"`);
  const user = decodeUser(userinfo, text);
  if (!user.ok) return user;
  const portMatch = /^(.*?)(?::(\d{1,5}))?$/.exec(hostport) as RegExpExecArray;
  const host = (portMatch[1] ?? "").toLowerCase();
  if (!HOST.test(host)) return fail("invalid-uri", `"${text}" has no valid host`);
  const port = portMatch[2] === undefined ? undefined : Number(portMatch[2]);
  if (port !== undefined && (port === 0 || port > 65535)) return fail("invalid-uri", `"${text}" has port ${port}, outside 1..65535`);
  const params: Record<string, string> = {};
  for (const part of paramParts) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const name = (eq < 0 ? part : part.slice(0, eq)).toLowerCase();
    Object.defineProperty(params, name, { value: eq < 0 ? "" : part.slice(eq + 1), enumerable: true });
  }
  const uri = { scheme, user: user.value, host: host.replace(/\.$/, ""), params } as const;
  return ok(port === undefined ? uri : { ...uri, port });
}

/** %-escapes what a SIP user part cannot hold as it is (RFC 3261 §25.1). */
export function encodeSipUser(user: string): string {
  let out = "";
  for (const char of user) {
    if (USER_CHAR.test(char) && char.length === 1) out += char;
    else for (const byte of Buffer.from(char, "utf8")) out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** `sip:user@host[:port]`, the address of record form the rules compare (no parameters). */
export function formatSipUri(uri: Pick<SipUri, "scheme" | "user" | "host" | "port">): string {
  const user = uri.user === "" ? "" : `${encodeSipUser(uri.user)}@`;
  return `${uri.scheme}:${user}${uri.host}${uri.port === undefined ? "" : `:${uri.port}`}`;
}
