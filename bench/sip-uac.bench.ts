/**
 * The SIP UAC side under load, against a raw UDP sink on loopback (it answers SUBSCRIBE 200 +
 * one NOTIFY, and plays an RFC 3903 ESC for PUBLISH), so the figures are ours, not a server's:
 * - 10,000 subscriptions made; then all of them refreshed at once (the clock jumps to their
 *   refresh time): refreshes per second through one scheduler and the send pacer;
 * - heap per subscription (after GC, 10,000 live);
 * - one presentity changed at an offered 1,000 changes/s for 3 s: PUBLISHes sent (coalesced)
 *   and whether the ESC ends with the last change, against a fast ESC and a slow one (5 ms),
 *   and against real Kamailio with a watcher (the peer of PEERS.md ends wrong at this rate).
 */
import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { Clock, TimerHandle } from "../src/gateway/ports.js";
import { SipPublisher } from "../src/sip/publisher.js";
import { SipStack } from "../src/sip/stack.js";
import { SipSubscriber } from "../src/sip/subscriber.js";
import { startKamailio, type Kamailio } from "../lab/servers/kamailio.js";
import { SipProbe } from "../lab/servers/sip-probe.js";
import { record, type BenchModule, type Figure } from "./harness.js";

const SUBSCRIPTIONS = 10_000;
const EXPIRES = 600;
const CHANGES_PER_SECOND = 1_000;
const CHANGE_SECONDS = 3;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** Real timers, plus `jump(ms)`: time moves forward at once and the timers it passes fire. */
class JumpClock implements Clock {
  private offset = 0;
  private n = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void; handle: ReturnType<typeof setTimeout> }>();
  now(): number {
    return Date.now() + this.offset;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = ++this.n;
    const handle = setTimeout(() => {
      this.timers.delete(id);
      fn();
    }, ms);
    handle.unref();
    this.timers.set(id, { at: this.now() + ms, fn, handle });
    return { id };
  }
  clearTimeout(timer: TimerHandle): void {
    const t = this.timers.get(timer.id as number);
    if (!t) return;
    clearTimeout(t.handle);
    this.timers.delete(timer.id as number);
  }
  jump(ms: number): void {
    this.offset += ms;
    for (const [id, t] of [...this.timers]) {
      if (t.at > this.now()) continue;
      clearTimeout(t.handle);
      this.timers.delete(id);
      setImmediate(t.fn);
    }
  }
}

interface Sink {
  readonly socket: Socket;
  readonly port: number;
  /** PUBLISH: answer after this many ms (a slow ESC). */
  publishDelayMs: number;
  /** The ESC's current body for the presentity, and how many PUBLISHes it saw. */
  escBody: string | undefined;
  publishes: number;
  stop(): Promise<void>;
}

const headerOf = (lines: readonly string[], name: string): string => {
  const prefix = `${name.toLowerCase()}:`;
  const line = lines.find((l) => l.toLowerCase().startsWith(prefix));
  return line === undefined ? "" : line.slice(prefix.length).trim();
};

