/**
 * Hand-written fast paths for the grammar rules sip.js runs on every incoming
 * message (`Grammar.parse(value, rule)`, a peg.js bytecode interpreter that
 * costs ~10–90 µs a header). Each returns exactly what the grammar returns —
 * same classes, fields, casing and parameter order — for the common, strictly
 * valid forms, and gives any other value (escapes, quoted-pairs, comments, tabs,
 * folding, URI headers and passwords, ttl/maddr/method parameters, a Via list or
 * an IPv6 received, anything invalid) to the grammar unchanged, so errors stay
 * the grammar's (-1). test/unit/sip/fast-grammar*.test.ts and
 * test/integration/sip-fast-grammar.int.test.ts compare both ways.
 */
import { Grammar } from "sip.js";
import { parseFromTo, parseMultiHeader } from "./fast-grammar-name-addr.js";
import {
  BAIL,
  bail,
  checkLiteralPrefix,
  digitsEnd,
  isDigit,
  isIPv4,
  isReason,
  isWord,
  matchesCI,
  scanGenericParam,
  scanHost,
  scanPort,
  scanSipUri,
  semiAt,
  spacesEnd,
  tokenEnd,
} from "./fast-grammar-scan.js";

type GrammarParse = (input: string, startRule: string) => unknown;

/**
 * Set on the installed function: a second copy of this module (vitest loads one
 * per test file, sip.js stays shared) must still find the grammar itself.
 */
const ORIGINAL = Symbol.for("presence-bridge.sipjs.grammar-parse");
type Marked = GrammarParse & { [ORIGINAL]?: GrammarParse };

/** The grammar itself, kept for fallback and for the equivalence tests. */
export const grammarParse: GrammarParse =
  (Grammar.parse as Marked)[ORIGINAL] ?? (Grammar.parse.bind(Grammar) as GrammarParse);

/** The methods the grammar spells out before extension_method (sip.js 0.21.2's PRACK literal reads "VXACH"). */
const METHODS = ["INVITE", "ACK", "OPTIONS", "BYE", "CANCEL", "REGISTER", "SUBSCRIBE", "PUBLISH", "NOTIFY", "REFER", "VXACH"];

/** Method = the literals / extension_method (token), as its text. */
function scanMethod(s: string, i: number): { method: string; end: number } {
  const end = tokenEnd(s, i);
  if (end === i) bail();
  const method = s.slice(i, end);
  checkLiteralPrefix(method, METHODS);
  return { method, end };
}

/** SIP-Version = "SIP"i "/" 1*DIGIT "." 1*DIGIT */
function scanVersion(s: string, i: number): number {
  if (!matchesCI(s, i, "sip/")) bail();
  const major = digitsEnd(s, i + 4);
  if (major === i + 4 || s.charCodeAt(major) !== 0x2e) bail();
  const minor = digitsEnd(s, major + 1);
  if (minor === major + 1) bail();
  return minor;
}

/** Request_Response = Status_Line / Request_Line (RFC 3261 §7.1, §7.2). */
function parseStartLine(s: string): object {
  if (matchesCI(s, 0, "sip/")) {
    const version = scanVersion(s, 0);
    const code = version + 1;
    if (s.charCodeAt(version) !== 0x20 || digitsEnd(s, code) !== code + 3 || s.charCodeAt(code + 3) !== 0x20) bail();
    for (let k = code + 4; k < s.length; k++) if (!isReason(s.charCodeAt(k))) bail();
    return { sip_version: s.slice(0, version), status_code: parseInt(s.slice(code, code + 3)), reason_phrase: s.slice(code + 4) };
  }
  const { method, end } = scanMethod(s, 0);
  if (s.charCodeAt(end) !== 0x20) bail();
  const { uri, end: uriEnd, password } = scanSipUri(s, end + 1, true);
  if (s.charCodeAt(uriEnd) !== 0x20 || scanVersion(s, uriEnd + 1) !== s.length) bail();
  const sip_version = s.slice(uriEnd + 1);
  return password === undefined ? { method, uri, sip_version } : { method, password, uri, sip_version };
}

/** The position after SLASH at `i`. */
function slashAt(s: string, i: number): number {
  const j = spacesEnd(s, i);
  if (s.charCodeAt(j) !== 0x2f) bail();
  return spacesEnd(s, j + 1);
}

