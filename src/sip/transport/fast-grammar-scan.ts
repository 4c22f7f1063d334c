/**
 * The lexical pieces of the fast paths in fast-grammar.ts: character classes,
 * host, SIP URI and generic parameters, each written to end exactly where the
 * peg.js grammar of sip.js 0.21.2 (RFC 3261 §25.1) ends and to build the same
 * values its actions build. Anything the code is not sure of throws BAIL; the
 * caller then hands the whole value to the grammar.
 */
import { URI } from "sip.js";
import { ipv6ReferenceEnd } from "./fast-grammar-ipv6.js";

/** Thrown (never an Error: no stack to capture) when a fast path gives the value back to the grammar. */
export const BAIL: unique symbol = Symbol("bail");
export function bail(): never {
  throw BAIL;
}

// Character classes (ASCII only; see each bit's grammar rule).
const TOKEN = 1; // token: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~"
const USER = 2; // user: unreserved / user_unreserved ("%" escapes left to the grammar)
const PARAM = 4; // paramchar: param_unreserved / unreserved ("%" escapes left to the grammar)
const HOST = 8; // the characters of hostname and IPv4address
const WORD = 16; // word (Call-ID)
const REASON = 32; // Reason-Phrase: reserved / unreserved / SP / HTAB ("%" left to the grammar)
const QDTEXT = 64; // qdtext without LWS other than SP and without quoted-pair: SP / %x21 / %x23-5B / %x5D-7E
const PASSWORD = 128; // password: unreserved / "&" / "=" / "+" / "$" / "," ("%" escapes left to the grammar)

const CLASS = new Uint8Array(128);
const mark = (chars: string, bit: number): void => {
  for (const ch of chars) CLASS[ch.charCodeAt(0)]! |= bit;
};
const ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const UNRESERVED = `${ALNUM}-_.!~*'()`;
mark(`${ALNUM}-.!%*_+\`'~`, TOKEN);
mark(`${UNRESERVED}&=+$,;?/`, USER);
mark(`${UNRESERVED}[]/:&+$`, PARAM);
mark(`${UNRESERVED}&=+$,`, PASSWORD);
mark(`${ALNUM}_.-`, HOST);
mark(`${ALNUM}-.!%*_+\`'~()<>:\\"/[]?{}`, WORD);
mark(`${UNRESERVED};/?:@&=+$, \t`, REASON);
for (let c = 0x20; c < 0x7f; c++) if (c !== 0x22 && c !== 0x5c) CLASS[c]! |= QDTEXT;

const is = (code: number, bit: number): boolean => code < 128 && (CLASS[code]! & bit) !== 0;
export const isToken = (code: number): boolean => is(code, TOKEN);
export const isWord = (code: number): boolean => is(code, WORD);
export const isReason = (code: number): boolean => code >= 0x80 || is(code, REASON);
export const isDigit = (code: number): boolean => code >= 0x30 && code <= 0x39;

/** End of the run of `bit` characters starting at `i`. */
function run(s: string, i: number, bit: number): number {
  while (i < s.length && is(s.charCodeAt(i), bit)) i++;
  return i;
}
export const tokenEnd = (s: string, i: number): number => run(s, i, TOKEN);
export function digitsEnd(s: string, i: number): number {
  while (i < s.length && isDigit(s.charCodeAt(i))) i++;
  return i;
}
/** SWS with spaces only (tabs and folding never reach a fast path). */
export function spacesEnd(s: string, i: number): number {
  while (s.charCodeAt(i) === 0x20) i++;
  return i;
}

/** A token that is all of `value`. */
export const isTokenText = (value: string): boolean => value.length > 0 && tokenEnd(value, 0) === value.length;

/**
 * The grammar's literal choices such as ("udp"i / "tcp"i / … / token) commit to a
 * literal that is a prefix of a longer token and then fail on the rest: such a
 * value is one the grammar refuses, so it goes back to the grammar.
 */
export function checkLiteralPrefix(value: string, literals: readonly string[]): void {
  for (const literal of literals) if (value !== literal && value.startsWith(literal)) bail();
}

/** A case-insensitive match of lower-case `literal` at `i`. */
export function matchesCI(s: string, i: number, literal: string): boolean {
  if (i + literal.length > s.length) return false;
  for (let k = 0; k < literal.length; k++) if ((s.charCodeAt(i + k) | 0x20) !== literal.charCodeAt(k)) return false;
  return true;
}

const HOSTNAME = /^(?:[A-Za-z0-9_-]+\.)*[A-Za-z][A-Za-z0-9-]*$/;
/** dec-octet "." ×4 with no leading zero: the only form the grammar's ordered choice matches to its end. */
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)$/;
export const isIPv4 = (text: string): boolean => IPV4.test(text);

export interface Host {
  readonly text: string;
  /** The grammar's host_type: hostname is tried before IPv4address, then IPv6reference. */
  readonly type: "domain" | "IPv4" | "IPv6";
  readonly end: number;
}

/** host = hostname / IPv4address / IPv6reference */
export function scanHost(s: string, i: number): Host {
  if (s.charCodeAt(i) === 0x5b /* [ */) {
    const end = ipv6ReferenceEnd(s, i);
    return end < 0 ? bail() : { text: s.slice(i, end), type: "IPv6", end };
  }
  const end = run(s, i, HOST);
  const text = s.slice(i, end);
  // The grammar's (domainlabel ".")* is greedy, so it takes a hostname only when the last label is a toplabel.
  if (HOSTNAME.test(text)) return { text, type: "domain", end };
  if (IPV4.test(text)) return { text, type: "IPv4", end };
  return bail();
}

