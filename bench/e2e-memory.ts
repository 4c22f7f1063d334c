/**
 * RSS of the bridge process (`presence-bridge start`, its own process) with N bridged
 * subscriptions: the store is seeded with N XMPP watchers of N distinct phone contacts
 * before the bridge starts, the bridge restores them and re-establishes one SIP subscription
 * per contact at Kamailio; VmRSS is read once every one of them is active again (the
 * bridge's `gateway.sip-subscription` log lines with state active are counted) and RSS has
 * settled.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sipSideRuns } from "../lab/demo-sip.js";
import { COMPONENT, startStack } from "../lab/demo-stack.js";
import { SqliteStore } from "../src/store/index.js";
import { record, type Figure } from "./harness.js";

const SETTLE = { everyMs: 500, stableSamples: 6, tolerance: 0.01, maxMs: 120_000 };
/** How long the bridge may take to have every SIP subscription active again. */
const ESTABLISH_MAX_MS = 300_000;

/** Contacts whose SIP subscription the bridge reported active (the log of this run). */
function activeSubscriptions(logFile: string): number {
  const contacts = new Set<string>();
  for (const line of readFileSync(logFile, "utf8").split("\n")) {
    if (!line.includes('"event":"gateway.sip-subscription"') || !line.includes('"state":"active"')) continue;
    contacts.add(/"contact":"([^"]+)"/.exec(line)?.[1] ?? "");
  }
  return contacts.size;
}

/** Waits (bounded) until `count` SIP subscriptions are active; returns how many were and how long it took. */
async function established(logFile: string, count: number): Promise<{ active: number; seconds: number }> {
  const start = Date.now();
  let active = activeSubscriptions(logFile);
  while (active < count && Date.now() - start < ESTABLISH_MAX_MS) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    active = activeSubscriptions(logFile);
  }
  return { active, seconds: (Date.now() - start) / 1000 };
}

function rssMiB(pid: number): number {
  const line = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(line?.[1] ?? Number.NaN) / 1024;
}

/** Polls RSS until it moves less than 1 % over 3 s (bounded); returns it and the time taken. */
async function settledRss(pid: number): Promise<{ mib: number; seconds: number; settled: boolean }> {
  const start = Date.now();
  const samples: number[] = [];
  while (Date.now() - start < SETTLE.maxMs) {
    samples.push(rssMiB(pid));
    const recent = samples.slice(-SETTLE.stableSamples);
    if (recent.length === SETTLE.stableSamples && Math.max(...recent) - Math.min(...recent) <= SETTLE.tolerance * Math.max(...recent)) {
      return { mib: recent.at(-1) ?? Number.NaN, seconds: (Date.now() - start) / 1000, settled: true };
    }
    await new Promise((resolve) => setTimeout(resolve, SETTLE.everyMs));
  }
  return { mib: samples.at(-1) ?? Number.NaN, seconds: (Date.now() - start) / 1000, settled: false };
}

function seed(path: string, count: number): void {
  const opened = SqliteStore.open(path, { synchronous: "normal" });
  if (!opened.ok) throw new Error(opened.error.message);
  const store = opened.value;
  const updatedAt = Date.now();
  store.transaction(() => {
    for (let i = 0; i < count; i++) {
      store.putSubscription({
        contact: `${100_000 + i}@${COMPONENT.domain}`,
        watcher: `w${i % 100}@localhost`,
        state: "from",
        pendingIn: false,
        pendingOut: false,
        preApproved: false,
        updatedAt,
      });
    }
  });
  store.close();
}

interface Measured {
  readonly mib: number;
  readonly seconds: number;
  readonly settled: boolean;
  readonly sip: boolean;
  readonly active: number;
  readonly establishSeconds: number;
}

async function measureOne(count: number): Promise<Measured> {
  // info: the bridge logs each SIP subscription's state, which tells when all are active again.
  const stack = await startStack(() => undefined, { logLevel: count > 0 ? "info" : "error", seedStore: (path) => seed(path, count) });
  try {
    // A bridge busy restoring answers OPTIONS late: ask for up to a minute before saying it runs no SIP side.
    const deadline = Date.now() + 60_000;
    let sip = await sipSideRuns(stack);
    while (!sip && Date.now() < deadline) sip = await sipSideRuns(stack);
    const up = count > 0 && sip ? await established(join(stack.bridgeDir, "bridge.log"), count) : { active: 0, seconds: 0 };
    const rss = await settledRss(stack.bridge.pid);
    return { ...rss, sip, active: up.active, establishSeconds: up.seconds };
  } finally {
    await stack.stop();
  }
}

export async function bridgedMemory(sizes: readonly number[]): Promise<Figure[]> {
  const base = await measureOne(0);
  const figures: Figure[] = [record("bridge RSS, no subscriptions", base.mib, "MiB", { note: "presence-bridge start as its own process (node + tsx), settled" })];
  for (const n of sizes) {
    const m = await measureOne(n);
    const perSub = ((m.mib - base.mib) * 1024) / n;
    const side = !m.sip
      ? "ONLY the XMPP half: this version's bridge runs no SIP side, so no SIP subscriptions are held"
      : m.active >= n
        ? `restored from the store; all ${n.toLocaleString("en")} SIP subscriptions to Kamailio active again after ${m.establishSeconds.toFixed(1)} s`
        : `restored from the store; ONLY ${m.active.toLocaleString("en")} of ${n.toLocaleString("en")} SIP subscriptions active after ${m.establishSeconds.toFixed(0)} s`;
    figures.push(
      record(`bridge RSS, ${n.toLocaleString("en")} bridged subscriptions`, m.mib, "MiB", {
        note: `${perSub.toFixed(2)} KiB per subscription above the empty bridge; ${side}; RSS ${m.settled ? "settled" : "NOT settled"} ${m.seconds.toFixed(1)} s later`,
      }),
    );
  }
  return figures;
}