/** A raw SIP responder: no parser beyond header lines, so it is never the bottleneck. */
async function startSink(): Promise<Sink> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
  socket.setRecvBufferSize(8 * 2 ** 20);
  socket.setSendBufferSize(8 * 2 ** 20);
  const port = socket.address().port;
  const etags = new Set<string>();
  let tags = 0;
  const sink: Sink = {
    socket, port, publishDelayMs: 0, escBody: undefined, publishes: 0,
    stop: () => new Promise((resolve) => socket.close(() => resolve())),
  };
  const send = (text: string, peer: RemoteInfo): void => socket.send(text, peer.port, peer.address);
  socket.on("message", (data: Buffer, peer: RemoteInfo) => {
    const text = data.toString("utf8");
    if (text.startsWith("SIP/2.0")) return; // our NOTIFYs' 200s
    const end = text.indexOf("\r\n\r\n");
    const lines = text.slice(0, end).split("\r\n");
    const method = lines[0]?.split(" ")[0] ?? "";
    const via = lines.filter((l) => /^via:/i.test(l));
    const from = headerOf(lines, "from");
    let to = headerOf(lines, "to");
    const callId = headerOf(lines, "call-id");
    const cseq = headerOf(lines, "cseq");
    const fresh = !/;\s*tag=/i.test(to);
    if (fresh) to = `${to};tag=s${++tags}`;
    const reply = (status: string, extra: string[]): void =>
      send([`SIP/2.0 ${status}`, ...via, `From: ${from}`, `To: ${to}`, `Call-ID: ${callId}`, `CSeq: ${cseq}`, ...extra, "Content-Length: 0", "", ""].join("\r\n"), peer);
    if (method === "SUBSCRIBE") {
      const expires = headerOf(lines, "expires");
      reply("200 OK", [`Expires: ${expires}`, `Contact: <sip:sink@127.0.0.1:${port}>`]);
      if (!fresh) return;
      const contact = /<([^>]+)>/.exec(headerOf(lines, "contact"))?.[1] ?? "";
      send([
        `NOTIFY ${contact} SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKn${tags}`, "Max-Forwards: 70",
        `From: ${to}`, `To: ${from}`, `Call-ID: ${callId}`, "CSeq: 1 NOTIFY", "Event: presence",
        `Subscription-State: active;expires=${expires}`, `Contact: <sip:sink@127.0.0.1:${port}>`, "Content-Length: 0", "", "",
      ].join("\r\n"), peer);
      return;
    }
    if (method === "PUBLISH") {
      sink.publishes++;
      const answer = (): void => {
        const ifMatch = headerOf(lines, "sip-if-match");
        if (ifMatch !== "" && !etags.delete(ifMatch)) return reply("412 Conditional Request Failed", []);
        const body = text.slice(end + 4);
        if (body !== "") sink.escBody = body;
        const etag = `e${++tags}`;
        etags.add(etag);
        reply("200 OK", [`SIP-ETag: ${etag}`, "Expires: 3600"]);
      };
      if (sink.publishDelayMs > 0) setTimeout(answer, sink.publishDelayMs);
      else answer();
    }
  });
  return sink;
}

