/**
 * Checks on incoming messages before sip.js sees them. sip.js's parser accepts
 * several messages RFC 4475 calls invalid, and drops (rather than answers) the
 * ones it cannot parse; each check below names the RFC rule and the RFC 4475
 * message that exercises it.
 */
import { firstHeader, headerValues, parseCSeq, splitList, type ScannedMessage } from "./wire.js";

export interface Rejection {
  readonly status: number;
  readonly reason: string;
  /** A kebab-case code for logs: `cseq-method-mismatch`, … */
  readonly code: string;
  readonly extraHeaders?: readonly string[];
}

const reject = (status: number, reason: string, code: string, extraHeaders?: readonly string[]): Rejection =>
  extraHeaders === undefined ? { status, reason, code } : { status, reason, code, extraHeaders };

const TOKEN = "[A-Za-z0-9\\-.!%*_+`'~]+";
// RFC 3261 §7.1: Method SP Request-URI SP SIP-Version CRLF, single spaces, no LWS inside elements.
const REQUEST_LINE = new RegExp(`^(${TOKEN}) ([^ ]+) SIP/(\\d+\\.\\d+)$`);
const SINGLE = ["from", "to", "call-id", "cseq", "max-forwards", "content-length", "content-type"];
const MAX_CSEQ = 2 ** 31 - 1;
const DISPLAY: Readonly<Record<string, string>> = { via: "Via", from: "From", to: "To", "call-id": "Call-ID", cseq: "CSeq" };

/** RFC 3261 §19.1.1: "?" starts the headers only after the userinfo ("?" is allowed in a user part, "@" never in headers). */
const hasUriHeaders = (uri: string): boolean => uri.slice(uri.indexOf("@") + 1).includes("?");

/** A name-addr or addr-spec value (From, To, one Contact): the RFC 3261 §20.10 / §25.1 rules sip.js lets through. */
function nameAddrProblem(value: string): string | undefined {
  const lt = value.indexOf("<");
  if (lt < 0) {
    // §20: an addr-spec with "?", "," or ";" inside the URI must be in angle brackets (RFC 4475 regbadct).
    const uri = value.split(";")[0] ?? "";
    return hasUriHeaders(uri) ? "addr-spec-needs-brackets" : undefined;
  }
  const display = value.slice(0, lt).trim();
  const gt = value.indexOf(">", lt);
  if (gt < 0) return "unterminated-angle-bracket";
  // RFC 3261 §25.1 name-addr: "<" addr-spec ">" with no LWS inside (RFC 4475 badaspec).
  if (/^<\s|\s>$/.test(value.slice(lt, gt + 1))) return "space-in-addr-spec";
  if (display.startsWith('"')) {
    const close = /^"(?:[^"\\]|\\.)*"$/.exec(display);
    return close ? undefined : "unterminated-quoted-string"; // RFC 4475 quotbal
  }
  // display-name = *(token LWS) / quoted-string (RFC 4475 baddn: a comma is not a token character).
  return display === "" || new RegExp(`^${TOKEN}(?:\\s+${TOKEN})*$`).test(display) ? undefined : "non-token-display-name";
}

