/**
 * RSS of the bridge process (`presence-bridge start`, its own process) with N bridged
 * subscriptions: the store is seeded with N XMPP watchers of N distinct phone contacts
 * before the bridge starts, the bridge restores them (and, when its SIP side runs, one SIP
 * subscription per contact to Kamailio), and VmRSS is read once it has settled.
 */
import { readFileSync } from "node:fs";
import { sipSideRuns } from "../lab/demo-sip.js";
import { COMPONENT, startStack } from "../lab/demo-stack.js";
import { SqliteStore } from "../src/store/index.js";
import { record, type Figure } from "./harness.js";

const SETTLE = { everyMs: 500, stableSamples: 6, tolerance: 0.01, maxMs: 120_000 };

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

async function measureOne(count: number): Promise<{ mib: number; seconds: number; settled: boolean; sip: boolean }> {
  const stack = await startStack(() => undefined, { logLevel: "error", seedStore: (path) => seed(path, count) });
  try {
    // A bridge busy restoring answers OPTIONS late: ask for up to a minute before saying it runs no SIP side.
    const deadline = Date.now() + 60_000;
    let sip = await sipSideRuns(stack);
    while (!sip && Date.now() < deadline) sip = await sipSideRuns(stack);
    const rss = await settledRss(stack.bridge.pid);
    return { ...rss, sip };
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
    const side = m.sip
      ? "restored from the store, one SIP subscription per contact to Kamailio as this version re-establishes them"
      : "ONLY the XMPP half: this version's bridge runs no SIP side, so no SIP subscriptions are held";
    figures.push(
      record(`bridge RSS, ${n.toLocaleString("en")} bridged subscriptions`, m.mib, "MiB", {
        note: `${perSub.toFixed(2)} KiB per subscription above the empty bridge; ${side}; ${m.settled ? "settled" : "NOT settled"} after ${m.seconds.toFixed(1)} s`,
      }),
    );
  }
  return figures;
}
