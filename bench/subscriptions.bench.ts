/**
 * The subscription registry at the scale: memory holding 100,000
 * relations (target ≤ 300 MB RSS), time to restore them from the SQLite file
 * after a restart (target ≤ 5 s), and events per second through the registry
 * with persistence on.
 *
 * Memory and restore run in child processes (`node --expose-gc`), so RSS is
 * the bridge's alone and heap is measured after GC: this file runs itself as
 * the child when PRESENCE_BRIDGE_BENCH_CHILD is set.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixedPolicy } from "../src/gateway/approval-policy.js";
import type { Clock, Logger, SubscriptionRecord } from "../src/gateway/ports.js";
import { SubscriptionRegistry } from "../src/gateway/subscriptions.js";
import type { SubscriptionEffects } from "../src/gateway/subscriptions-types.js";
import { MemoryStore } from "../src/store/memory-store.js";
import { SqliteStore, type SqliteStoreOptions } from "../src/store/sqlite-store.js";
import { measure, record, type Figure } from "./harness.js";

export const title = "Subscriptions: 100,000 relations, restore, events through the registry";

const N = 100_000;
const CONTACTS = 1_000;
const MB = 2 ** 20;

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const noEffects: SubscriptionEffects = {
  sendToWatcher() {},
  sendPresence() {},
  sendUnavailable() {},
  askDecision() {},
  deliverToContact() {},
};
const clock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => ({ id: setTimeout(fn, ms).unref() }),
  clearTimeout: (handle) => clearTimeout(handle.id as NodeJS.Timeout),
};

function openStore(path: string, options: SqliteStoreOptions = {}): SqliteStore {
  const result = SqliteStore.open(path, options);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

/**
 * 1,000 contacts × 100 watchers from 10,000 chat users: mostly From, some
 * Both, 3 % waiting for a decision and 2 % with the contact's own request
 * outstanding (both with deadlines), nicks on the pending ones.
 */
function fixture(i: number, now: number): SubscriptionRecord {
  const contact = `${1000 + (i % CONTACTS)}@sip.example.com`;
  const watcher = `user${Math.floor(i / CONTACTS) * 100 + (i % 100)}@capulet.lit`;
  const base = { contact, watcher, preApproved: false, updatedAt: now - i };
  const kind = i % 100;
  if (kind < 3) return { ...base, state: "none", pendingIn: true, pendingOut: false, nick: `User ${i}`, decideBy: now + 300_000 + i, askCount: 0 };
  if (kind < 5) return { ...base, state: "from", pendingIn: false, pendingOut: true, resendAt: now + 60_000 + i, resendCount: 1 };
  if (kind < 15) return { ...base, state: "both", pendingIn: false, pendingOut: false };
  return { ...base, state: "from", pendingIn: false, pendingOut: false };
}

/** The child: restore the file into a registry and report time and memory. */
function child(path: string): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run with --expose-gc");
  gc();
  gc();
  const baseline = process.memoryUsage();
  const started = performance.now();
  const store = openStore(path);
  const registry = new SubscriptionRegistry({ store, clock, effects: noEffects, logger: quiet, policy: fixedPolicy("defer") });
  const report = registry.restore();
  const restoreMs = performance.now() - started;
  gc();
  gc();
  const held = process.memoryUsage();
  const counts = registry.counts();
  process.stdout.write(
    `${JSON.stringify({ restoreMs, restoreOnlyMs: report.ms, subscriptions: report.subscriptions, deadlines: report.deadlines, counts: counts.total, baseline, held })}\n`,
  );
  registry.close();
  store.close();
}

interface ChildReport {
  readonly restoreMs: number;
  readonly restoreOnlyMs: number;
  readonly subscriptions: number;
  readonly deadlines: number;
  readonly counts: number;
  readonly baseline: NodeJS.MemoryUsage;
  readonly held: NodeJS.MemoryUsage;
}

function runChild(path: string): ChildReport {
  const out = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", import.meta.filename], {
    env: { ...process.env, PRESENCE_BRIDGE_BENCH_CHILD: path },
    encoding: "utf8",
    timeout: 120_000,
  });
  if (out.status !== 0) throw new Error(`bench child failed: ${out.stderr}`);
  return JSON.parse(out.stdout.trim().split("\n").pop() ?? "{}") as ChildReport;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

