/**
 * baresip's SIP trace (`baresip -s`): every message it sends or receives, written into its
 * log as `#`, `UDP <from> -> <to>`, then the message as it was on the wire. Read back here,
 * so tests can say exactly what the phone sent, and so the launcher can undo a race of
 * baresip 1.0's publisher (below).
 */
import { waitUntil, type ServerProcess } from "./process.js";
import { header, parseSip, type SipMessage } from "./sip-message.js";
import { SipProbe, type SipProbeOptions } from "./sip-probe.js";

export interface TracedSip {
  /** "out" when baresip sent it, "in" when it received it. */
  readonly direction: "out" | "in";
  readonly message: SipMessage;
}

const MARKER = /^#\n(UDP|TCP|TLS) (\S+) -> (\S+)\n/gm;

/** The messages of a trace, in order; `sipPort` is baresip's own port (the sender of what it sent). */
export function parseTrace(log: string, sipPort: number): TracedSip[] {
  const out: TracedSip[] = [];
  for (const m of log.matchAll(MARKER)) {
    const start = (m.index ?? 0) + m[0].length;
    const headEnd = log.indexOf("\r\n\r\n", start);
    if (headEnd < 0) continue;
    const length = Number(/^(?:Content-Length|l)\s*:\s*(\d+)/im.exec(log.slice(start, headEnd))?.[1] ?? 0);
    const raw = log.slice(start, headEnd + 4 + length);
    out.push({ direction: m[2]?.endsWith(`:${sipPort}`) ? "out" : "in", message: parseSip(raw) });
  }
  return out;
}

export interface PublicationState {
  /** PUBLISHes sent that have no final response yet. */
  readonly pending: number;
  /** ETags Kamailio gave in 2xx answers to baresip's PUBLISHes, in order. */
  readonly etags: readonly string[];
  /**
   * Publications baresip has forgotten: ETags of 2xx answers that are not the last one (the
   * one baresip keeps and refreshes) and that no later PUBLISH named in SIP-If-Match.
   */
  readonly stale: readonly string[];
}

/**
 * baresip 1.0's publisher sends its first PUBLISH from a 10 ms timer and another one when
 * REGISTER succeeds (modules/presence/publisher.c, UA_EVENT_REGISTER_OK). When the answer
 * to the first is not back before the second leaves, both go without SIP-If-Match and the
 * presence server keeps two publications (RFC 3903 §4.1: each initial PUBLISH creates one);
 * baresip then modifies only the ETag it got last, and the other one keeps the old state
 * until it expires. This says which publications exist and which are stale.
 */
export function publicationState(trace: readonly TracedSip[]): PublicationState {
  const key = (m: SipMessage): string => `${header(m, "call-id") ?? ""} ${header(m, "cseq") ?? ""}`;
  const sent = new Map<string, SipMessage>();
  const answered = new Set<string>();
  const etags: string[] = [];
  const named = new Set<string>();
  for (const { direction, message } of trace) {
    if (direction === "out" && message.method === "PUBLISH") {
      sent.set(key(message), message);
      const ifMatch = header(message, "sip-if-match");
      if (ifMatch !== undefined) named.add(ifMatch);
    }
    // A retransmitted answer is absorbed by baresip's transaction layer: only the first counts.
    if (direction === "in" && message.status !== undefined && message.status >= 200 && sent.has(key(message)) && !answered.has(key(message))) {
      answered.add(key(message));
      const etag = header(message, "sip-etag");
      if (message.status < 300 && etag !== undefined && header(sent.get(key(message))!, "expires") !== "0") etags.push(etag);
    }
  }
  const last = etags.at(-1);
  return { pending: sent.size - answered.size, etags, stale: etags.filter((e) => e !== last && !named.has(e)) };
}

export interface PublishingPhone {
  readonly aor: string;
  /** Where baresip publishes (the presence server), and its account there. */
  readonly target: SipProbeOptions;
  readonly proc: ServerProcess;
  traced(): TracedSip[];
  setPresence(state: "online" | "offline"): Promise<void>;
  /** The state baresip was started in. */
  readonly presence: "online" | "offline";
}

/**
 * Waits until every PUBLISH baresip sent at start is answered; when its publisher raced
 * (publicationState), removes the publications it forgot (RFC 3903 §4.6: Expires: 0 with the
 * ETag) and makes it publish its state again: on a removal Kamailio NOTIFYs the removed
 * document with its tuples closed (presence_xml's offline body), not what is left. Returns the
 * removed ETags; afterwards the presence server holds exactly the publication baresip modifies.
 */
export async function settlePublications(phone: PublishingPhone): Promise<readonly string[]> {
  const answered = (): Promise<void> =>
    waitUntil("answers to baresip's PUBLISHes", () => {
      const state = publicationState(phone.traced());
      return state.pending === 0 && state.etags.length > 0;
    }, phone.proc, 10_000);
  await answered();
  const stale = publicationState(phone.traced()).stale;
  if (stale.length === 0) return [];
  const probe = await SipProbe.open(phone.target);
  try {
    for (const etag of stale) {
      const { response } = await probe.request("PUBLISH", phone.aor, { headers: [["Event", "presence"], ["Expires", "0"], ["SIP-If-Match", etag]] });
      if (response.status !== 200) throw new Error(`baresip: removing its forgotten publication ${etag} got ${response.status ?? "?"}`);
    }
  } finally {
    await probe.close();
  }
  // baresip publishes only on a change of its state: there and back again.
  await phone.setPresence(phone.presence === "online" ? "offline" : "online");
  await phone.setPresence(phone.presence);
  await answered();
  return stale;
}
