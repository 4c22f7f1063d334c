/**
 * The paths bench/e2e.bench.ts times through real Prosody and Kamailio, each with a
 * baseline that leaves the bridge out, so the bridge's share can be told apart:
 * - SIP → XMPP: phone PUBLISH → Kamailio → NOTIFY → bridge → Prosody → juliet; baseline:
 *   a SIP watcher subscribed to the same phone at Kamailio.
 * - XMPP → SIP: juliet's presence → Prosody → bridge → NOTIFY → SIP watcher; baseline:
 *   romeo, a chat user subscribed to juliet in Prosody.
 * Every wait has a deadline; every loop a count.
 */
import type { ChatUser } from "../lab/chat-user.js";
import type { ScriptedPhone } from "../lab/demo-sip.js";
import { pidf } from "../lab/servers/sip-message.js";

export const DEADLINE_MS = 30_000;
const SEQ = /seq (\d+)/;

export const now = (): bigint => process.hrtime.bigint();
export const ms = (from: bigint, to: bigint): number => Number(to - from) / 1e6;

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export async function until(what: string, test: () => boolean, timeoutMs = DEADLINE_MS): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > end) throw new Error(`e2e benchmark: ${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/**
 * Waits until `start + i / perSecond` on a timer (about 1 ms late at most). It used to spin
 * (setImmediate) for accuracy, which kept one of the machine's two cores busy and left the
 * servers and the bridge the other: their tail latency was the bench's own doing. Each
 * change's send time is taken when it is sent, so a late timer changes no latency figure.
 */
async function paced(start: bigint, i: number, perSecond: number): Promise<void> {
  const due = start + BigInt(Math.round((i * 1e9) / perSecond));
  const waitMs = Number(due - now()) / 1e6;
  if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
}

/** Arrival times of each sequence number, from the first arrival on one side. */
export class Arrivals {
  readonly at = new Map<number, bigint>();
  /** The last sequence number seen, by source (phone JID, watcher…). */
  readonly lastBy = new Map<string, number>();
  private readonly waiting = new Map<number, () => void>();
  note(text: string | undefined, source: string): void {
    const match = SEQ.exec(text ?? "");
    if (match === null) return;
    const seq = Number(match[1]);
    if (!this.at.has(seq)) this.at.set(seq, now());
    this.lastBy.set(source, seq);
    this.waiting.get(seq)?.();
  }

  /** Resolves when `seq` has arrived (at once if it has); rejects after `timeoutMs`. */
  wait(seq: number, timeoutMs: number): Promise<void> {
    if (this.at.has(seq)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(seq);
        reject(new Error(`e2e benchmark: seq ${seq} did not arrive within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(seq, () => {
        clearTimeout(timer);
        this.waiting.delete(seq);
        resolve();
      });
    });
  }
}

export interface PathResult {
  readonly sent: number;
  readonly lost: number;
  /** Milliseconds, send → the far side has it. */
  readonly e2e: readonly number[];
  /** Milliseconds, the baseline watcher has it → the bridged watcher has it. */
  readonly bridgeLeg: readonly number[];
  readonly seconds: number;
}

function result(sentAt: Map<number, bigint>, far: Arrivals, base: Arrivals, start: bigint): PathResult {
  const e2e: number[] = [];
  const leg: number[] = [];
  let last = start;
  for (const [seq, sent] of sentAt) {
    const got = far.at.get(seq);
    if (got === undefined) continue;
    if (got > last) last = got;
    e2e.push(ms(sent, got));
    const b = base.at.get(seq);
    if (b !== undefined) leg.push(ms(b, got));
  }
  return { sent: sentAt.size, lost: sentAt.size - e2e.length, e2e: e2e.sort((a, b) => a - b), bridgeLeg: leg.sort((a, b) => a - b), seconds: ms(start, last) / 1e3 };
}

export interface SipToXmpp {
  readonly phones: readonly ScriptedPhone[];
  /** What juliet receives (by phone JID) and what the baseline SIP watcher receives. */
  readonly juliet: Arrivals;
  readonly kamailioWatcher: Arrivals;
}

/** `count` PUBLISHes round-robin over the phones at `perSecond`; each phone's are sent in order. */
export async function publishPaced(ctx: SipToXmpp, first: number, count: number, perSecond: number): Promise<PathResult> {
  const sentAt = new Map<number, bigint>();
  const chains = ctx.phones.map(() => Promise.resolve());
  const start = now();
  for (let i = 0; i < count; i++) {
    await paced(start, i, perSecond);
    const seq = first + i;
    const k = i % ctx.phones.length;
    const phone = ctx.phones[k] as ScriptedPhone;
    chains[k] = (chains[k] as Promise<void>).then(async () => {
      sentAt.set(seq, now());
      await phone.publish(pidf(phone.aor, "open", `seq ${seq}`));
    });
  }
  await Promise.all(chains);
  await until(`juliet receiving ${count} changes`, () => [...sentAt.keys()].every((s) => ctx.juliet.at.has(s)), 10_000).catch(() => undefined);
  return result(sentAt, ctx.juliet, ctx.kamailioWatcher, start);
}

