import { describe, expect, it } from "vitest";
import { domainAllowListPolicy, fixedPolicy } from "../../../src/gateway/approval-policy.js";
import type { ApprovalPolicy } from "../../../src/gateway/ports.js";
import { SubscriptionRegistry } from "../../../src/gateway/subscriptions.js";
import type { RelationChange, SubscriptionRegistryOptions } from "../../../src/gateway/subscriptions-types.js";
import { MemoryStore } from "../../../src/store/memory-store.js";
import { RecordingEffects, RecordingLogger, SimClock } from "./helpers.js";

const CONTACT = "1001@sip.example.com";
const JULIET = "juliet@capulet.lit";
const ROMEO = "romeo@montague.lit";

function setup(policy: ApprovalPolicy = fixedPolicy("defer"), extra: Partial<SubscriptionRegistryOptions> = {}) {
  const store = new MemoryStore();
  const clock = new SimClock();
  const effects = new RecordingEffects();
  const logger = new RecordingLogger();
  const registry = new SubscriptionRegistry({ store, clock, effects, logger, policy, ...extra });
  registry.restore();
  return { store, clock, effects, logger, registry };
}

describe("SubscriptionRegistry: a watcher subscribes", () => {
  it("the policy approves: subscribed and presence are sent, the watcher receives presence", () => {
    const { registry, effects, store } = setup(domainAllowListPolicy(["capulet.lit"]));
    const out = registry.received(CONTACT, JULIET, "subscribe", { nick: "Juliet" });
    expect(out).toMatchObject({ before: "none", after: "from", decision: "approve" });
    expect(effects.take()).toEqual([`subscribed ${CONTACT} → ${JULIET}`, `presence ${CONTACT} → ${JULIET}`]);
    expect(registry.watchersOf(CONTACT)).toEqual([JULIET]);
    expect(store.getSubscription(CONTACT, JULIET)).toEqual({
      contact: CONTACT, watcher: JULIET, state: "from", pendingIn: false, pendingOut: false, preApproved: false,
      nick: "Juliet", updatedAt: 1_700_000_000_000,
    });
  });

  it("the policy denies: unsubscribed is sent and nothing is kept", () => {
    const { registry, effects, store } = setup(domainAllowListPolicy(["capulet.lit"]));
    expect(registry.received(CONTACT, ROMEO, "subscribe")).toMatchObject({ before: "none", after: "none", decision: "deny" });
    expect(effects.take()).toEqual([`unsubscribed ${CONTACT} → ${ROMEO}`]);
    expect([...store.listSubscriptions()]).toEqual([]);
    expect(registry.counts().total).toBe(0);
  });

  it("the policy defers: the gateway is asked with the nick, and its approval completes the subscription", () => {
    const { registry, effects, store } = setup();
    expect(registry.received(CONTACT, JULIET, "subscribe", { nick: "Juliet" })).toMatchObject({ after: "nonePendingIn", decision: "defer" });
    expect(effects.take()).toEqual([`ask ${CONTACT} about ${JULIET} (Juliet)`]);
    expect(store.getSubscription(CONTACT, JULIET)).toMatchObject({ state: "none", pendingIn: true, nick: "Juliet" });
    expect([...registry.pendingRequests()].map((r) => r.watcher)).toEqual([JULIET]);

    expect(registry.approve(CONTACT, JULIET)).toMatchObject({ before: "nonePendingIn", after: "from" });
    expect(effects.take()).toEqual([`subscribed ${CONTACT} → ${JULIET}`, `presence ${CONTACT} → ${JULIET}`]);
    expect(store.getSubscription(CONTACT, JULIET)).not.toHaveProperty("decideBy");
  });

  it("a repeated request while pending is neither delivered again nor answered (A.3.1)", () => {
    const { registry, effects } = setup();
    registry.received(CONTACT, JULIET, "subscribe");
    effects.take();
    expect(registry.received(CONTACT, JULIET, "subscribe")).toMatchObject({ before: "nonePendingIn", after: "nonePendingIn", actions: [] });
    expect(effects.take()).toEqual([]);
  });

  it("a request from a watcher already subscribed is answered at once (§3.1.3 step 2)", () => {
    const { registry, effects } = setup(fixedPolicy("approve"));
    registry.received(CONTACT, JULIET, "subscribe");
    effects.take();
    registry.received(CONTACT, JULIET, "subscribe");
    expect(effects.take()).toEqual([`subscribed ${CONTACT} → ${JULIET}`, `presence ${CONTACT} → ${JULIET}`]);
  });

  it("a pre-approved watcher is approved without asking anyone (§3.4)", () => {
    const { registry, effects } = setup();
    registry.approve(CONTACT, JULIET);
    expect(effects.take()).toEqual([]);
    expect(registry.get(CONTACT, JULIET)).toMatchObject({ state: "none", preApproved: true });
    expect(registry.received(CONTACT, JULIET, "subscribe")).toMatchObject({ after: "from", actions: ["sendSubscribed", "sendPresence", "persist"] });
    expect(effects.take()).toEqual([`subscribed ${CONTACT} → ${JULIET}`, `presence ${CONTACT} → ${JULIET}`]);
  });
});

