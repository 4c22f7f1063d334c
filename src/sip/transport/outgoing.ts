/** Sending: requests to their next hop (RFC 3261 §18.1.1, RFC 3263), responses by their Via (§18.2.2). */
import type { Source, TransportContext } from "./context.js";
import { nextHopOf } from "./next-hop.js";
import type { SipProtocol } from "./options.js";
import { timeoutResponse } from "./replies.js";
import { resolveTarget } from "./resolver.js";
import { responseTarget, topVia, transactionKey, viaParam } from "./via.js";
import { firstHeader, methodOf, scanMessage, statusOf, type ScannedMessage } from "./wire.js";

const asProtocol = (token: string | undefined): SipProtocol | undefined => {
  const lower = token?.toLowerCase();
  return lower === "udp" || lower === "tcp" || lower === "tls" ? lower : undefined;
};

/** RFC 3261 §18.1.1: the transport layer fills in the Via transport it actually uses. */
function withViaTransport(text: string, msg: ScannedMessage, protocol: SipProtocol): string {
  const field = msg.headers.find((h) => h.name === "via");
  if (!field) return text;
  const raw = text.slice(field.start, field.end);
  const rewritten = raw.replace(/(:\s*SIP\s*\/\s*2\.0\s*\/\s*)[A-Za-z]+/, `$1${protocol.toUpperCase()}`);
  return text.slice(0, field.start) + rewritten + text.slice(field.end);
}

export async function sendRequest(ctx: TransportContext, original: string, scanned: ScannedMessage): Promise<void> {
  const { target, source, uri } = nextHopOf(scanned, ctx.options.outboundProxy);
  if (!target) throw new Error(`cannot route to ${uri} (${source})`);
  const hops = await resolveTarget(target, ctx.enabled, ctx.dns);
  if (hops.length === 0) throw new Error(`no usable address for ${uri} (${source})`);
  const protocol = hops[0]?.protocol ?? ctx.options.preferred;
  const text = withViaTransport(original, scanned, protocol);
  const bytes = Buffer.from(text, "utf8");
  const method = methodOf(scanned) ?? "";
  if (protocol === "udp") {
    const udp = ctx.udp;
    const hop = hops[0];
    if (!udp || !hop) throw new Error("UDP is not enabled");
    const branch = viaParam(topVia(scanned) ?? { transport: "", host: "", port: undefined, params: [] }, "branch");
    // Armed before the first send, so a response that beats the send callback still stops it.
    if (method !== "ACK" && branch !== undefined) {
      const msg = scanMessage(text) ?? scanned;
      ctx.retransmitter.start(`${branch}|${method}`, {
        invite: method === "INVITE",
        resend: () => void udp.send(bytes, hop.address, hop.port).catch(() => undefined),
        onTimeout: () => {
          ctx.options.logger.info("sip.request.timeout", { callId: firstHeader(msg, "call-id"), method, peer: `${hop.address}:${hop.port}` });
          ctx.deliver(timeoutResponse(msg));
        },
      });
    }
    try {
      await udp.send(bytes, hop.address, hop.port);
    } catch (error) {
      if (branch !== undefined) ctx.retransmitter.stop(`${branch}|${method}`);
      throw error;
    }
    return;
  }
  const endpoint = ctx.streams[protocol];
  if (!endpoint) throw new Error(`${protocol} is not enabled`);
  let lastError: unknown;
  for (const hop of hops.filter((h) => h.protocol === protocol)) {
    try {
      const connection = await endpoint.connectTo(hop);
      await connection.write(bytes);
      return;
    } catch (error) {
      lastError = error; // RFC 3263 §4.3: try the next address
    }
  }
  throw lastError instanceof Error ? lastError : new Error(`cannot reach ${uri}`);
}

/** `hint` is where the request came from, for stateless replies to a request whose Via is unusable. */
export async function sendResponse(ctx: TransportContext, text: string, scanned: ScannedMessage, hint?: Source): Promise<void> {
  const via = topVia(scanned);
  const method = methodOf(scanned);
  const key = transactionKey(scanned);
  const status = statusOf(scanned) ?? 0;
  const bytes = Buffer.from(text, "utf8");
  const arrival = hint ?? (key === undefined ? undefined : ctx.serverSources.get(key));
  if (status >= 200 && key !== undefined) ctx.serverSources.forget(key);
  // The response leaves the way the request came; the Via transport only when that is unknown.
  const protocol = arrival?.protocol ?? asProtocol(via?.transport) ?? ctx.options.preferred;
  if (protocol === "udp") {
    const udp = ctx.udp;
    const target = via ? responseTarget(via) : hint ? { host: hint.address, port: hint.port } : undefined;
    if (!udp || !target) throw new Error("no UDP route for the response");
    await udp.send(bytes, target.host, target.port);
    // RFC 3261 §17.2.2: keep non-INVITE finals for Timer J (INVITE retransmissions sip.js absorbs itself).
    if (status >= 200 && key !== undefined && method !== "INVITE") {
      ctx.responses.remember(key, () => void udp.send(bytes, target.host, target.port).catch(() => undefined));
    }
    return;
  }
  // RFC 3261 §18.2.2: on a reliable transport, answer on the connection the request came on.
  const connection = arrival?.connection;
  if (connection?.isOpen) {
    await connection.write(bytes);
    return;
  }
  const endpoint = ctx.streams[protocol];
  if (!endpoint || !via) throw new Error(`no ${protocol} route for the response`);
  const target = responseTarget(via);
  const reopened = await endpoint.connectTo({ protocol, address: target.host, port: target.port, serverName: via.host });
  await reopened.write(bytes);
}