function gcFunction(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

const heapAfterGc = (gc: () => void): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

async function waitFor(check: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function subscriptions(sink: Sink): Promise<Figure[]> {
  const gc = gcFunction();
  const clock = new JumpClock();
  const stack = await SipStack.start({
    transport: { udp: { host: "127.0.0.1", port: 0 }, outboundProxy: `sip:127.0.0.1:${sink.port}` },
    aor: "sip:presence-bridge@example.com", version: "bench", logger: quiet, clock,
  });
  // Count SUBSCRIBE 2xx answers and time each send → answer.
  let accepted = 0;
  const latenciesUs: number[] = [];
  const send = stack.send.bind(stack);
  stack.send = (message, options) => {
    const started = process.hrtime.bigint();
    return send(message, options).then((outcome) => {
      if (message.method === "SUBSCRIBE" && outcome.statusCode === 200) {
        accepted++;
        latenciesUs.push(Number(process.hrtime.bigint() - started) / 1000);
      }
      return outcome;
    });
  };
  let active = 0;
  const subscriber = new SipSubscriber({
    stack, expires: EXPIRES,
    events: { onNotification: () => undefined, onSubscriptionStatus: (_p, _e, _w, s) => void (s.state === "active" && active++) },
  });
  const baseline = heapAfterGc(gc);
  const t0 = performance.now();
  for (let i = 0; i < SUBSCRIPTIONS; i++) subscriber.subscribe({ presentity: `sip:u${i}@example.com`, event: "presence", watcher: `w${i}@capulet.lit` });
  await waitFor(() => active === SUBSCRIPTIONS, "all subscriptions active", 120_000);
  const setupS = (performance.now() - t0) / 1000;
  const perSubscription = (heapAfterGc(gc) - baseline) / SUBSCRIPTIONS;

  const figures: Figure[] = [];
  const refreshRates: number[] = [];
  const runs = 3;
  for (let run = 0; run < runs; run++) {
    accepted = 0;
    latenciesUs.length = 0;
    const start = performance.now();
    clock.jump((EXPIRES - 59) * 1000); // past every refreshAt (60 s before expiry)
    await waitFor(() => accepted === SUBSCRIPTIONS, "all refreshes answered", 120_000);
    refreshRates.push(SUBSCRIPTIONS / ((performance.now() - start) / 1000));
  }
  const median = [...refreshRates].sort((a, b) => a - b)[1] ?? 0;
  figures.push({
    name: `refreshes, ${SUBSCRIPTIONS.toLocaleString("en")} subscriptions all due at once (UDP loopback sink)`,
    opsPerSec: Math.round(median), p50Us: Number(percentile(latenciesUs, 50).toFixed(0)), p99Us: Number(percentile(latenciesUs, 99).toFixed(0)),
    runs, opsPerRun: SUBSCRIPTIONS,
    note: `in-dialog re-SUBSCRIBE → 200 → machine → next deadline, ${runs} rounds (${refreshRates.map((r) => Math.round(r)).join(", ")}/s); ` +
      `latency: send to 200, with up to 256 in flight (the pacer); all ${SUBSCRIPTIONS.toLocaleString("en")} made in ${setupS.toFixed(1)} s ` +
      `(${Math.round(SUBSCRIPTIONS / setupS)}/s: SUBSCRIBE, 200, NOTIFY, 200). One scheduler timer for all, not ${SUBSCRIPTIONS.toLocaleString("en")}.`,
  });
  figures.push(record(`heap per subscription (${SUBSCRIPTIONS.toLocaleString("en")} active, after GC)`, Math.round(perSubscription), "B", {
    note: "the XState snapshot, the dialog state, the watcher set, the routing and scheduler entries, " +
      "plus the transport's 32 s cache of our 200s to the NOTIFYs (UDP Timer J, transient)",
  }));
  subscriber.stop();
  await stack.stop();
  return figures;
}

const PRESENTITY = "sip:alice@example.com";
const changeBody = (n: number) => ({
  contentType: "application/pidf+xml",
  content: `<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${PRESENTITY}"><tuple id="t"><status><basic>open</basic></status><note>change ${n}</note></tuple></presence>`,
});

/** Offers CHANGES_PER_SECOND changes to one presentity for CHANGE_SECONDS; resolves with the seconds it took. */
async function offerChanges(publisher: SipPublisher, total: number): Promise<number> {
  const start = performance.now();
  let offered = 0;
  // Offer at the rate: each millisecond tick publishes the changes due by then.
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * CHANGES_PER_SECOND));
      while (offered < due) publisher.publish(PRESENTITY, changeBody(++offered));
      if (offered >= total) {
        clearInterval(tick);
        resolve();
      }
    }, 1);
  });
  return (performance.now() - start) / 1000;
}

