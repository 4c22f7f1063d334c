/**
 * Restart at scale (bounded for the unit suite; bench/subscriptions.bench.ts
 * does 100,000): relations written by a registry to a SQLite file come back in
 * a new registry, every one of them, with its deadlines armed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fixedPolicy } from "../../../src/gateway/approval-policy.js";
import type { SubscriptionRecord } from "../../../src/gateway/ports.js";
import { SubscriptionRegistry } from "../../../src/gateway/subscriptions.js";
import { SqliteStore } from "../../../src/store/sqlite-store.js";
import { RecordingEffects, RecordingLogger, SimClock } from "../gateway/helpers.js";

const dir = mkdtempSync(join(tmpdir(), "presence-bridge-restore-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const N = 10_000;
const CONTACTS = 100;

function open(path: string): SqliteStore {
  const result = SqliteStore.open(path, { synchronous: "normal" });
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

describe("restore 10,000 subscriptions from a SQLite file", () => {
  it("every relation and deadline written before the restart is there after it", () => {
    const path = join(dir, "restore.db");
    const clock = new SimClock();
    const store = open(path);
    const before = new SubscriptionRegistry({
      store, clock, effects: new RecordingEffects(), logger: new RecordingLogger(), policy: fixedPolicy("approve"), rateLimit: false,
    });
    before.restore();
    // Every 10th watcher is also subscribed to by its contact (pendingOut, a deadline); every 7th leaves again.
    store.transaction(() => {
      for (let i = 0; i < N; i++) {
        const contact = `${1000 + (i % CONTACTS)}@sip.example.com`;
        const watcher = `user${i}@capulet.lit`;
        before.received(contact, watcher, "subscribe", { nick: `User ${i}` });
        if (i % 10 === 0) before.subscribe(contact, watcher);
        if (i % 7 === 0) before.received(contact, watcher, "unsubscribe");
      }
    });
    const expected = new Map<string, SubscriptionRecord>();
    for (const record of before.relations()) expected.set(`${record.contact} ${record.watcher}`, record);
    const counts = before.counts();
    before.close();
    store.close();
    // Those that left are gone, unless the contact's own request keeps the relation (None + Pending Out).
    const gone = [...Array(N).keys()].filter((i) => i % 7 === 0 && i % 10 !== 0).length;
    expect(expected.size).toBe(N - gone);

    const reopened = open(path);
    const after = new SubscriptionRegistry({
      store: reopened, clock, effects: new RecordingEffects(), logger: new RecordingLogger(), policy: fixedPolicy("approve"),
    });
    const report = after.restore();
    expect(report).toMatchObject({ subscriptions: expected.size, deadlines: counts.deadlines, overdue: 0 });
    expect(after.counts()).toEqual(counts);
    let checked = 0;
    for (const [key, record] of expected) {
      const [contact = "", watcher = ""] = key.split(" ");
      expect(after.get(contact, watcher)).toEqual(record);
      checked++;
    }
    expect(checked).toBe(expected.size);
    for (let c = 0; c < CONTACTS; c++) {
      const contact = `${1000 + c}@sip.example.com`;
      expect(after.watchersOf(contact).sort()).toEqual(before.watchersOf(contact).sort());
    }
    after.close();
    reopened.close();
  });
});
