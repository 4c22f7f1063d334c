/** Where an outgoing request goes: RFC 3261 §8.1.2 (outbound proxy, top Route, Request-URI). */
import type { SipProtocol } from "./options.js";
import type { SipTarget } from "./resolver.js";
import { firstHeader, splitList, type ScannedMessage } from "./wire.js";

const PROTOCOLS: Readonly<Record<string, SipProtocol>> = { udp: "udp", tcp: "tcp", tls: "tls" };

/** `sip:user@host:port;transport=tcp;maddr=…` → target; `undefined` for other schemes or garbage. */
export function targetOfUri(uri: string): SipTarget | undefined {
  const m = /^(sips?):(?:[^@]*@)?(\[[0-9A-Fa-f:.]+\]|[^;:?>\s]+)(?::(\d{1,5}))?([^?>\s]*)/i.exec(uri.trim());
  if (!m) return undefined;
  const params = new Map<string, string>();
  for (const p of (m[4] ?? "").split(";").slice(1)) {
    const [k = "", v = ""] = p.split("=");
    params.set(k.toLowerCase(), v);
  }
  const transportParam = params.get("transport")?.toLowerCase();
  const secure = (m[1] ?? "").toLowerCase() === "sips";
  let transport = transportParam === undefined ? undefined : PROTOCOLS[transportParam];
  if (secure && transport === "tcp") transport = "tls";
  // RFC 3261 §19.1.1: maddr overrides the host part for routing.
  const host = params.get("maddr") || (m[2] ?? "");
  return { host, port: m[3] ? Number(m[3]) : undefined, transport, secure };
}

/** The URI inside the first value of a name-addr list header (`<sip:p1;lr>, <sip:p2>`). */
export function firstUriOf(value: string | undefined): string | undefined {
  const first = value === undefined ? undefined : splitList(value)[0];
  if (first === undefined) return undefined;
  const m = /<([^>]*)>/.exec(first);
  return m ? m[1] : first.split(";")[0];
}

export type NextHopSource = "outbound-proxy" | "route" | "request-uri";

/**
 * RFC 3261 §12: a request is within a dialog when its To carries a tag. In the `name-addr`
 * form the tag follows the `>`; in the `addr-spec` form every `;` parameter is the header's
 * (§20: a URI with parameters must be in angle brackets). Quoted display names are skipped.
 */
export function isInDialog(msg: ScannedMessage): boolean {
  const to = firstHeader(msg, "to");
  if (to === undefined) return false;
  const unquoted = to.replace(/"(?:[^"\\]|\\.)*"/g, "\"\"");
  const close = unquoted.lastIndexOf(">");
  const params = close >= 0 ? unquoted.slice(close + 1) : unquoted;
  return /;\s*tag\s*=\s*[^;\s]/i.test(params);
}

/**
 * RFC 3261 §8.1.2: the outbound proxy takes the requests outside a dialog (SUBSCRIBE that
 * starts one, PUBLISH, OPTIONS). Within a dialog, §12.2.1.1: the route set (from Record-Route)
 * and the remote target (the peer's Contact, in the Request-URI) decide, so a dialog the proxy
 * did not record-route goes straight to the peer's Contact. (INVITE's ACK and CANCEL, which
 * follow their INVITE's hop, are never sent by this bridge.)
 */
export function nextHopOf(msg: ScannedMessage, outboundProxy: string | undefined):
  { readonly target: SipTarget | undefined; readonly source: NextHopSource; readonly uri: string } {
  if (outboundProxy !== undefined && !isInDialog(msg)) return { target: targetOfUri(outboundProxy), source: "outbound-proxy", uri: outboundProxy };
  // RFC 3261 §8.1.2 / §12.2.1.1: with a route set the request goes to the first Route URI (loose or strict).
  const route = firstUriOf(firstHeader(msg, "route"));
  if (route !== undefined) return { target: targetOfUri(route), source: "route", uri: route };
  const ruri = msg.startLine.split(" ")[1] ?? "";
  return { target: targetOfUri(ruri), source: "request-uri", uri: ruri };
}