/** port = DIGIT ×1–5 after ":" (an empty port would parse as NaN: left to the grammar). */
export function scanPort(s: string, i: number): { port: number; end: number } {
  const end = digitsEnd(s, i);
  if (end === i || end - i > 5) bail();
  return { port: parseInt(s.slice(i, end)), end };
}

type Params = Record<string, string | undefined>;

export interface ScannedUri {
  readonly uri: URI;
  readonly end: number;
  /**
   * The grammar's password action runs even when userinfo then fails for want of
   * "@" (`sip:host:5060` reads "5060" as a password first) and leaves
   * options.data.password behind: a Request-Line result shows it.
   */
  readonly password?: string;
}

/**
 * SIP-URI (with uri-parameters) or, when `withParams` is false, the grammar's
 * SIP_URI_noparams (an addr-spec, whose ";…" are header parameters).
 */
export function scanSipUri(s: string, i: number, withParams: boolean): ScannedUri {
  let scheme: string;
  if (matchesCI(s, i, "sips:")) scheme = s.slice(i, i + 4);
  else if (matchesCI(s, i, "sip:")) scheme = s.slice(i, i + 3);
  else return bail();
  i += scheme.length + 1;
  // userinfo = user [":" password] "@": the grammar takes the longest user run and backtracks when no "@" follows.
  let user: string | undefined;
  let password: string | undefined;
  const userEnd = run(s, i, USER);
  const after = s.charCodeAt(userEnd);
  if (after === 0x40 /* @ */) {
    if (userEnd === i) bail();
    user = s.slice(i, userEnd); // decodeURIComponent is the identity without "%"
    i = userEnd + 1;
  } else if (after === 0x25 /* % */) {
    bail();
  } else if (after === 0x3a /* : */ && userEnd > i) {
    const passwordEnd = run(s, userEnd + 1, PASSWORD);
    const next = s.charCodeAt(passwordEnd);
    if (next === 0x40 || next === 0x25) bail(); // a real password, or an escape
    password = s.slice(userEnd + 1, passwordEnd);
  }
  const host = scanHost(s, i);
  i = host.end;
  let port: number | undefined;
  if (s.charCodeAt(i) === 0x3a) ({ port, end: i } = scanPort(s, i + 1));
  const leaked = password === undefined ? {} : { password };
  if (!withParams) return { uri: new URI(scheme, user as string, host.text, port), end: i, ...leaked };
  let params: Params | undefined;
  while (s.charCodeAt(i) === 0x3b /* ; */) {
    const nameEnd = run(s, i + 1, PARAM);
    if (nameEnd === i + 1) bail();
    const name = s.slice(i + 1, nameEnd).toLowerCase();
    let value: string | undefined;
    i = nameEnd;
    if (s.charCodeAt(i) === 0x3d /* = */) {
      const valueEnd = run(s, i + 1, PARAM);
      if (valueEnd === i + 1) bail();
      value = s.slice(i + 1, valueEnd);
      i = valueEnd;
    }
    params ??= {};
    if (name.startsWith("lr")) {
      // lr_param = "lr"i ("=" token)?: any other name starting with "lr" fails in the grammar.
      if (name !== "lr" || (value !== undefined && !isTokenText(value))) bail();
      params.lr = undefined;
    } else if (value === undefined) {
      params[name] = undefined;
    } else if (name === "transport" || name === "user") {
      if (!isTokenText(value)) bail();
      const lower = value.toLowerCase();
      checkLiteralPrefix(lower, name === "transport" ? ["udp", "tcp", "sctp", "tls"] : ["phone", "ip"]);
      params[name] = lower;
    } else if (name === "method" || name === "ttl" || name === "maddr") {
      bail(); // ttl and maddr write outside uri_params in the grammar's actions
    } else {
      params[name] = value;
    }
  }
  if (s.charCodeAt(i) === 0x3f /* ? */) bail(); // URI headers
  return { uri: new URI(scheme, user as string, host.text, port, params as Record<string, string> | undefined), end: i, ...leaked };
}

/** quoted-string without quoted-pair or folding: the text with its quotes, and where it ends. */
export function scanQuoted(s: string, i: number): number {
  let k = i + 1;
  for (;;) {
    const code = s.charCodeAt(k);
    if (code === 0x22) return k + 1;
    if (Number.isNaN(code) || (code < 0x80 && !is(code, QDTEXT))) bail();
    k++;
  }
}

export interface GenericParam {
  /** Lower-cased, as every action of the grammar stores it. */
  readonly name: string;
  readonly value: string | undefined;
  readonly quoted: boolean;
  readonly end: number;
}

/** generic-param = token [ EQUAL gen-value ], gen-value = token / quoted-string (host "[…]" left to the grammar). */
export function scanGenericParam(s: string, i: number): GenericParam {
  const nameEnd = tokenEnd(s, i);
  if (nameEnd === i) bail();
  const name = s.slice(i, nameEnd).toLowerCase();
  if (s.charCodeAt(nameEnd) !== 0x3d) return { name, value: undefined, quoted: false, end: nameEnd };
  const start = nameEnd + 1;
  if (s.charCodeAt(start) === 0x22) {
    const end = scanQuoted(s, start);
    return { name, value: s.slice(start, end), quoted: true, end };
  }
  const end = tokenEnd(s, start);
  if (end === start) bail();
  return { name, value: s.slice(start, end), quoted: false, end };
}

/** The position after SEMI (SWS ";" SWS) at `i`, or -1 when no SEMI is there. */
export function semiAt(s: string, i: number): number {
  const j = spacesEnd(s, i);
  return s.charCodeAt(j) === 0x3b ? spacesEnd(s, j + 1) : -1;
}
