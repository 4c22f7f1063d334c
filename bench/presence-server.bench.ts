/**
 * Presence through real Prosody to real clients: the bridge (built by app.ts as
 * `presence-bridge start` builds it) changes the presence of N contacts; every
 * change goes to W watchers (@xmpp/client 0.14) through Prosody 0.12 on loopback.
 * Figures: stanzas delivered per second in a burst, and end-to-end latency
 * (setContactPresence → the client's "stanza" event) at a paced rate.
 * Bounded: fixed counts, and a deadline on every wait.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { client, xml, type Client } from "@xmpp/client";
import { buildApp, type App } from "../src/app.js";
import { loadConfig } from "../src/config/index.js";
import { makePresence } from "../src/presence/index.js";
import { startProsody, type XmppServer } from "../lab/servers/prosody.js";
import type { Figure } from "./harness.js";

const WATCHERS = 10;
const CONTACTS = 20;
const BURST_CHANGES = 2_000;
const PACED_CHANGES = 1_000;
const PACED_PER_SECOND = 200;
const DEADLINE_MS = 60_000;
const COMPONENT = { domain: "sip.localhost", secret: "bench-secret" };
const silent = { debug() {}, info() {}, warn() {}, error() {} };

export const title = "Presence server through real Prosody 0.12 to real clients";

interface Watcher {
  readonly jid: string;
  readonly xmpp: Client;
}

/** Send time of each change, by the sequence number carried in its status text. */
const sentAt = new Map<number, bigint>();
const latenciesUs: number[] = [];
let delivered = 0;
let lastDelivery = 0n;

function onStanza(stanza: { name: string; attrs: Record<string, unknown>; getChildText(name: string): string | null }): void {
  if (stanza.name !== "presence" || stanza.attrs.type !== undefined) return;
  const match = /^seq (\d+)$/.exec(stanza.getChildText("status") ?? "");
  if (match === null) return;
  const sent = sentAt.get(Number(match[1]));
  if (sent === undefined) return;
  lastDelivery = process.hrtime.bigint();
  latenciesUs.push(Number(lastDelivery - sent) / 1_000);
  delivered++;
}

