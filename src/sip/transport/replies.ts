/** Responses the transport writes itself: stateless errors (RFC 3261 §8.2.6) and the synthetic 408 (§8.1.3.1). */
import { randomBytes } from "node:crypto";
import { firstHeader, headerValues, type ScannedMessage } from "./wire.js";

/** Whether a response can be addressed at all: a request line and a Via to route it by. */
export function canAnswer(msg: ScannedMessage): boolean {
  return !msg.isResponse && firstHeader(msg, "via") !== undefined;
}

/**
 * RFC 3261 §8.2.6.1: copy Via (all, in order), From, Call-ID, CSeq and To, adding a
 * To tag when there is none (§8.2.6.2). Fields the request lacks are left out.
 */
export function statelessResponse(
  request: ScannedMessage,
  status: number,
  reason: string,
  extraHeaders: readonly string[] = [],
): string {
  const lines = [`SIP/2.0 ${status} ${reason}`];
  for (const via of headerValues(request, "via")) lines.push(`Via: ${via}`);
  const from = firstHeader(request, "from");
  if (from !== undefined) lines.push(`From: ${from}`);
  const to = firstHeader(request, "to");
  if (to !== undefined) lines.push(/;\s*tag\s*=/i.test(to) ? `To: ${to}` : `To: ${to};tag=${randomBytes(6).toString("hex")}`);
  const callId = firstHeader(request, "call-id");
  if (callId !== undefined) lines.push(`Call-ID: ${callId}`);
  const cseq = firstHeader(request, "cseq");
  if (cseq !== undefined) lines.push(`CSeq: ${cseq}`);
  lines.push(...extraHeaders, "Content-Length: 0", "", "");
  return lines.join("\r\n");
}

/**
 * RFC 3261 §8.1.3.1: a transaction timeout is reported to the UAC as a 408.
 * sip.js has no hook for it, so the transport hands sip.js this response
 * (same branch and CSeq), which its client transaction treats as Timer F firing.
 */
export function timeoutResponse(request: ScannedMessage): string {
  const lines = ["SIP/2.0 408 Request Timeout"];
  const via = headerValues(request, "via")[0];
  if (via !== undefined) lines.push(`Via: ${via.split(",")[0] ?? via}`);
  for (const [name, field] of [["From", "from"], ["To", "to"], ["Call-ID", "call-id"], ["CSeq", "cseq"]] as const) {
    const value = firstHeader(request, field);
    if (value !== undefined) lines.push(`${name}: ${value}`);
  }
  lines.push("Content-Length: 0", "", "");
  return lines.join("\r\n");
}
