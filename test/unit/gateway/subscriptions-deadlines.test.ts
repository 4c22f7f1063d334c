import { describe, expect, it } from "vitest";
import { fixedPolicy } from "../../../src/gateway/approval-policy.js";
import type { SubscriptionRecord } from "../../../src/gateway/ports.js";
import { SubscriptionRegistry } from "../../../src/gateway/subscriptions.js";
import { MemoryStore } from "../../../src/store/memory-store.js";
import { RecordingEffects, RecordingLogger, SimClock } from "./helpers.js";

const CONTACT = "1001@sip.example.com";
const JULIET = "juliet@capulet.lit";
const MIN = 60_000;

function registryOn(store: MemoryStore, clock: SimClock, effects = new RecordingEffects()) {
  const registry = new SubscriptionRegistry({
    store, clock, effects, logger: new RecordingLogger(), policy: fixedPolicy("defer"),
    resend: { firstMs: MIN, factor: 2, maxMs: 8 * MIN },
    decision: { firstMs: 5 * MIN, factor: 2, maxMs: 60 * MIN },
  });
  return { registry, effects };
}

const record = (fields: Partial<SubscriptionRecord> & Pick<SubscriptionRecord, "watcher">): SubscriptionRecord => ({
  contact: CONTACT, state: "none", pendingIn: false, pendingOut: false, preApproved: false, updatedAt: 1, ...fields,
});

describe("re-sending an outstanding subscribe (RFC 6121 §3.1.2)", () => {
  it("backs off 1, 2, 4, 8, 8 minutes and stops when the watcher answers", () => {
    const store = new MemoryStore();
    const clock = new SimClock();
    const { registry, effects } = registryOn(store, clock);
    registry.restore();
    const t0 = clock.now();
    registry.subscribe(CONTACT, JULIET);
    expect(effects.take()).toEqual([`subscribe ${CONTACT} → ${JULIET}`]);
    expect(store.getSubscription(CONTACT, JULIET)).toMatchObject({ resendAt: t0 + MIN, resendCount: 0 });

    const sentAt: number[] = [];
    effects.sendToWatcher = () => sentAt.push(clock.now() - t0);
    clock.advance(24 * MIN);
    expect(sentAt).toEqual([1, 3, 7, 15, 23].map((m) => m * MIN));
    expect(store.getSubscription(CONTACT, JULIET)).toMatchObject({ resendCount: 5, resendAt: t0 + 31 * MIN });

    registry.received(CONTACT, JULIET, "subscribed");
    expect(store.getSubscription(CONTACT, JULIET)).toMatchObject({ state: "to", pendingOut: false });
    expect(store.getSubscription(CONTACT, JULIET)).not.toHaveProperty("resendAt");
    clock.advance(120 * MIN);
    expect(sentAt).toHaveLength(5);
    expect(registry.counts().deadlines).toBe(0);
  });

  it("resendPending() re-sends every outstanding subscribe at once (after a reconnect), deadlines unchanged", () => {
    const store = new MemoryStore();
    const clock = new SimClock();
    const { registry, effects } = registryOn(store, clock);
    registry.restore();
    registry.subscribe(CONTACT, JULIET);
    registry.subscribe(CONTACT, "nurse@capulet.lit");
    registry.subscribe("1002@sip.example.com", JULIET);
    registry.received("1002@sip.example.com", JULIET, "subscribed");
    effects.take();
    const before = store.getSubscription(CONTACT, JULIET);
    expect(registry.resendPending()).toBe(2);
    expect(effects.take().sort()).toEqual([`subscribe ${CONTACT} → ${JULIET}`, `subscribe ${CONTACT} → nurse@capulet.lit`]);
    expect(store.getSubscription(CONTACT, JULIET)).toEqual(before);
  });
});

