/**
 * A light scan of a SIP message's start line and header fields: enough for the
 * transport's own decisions (routing, framing checks, retransmission keys).
 * sip.js does the full grammar parse.
 */

/** RFC 3261 §7.3.3 compact forms, plus the ones registered since (RFC 3265, 3515, 3892, 4028, 4474). */
const COMPACT: Readonly<Record<string, string>> = {
  a: "accept-contact", b: "referred-by", c: "content-type", d: "request-disposition", e: "content-encoding",
  f: "from", i: "call-id", j: "reject-contact", k: "supported", l: "content-length", m: "contact",
  o: "event", r: "refer-to", s: "subject", t: "to", u: "allow-events", v: "via", x: "session-expires",
  y: "identity",
};

export interface HeaderField {
  /** Lower-case long form: `via`, `content-length`, … */
  readonly name: string;
  /** The value with folding replaced by one space, trimmed. */
  readonly value: string;
  /** Offsets of the whole field (name to last continuation line, without the CRLF) in the text. */
  readonly start: number;
  readonly end: number;
}

export interface ScannedMessage {
  readonly startLine: string;
  readonly isResponse: boolean;
  readonly headers: readonly HeaderField[];
  /** Offset of the first body character (after the empty line); -1 when the header block never ends. */
  readonly bodyStart: number;
}

export function canonicalName(name: string): string {
  const lower = name.toLowerCase();
  return COMPACT[lower] ?? lower;
}

/** Splits header fields; `undefined` when there is no start line at all. */
export function scanMessage(text: string): ScannedMessage | undefined {
  const firstEnd = text.indexOf("\r\n");
  if (firstEnd <= 0) return undefined;
  const startLine = text.slice(0, firstEnd);
  const headers: HeaderField[] = [];
  let pos = firstEnd + 2;
  let bodyStart = -1;
  while (pos < text.length) {
    if (text.startsWith("\r\n", pos)) {
      bodyStart = pos + 2;
      break;
    }
    let end = text.indexOf("\r\n", pos);
    if (end < 0) end = text.length;
    // RFC 3261 §7.3.1: a line starting with SP or HTAB continues the previous field.
    while (end + 2 < text.length && (text[end + 2] === " " || text[end + 2] === "\t")) {
      const next = text.indexOf("\r\n", end + 2);
      end = next < 0 ? text.length : next;
    }
    const field = text.slice(pos, end);
    const colon = field.indexOf(":");
    if (colon > 0) {
      const value = field.slice(colon + 1).replace(/\r\n[ \t]+/g, " ").trim();
      headers.push({ name: canonicalName(field.slice(0, colon).trim()), value, start: pos, end });
    } else {
      headers.push({ name: "", value: field, start: pos, end });
    }
    pos = end + 2;
  }
  return { startLine, isResponse: startLine.startsWith("SIP/"), headers, bodyStart };
}

export function headerValues(msg: ScannedMessage, name: string): string[] {
  return msg.headers.filter((h) => h.name === name).map((h) => h.value);
}

export function firstHeader(msg: ScannedMessage, name: string): string | undefined {
  return msg.headers.find((h) => h.name === name)?.value;
}

/** Splits a header value at commas that are outside quotes and angle brackets. */
export function splitList(value: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let last = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (quoted) {
      if (ch === "\\") i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === "<") depth++;
    else if (ch === ">") depth = Math.max(0, depth - 1);
    else if (ch === "," && depth === 0) {
      parts.push(value.slice(last, i).trim());
      last = i + 1;
    }
  }
  parts.push(value.slice(last).trim());
  return parts.filter((p) => p !== "");
}

/** `CSeq: 8 INVITE` → `{ seq: "8", method: "INVITE" }`. */
export function parseCSeq(value: string | undefined): { readonly seq: string; readonly method: string } | undefined {
  const m = /^(\S+)\s+(\S+)$/.exec(value ?? "");
  return m ? { seq: m[1] ?? "", method: m[2] ?? "" } : undefined;
}

/** The method of a request start line, or of the CSeq of a response. */
export function methodOf(msg: ScannedMessage): string | undefined {
  if (!msg.isResponse) return msg.startLine.split(" ")[0];
  return parseCSeq(firstHeader(msg, "cseq"))?.method;
}

export function statusOf(msg: ScannedMessage): number | undefined {
  const m = /^SIP\/2\.0 (\d{3}) /.exec(`${msg.startLine} `);
  return m ? Number(m[1]) : undefined;
}
