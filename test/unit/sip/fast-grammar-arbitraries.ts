/**
 * fast-check generators of SIP header values for the fast-path equivalence
 * tests: the RFC 3261 §25.1 subset the fast paths read, the edges of the
 * grammar around it (literal prefixes, leading zeros, IPv6, escapes, quoted
 * pairs, URI headers), and mutations of both (a character inserted or deleted,
 * a case changed, odd whitespace).
 */
import fc from "fast-check";
import { URI, NameAddrHeader } from "sip.js";

const pick = <T>(...values: T[]): fc.Arbitrary<T> => fc.constantFrom(...values);
const text = (chars: string, min: number, max: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...chars.split("")), { minLength: min, maxLength: max }).map((a) => a.join(""));

const ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
export const token = fc.oneof(
  { weight: 4, arbitrary: text("abcxyzABZ019", 1, 8) },
  { weight: 1, arbitrary: text(`${ALNUM}-.!%*_+\`'~`, 1, 10) },
);
const digits = (min: number, max: number): fc.Arbitrary<string> => text("0123456789", min, max);
/** Mostly `clean`, now and then one of the odd values. */
const mostly = <T>(clean: fc.Arbitrary<T>, ...odd: T[]): fc.Arbitrary<T> =>
  fc.oneof({ weight: 12, arbitrary: clean }, { weight: 1, arbitrary: pick(...odd) });
const octet = mostly(fc.integer({ min: 0, max: 255 }).map(String), "01", "256", "300", "00", "1000");
const ipv4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join("."));
const label = text("abcdefghXYZ0129_-", 1, 6);
const hostname = fc.tuple(fc.array(label, { maxLength: 3 }), text("abcXYZ", 1, 1), text("abc09-", 0, 5), mostly(pick(""), "."))
  .map(([labels, first, rest, dot]) => [...labels, first + rest].join(".") + dot);
const hex = text("0123456789abcdefABCDEF", 1, 5);
const ipv6Piece = fc.oneof({ weight: 6, arbitrary: hex }, { weight: 1, arbitrary: ipv4 }, { weight: 1, arbitrary: pick("", "g1", "::") });
/** Up to 9 pieces joined by ":" or "::" (valid and invalid forms, as the grammar's alternatives see them). */
export const ipv6 = fc.oneof(
  { weight: 3, arbitrary: fc.array(fc.tuple(ipv6Piece, mostly(pick(":"), "::")), { minLength: 1, maxLength: 9 })
    .chain((parts) => fc.nat(parts.length).map((gap) => `[${parts.map(([p, sep], k) => (k === 0 ? "" : k === gap ? "::" : sep) + p).join("")}]`)) },
  { weight: 2, arbitrary: pick("[::1]", "[2001:db8::1]", "[2001:DB8:0:0:8:800:200C:417A]", "[::ffff:192.0.2.1]", "[fe80::1%25eth0]", "[::]", "[1::]", "[1:2:3:4:5:6:7::]", "[::2:3:4:5:6:7:8]", "[1:2:3:4:5:6:192.0.2.1]") },
);
export const host = fc.oneof({ weight: 8, arbitrary: hostname }, { weight: 6, arbitrary: ipv4 }, { weight: 1, arbitrary: ipv6 },
  { weight: 2, arbitrary: pick("pbx.example.com", "192.0.2.20", "127.0.0.1", "localhost", "1.2.3", "a..b", "-x.com", "x.com_") });
const port = mostly(fc.integer({ min: 0, max: 65535 }).map(String), "05060", "", "123456", "99999");
const hostport = fc.tuple(host, fc.option(port)).map(([h, p]) => (p === null ? h : `${h}:${p}`));

const user = mostly(text(`${ALNUM}-_.!~*'()`, 1, 10), "+12125551212;phone-context=x", "alice:secret", "a%20b", "a%zz", "&=+$,;?/", "bob?x");
const quoted = mostly(text(`${ALNUM} !#$<>:@;,=`, 0, 10).map((t) => `"${t}"`),
  `"a\\"b"`, `"Zürich"`, `"tab\there"`, `"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>"`, `"unterminated`);
const paramValue = fc.oneof({ weight: 10, arbitrary: token }, { weight: 1, arbitrary: quoted },
  { weight: 2, arbitrary: pick("udp", "TCP", "tls", "sctp", "ws", "udpx", "tcp6", "phone", "IP", "iphone", "0.5", "0.500", "0.5000", "1.0", "0", "00", "3600", "060", "60s", "[::1]", "a:b", "") });
const paramName = fc.oneof({ weight: 4, arbitrary: token },
  { weight: 3, arbitrary: pick("transport", "user", "lr", "LR", "lrx", "method", "ttl", "maddr", "q", "Q", "expires", "tag", "TAG", "branch", "rport", "received", "reason", "retry_after", "id", "ob", "__proto__", "constructor") });
