/**
 * The gateway's XMPP-watchers-of-a-phone route (RFC 8048 §5.2) against the real presence
 * server and registry, with a recording SIP subscriber: which SUBSCRIBEs are asked for and
 * what each SIP outcome tells the XMPP watchers (RFC 7247's error table for failures).
 */
import { beforeEach, describe, expect, it } from "vitest";
import { domainAllowListPolicy } from "../../../src/gateway/approval-policy.js";
import { Gateway } from "../../../src/gateway/gateway.js";
import type {
  AddressedPresence, SipEventPackage, SipFetchResult, SipSubscriberPort, StanzaErrorCondition, StanzaErrorType, XmppLink, XmppLinkStatus,
} from "../../../src/gateway/ports.js";
import { PresenceServer } from "../../../src/gateway/presence-server.js";
import { SubscriptionRegistry } from "../../../src/gateway/subscriptions.js";
import { addressDirectory, compileAddresses, loadTable } from "../../../src/mapping/index.js";
import { parseSipBody } from "../../../src/pidf/index.js";
import { MemoryStore } from "../../../src/store/index.js";
import { serializeXmppPresence } from "../../../src/xmpp/index.js";
import { SimClock } from "./helpers.js";

class FakeLink implements XmppLink {
  readonly domain = "sip.example.com";
  readonly sent: string[] = [];
  private handlers: ((p: AddressedPresence) => void)[] = [];
  status = (): XmppLinkStatus => ({ state: "online", attempt: 1 });
  counters = () => ({ sent: 0, received: 0, queued: 0, droppedPresence: 0, droppedOther: 0, reconnects: 0 });
  sendPresence(p: AddressedPresence): void {
    this.sent.push(serializeXmppPresence(p));
  }
  sendPresenceError(p: AddressedPresence, condition: StanzaErrorCondition, _text?: string, type?: StanzaErrorType): void {
    this.sent.push(`error ${condition}/${String(type)} to ${p.from}`);
  }
  onPresence(h: (p: AddressedPresence) => void) {
    this.handlers.push(h);
    return () => undefined;
  }
  onStatus() {
    return () => undefined;
  }
  receive(p: Partial<AddressedPresence> & { from: string; to: string }): void {
    for (const h of this.handlers) h({ type: "available", status: {}, priority: 0, ...p });
  }
  take(): string[] {
    return this.sent.splice(0);
  }
}

class RecordingSubscriber implements SipSubscriberPort {
  readonly calls: string[] = [];
  subscribe(r: { presentity: string; event: SipEventPackage; watcher: string }) {
    this.calls.push(`subscribe ${r.presentity} ${r.watcher}`);
    return { ok: true as const, value: undefined };
  }
  unsubscribe(r: { presentity: string; event: SipEventPackage; watcher: string }): void {
    this.calls.push(`unsubscribe ${r.presentity} ${r.watcher}`);
  }
  fetch(): Promise<SipFetchResult> {
    return Promise.resolve({ ok: false, statusCode: 0, reason: "not used" });
  }
}

const table = (() => {
  const t = loadTable({ profile: "default" });
  if (!t.ok) throw new Error("default table");
  return t.value;
})();
const book = (() => {
  const b = compileAddresses(undefined, { componentDomain: "sip.example.com" });
  if (!b.ok) throw new Error("address rules");
  return b.value;
})();

const CONTACT = "1002@sip.example.com";
const PHONE = "sip:1002@sip.example.com";
const ROMEO = "romeo@montague.lit";
const BENVOLIO = "benvolio@montague.lit";

