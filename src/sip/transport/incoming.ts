/** Receiving: RFC 3261 §18.1.2 (responses) and §18.2.1 (requests), plus the checks sip.js lacks. */
import { peerOf, type Source, type TransportContext } from "./context.js";
import { sendResponse } from "./outgoing.js";
import { canAnswer, statelessResponse } from "./replies.js";
import { clearParsed, parseForSipJs } from "./sipjs-parser.js";
import { checkRequest, checkResponse, type Rejection } from "./validate.js";
import { stampTopVia, topVia, transactionKey, viaParam } from "./via.js";
import { firstHeader, methodOf, scanMessage, statusOf, type ScannedMessage } from "./wire.js";

const CRLFCRLF = Buffer.from("\r\n\r\n");

/** RFC 5626 §4.4.1 / §3.5.1 keep-alives over UDP are CRLFs (or STUN, which is not SIP either). */
const isKeepAlive = (bytes: Buffer): boolean => bytes.every((b) => b === 13 || b === 10 || b === 32 || b === 9);

function logFields(source: Source, msg: ScannedMessage | undefined): Record<string, string | undefined> {
  return { peer: `${source.protocol}:${peerOf(source)}`, callId: msg ? firstHeader(msg, "call-id") : undefined };
}

export function receive(ctx: TransportContext, bytes: Buffer, source: Source): void {
  const { logger } = ctx.options;
  if (source.protocol === "udp" && isKeepAlive(bytes)) return;
  if (bytes.length > ctx.options.maxMessageBytes) {
    logger.warn("sip.message.too-large", { peer: peerOf(source), bytes: bytes.length });
    return;
  }
  const headEnd = bytes.indexOf(CRLFCRLF);
  if (headEnd < 0) {
    logger.warn("sip.message.dropped", { peer: peerOf(source), code: "no-header-end" });
    return;
  }
  const head = bytes.subarray(0, headEnd + 4).toString("utf8");
  const scanned = scanMessage(head);
  if (!scanned) {
    logger.warn("sip.message.dropped", { peer: peerOf(source), code: "no-start-line" });
    return;
  }
  let body = bytes.subarray(headEnd + 4);
  const contentLength = firstHeader(scanned, "content-length");
  // RFC 3261 §18.3: octets beyond Content-Length in a datagram are discarded (RFC 4475 dblreq).
  if (contentLength !== undefined && /^\d+$/.test(contentLength) && Number(contentLength) <= body.length) {
    body = body.subarray(0, Number(contentLength));
  }
  const text = head + body.toString("utf8");
  try {
    if (scanned.isResponse) receiveResponse(ctx, text, scanned, source);
    else receiveRequest(ctx, text, scanned, body.length, source);
  } catch (error) {
    // Never let one message take the transport down.
    logger.error("sip.message.failed", { ...logFields(source, scanned), reason: error instanceof Error ? error.message : String(error) });
  } finally {
    clearParsed();
  }
}

function receiveResponse(ctx: TransportContext, text: string, scanned: ScannedMessage, source: Source): void {
  const problem = checkResponse(scanned) ?? (parseForSipJs(text) === undefined ? "unparsable" : undefined);
  if (problem !== undefined) {
    // RFC 4475 §3.1.2.5, §3.1.2.19, §3.3.10: a response that is not well-formed (or not ours) is dropped.
    ctx.options.logger.warn("sip.response.dropped", { ...logFields(source, scanned), code: problem });
    return;
  }
  const branch = viaParam(topVia(scanned) ?? { transport: "", host: "", port: undefined, params: [] }, "branch");
  if (branch !== undefined) ctx.retransmitter.onResponse(`${branch}|${methodOf(scanned) ?? ""}`, statusOf(scanned) ?? 0);
  ctx.deliver(text);
}

/** `first`: the scan of `text`'s header block (the body is not scanned, so the head's scan is the same). */
function receiveRequest(ctx: TransportContext, text: string, first: ScannedMessage, bodyBytes: number, source: Source): void {
  const { logger } = ctx.options;
  const stamped = stampTopVia(text, first, source.address, source.port, ctx.options.forceRport);
  const scanned = scanMessage(stamped) ?? first;
  const key = transactionKey(scanned);
  if (source.protocol === "udp" && key !== undefined && ctx.responses.answer(key)) {
    logger.debug("sip.request.retransmission", { ...logFields(source, scanned), method: methodOf(scanned) });
    return;
  }
  const rejection: Rejection | undefined = checkRequest(scanned, bodyBytes, ctx.options.supportedOptionTags)
    ?? (parseForSipJs(stamped) === undefined ? { status: 400, reason: "Bad Request", code: "unparsable" } : undefined);
  if (rejection !== undefined) {
    reject(ctx, scanned, rejection, source);
    return;
  }
  if (key !== undefined && methodOf(scanned) !== "ACK") ctx.serverSources.remember(key, source);
  ctx.deliver(stamped);
}

function reject(ctx: TransportContext, scanned: ScannedMessage, rejection: Rejection, source: Source): void {
  clearParsed();
  const fields = { ...logFields(source, scanned), code: rejection.code, status: rejection.status };
  if (!canAnswer(scanned)) {
    ctx.options.logger.warn("sip.request.dropped", fields);
    return;
  }
  ctx.options.logger.warn("sip.request.rejected", fields);
  const response = statelessResponse(scanned, rejection.status, rejection.reason, rejection.extraHeaders);
  const responseScan = scanMessage(response);
  if (!responseScan) return;
  sendResponse(ctx, response, responseScan, source).catch((error: unknown) =>
    ctx.options.logger.warn("sip.response.failed", { ...fields, reason: error instanceof Error ? error.message : String(error) }));
}

/** A stream that cannot be framed: answer 400 (or 513) from the header block when there is one. */
export function rejectUnframed(ctx: TransportContext, code: string, head: Buffer | undefined, source: Source): void {
  const scanned = head === undefined ? undefined : scanMessage(head.toString("utf8"));
  const status = code === "message-too-large" ? 513 : 400;
  const reason = code === "message-too-large" ? "Message Too Large" : "Bad Request";
  if (!scanned || scanned.isResponse) {
    ctx.options.logger.warn("sip.stream.unframed", { peer: `${source.protocol}:${peerOf(source)}`, code });
    return;
  }
  const stamped = scanMessage(stampTopVia(head?.toString("utf8") ?? "", scanned, source.address, source.port, ctx.options.forceRport)) ?? scanned;
  reject(ctx, stamped, { status, reason, code }, source);
}