const param = fc.tuple(paramName, fc.option(paramValue, { freq: 3 })).map(([n, v]) => (v === null ? n : `${n}=${v}`));
const params = (max: number): fc.Arbitrary<string> => fc.array(param, { maxLength: max }).map((ps) => ps.map((p) => `;${p}`).join(""));
const uriHeaders = mostly(pick(""), "?subject=x", "?a=b&c=d", "?");
const scheme = mostly(pick("sip", "sip", "sip", "SIP", "sips", "Sip"), "tel", "sipx");
export const sipUri = fc.tuple(scheme, fc.option(user, { freq: 4 }), hostport, params(3), uriHeaders)
  .map(([s, u, hp, ps, h]) => `${s}:${u === null ? "" : `${u}@`}${hp}${ps}${h}`);
const displayName = fc.oneof(
  { weight: 3, arbitrary: pick("") },
  { weight: 2, arbitrary: quoted.map((q) => `${q} `) },
  { weight: 1, arbitrary: quoted },
  { weight: 2, arbitrary: fc.array(token, { minLength: 1, maxLength: 3 }).map((ts) => `${ts.join(" ")} `) },
  { weight: 1, arbitrary: pick("sip ", "sips ", "Alice  Smith ", "Bob<", "Carol", "*") },
);
const nameAddr = fc.tuple(displayName, sipUri, mostly(pick(">"), "> ", "")).map(([d, u, close]) => `${d}<${u}${close}`);
export const address = fc.oneof({ weight: 3, arbitrary: nameAddr }, { weight: 1, arbitrary: sipUri });
const sep = mostly(pick(";"), " ;", "; ", " ; ", ";;");
const headerParams = fc.array(fc.tuple(sep, param), { maxLength: 4 }).map((ps) => ps.map(([s, p]) => s + p).join(""));
export const fromTo = fc.tuple(address, headerParams).map(([a, p]) => a + p);
const comma = mostly(pick(",", ", "), " , ", ",,");
export const contact = fc.oneof(
  { weight: 8, arbitrary: fc.array(fc.tuple(address, headerParams), { minLength: 1, maxLength: 3 }).chain((cs) =>
    fc.array(comma, { minLength: cs.length, maxLength: cs.length }).map((cm) => cs.map(([a, p], k) => (k === 0 ? "" : cm[k]) + a + p).join(""))) },
  { weight: 1, arbitrary: pick("*", " *", "*,<sip:a@b>", "* <sip:a@b>") },
);
export const recordRoute = fc.array(fc.tuple(nameAddr, headerParams), { minLength: 1, maxLength: 3 })
  .chain((rs) => fc.array(comma, { minLength: rs.length, maxLength: rs.length }).map((cm) => rs.map(([a, p], k) => (k === 0 ? "" : cm[k]) + a + p).join("")));
const method = fc.oneof(pick("NOTIFY", "SUBSCRIBE", "INVITE", "ACK", "OPTIONS", "BYE", "CANCEL", "REGISTER", "PUBLISH", "REFER", "PRACK", "UPDATE", "MESSAGE", "INFO", "NOTIFYX", "ACKX", "notify", "REFERRAL", "VXACH"), token);
const version = pick("SIP/2.0", "SIP/2.0", "sip/2.0", "SIP/3.10", "SIP/2", "SIP/.0", "HTTP/1.1");
const reason = fc.oneof(pick("OK", "Accepted", "Not Found", "Bad Event", "Moved Temporarily", "Très bien", "100% sure", "a\"b", "a<b>", "", "Call/Transaction Does Not Exist"), text(`${ALNUM} ;/?:@&=+$,-_.!~*'()`, 0, 20));
export const startLine = fc.oneof(
  fc.tuple(method, pick(" ", " ", "  "), fc.oneof({ weight: 5, arbitrary: sipUri }, { weight: 1, arbitrary: pick("tel:+123", "urn:x:y") }), pick(" "), version)
    .map(([m, sp, u, sp2, v]) => `${m}${sp}${u}${sp2}${v}`),
  fc.tuple(version, fc.oneof(fc.integer({ min: 100, max: 699 }).map(String), pick("99", "2000", "20x")), pick(" ", " ", ""), reason)
    .map(([v, c, sp, r]) => `${v} ${c}${sp}${r}`),
);
const transport = pick("UDP", "TCP", "TLS", "SCTP", "udp", "tcp", "WS", "WSS", "TCPX", "TLS-SCTP", "Tls");
const viaParams = fc.array(fc.oneof(
  { weight: 2, arbitrary: fc.tuple(pick("branch", "Branch"), pick("z9hG4bK776asdhds", "z9hG4bK.7251066a", "", "\"q\"")).map(([n, v]) => `${n}=${v}`) },
  { weight: 2, arbitrary: pick("rport", "rport=5060", "rport=", "rport=abc", "RPORT=1") },
  { weight: 2, arbitrary: ipv4.map((a) => `received=${a}`) },
  { weight: 1, arbitrary: pick("received=host.example", "received=[::1]", "received=::1", "ttl=16", "ttl=1234", "maddr=224.2.0.1", "ttl", "maddr") },
  { weight: 2, arbitrary: param },
), { maxLength: 4 }).chain((ps) => fc.array(sep, { minLength: ps.length, maxLength: ps.length }).map((ss) => ps.map((p, k) => ss[k] + p).join("")));
export const via = fc.tuple(mostly(pick("SIP", "sip"), "SIPX", "HTTP"), mostly(pick("/2.0/"), " / 2.0 / ", "/2.0 /"), transport, mostly(pick(" "), "  ", ""), hostport, viaParams, mostly(pick(""), ", SIP/2.0/UDP h2.example.com;branch=z9hG4bK2"))
  .map(([p, v, t, sp, hp, ps, more]) => `${p}${v}${t}${sp}${hp}${ps}${more}`);