describe("SubscriptionRegistry: leaving", () => {
  it("the watcher unsubscribes: delivered, unavailable sent, the record is deleted", () => {
    const { registry, effects, store } = setup(fixedPolicy("approve"));
    registry.received(CONTACT, JULIET, "subscribe");
    effects.take();
    expect(registry.received(CONTACT, JULIET, "unsubscribe")).toMatchObject({ before: "from", after: "none" });
    expect(effects.take()).toEqual([`deliver unsubscribe ${JULIET} → ${CONTACT}`, `unavailable ${CONTACT} → ${JULIET}`]);
    expect(store.getSubscription(CONTACT, JULIET)).toBeUndefined();
    expect(registry.watchersOf(CONTACT)).toEqual([]);
  });

  it("the contact cancels: unavailable, then unsubscribed (§3.2.2)", () => {
    const { registry, effects } = setup(fixedPolicy("approve"));
    registry.received(CONTACT, JULIET, "subscribe");
    effects.take();
    expect(registry.cancel(CONTACT, JULIET)).toMatchObject({ before: "from", after: "none" });
    expect(effects.take()).toEqual([`unavailable ${CONTACT} → ${JULIET}`, `unsubscribed ${CONTACT} → ${JULIET}`]);
  });
});

describe("SubscriptionRegistry: both directions and queries", () => {
  it("the contact subscribes back: Both, and contactsWatching names it", () => {
    const { registry, effects } = setup(fixedPolicy("approve"));
    registry.received(CONTACT, JULIET, "subscribe");
    registry.subscribe(CONTACT, JULIET);
    expect(registry.stateOf(CONTACT, JULIET)).toBe("fromPendingOut");
    expect(registry.received(CONTACT, JULIET, "subscribed")).toMatchObject({ after: "both" });
    expect(effects.take().at(-1)).toBe(`deliver subscribed ${JULIET} → ${CONTACT}`);
    expect(registry.contactsWatching(JULIET)).toEqual([CONTACT]);
    expect(registry.contactsWatching(ROMEO)).toEqual([]);
    expect(registry.get(CONTACT, JULIET)).not.toHaveProperty("resendAt");
  });

  it("counts follow every change", () => {
    const { registry } = setup(domainAllowListPolicy(["capulet.lit"]));
    registry.received(CONTACT, JULIET, "subscribe");
    registry.received("1002@sip.example.com", JULIET, "subscribe");
    registry.received(CONTACT, "nurse@capulet.lit", "subscribe");
    registry.subscribe("1002@sip.example.com", "tybalt@capulet.lit");
    registry.approve("1003@sip.example.com", ROMEO);
    const counts = registry.counts();
    expect(counts).toMatchObject({ total: 5, preApproved: 1, watchers: 2, contacts: 3, deadlines: 1 });
    expect(counts.byState).toMatchObject({ from: 3, nonePendingOut: 1, none: 1, both: 0 });
    registry.received(CONTACT, JULIET, "unsubscribe");
    expect(registry.counts()).toMatchObject({ total: 4, watchers: 2 });
    registry.received("1002@sip.example.com", JULIET, "unsubscribe");
    expect(registry.counts()).toMatchObject({ total: 3, watchers: 1 });
  });

  it("probes: a subscribed watcher gets presence, a stranger gets unsubscribed (§4.3.2); nothing is stored", () => {
    const { registry, effects, store } = setup(fixedPolicy("approve"));
    registry.received(CONTACT, JULIET, "subscribe");
    effects.take();
    registry.received(CONTACT, JULIET, "probe");
    registry.received(CONTACT, ROMEO, "probe");
    expect(effects.take()).toEqual([`presence ${CONTACT} → ${JULIET}`, `unsubscribed ${CONTACT} → ${ROMEO}`]);
    expect([...store.listSubscriptions()].map((r) => r.watcher)).toEqual([JULIET]);
  });

  it("relationChanged reports each change of state once", () => {
    const changes: RelationChange[] = [];
    const effects = Object.assign(new RecordingEffects(), { relationChanged: (c: RelationChange) => changes.push(c) });
    const registry = new SubscriptionRegistry({
      store: new MemoryStore(), clock: new SimClock(), effects, logger: new RecordingLogger(), policy: fixedPolicy("approve"),
    });
    registry.received(CONTACT, JULIET, "subscribe");
    registry.received(CONTACT, JULIET, "probe");
    expect(changes).toEqual([{ contact: CONTACT, watcher: JULIET, before: "none", after: "from" }]);
  });
});