/** Checks that need only the scan; `bodyBytes` is the length of what follows the empty line. */
export function checkRequest(msg: ScannedMessage, bodyBytes: number, supportedTags: ReadonlySet<string>): Rejection | undefined {
  const line = REQUEST_LINE.exec(msg.startLine);
  // RFC 4475 lwsstart, trws, lwsruri.
  if (!line) return reject(400, "Bad Request-Line", "bad-request-line");
  const [, method = "", uri = "", version = ""] = line;
  if (version !== "2.0") return reject(505, "Version Not Supported", "version-not-supported"); // RFC 4475 badvers
  // RFC 3261 §7.1: the Request-URI is never enclosed in "<>" (RFC 4475 ltgtruri).
  if (uri.startsWith("<")) return reject(400, "Bad Request-URI", "bracketed-request-uri");
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri)?.[1]?.toLowerCase();
  // RFC 3261 §8.2.2.1: 416 for schemes we do not serve (RFC 4475 unkscm, novelsc).
  if (scheme !== "sip" && scheme !== "sips") return reject(416, "Unsupported URI Scheme", "unsupported-uri-scheme");
  // RFC 3261 §19.1.1 table: headers are not allowed in a Request-URI (RFC 4475 escruri).
  if (hasUriHeaders(uri)) return reject(400, "Headers Not Allowed In Request-URI", "request-uri-headers");

  for (const name of ["via", "from", "to", "call-id", "cseq"]) {
    // RFC 3261 §8.1.1 (RFC 4475 insuf). Max-Forwards stays optional for RFC 2543 peers (RFC 4475 inv2543).
    if (firstHeader(msg, name) === undefined) return reject(400, `Missing ${DISPLAY[name] ?? name}`, "missing-header");
  }
  for (const name of SINGLE) {
    // RFC 3261 §7.3.1: these fields appear once (RFC 4475 multi01, mcl01).
    if (headerValues(msg, name).length > 1) return reject(400, "Repeated Single-Value Header", "repeated-header");
  }
  const cseq = parseCSeq(firstHeader(msg, "cseq"));
  // RFC 3261 §8.1.1.5: the sequence number is below 2**31 (RFC 4475 scalar02).
  if (!cseq || !/^\d{1,10}$/.test(cseq.seq) || Number(cseq.seq) > MAX_CSEQ) return reject(400, "Bad CSeq", "bad-cseq");
  // RFC 3261 §8.2 / RFC 4475 §3.1.2.17–18: the CSeq method matches the request method.
  if (cseq.method !== method) return reject(400, "CSeq Method Mismatch", "cseq-method-mismatch");
  const maxForwards = firstHeader(msg, "max-forwards");
  // RFC 3261 §20.22: 0–255, leading zeros allowed (RFC 4475 scalar02; wsinv has 0068).
  if (maxForwards !== undefined && (!/^\d{1,10}$/.test(maxForwards) || Number(maxForwards) > 255)) {
    return reject(400, "Bad Max-Forwards", "bad-max-forwards");
  }
  const contentLength = firstHeader(msg, "content-length");
  if (contentLength !== undefined) {
    // RFC 3261 §20.14 (RFC 4475 ncl); §18.3: 400 when a datagram holds less than announced (RFC 4475 clerr).
    if (!/^\d{1,10}$/.test(contentLength)) return reject(400, "Bad Content-Length", "bad-content-length");
    if (Number(contentLength) > bodyBytes) return reject(400, "Content-Length Larger Than Message", "short-body");
  }
  const date = firstHeader(msg, "date");
  // RFC 3261 §20.17: rfc1123-date in GMT only (RFC 4475 baddate).
  if (date !== undefined && !/ GMT$/.test(date)) return reject(400, "Bad Date", "bad-date");
  for (const name of ["from", "to"]) {
    const problem = nameAddrProblem(firstHeader(msg, name) ?? "");
    if (problem !== undefined) return reject(400, `Bad ${name === "from" ? "From" : "To"}`, problem);
  }
  for (const contact of headerValues(msg, "contact").flatMap(splitList)) {
    const problem = contact === "*" ? undefined : nameAddrProblem(contact);
    if (problem !== undefined) return reject(400, "Bad Contact", problem);
  }
  if (method !== "ACK" && method !== "CANCEL") {
    // RFC 3261 §8.2.2.3: 420 listing the unsupported option tags (RFC 4475 bext01).
    const required = headerValues(msg, "require").flatMap((v) => v.split(",")).map((t) => t.trim()).filter((t) => t !== "");
    const unsupported = required.filter((t) => !supportedTags.has(t.toLowerCase()));
    if (unsupported.length > 0) return reject(420, "Bad Extension", "bad-extension", [`Unsupported: ${unsupported.join(", ")}`]);
  }
  return undefined;
}

/** Responses cannot be answered; these are dropped (RFC 4475 bigcode, scalarlg, bcast). */
export function checkResponse(msg: ScannedMessage): string | undefined {
  // RFC 3261 §7.2: Status-Code is 3DIGIT; §21: 100–699.
  const status = /^SIP\/2\.0 ([1-6]\d\d) /.exec(`${msg.startLine} `);
  if (!status) return "bad-status-line";
  const cseq = parseCSeq(firstHeader(msg, "cseq"));
  if (!cseq || !/^\d{1,10}$/.test(cseq.seq) || Number(cseq.seq) > MAX_CSEQ) return "bad-cseq";
  // RFC 3261 §18.1.2: a response whose top Via is not ours is discarded; more than one Via cannot be ours.
  if (headerValues(msg, "via").flatMap(splitList).length !== 1) return "extra-via";
  return undefined;
}