/**
 * Closed loop: each phone publishes its next change as soon as juliet has its previous one,
 * until `total` changes or `maxMs`. Returns changes/s and whether juliet's final view of
 * every phone is the last change it sent.
 */
export async function closedLoop(
  ctx: SipToXmpp,
  jidOf: (phone: ScriptedPhone) => string,
  first: number,
  total: number,
  maxMs: number,
): Promise<{ changes: number; seconds: number; finalRight: number }> {
  let next = first;
  const end = first + total;
  const stopAt = Date.now() + maxMs;
  const lastSent = new Map<string, number>();
  const start = now();
  await Promise.all(
    ctx.phones.map(async (phone) => {
      const jid = jidOf(phone);
      while (next < end && Date.now() < stopAt) {
        const seq = next++;
        lastSent.set(jid, seq);
        const seen = ctx.juliet.wait(seq, 10_000);
        await phone.publish(pidf(phone.aor, "open", `seq ${seq}`));
        await seen;
      }
    }),
  );
  const seconds = ms(start, now()) / 1e3;
  const finalRight = [...lastSent].filter(([jid, seq]) => ctx.juliet.lastBy.get(jid) === seq).length;
  return { changes: next - first, seconds, finalRight };
}

export interface XmppToSip {
  readonly juliet: ChatUser;
  /** The NOTIFYs of the SIP watcher (subscribed to juliet through the bridge) and romeo's stanzas. */
  readonly sipWatcher: Arrivals;
  /** The CSeq of every NOTIFY the SIP watcher received, in order of arrival. */
  readonly notifyCseqs: number[];
  readonly romeo: Arrivals;
}

/**
 * The SIP side's account of `sent` changes. The notifier keeps one NOTIFY in flight per dialog
 * and sends the latest state when it is answered (RFC 6665 §4.2.2 rate control): a change
 * superseded meanwhile never gets a NOTIFY of its own. So the watcher tells two things apart:
 * - `lost`: NOTIFYs the bridge sent that never arrived: holes in the dialog's CSeq numbers
 *   (RFC 3261 §12.2.1.1: each NOTIFY takes the next local CSeq);
 * - `coalesced`: changes with no NOTIFY of their own that are not explained by a lost NOTIFY
 *   (each lost NOTIFY carried at most one change);
 * and `finalRight`: the last NOTIFY carries the last change sent.
 */
export interface NotifyAccount {
  readonly notifies: number;
  readonly lost: number;
  readonly coalesced: number;
  readonly finalRight: boolean;
}

/** `cseqs`: the CSeqs of the NOTIFYs received in the run; `before`: the last one before it. */
export function notifyAccount(cseqs: readonly number[], before: number | undefined, undelivered: number, lastBody: number | undefined, lastSent: number): NotifyAccount {
  if (cseqs.length === 0) return { notifies: 0, lost: undelivered, coalesced: 0, finalRight: false };
  const from = before === undefined ? Math.min(...cseqs) : before + 1;
  const distinct = new Set(cseqs.filter((c) => c >= from)); // a retransmitted NOTIFY counts once
  const top = Math.max(...cseqs);
  const lost = Math.min(undelivered, Math.max(0, top - from + 1 - distinct.size));
  return { notifies: distinct.size, lost, coalesced: undelivered - lost, finalRight: lastBody === lastSent };
}

/** `count` presence changes of juliet at `perSecond`. */
export async function chatPaced(ctx: XmppToSip, first: number, count: number, perSecond: number): Promise<PathResult & { readonly account: NotifyAccount }> {
  const sentAt = new Map<number, bigint>();
  const before = ctx.notifyCseqs.at(-1);
  const mark = ctx.notifyCseqs.length;
  const start = now();
  for (let i = 0; i < count; i++) {
    await paced(start, i, perSecond);
    const seq = first + i;
    sentAt.set(seq, now());
    await ctx.juliet.setPresence(i % 2 === 0 ? "away" : "dnd", `seq ${seq}`);
  }
  // One NOTIFY in flight per dialog: when the last change has arrived every earlier NOTIFY was
  // answered, so nothing else is on its way (a superseded change never comes).
  const last = first + count - 1;
  await until(`the SIP watcher receiving the last change`, () => ctx.sipWatcher.at.has(last), 10_000).catch(() => undefined);
  const r = result(sentAt, ctx.sipWatcher, ctx.romeo, start);
  return { ...r, account: notifyAccount(ctx.notifyCseqs.slice(mark), before, r.lost, ctx.sipWatcher.lastBy.get("sip"), last) };
}