describe("asking the gateway again about a deferred request (RFC 6121 §3.1.3)", () => {
  it("asks at 5, 15, 35 minutes until an answer, then never again", () => {
    const store = new MemoryStore();
    const clock = new SimClock();
    const { registry, effects } = registryOn(store, clock);
    registry.restore();
    const t0 = clock.now();
    registry.received(CONTACT, JULIET, "subscribe", { nick: "Juliet" });
    const askedAt: number[] = [];
    effects.askDecision = (_c, _w, nick) => {
      expect(nick).toBe("Juliet");
      askedAt.push(clock.now() - t0);
    };
    clock.advance(40 * MIN);
    expect(askedAt).toEqual([5, 15, 35].map((m) => m * MIN));
    registry.deny(CONTACT, JULIET);
    clock.advance(600 * MIN);
    expect(askedAt).toHaveLength(3);
    expect(store.getSubscription(CONTACT, JULIET)).toBeUndefined();
  });
});

describe("restore(): state and deadlines from the store after a restart", () => {
  it("rebuilds every relation and re-arms deadlines: overdue ones fire at once, others at their time", () => {
    const clock = new SimClock();
    const now = clock.now();
    const store = new MemoryStore();
    store.putSubscription(record({ watcher: "a@capulet.lit", state: "from" }));
    store.putSubscription(record({ watcher: "b@capulet.lit", pendingOut: true, resendAt: now - 5 * MIN, resendCount: 2 }));
    store.putSubscription(record({ watcher: "c@capulet.lit", pendingOut: true, resendAt: now + 3 * MIN, resendCount: 0 }));
    store.putSubscription(record({ watcher: "d@capulet.lit", pendingIn: true, decideBy: now + 1 * MIN, askCount: 0, nick: "Dee" }));
    // Written by schema version 1: pending, but no deadline yet.
    store.putSubscription(record({ watcher: "e@capulet.lit", pendingOut: true }));
    // A plain None without pre-approval means nothing and is not loaded.
    store.putSubscription(record({ watcher: "f@capulet.lit" }));

    const { registry, effects } = registryOn(store, clock);
    expect(registry.restore()).toMatchObject({ subscriptions: 5, deadlines: 4, overdue: 1 });
    expect(registry.stateOf(CONTACT, "a@capulet.lit")).toBe("from");
    expect(registry.watchersOf(CONTACT)).toEqual(["a@capulet.lit"]);
    expect(() => registry.restore()).toThrow(/once/);

    clock.advance(0);
    expect(effects.take()).toEqual([`subscribe ${CONTACT} → b@capulet.lit`]);
    // b's back-off goes on from its count: 3rd re-send, 8 min (the cap).
    expect(store.getSubscription(CONTACT, "b@capulet.lit")).toMatchObject({ resendCount: 3, resendAt: now + 8 * MIN });
    // e had no deadline: it gets the first delay from the restart.
    clock.advance(1 * MIN);
    expect(effects.take().sort()).toEqual([`ask ${CONTACT} about d@capulet.lit (Dee)`, `subscribe ${CONTACT} → e@capulet.lit`]);
    clock.advance(2 * MIN - 1);
    expect(effects.take()).toEqual([]);
    clock.advance(1);
    // c at its stored time; e again, 2 min after its first re-send.
    expect(effects.take().sort()).toEqual([`subscribe ${CONTACT} → c@capulet.lit`, `subscribe ${CONTACT} → e@capulet.lit`]);
  });

  it("overdue deadlines fire in batches of a thousand per timer tick", () => {
    const clock = new SimClock();
    const store = new MemoryStore();
    for (let i = 0; i < 2_500; i++) {
      store.putSubscription(record({ watcher: `w${i}@capulet.lit`, pendingOut: true, resendAt: clock.now() - 1, resendCount: 0 }));
    }
    const effects = new RecordingEffects();
    const ticks: number[] = [];
    const realSet = clock.setTimeout.bind(clock);
    clock.setTimeout = (fn, ms) =>
      realSet(() => {
        const before = effects.log.length;
        fn();
        ticks.push(effects.log.length - before);
      }, ms);
    registryOn(store, clock, effects).registry.restore();
    clock.advance(0);
    expect(ticks).toEqual([1_000, 1_000, 500]);
    expect(new Set(effects.take()).size).toBe(2_500);
  });
});