export const cseq = fc.tuple(fc.oneof(digits(1, 10), pick("", "0102")), pick(" ", " ", "  ", ""), method).map(([n, sp, m]) => `${n}${sp}${m}`);
export const callId = fc.oneof(
  fc.tuple(text(`${ALNUM}-.!%*_+\`'~()<>:\\"/[]?{}`, 1, 20), fc.option(text(`${ALNUM}.-`, 0, 12))).map(([a, b]) => (b === null ? a : `${a}@${b}`)),
  pick("a@b@c", "@b", "a@", "a b", "a;b", "a,b"),
);
export const number = fc.oneof(digits(1, 12), pick("", "1a", "-1", "0x10", "1 "));
const mediaType = pick("application", "text", "Application", "message", "multipart", "x-custom", "textual", "applications", "image", "");
const mediaParams = fc.array(fc.tuple(pick(";", " ;", "; ", " ; "), token, pick("=", "=", " = "), fc.oneof(token, quoted)), { maxLength: 2 })
  .map((ps) => ps.map(([s, n, e, v]) => s + n + e + v).join(""));
export const contentType = fc.tuple(mediaType, pick("/", "/", " / "), pick("pidf+xml", "plain", "sipfrag", "dialog-info+xml", "xpidf+xml", "mixed", ""), mediaParams)
  .map(([t, sl, st, ps]) => `${t}${sl}${st}${ps}`);
export const event = fc.tuple(pick("presence", "dialog", "Presence", "message-summary", "presence.winfo", "a..b", ".x", "x.", "reg"), headerParams).map(([e, p]) => e + p);
const subexp = fc.oneof(
  pick("expires=3600", "expires=0", "expires=x", "expires=12ab", "reason=timeout", "reason=deactivated", "reason=timeouts", "reason=Noresource", "reason=\"x\"", "retry_after=30", "retry-after=30", "retry_after=x"),
  param,
);
export const subscriptionState = fc.tuple(pick("active", "pending", "terminated", "Active", "activex", "init", ""), fc.array(fc.tuple(sep, subexp), { maxLength: 3 }))
  .map(([st, ps]) => st + ps.map(([s, p]) => s + p).join(""));

/** A value mutated: characters inserted, deleted or re-cased, whitespace changed. */
export function mutated(base: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const odd = pick(" ", "\t", "\r\n ", ";", ",", "=", "\"", "\\", "<", ">", "@", ":", "%", "[", "]", "?", "/", "(", ")", "é", "\u0000", "*", "#", "&");
  const edit = fc.tuple(fc.nat(), pick("insert", "delete", "case"), odd);
  return fc.tuple(base, fc.array(edit, { minLength: 1, maxLength: 3 })).map(([value, edits]) => {
    let out = value;
    for (const [at, kind, ch] of edits) {
      const k = out.length === 0 ? 0 : at % (out.length + 1);
      if (kind === "insert") out = out.slice(0, k) + ch + out.slice(k);
      else if (kind === "delete") out = out.slice(0, k) + out.slice(k + 1);
      else out = out.slice(0, k) + (out[k] === out[k]?.toUpperCase() ? out[k]?.toLowerCase() : out[k]?.toUpperCase() ?? "") + out.slice(k + 1);
    }
    return out;
  });
}

/**
 * A comparable picture of a grammar result: class names, own enumerable keys in
 * order (undefined kept), NaN spelled out, and the toString of URIs and headers.
 */
export function canonical(value: unknown): unknown {
  if (typeof value === "number") return Number.isNaN(value) ? "NaN" : value;
  if (value === null || typeof value !== "object") return value === undefined ? "<undefined>" : value;
  if (Array.isArray(value)) return value.map(canonical);
  const entries = Object.keys(value).map((k) => [k, canonical((value as Record<string, unknown>)[k])]);
  const shown = value instanceof URI || value instanceof NameAddrHeader ? safeString(value) : undefined;
  return { class: value.constructor?.name ?? "null-prototype", entries, ...(shown === undefined ? {} : { shown }) };
}

function safeString(value: URI | NameAddrHeader): string {
  try {
    return value.toString();
  } catch (e) {
    return `throws ${(e as Error).name}`;
  }
}
