/**
 * The notifier under load: NOTIFYs per second from SipStack + Notifier to a loopback sink
 * (a raw socket that answers every NOTIFY 200), with 1,000 dialogs and presence changes
 * offered as fast as possible; coalescing on (one NOTIFY in flight per dialog, latest state
 * wins, the RFC 3856 §6.4 interval off so the socket is the limit). Checks that every dialog
 * ends with the latest state. Then the heap per notifier dialog after GC.
 */
import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { makePresence, type Presence } from "../src/presence/index.js";
import type { DialogStore, ServedPresentity, SipDialogRecord } from "../src/gateway/ports.js";
import { SipAccess } from "../src/sip/access.js";
import { Notifier } from "../src/sip/notifier.js";
import { SipStack } from "../src/sip/stack.js";
import { record, type BenchModule, type Figure } from "./harness.js";

const PRESENTITIES = 100;
const WATCHERS_EACH = 10;
const CHANGES = 40_000;
const BATCH = 200;
const MEMORY_DIALOGS = 5_000;

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const presentityOf = (i: number): ServedPresentity => ({ id: `u${i}@example.com`, uri: `sip:u${i}@bridge.example.com` });
const presence = (note: string): Presence => makePresence({ availability: "available", notes: { "": note }, origin: { side: "xmpp" } });

/** Keeps the record count only: the figure is the notifier's, not a store's. */
class CountingStore implements DialogStore {
  writes = 0;
  putDialog(_record: SipDialogRecord): void {
    this.writes++;
  }
  deleteDialog(): void {}
  listDialogs(): Iterable<SipDialogRecord> {
    return [];
  }
}

interface Sink {
  readonly socket: Socket;
  readonly port: number;
  /** Call-ID → the note of the last NOTIFY body seen. */
  readonly last: Map<string, string>;
  delivered: number;
  readonly latenciesUs: number[];
}

/** Answers every request 200 from its own headers (RFC 3261 §8.2.6.2), as fast as a raw socket can. */
async function startSink(offeredAt: Map<string, number>): Promise<Sink> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
  // A sink that never drops: the figure is the notifier's (net.core.rmem_max caps this).
  socket.setRecvBufferSize(4 * 2 ** 20);
  const sink: Sink = { socket, port: socket.address().port, last: new Map(), delivered: 0, latenciesUs: [] };
  socket.on("message", (data: Buffer, peer: RemoteInfo) => {
    const text = data.toString("utf8");
    if (text.startsWith("SIP/2.0")) return;
    const end = text.indexOf("\r\n\r\n");
    const lines = text.slice(0, end).split("\r\n");
    const keep = lines.filter((l) => /^(via|from|to|call-id|cseq)\s*:/i.test(l));
    socket.send(`SIP/2.0 200 OK\r\n${keep.join("\r\n")}\r\nContent-Length: 0\r\n\r\n`, peer.port, peer.address);
    if (!text.startsWith("NOTIFY")) return;
    const callId = /^call-id\s*:\s*(.+)$/im.exec(text)?.[1]?.trim() ?? "";
    const note = /<note>([^<]*)<\/note>/.exec(text.slice(end))?.[1];
    if (note === undefined) return;
    if (sink.last.get(callId) !== note) sink.delivered++;
    sink.last.set(callId, note);
    const at = offeredAt.get(note);
    if (at !== undefined) sink.latenciesUs.push((performance.now() - at) * 1000);
  });
  return sink;
}

function subscribe(stack: SipStack, sinkPort: number, presentity: number, watcher: number): string {
  const callId = `bench-${presentity}-${watcher}`;
  const text = [
    `SUBSCRIBE sip:u${presentity}@bridge.example.com SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${sinkPort};branch=z9hG4bK${presentity}x${watcher};rport=${sinkPort};received=127.0.0.1`,
    "Max-Forwards: 70",
    `From: <sip:w${watcher}@example.com>;tag=f${presentity}x${watcher}`,
    `To: <sip:u${presentity}@bridge.example.com>`,
    `Call-ID: ${callId}`,
    "CSeq: 1 SUBSCRIBE",
    "Event: presence",
    "Expires: 3600",
    `Contact: <sip:w${watcher}@127.0.0.1:${sinkPort}>`,
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
  // Straight into the stack, as the transport would hand it over.
  stack.transport.onMessage?.(text);
  return callId;
}

async function setup(offeredAt: Map<string, number>) {
  const stack = await SipStack.start({
    transport: { udp: { host: "127.0.0.1", port: 0 }, preferredTransport: "udp" },
    aor: "sip:presence-bridge@bridge.example.com", version: "bench", logger: quiet,
  });
  const access = SipAccess.create({ trustedNetworks: ["127.0.0.1"] });
  if (!access.ok) throw new Error(access.error.message);
  const sink = await startSink(offeredAt);
  const store = new CountingStore();
  const notifier = new Notifier({
    stack, access: access.value, store, logger: quiet,
    resolve: (uri) => {
      const n = /^sip:u(\d+)@/.exec(uri)?.[1];
      return n === undefined ? undefined : presentityOf(Number(n));
    },
    events: { watcherSubscribed: () => "approve", watcherFetched: () => "approve", watcherUnsubscribed: () => {} },
    render: {
      pidf: (p, pr) => `<?xml version="1.0" encoding="UTF-8"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${p.uri}"><tuple id="t"><status><basic>open</basic></status><note>${pr.notes[""] ?? ""}</note></tuple></presence>`,
      dialogInfo: () => "",
    },
    limits: { minNotifyIntervalMs: 0 },
  });
  return { stack, sink, notifier, store };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function until(check: () => boolean, limitMs: number): Promise<boolean> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > limitMs) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}