async function publishes(sink: Sink, delayMs: number): Promise<Figure> {
  sink.publishDelayMs = delayMs;
  sink.publishes = 0;
  sink.escBody = undefined;
  const stack = await SipStack.start({
    transport: { udp: { host: "127.0.0.1", port: 0 }, outboundProxy: `sip:127.0.0.1:${sink.port}` },
    aor: "sip:presence-bridge@example.com", version: "bench", logger: quiet,
  });
  const publisher = new SipPublisher({ stack, events: { onPublicationStatus: () => undefined } });
  const total = CHANGES_PER_SECOND * CHANGE_SECONDS;
  const offeredS = await offerChanges(publisher, total);
  const last = changeBody(total).content;
  await waitFor(() => publisher.stateOf(PRESENTITY)?.state === "published" && sink.escBody === last, "the last change at the ESC", 10_000);
  const right = sink.escBody === last;
  const sent = publisher.sent.initial + publisher.sent.modify;
  await stack.stop();
  return {
    name: `PUBLISHes at an offered ${CHANGES_PER_SECOND.toLocaleString("en")} changes/s for one presentity (ESC answers in ${delayMs === 0 ? "< 1" : delayMs} ms)`,
    opsPerSec: Math.round(sent / offeredS), p50Us: 0, p99Us: 0, runs: 1, opsPerRun: total,
    note: `${total.toLocaleString("en")} changes offered in ${offeredS.toFixed(2)} s; ${sent.toLocaleString("en")} PUBLISHes sent ` +
      `(${publisher.sent.initial} initial, ${publisher.sent.modify} modify), ${sink.publishes - sent} 412s or retries; ` +
      `final state at the ESC = the last change: ${right ? "yes" : "NO"}. One PUBLISH in flight, changes meanwhile coalesced to the latest body.`,
  };
}

/** The same offered load against real Kamailio (PEERS.md's peer ends wrong here), checked by a Kamailio watcher. */
async function publishesToKamailio(): Promise<Figure> {
  const name = `PUBLISHes to real Kamailio 5.6 at an offered ${CHANGES_PER_SECOND.toLocaleString("en")} changes/s for one presentity (UDP)`;
  let kamailio: Kamailio;
  try {
    kamailio = await startKamailio();
  } catch (error) {
    return { name, opsPerSec: 0, p50Us: 0, p99Us: 0, runs: 0, opsPerRun: 0, note: `not run: ${(error as Error).message}` };
  }
  const stack = await SipStack.start({
    transport: { udp: { host: "127.0.0.1", port: 0 }, outboundProxy: `sip:${kamailio.host}:${kamailio.port}` },
    aor: "sip:presence-bridge@example.com", version: "bench", logger: quiet,
  });
  const watcher = await SipProbe.open({ host: kamailio.host, port: kamailio.port, user: "bob", domain: "example.com" });
  try {
    const sub = await watcher.subscribe(PRESENTITY, "presence", 600);
    const publisher = new SipPublisher({ stack, events: { onPublicationStatus: () => undefined } });
    const total = CHANGES_PER_SECOND * CHANGE_SECONDS;
    const offeredS = await offerChanges(publisher, total);
    await waitFor(() => publisher.stateOf(PRESENTITY)?.state === "published", "the last PUBLISH answered", 10_000);
    const lastNote = `change ${total}<`;
    const final = await watcher.waitForNotify(sub.callId, (b) => b.includes(lastNote), 10_000).then(() => true, () => false);
    const notifies = watcher.received.filter((m) => m.method === "NOTIFY" && m.body.includes("change ")).length;
    const sent = publisher.sent.initial + publisher.sent.modify;
    return {
      name, opsPerSec: Math.round(sent / offeredS), p50Us: 0, p99Us: 0, runs: 1, opsPerRun: total,
      note: `${total.toLocaleString("en")} changes offered in ${offeredS.toFixed(2)} s; ${sent.toLocaleString("en")} PUBLISHes sent, ` +
        `0 queued; the watcher got ${notifies.toLocaleString("en")} NOTIFYs and its last one is the last change: ${final ? "yes" : "NO"} ` +
        "(PEERS.md: the peer delivers 71 % and ends wrong at this rate).",
    };
  } finally {
    await watcher.close();
    await stack.stop();
    await kamailio.stop();
  }
}

export const title = "SIP subscriber and publisher (UAC): refreshes, memory, coalesced PUBLISH";

export async function run(): Promise<Figure[]> {
  const sink = await startSink();
  try {
    return [...(await subscriptions(sink)), await publishes(sink, 0), await publishes(sink, 5), await publishesToKamailio()];
  } finally {
    await sink.stop();
  }
}

export default { title, run } satisfies BenchModule;