/** Via with one via-parm (RFC 3261 §20.42); the grammar keeps the last via-parm's fields, so a list goes to it. */
function parseVia(s: string): object {
  // sent-protocol = protocol-name SLASH protocol-version SLASH transport, SLASH = SWS "/" SWS
  const protocolEnd = tokenEnd(s, 0);
  const protocol = s.slice(0, protocolEnd);
  checkLiteralPrefix(protocol.toLowerCase(), ["sip"]);
  const versionStart = slashAt(s, protocolEnd);
  const versionEnd = tokenEnd(s, versionStart);
  const transportStart = slashAt(s, versionEnd);
  const transportEnd = tokenEnd(s, transportStart);
  const transport = s.slice(transportStart, transportEnd);
  if (protocol === "" || versionEnd === versionStart || transport === "") bail();
  checkLiteralPrefix(transport.toLowerCase(), ["udp", "tcp", "tls", "sctp"]);
  const hostStart = spacesEnd(s, transportEnd);
  if (hostStart === transportEnd) bail();
  const host = scanHost(s, hostStart);
  // Fields in the order the grammar's actions add them.
  const via: Record<string, unknown> = { protocol, transport, host_type: host.type, host: host.text };
  let i = host.end;
  if (s.charCodeAt(i) === 0x3a) {
    const port = scanPort(s, i + 1);
    via.port = port.port;
    i = port.end;
  }
  for (let next = semiAt(s, i); next >= 0; next = semiAt(s, i)) {
    const { name, value, quoted, end } = scanGenericParam(s, next);
    i = end;
    if (value !== undefined && !quoted && (name === "branch" || name === "received" || name === "rport")) {
      if (name === "branch") {
        via.branch = value;
      } else if (name === "rport") {
        if (digitsEnd(value, 0) !== value.length) bail();
        via.rport = value;
      } else {
        if (!isIPv4(value)) bail();
        via.host_type = "IPv4"; // via_received's IPv4address action overwrites it
        via.received = value;
      }
    } else if (value !== undefined && (name === "ttl" || name === "maddr" || name === "rport")) {
      bail(); // ttl, maddr (whose host action rewrites via.host) and rport="…" stay with the grammar
    } else {
      via.params ??= {};
      (via.params as Record<string, string | undefined>)[name] = value;
    }
  }
  if (i !== s.length) bail();
  return via;
}

/** CSeq = 1*DIGIT LWS Method (RFC 3261 §20.16). */
function parseCSeq(s: string): object {
  const digits = digitsEnd(s, 0);
  const methodStart = spacesEnd(s, digits);
  if (digits === 0 || methodStart === digits) bail();
  const { method, end } = scanMethod(s, methodStart);
  if (end !== s.length) bail();
  return { value: parseInt(s.slice(0, digits)), method };
}

/** Call-ID = word ["@" word] (RFC 3261 §20.8), returned as its text. */
function parseCallId(s: string): string {
  const at = s.indexOf("@");
  if (s.length === 0 || at === 0 || at === s.length - 1) bail();
  for (let k = 0; k < s.length; k++) if (k !== at && !isWord(s.charCodeAt(k))) bail();
  return s;
}

/** Content-Length, Max-Forwards = 1*DIGIT, read with parseInt. */
function parseDigits(s: string): number {
  if (s.length === 0 || digitsEnd(s, 0) !== s.length) bail();
  return parseInt(s);
}

