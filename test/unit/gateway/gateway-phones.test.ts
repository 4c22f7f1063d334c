/**
 * The gateway's XMPP-watchers-of-a-phone route (RFC 8048 §5.2) against the real presence
 * server and registry, with a recording SIP subscriber: which SUBSCRIBEs are asked for and
 * what each SIP outcome tells the XMPP watchers (RFC 7247's error table for failures).
 */
import { beforeEach, describe, expect, it } from "vitest";
import { setupGateway } from "./gateway-fakes.js";

const CONTACT = "1002@sip.example.com";
const PHONE = "sip:1002@sip.example.com";
const ROMEO = "romeo@montague.lit";
const BENVOLIO = "benvolio@montague.lit";

const subscribe = (s: ReturnType<typeof setupGateway>, watcher: string): void => s.link.receive({ type: "subscribe", from: `${watcher}/phone`, to: CONTACT });

describe("gateway: XMPP watchers of a phone contact (RFC 8048 §5.2)", () => {
  let s: ReturnType<typeof setupGateway>;
  beforeEach(() => {
    s = setupGateway();
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
