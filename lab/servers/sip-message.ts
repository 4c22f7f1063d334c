import { createHash, randomBytes } from "node:crypto";

/** A parsed SIP message: just enough for test probes, not the product's SIP stack. */
export interface SipMessage {
  /** Request method, or undefined for a response. */
  method?: string;
  uri?: string;
  status?: number;
  reason?: string;
  /** Header values by lower-case full name, in order; compact forms are expanded. */
  headers: Map<string, string[]>;
  body: string;
  raw: string;
}

const COMPACT: Record<string, string> = {
  i: "call-id", m: "contact", e: "content-encoding", l: "content-length", c: "content-type",
  f: "from", s: "subject", k: "supported", t: "to", v: "via", o: "event", u: "allow-events",
};

export function header(msg: SipMessage, name: string): string | undefined {
  return msg.headers.get(name.toLowerCase())?.[0];
}

/** Parses one complete message (the head and a body of Content-Length bytes). */
export function parseSip(raw: string): SipMessage {
  const split = raw.indexOf("\r\n\r\n");
  const head = split < 0 ? raw : raw.slice(0, split);
  const body = split < 0 ? "" : raw.slice(split + 4);
  const [start = "", ...lines] = head.split("\r\n");
  const headers = new Map<string, string[]>();
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const rawName = line.slice(0, colon).trim().toLowerCase();
    const name = COMPACT[rawName] ?? rawName;
    const values = headers.get(name) ?? [];
    values.push(line.slice(colon + 1).trim());
    headers.set(name, values);
  }
  const msg: SipMessage = { headers, body, raw };
  const status = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(start);
  if (status) {
    msg.status = Number(status[1]);
    msg.reason = status[2] ?? "";
  } else {
    const [method, uri] = start.split(" ");
    msg.method = method;
    msg.uri = uri;
  }
  return msg;
}

/**
 * Splits a TCP byte stream into messages by Content-Length (RFC 3261 §18.3); returns the
 * complete messages and the unread rest. CRLF keep-alives between messages are skipped.
 */
export function frameSip(buffer: Buffer): { messages: string[]; rest: Buffer } {
  const messages: string[] = [];
  let rest = buffer;
  for (;;) {
    while (rest.length >= 2 && rest[0] === 0x0d && rest[1] === 0x0a) rest = rest.subarray(2);
    const end = rest.indexOf("\r\n\r\n");
    if (end < 0) break;
    const head = rest.subarray(0, end).toString("utf8");
    const length = /^(?:content-length|l)\s*:\s*(\d+)/im.exec(head);
    const total = end + 4 + Number(length?.[1] ?? 0);
    if (rest.length < total) break;
    messages.push(rest.subarray(0, total).toString("utf8"));
    rest = rest.subarray(total);
  }
  return { messages, rest };
}

export function serializeSip(startLine: string, headers: [string, string][], body = ""): string {
  const lines = headers.filter(([n]) => n.toLowerCase() !== "content-length").map(([n, v]) => `${n}: ${v}`);
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${startLine}\r\n${lines.join("\r\n")}\r\n\r\n${body}`;
}

/** A 200 OK (or other code) to a received request, echoing the headers RFC 3261 §8.2.6.2 asks for. */
export function responseTo(request: SipMessage, status = 200, reason = "OK"): string {
  const copy: [string, string][] = [];
  for (const name of ["via", "from", "to", "call-id", "cseq"]) {
    for (const v of request.headers.get(name) ?? []) copy.push([name === "call-id" ? "Call-ID" : name.replace(/^./, (c) => c.toUpperCase()), v]);
  }
  return serializeSip(`SIP/2.0 ${status} ${reason}`, copy);
}

export const token = (): string => randomBytes(6).toString("hex");
export const branch = (): string => `z9hG4bK${token()}`;

const md5 = (s: string): string => createHash("md5").update(s).digest("hex");

function params(challenge: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of challenge.replace(/^Digest\s+/i, "").matchAll(/(\w+)=(?:"([^"]*)"|([^\s,]+))/g)) {
    out.set(m[1]!.toLowerCase(), m[2] ?? m[3] ?? "");
  }
  return out;
}

/** The Authorization / Proxy-Authorization header answering a 401 / 407 (RFC 2617 MD5, qop=auth). */
export function digestAuthorization(
  response: SipMessage,
  method: string,
  uri: string,
  credentials: { user: string; password: string },
): [string, string] | undefined {
  const proxy = response.status === 407;
  const challenge = header(response, proxy ? "proxy-authenticate" : "www-authenticate");
  if (!challenge) return undefined;
  const p = params(challenge);
  const realm = p.get("realm") ?? "";
  const nonce = p.get("nonce") ?? "";
  const ha1 = md5(`${credentials.user}:${realm}:${credentials.password}`);
  const ha2 = md5(`${method}:${uri}`);
  const fields = [`username="${credentials.user}"`, `realm="${realm}"`, `nonce="${nonce}"`, `uri="${uri}"`, "algorithm=MD5"];
  const qop = p.get("qop")?.split(",").map((q) => q.trim());
  if (qop?.includes("auth")) {
    const cnonce = token();
    fields.push(`response="${md5(`${ha1}:${nonce}:00000001:${cnonce}:auth:${ha2}`)}"`, "qop=auth", "nc=00000001", `cnonce="${cnonce}"`);
  } else {
    fields.push(`response="${md5(`${ha1}:${nonce}:${ha2}`)}"`);
  }
  const opaque = p.get("opaque");
  if (opaque !== undefined) fields.push(`opaque="${opaque}"`);
  return [proxy ? "Proxy-Authorization" : "Authorization", `Digest ${fields.join(", ")}`];
}

/** A minimal PIDF document (RFC 3863) with an optional note. */
export function pidf(entity: string, basic: "open" | "closed", note?: string): string {
  const n = note === undefined ? "" : `<note>${note.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</note>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\r\n<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${entity}">` +
    `<tuple id="t${token()}"><status><basic>${basic}</basic></status>${n}</tuple></presence>\r\n`;
}