function scaleFigures(dir: string): Figure[] {
  const path = join(dir, "subscriptions.db");
  const store = openStore(path, { synchronous: "normal" });
  const now = Date.now();
  const writeStart = performance.now();
  store.transaction(() => {
    for (let i = 0; i < N; i++) store.putSubscription(fixture(i, now));
  });
  const writeMs = performance.now() - writeStart;
  store.close();
  const fileMb = statSync(path).size / MB;

  const reports = [runChild(path), runChild(path), runChild(path)];
  for (const r of reports) if (r.subscriptions !== N || r.counts !== N) throw new Error(`restored ${r.subscriptions} of ${N}`);
  const mid = reports.slice().sort((a, b) => a.restoreMs - b.restoreMs)[1] as ChildReport;
  const rss = median(reports.map((r) => r.held.rss)) / MB;
  const heap = median(reports.map((r) => r.held.heapUsed)) / MB;
  const perRelation = median(reports.map((r) => (r.held.heapUsed - r.baseline.heapUsed) / N));
  return [
    record("RSS holding 100,000 subscriptions (after restore, after GC)", rss, "MB", {
      max: 300,
      note: `heap used ${heap.toFixed(1)} MB, ${Math.round(perRelation)} B of heap per relation over a ${(mid.baseline.rss / MB).toFixed(1)} MB RSS baseline; median of 3 child processes`,
    }),
    record("restore 100,000 subscriptions from SQLite (open + quick_check + restore)", mid.restoreMs / 1000, "s", {
      max: 5,
      note: `restore() alone ${mid.restoreOnlyMs} ms, ${mid.deadlines.toLocaleString("en")} deadlines re-armed; file ${fileMb.toFixed(1)} MB, written in ${Math.round(writeMs)} ms (one transaction)`,
    }),
  ];
}

/** One inbound subscribe per op, each from a new watcher: the policy approves, subscribed + presence, one commit. */
function eventFigures(dir: string): Figure[] {
  const figures: Figure[] = [];
  for (const synchronous of ["full", "normal"] as const) {
    const store = openStore(join(dir, `events-${synchronous}.db`), { synchronous });
    const registry = new SubscriptionRegistry({ store, clock, effects: noEffects, logger: quiet, policy: fixedPolicy("approve"), rateLimit: false });
    registry.restore();
    let i = 0;
    figures.push(
      measure(
        `subscribe → approve → presence, SQLite synchronous=${synchronous.toUpperCase()}`,
        () => registry.received(`${1000 + (i % CONTACTS)}@sip.example.com`, `w${i++}@capulet.lit`, "subscribe"),
        { ops: 2_000, runs: 5, warmup: 500, note: "one commit per event (the approval is in the same commit as the request)" },
      ),
    );
    registry.close();
    store.close();
  }
  // The deferred flow: the request is stored, then the gateway's approval is a second event and commit.
  const store = openStore(join(dir, "events-deferred.db"));
  const registry = new SubscriptionRegistry({ store, clock, effects: noEffects, logger: quiet, policy: fixedPolicy("defer"), rateLimit: false });
  registry.restore();
  let j = 0;
  figures.push(
    measure(
      "subscribe (deferred) then gateway approve, SQLite FULL",
      () => {
        const contact = `${1000 + (j % CONTACTS)}@sip.example.com`;
        const watcher = `d${j++}@capulet.lit`;
        registry.received(contact, watcher, "subscribe");
        registry.approve(contact, watcher);
      },
      { ops: 1_000, runs: 5, warmup: 300, note: "two events, two commits per op" },
    ),
  );
  registry.close();
  store.close();
  // Without persistence cost: the machine, the index and the effects alone.
  const memory = new SubscriptionRegistry({ store: new MemoryStore(), clock, effects: noEffects, logger: quiet, policy: fixedPolicy("approve"), rateLimit: false });
  let k = 0;
  figures.push(
    measure("subscribe → approve → presence, MemoryStore (registry and machine alone)", () =>
      memory.received(`${1000 + (k % CONTACTS)}@sip.example.com`, `m${k++}@capulet.lit`, "subscribe"),
    { ops: 5_000, runs: 5, warmup: 1_000 }),
  );
  memory.close();
  return figures;
}

export function run(): Figure[] {
  const dir = mkdtempSync(join(tmpdir(), "presence-bridge-bench-"));
  try {
    return [...scaleFigures(dir), ...eventFigures(dir)];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const childPath = process.env.PRESENCE_BRIDGE_BENCH_CHILD;
if (childPath !== undefined && childPath !== "") child(childPath);
