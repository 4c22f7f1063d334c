/** The top Via: parse it, stamp it (RFC 3261 §18.2.1, RFC 3581) and route responses by it (§18.2.2). */
import { firstHeader, parseCSeq, splitList, type ScannedMessage } from "./wire.js";

export interface Via {
  /** The transport token, upper case: `UDP`, `TCP`, `TLS`, … */
  readonly transport: string;
  readonly host: string;
  readonly port: number | undefined;
  /** Parameters in order, names as written; `undefined` for a flag such as `;rport`. */
  readonly params: ReadonlyArray<readonly [string, string | undefined]>;
}

const VIA = /^SIP\s*\/\s*2\.0\s*\/\s*([!%'*+\-.0-9A-Z_`a-z~]+)\s+(\[[0-9A-Fa-f:.]+\]|[^\s;:,]+)(?:\s*:\s*(\d{1,5}))?\s*(;.*)?$/;

export function parseVia(value: string): Via | undefined {
  const m = VIA.exec(value.trim());
  if (!m) return undefined;
  const params: [string, string | undefined][] = [];
  for (const raw of (m[4] ?? "").split(";").slice(1)) {
    const eq = raw.indexOf("=");
    const name = (eq < 0 ? raw : raw.slice(0, eq)).trim();
    if (name === "") return undefined;
    params.push([name, eq < 0 ? undefined : raw.slice(eq + 1).trim()]);
  }
  return { transport: (m[1] ?? "").toUpperCase(), host: m[2] ?? "", port: m[3] ? Number(m[3]) : undefined, params };
}

export function viaParam(via: Via, name: string): string | undefined {
  return via.params.find(([k]) => k.toLowerCase() === name)?.[1];
}

export function hasViaParam(via: Via, name: string): boolean {
  return via.params.some(([k]) => k.toLowerCase() === name);
}

export function serializeVia(via: Via): string {
  const port = via.port === undefined ? "" : `:${via.port}`;
  const params = via.params.map(([k, v]) => (v === undefined ? `;${k}` : `;${k}=${v}`)).join("");
  return `SIP/2.0/${via.transport} ${via.host}${port}${params}`;
}

/** The first value of the first Via field. */
export function topVia(msg: ScannedMessage): Via | undefined {
  const first = firstHeader(msg, "via");
  const value = first === undefined ? undefined : splitList(first)[0];
  return value === undefined ? undefined : parseVia(value);
}

/**
 * The server transaction a request or response belongs to: RFC 3261 §17.2.3
 * (branch, sent-by, method; ACK matches its INVITE), plus Call-ID and CSeq,
 * because the RFC 4475 messages and some clients reuse a branch across
 * different requests. Without the magic cookie, the RFC 2543 fields stand in.
 */
export function transactionKey(msg: ScannedMessage): string | undefined {
  const via = topVia(msg);
  const cseq = parseCSeq(firstHeader(msg, "cseq"));
  const callId = firstHeader(msg, "call-id");
  if (!via || !cseq || callId === undefined) return undefined;
  const method = cseq.method === "ACK" ? "INVITE" : cseq.method;
  const branch = viaParam(via, "branch") ?? "";
  const sentBy = `${via.host.toLowerCase()}:${via.port ?? ""}`;
  const seq = String(Number(cseq.seq)); // sip.js writes CSeq 0009 back as 9
  if (branch.startsWith("z9hG4bK")) return `${branch}|${sentBy}|${method}|${callId}|${seq}`;
  const fromTag = /;\s*tag\s*=\s*([^;\s]+)/i.exec(firstHeader(msg, "from") ?? "")?.[1] ?? "";
  return `2543|${branch}|${sentBy}|${method}|${callId}|${seq}|${fromTag}`;
}

/**
 * RFC 3261 §18.2.1 and RFC 3581 §4: add `received` when the source differs from
 * sent-by (always when `rport` is asked for) and fill in `rport`.
 * Returns the text with the top Via rewritten, or the text unchanged when it has no parsable Via.
 */
export function stampTopVia(text: string, msg: ScannedMessage, ip: string, port: number, forceRport: boolean): string {
  const field = msg.headers.find((h) => h.name === "via");
  if (!field) return text;
  const values = splitList(field.value);
  const via = values[0] === undefined ? undefined : parseVia(values[0]);
  if (!via) return text;
  const wantsRport = forceRport || hasViaParam(via, "rport");
  const stamped: [string, string | undefined][] = via.params.filter(([k]) => k.toLowerCase() !== "received").map(([k, v]) =>
    k.toLowerCase() === "rport" ? [k, String(port)] : [k, v],
  );
  if (forceRport && !hasViaParam(via, "rport")) stamped.push(["rport", String(port)]);
  if (wantsRport || via.host.replace(/^\[|\]$/g, "") !== ip) stamped.push(["received", ip]);
  const top = serializeVia({ ...via, params: stamped });
  const line = `Via: ${[top, ...values.slice(1)].join(", ")}`;
  return text.slice(0, field.start) + line + text.slice(field.end);
}

export interface ResponseTarget {
  readonly transport: string;
  readonly host: string;
  readonly port: number;
}

/** RFC 3261 §18.2.2 + RFC 3581 §4: received (else sent-by) and rport (else sent-by port, else 5060/5061). */
export function responseTarget(via: Via): ResponseTarget {
  const received = viaParam(via, "received");
  const rport = viaParam(via, "rport");
  const defaultPort = via.transport === "TLS" ? 5061 : 5060;
  const port = rport !== undefined && /^\d+$/.test(rport) ? Number(rport) : (via.port ?? defaultPort);
  return { transport: via.transport, host: (received ?? via.host).replace(/^\[|\]$/g, ""), port };
}