const MEDIA_PARAMETER = / *; *[A-Za-z0-9\-.!%*_+`'~]+=(?:[A-Za-z0-9\-.!%*_+`'~]+|"[ !#-[\]-~]*")/y;

/** Content-Type = m-type SLASH m-subtype *(SEMI m-parameter) (RFC 3261 §20.15), returned as its text. */
function parseContentType(s: string): string {
  const typeEnd = tokenEnd(s, 0);
  checkLiteralPrefix(s.slice(0, typeEnd).toLowerCase(), ["text", "image", "audio", "video", "application"]);
  if (typeEnd === 0 || s.charCodeAt(typeEnd) !== 0x2f) bail();
  let i = tokenEnd(s, typeEnd + 1);
  if (i === typeEnd + 1) bail();
  while (i < s.length) {
    MEDIA_PARAMETER.lastIndex = i;
    if (!MEDIA_PARAMETER.test(s)) bail();
    i = MEDIA_PARAMETER.lastIndex;
  }
  return s;
}

/** generic params after `i` into `target.params`, created on the first one as the grammar does. */
function genericParams(s: string, i: number, target: Record<string, unknown>): number {
  for (let next = semiAt(s, i); next >= 0; next = semiAt(s, i)) {
    const { name, value, end } = scanGenericParam(s, next);
    target.params ??= {};
    (target.params as Record<string, string | undefined>)[name] = value;
    i = end;
  }
  return i;
}

/** Event = event-type *(SEMI event-param) (RFC 6665 §8.2.1); event-type is token-nodot *("." token-nodot). */
function parseEvent(s: string): object {
  const typeEnd = tokenEnd(s, 0);
  const type = s.slice(0, typeEnd);
  if (type === "" || type.startsWith(".") || type.endsWith(".") || type.includes("..")) bail();
  const event: Record<string, unknown> = {};
  if (genericParams(s, typeEnd, event) !== s.length) bail();
  event.event = type.toLowerCase();
  return event;
}

const SUBSTATES = ["active", "pending", "terminated"];
const REASONS = ["deactivated", "probation", "rejected", "timeout", "giveup", "noresource", "invariant"];

/** Subscription-State (RFC 6665 §8.2.3); expires and retry_after are numbers, reason its text. */
function parseSubscriptionState(s: string): object {
  const stateEnd = tokenEnd(s, 0);
  const state = s.slice(0, stateEnd);
  if (state === "") bail();
  checkLiteralPrefix(state.toLowerCase(), SUBSTATES);
  const result: Record<string, unknown> = { state };
  let i = stateEnd;
  for (let next = semiAt(s, i); next >= 0; next = semiAt(s, i)) {
    const { name, value, quoted, end } = scanGenericParam(s, next);
    i = end;
    const special = value !== undefined && !quoted && (name === "reason" || name === "expires" || name === "retry_after");
    if (special && name === "reason") {
      checkLiteralPrefix(value.toLowerCase(), REASONS);
      result.reason = value;
    } else if (special && isDigit(value.charCodeAt(0))) {
      if (digitsEnd(value, 0) !== value.length) bail();
      result[name] = parseInt(value);
    } else {
      result.params ??= {};
      (result.params as Record<string, string | undefined>)[name] = value;
    }
  }
  if (i !== s.length) bail();
  return result;
}

/** SIP_URI (Grammar.URIParse): the grammar's action makes the URI itself its result. */
function parseSipUri(s: string): object {
  const { uri, end } = scanSipUri(s, 0, true);
  if (end !== s.length) bail();
  return uri;
}

const FAST_RULES: Readonly<Record<string, (value: string) => unknown>> = {
  Request_Response: parseStartLine,
  Via: parseVia,
  From: parseFromTo,
  To: parseFromTo,
  Contact: (s) => parseMultiHeader(s, false),
  Record_Route: (s) => parseMultiHeader(s, true),
  Call_ID: parseCallId,
  CSeq: parseCSeq,
  Content_Length: parseDigits,
  Max_Forwards: parseDigits,
  Content_Type: parseContentType,
  Event: parseEvent,
  Subscription_State: parseSubscriptionState,
  SIP_URI: parseSipUri,
};

/** The rules with a fast path. */
export const FAST_RULE_NAMES: readonly string[] = Object.keys(FAST_RULES);

/** Tabs, CR, LF (folding), backslashes (quoted-pairs) and edge spaces are never read by a fast path. */
const UNSURE = /[\t\r\n\\]|^ | $/;

/** The fast path's result, or BAIL when the value is for the grammar. */
export function fastPath(input: string, rule: string): unknown {
  const fast = FAST_RULES[rule];
  if (fast === undefined || typeof input !== "string" || UNSURE.test(input)) return BAIL;
  try {
    return fast(input);
  } catch {
    return BAIL; // BAIL itself, or anything a constructor threw: the grammar decides
  }
}

/** Grammar.parse with the fast paths in front. */
export function fastGrammarParse(input: string, rule: string): unknown {
  const result = fastPath(input, rule);
  return result === BAIL ? grammarParse(input, rule) : result;
}

/** Route sip.js's own Grammar.parse calls (parser, parseHeader, dialogs) through the fast paths; idempotent. */
export function installFastGrammar(): void {
  if ((Grammar.parse as Marked)[ORIGINAL] !== undefined) return;
  const installed: Marked = (input, rule) => fastGrammarParse(input, rule);
  installed[ORIGINAL] = grammarParse;
  (Grammar as { parse: GrammarParse }).parse = installed;
}

export { BAIL };