async function notifyThroughput(): Promise<Figure> {
  const offeredAt = new Map<string, number>();
  const { stack, sink, notifier } = await setup(offeredAt);
  const latest = new Map<number, string>();
  for (let p = 0; p < PRESENTITIES; p++) {
    latest.set(p, `p${p}-v0`);
    notifier.setPresence(presentityOf(p).id, presence(`p${p}-v0`));
  }
  const callIds: [string, number][] = [];
  for (let p = 0; p < PRESENTITIES; p++) for (let w = 0; w < WATCHERS_EACH; w++) callIds.push([subscribe(stack, sink.port, p, w), p]);
  await until(() => callIds.every(([id]) => sink.last.has(id)), 20_000);
  sink.delivered = 0;
  sink.latenciesUs.length = 0;

  const start = performance.now();
  for (let i = 1; i <= CHANGES; i++) {
    const p = i % PRESENTITIES;
    const note = `p${p}-v${i}`;
    latest.set(p, note);
    offeredAt.set(note, performance.now());
    notifier.setPresence(presentityOf(p).id, presence(note));
    if (i % BATCH === 0) await tick();
  }
  const offeredS = (performance.now() - start) / 1000;
  const settled = await until(() => callIds.every(([id, p]) => sink.last.get(id) === latest.get(p)), 30_000);
  const elapsedS = (performance.now() - start) / 1000;
  const stale = callIds.filter(([id, p]) => sink.last.get(id) !== latest.get(p)).length;
  const sorted = sink.latenciesUs.sort((a, b) => a - b);
  const at = (q: number): number => Number((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(0));
  notifier.stop();
  await stack.stop();
  sink.socket.close();
  return {
    name: `NOTIFYs delivered, ${callIds.length} dialogs over UDP loopback (coalescing on)`,
    opsPerSec: Math.round(sink.delivered / elapsedS),
    p50Us: at(0.5),
    p99Us: at(0.99),
    runs: 1,
    opsPerRun: sink.delivered,
    note: `${CHANGES.toLocaleString("en")} changes offered in ${offeredS.toFixed(2)} s ` +
      `(${Math.round(CHANGES / offeredS).toLocaleString("en")}/s, ${PRESENTITIES} presentities × ${WATCHERS_EACH} watchers); ` +
      `${sink.delivered.toLocaleString("en")} NOTIFYs delivered in ${elapsedS.toFixed(2)} s; ` +
      `every dialog ended with the latest state: ${settled && stale === 0 ? "yes" : `NO (${stale} stale)`}. ` +
      "Latency: from a change to its NOTIFY at the sink (changes overtaken by a newer one are never sent).",
  };
}

function collectGarbage(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

async function memoryPerDialog(): Promise<Figure> {
  const gc = collectGarbage();
  const { stack, sink, notifier } = await setup(new Map());
  notifier.setPresence(presentityOf(0).id, presence("memory"));
  for (let p = 0; p < PRESENTITIES; p++) notifier.setPresence(presentityOf(p).id, presence("memory"));
  await tick();
  gc();
  const before = process.memoryUsage().heapUsed;
  const callIds: string[] = [];
  for (let i = 0; i < MEMORY_DIALOGS; i++) {
    callIds.push(subscribe(stack, sink.port, i % PRESENTITIES, i));
    if (i % BATCH === 0) await tick();
  }
  await until(() => callIds.every((id) => sink.last.has(id)), 30_000);
  await new Promise((r) => setTimeout(r, 200));
  gc();
  const after = process.memoryUsage().heapUsed;
  const perDialog = Math.round((after - before) / MEMORY_DIALOGS);
  const live = notifier.watchers().length;
  notifier.stop();
  await stack.stop();
  sink.socket.close();
  return record(`heap per notifier dialog (${MEMORY_DIALOGS.toLocaleString("en")} active dialogs, after GC)`, perDialog, "B", {
    note: `${live.toLocaleString("en")} dialogs live. ` +
      "Measured apart: sip.js DialogState with its three parsed URIs about 1.7 KB, the XState snapshot about 0.7 KB; " +
      "the rest is the Core.Dialog, the sender, the indexes and the transport's 32 s cache of the 200s to the SUBSCRIBEs " +
      "(UDP Timer J, transient). Store records are not counted",
  });
}

const bench: BenchModule = {
  title: "SIP notifier (UAS): NOTIFY throughput and memory",
  async run() {
    return [await notifyThroughput(), await memoryPerDialog()];
  },
};

export const { title, run } = bench;