describe("SubscriptionRegistry: failures stay local", () => {
  it("a store that refuses the write: nothing changes, nothing is sent, the outcome says why", () => {
    const store = new MemoryStore();
    store.putSubscription = () => {
      throw new Error("disk full");
    };
    const effects = new RecordingEffects();
    const logger = new RecordingLogger();
    const registry = new SubscriptionRegistry({ store, clock: new SimClock(), effects, logger, policy: fixedPolicy("approve") });
    const out = registry.received(CONTACT, JULIET, "subscribe");
    expect(out).toMatchObject({ before: "none", after: "none", actions: [], failed: { code: "store-unreadable" } });
    expect(effects.take()).toEqual([]);
    expect(registry.stateOf(CONTACT, JULIET)).toBe("none");
    expect(logger.named("subscription.persist-failed")).toEqual([{ contact: CONTACT, watcher: JULIET, reason: "Error: disk full" }]);
  });

  it("an effect that throws is logged and the others still run", () => {
    const effects = new RecordingEffects();
    effects.sendToWatcher = () => {
      throw new Error("link down");
    };
    const logger = new RecordingLogger();
    const registry = new SubscriptionRegistry({ store: new MemoryStore(), clock: new SimClock(), effects, logger, policy: fixedPolicy("approve") });
    registry.received(CONTACT, JULIET, "subscribe");
    expect(effects.take()).toEqual([`presence ${CONTACT} → ${JULIET}`]);
    expect(registry.stateOf(CONTACT, JULIET)).toBe("from");
    expect(logger.named("subscription.effect-failed")).toHaveLength(1);
  });

  it("a policy that throws defers to the gateway", () => {
    const { registry, effects, logger } = setup({
      decide: () => {
        throw new Error("bad rule");
      },
    });
    expect(registry.received(CONTACT, JULIET, "subscribe")).toMatchObject({ after: "nonePendingIn", decision: "defer" });
    expect(effects.take()).toEqual([`ask ${CONTACT} about ${JULIET}`]);
    expect(logger.named("subscription.policy-failed")).toHaveLength(1);
  });
});

describe("SubscriptionRegistry: per-watcher rate limit on subscription requests", () => {
  it("after the burst: one policy-violation error, then silent drops; tokens come back with time", () => {
    const { registry, clock, effects } = setup(fixedPolicy("defer"), { rateLimit: { burst: 3, perMinute: 6 } });
    for (let i = 0; i < 3; i++) expect(registry.received(`10${i}@sip.example.com`, ROMEO, "subscribe").refused).toBeUndefined();
    effects.take();
    const refused = registry.received("110@sip.example.com", ROMEO, "subscribe");
    expect(refused).toMatchObject({ before: "none", after: "none", actions: [], refused: { code: "policy-violation", source: ROMEO } });
    expect(registry.received("111@sip.example.com", ROMEO, "subscribe")).toMatchObject({ dropped: true, actions: [] });
    expect(effects.take()).toEqual([]);
    // Another watcher is not affected.
    expect(registry.received("110@sip.example.com", JULIET, "subscribe").refused).toBeUndefined();
    // 6 per minute: one token after 10 s.
    clock.advance(10_000);
    expect(registry.received("112@sip.example.com", ROMEO, "subscribe")).toMatchObject({ after: "nonePendingIn" });
    expect(registry.received("113@sip.example.com", ROMEO, "subscribe").refused?.code).toBe("policy-violation");
  });

  it("probes and other stanzas are not counted", () => {
    const { registry } = setup(fixedPolicy("approve"), { rateLimit: { burst: 1, perMinute: 1 } });
    for (let i = 0; i < 5; i++) registry.received(CONTACT, ROMEO, "probe");
    expect(registry.received(CONTACT, ROMEO, "subscribe").refused).toBeUndefined();
  });

  it("rateLimit: false turns it off", () => {
    const { registry } = setup(fixedPolicy("deny"), { rateLimit: false });
    for (let i = 0; i < 200; i++) expect(registry.received(`${i}@sip.example.com`, ROMEO, "subscribe").refused).toBeUndefined();
  });
});