function setup() {
  const link = new FakeLink();
  const store = new MemoryStore();
  const clock = new SimClock();
  const logger = { debug() {}, info() {}, warn() {}, error() {} };
  const server = new PresenceServer({
    link, store, table, clock, logger,
    directory: addressDirectory(book, /^sip:\d+@/),
    registry: (effects) => new SubscriptionRegistry({ store, effects, policy: domainAllowListPolicy([], { otherwise: "defer" }), clock, logger, rateLimit: false }),
  });
  const subscriber = new RecordingSubscriber();
  const gateway = new Gateway({
    presenceServer: server, link, addresses: book, table, subscriber, mode: "notify", sipDomain: "chat.example.com", serverDomain: "montague.lit",
    parseBody: (body) => parseSipBody(body.content, body.contentType),
    renderPidf: () => ({ contentType: "application/pidf+xml", content: "" }),
    clock, logger,
  });
  gateway.attach();
  server.start();
  return { link, server, subscriber, gateway };
}

const subscribe = (s: ReturnType<typeof setup>, watcher: string): void => s.link.receive({ type: "subscribe", from: `${watcher}/phone`, to: CONTACT });

describe("gateway: XMPP watchers of a phone contact (RFC 8048 §5.2)", () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => {
    s = setup();
  });

  it("a deferred request starts the shared SUBSCRIBE; NOTIFY active approves it", () => {
    subscribe(s, ROMEO);
    expect(s.subscriber.calls).toEqual([`subscribe ${PHONE} ${ROMEO}`]);
    expect(s.link.take()).toEqual([]);
    s.gateway.onSubscriptionStatus(PHONE, "presence", [ROMEO], { state: "pending" });
    expect(s.server.registry.stateOf(CONTACT, ROMEO)).toBe("nonePendingIn");
    s.gateway.onSubscriptionStatus(PHONE, "presence", [ROMEO], { state: "active" });
    expect(s.server.registry.stateOf(CONTACT, ROMEO)).toBe("from");
    expect(s.link.take()[0]).toContain('type="subscribed"');
  });

  it("a second watcher of an active subscription is approved at once", () => {
    subscribe(s, ROMEO);
    s.gateway.onSubscriptionStatus(PHONE, "presence", [ROMEO], { state: "active" });
    s.link.take();
    subscribe(s, BENVOLIO);
    expect(s.server.registry.stateOf(CONTACT, BENVOLIO)).toBe("from");
  });

  it("rejected (403, 603, reason=rejected) → unsubscribed to the waiting watcher", () => {
    subscribe(s, ROMEO);
    s.gateway.onSubscriptionStatus(PHONE, "presence", [ROMEO], { state: "terminated", reason: "denied", statusCode: 403 });
    expect(s.server.registry.stateOf(CONTACT, ROMEO)).toBe("none");
    expect(s.link.take().join()).toContain('type="unsubscribed"');
  });

  it("another failure → the RFC 7247 stanza error, and no relation is left", () => {
    subscribe(s, ROMEO);
    s.gateway.onSubscriptionStatus(PHONE, "presence", [ROMEO], { state: "terminated", reason: "gone", statusCode: 404 });
    // The error answers the watcher's subscribe (RFC 6120 §8.3: to its sender).
    expect(s.link.take()[0]).toBe(`error item-not-found/cancel to ${ROMEO}`);
    expect(s.server.registry.stateOf(CONTACT, ROMEO)).toBe("none");
  });

  it("a NOTIFY body becomes the contact's presence; the last watcher's unsubscribe ends the SUBSCRIBE", async () => {
    subscribe(s, ROMEO);
    s.gateway.onSubscriptionStatus(PHONE, "presence", [ROMEO], { state: "active" });
    s.link.take();
    s.gateway.onNotification({
      presentity: PHONE, event: "presence", subscriptionState: "active",
      body: { contentType: "application/pidf+xml", content: `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${PHONE}"><tuple id="a"><status><basic>open</basic></status><note>At the desk</note></tuple></presence>` },
    });
    await new Promise((r) => setImmediate(r));
    expect(s.link.take().join()).toContain("<status>At the desk</status>");
    s.link.receive({ type: "unsubscribe", from: ROMEO, to: CONTACT });
    expect(s.subscriber.calls.at(-1)).toBe(`unsubscribe ${PHONE} ${ROMEO}`);
  });
});