async function until(what: string, test: () => boolean): Promise<void> {
  const end = Date.now() + DEADLINE_MS;
  while (!test()) {
    if (Date.now() > end) throw new Error(`benchmark: ${what} did not happen within ${DEADLINE_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function login(server: XmppServer, user: string): Promise<Watcher> {
  const xmpp = client({ service: `xmpp://${server.host}:${server.c2sPort}`, domain: server.domain, username: user, password: "pw", resource: "bench" });
  xmpp.on("error", () => undefined);
  xmpp.on("stanza", onStanza as never);
  await xmpp.start();
  await xmpp.iqCaller.request(xml("iq", { type: "get" }, xml("query", { xmlns: "jabber:iq:roster" })), 10_000);
  await xmpp.send(xml("presence"));
  return { jid: `${user}@${server.domain}`, xmpp };
}

const contact = (i: number): string => `${1000 + i}@${COMPONENT.domain}`;
const change = (seq: number) =>
  makePresence({ availability: "available", show: seq % 2 === 0 ? "dnd" : "away", notes: { "": `seq ${seq}` }, origin: { side: "sip" } });

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Changes `count` presences (round-robin over the contacts), `perSecond`, or as fast as they go. */
async function drive(app: App, first: number, count: number, perSecond?: number): Promise<{ seconds: number; p50: number; p99: number }> {
  delivered = 0;
  latenciesUs.length = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const seq = first + i;
    if (perSecond !== undefined) {
      const due = start + BigInt(Math.round((i * 1e9) / perSecond));
      while (process.hrtime.bigint() < due) await new Promise((resolve) => setImmediate(resolve));
    }
    sentAt.set(seq, process.hrtime.bigint());
    app.presenceServer.setContactPresence(contact(seq % CONTACTS), change(seq));
    // Changes of one contact within one event-loop turn are coalesced (only the last is
    // sent); a burst here changes every contact once per turn, so each change is delivered.
    if (perSecond === undefined && (i + 1) % CONTACTS === 0) await new Promise((resolve) => setImmediate(resolve));
  }

  await until(`delivery of ${count * WATCHERS} stanzas`, () => delivered >= count * WATCHERS);
  const sorted = [...latenciesUs].sort((a, b) => a - b);
  return { seconds: Number(lastDelivery - start) / 1e9, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

export async function run(): Promise<readonly Figure[]> {
  const users = Array.from({ length: WATCHERS }, (_, i) => ({ user: `w${i}`, password: "pw" }));
  const server = await startProsody({ components: [COMPONENT], users });
  const dir = mkdtempSync(join(tmpdir(), "pb-bench-"));
  let app: App | undefined;
  const watchers: Watcher[] = [];
  try {
    const config = loadConfig({
      env: {
        PRESENCE_BRIDGE_XMPP_SERVICE: `xmpp://${server.host}:${server.componentPort}`,
        PRESENCE_BRIDGE_XMPP_DOMAIN: COMPONENT.domain,
        PRESENCE_BRIDGE_XMPP_SECRET: COMPONENT.secret,
        PRESENCE_BRIDGE_XMPP_SERVER_DOMAIN: server.domain,
        PRESENCE_BRIDGE_STORE_PATH: join(dir, "bridge.sqlite"),
        PRESENCE_BRIDGE_LOG_LEVEL: "error",
      },
    });
    if (!config.ok) throw new Error(config.error.map((e) => e.message).join("; "));
    const built = buildApp({ config: config.value, logger: silent, version: "bench" });
    if (!built.ok) throw new Error(built.error.map((e) => e.message).join("; "));
    app = built.value;
    const started = await app.start();
    if (!started.ok) throw new Error(started.error.message);

    for (const u of users) watchers.push(await login(server, u.user));
    for (const w of watchers) for (let c = 0; c < CONTACTS; c++) await w.xmpp.send(xml("presence", { to: contact(c), type: "subscribe" }));
    const bridged = app;
    await until("every subscription", () => bridged.presenceServer.registry.counts().byState.from === WATCHERS * CONTACTS);

    const warm = await drive(app, 0, CONTACTS * 5);
    void warm;
    const burst = await drive(app, 1_000_000, BURST_CHANGES);
    const paced = await drive(app, 2_000_000, PACED_CHANGES, PACED_PER_SECOND);
    const stanzasBurst = BURST_CHANGES * WATCHERS;
    const stanzasPaced = PACED_CHANGES * WATCHERS;
    const setup = `${WATCHERS} watchers × ${CONTACTS} contacts, Prosody 0.12 on loopback, SQLite store`;
    return [
      {
        name: `burst: ${BURST_CHANGES.toLocaleString("en")} changes → ${stanzasBurst.toLocaleString("en")} stanzas delivered`,
        opsPerSec: Math.round(stanzasBurst / burst.seconds),
        p50Us: Math.round(burst.p50),
        p99Us: Math.round(burst.p99),
        runs: 1,
        opsPerRun: stanzasBurst,
        note: `${setup}; delivered stanzas per second; latency includes queueing behind the burst`,
      },
      {
        name: `paced: ${PACED_PER_SECOND} changes/s (${(PACED_PER_SECOND * WATCHERS).toLocaleString("en")} stanzas/s), end-to-end latency`,
        opsPerSec: Math.round(stanzasPaced / paced.seconds),
        p50Us: Math.round(paced.p50),
        p99Us: Math.round(paced.p99),
        runs: 1,
        opsPerRun: stanzasPaced,
        note: `${setup}; setContactPresence → the watcher's client has the stanza`,
      },
    ];
  } finally {
    for (const w of watchers) await w.xmpp.stop().catch(() => undefined);
    await app?.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
