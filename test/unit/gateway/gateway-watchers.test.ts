/**
 * The gateway's SIP-watchers-of-a-chat-user route (RFC 8048 §5.3) against the real
 * presence server and registry, with a recording notifier: Request-URI resolution, the
 * XMPP request a SUBSCRIBE becomes, the user's answer, and the user's presence.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { AddressedPresence, SipWatcher } from "../../../src/gateway/ports.js";
import type { Presence } from "../../../src/presence/index.js";
import { RecordingNotifier, setupGateway } from "./gateway-fakes.js";

const ROMEO = "romeo@montague.lit";
/** The SIP watcher `sip:1003@sip.example.com` is the contact 1003@sip.example.com. */
const CONTACT = "1003@sip.example.com";
const watcher = (dialogId: string): SipWatcher => ({ dialogId, presentity: ROMEO, watcher: "sip:1003@sip.example.com", event: "presence" });

describe("gateway: SIP watchers of a chat user (RFC 8048 §5.3)", () => {
  let notifier: RecordingNotifier;
  let s: ReturnType<typeof setupGateway>;
  beforeEach(() => {
    notifier = new RecordingNotifier();
    s = setupGateway({ notifier });
  });

  it("serves users of the XMPP server under the configured SIP domain only", () => {
    expect(s.gateway.resolve("sip:romeo@chat.example.com;transport=tcp")).toEqual({ id: ROMEO, uri: "sip:romeo@chat.example.com" });
    expect(s.gateway.resolve("sip:romeo@elsewhere.example.com")).toBeUndefined();
    expect(s.gateway.resolve("sip:chat.example.com")).toBeUndefined();
    expect(s.gateway.resolve("tel:+15551234")).toBeUndefined();
  });

  it("a SUBSCRIBE becomes a subscribe from the watcher's contact JID and stays pending; the user's subscribed authorizes it", () => {
    expect(s.gateway.watcherSubscribed(watcher("d1"))).toBe("defer");
    expect(s.link.take().join()).toContain(`from="${CONTACT}" to="${ROMEO}" type="subscribe"`);
    notifier.live.push(watcher("d1"));
    s.link.receive({ type: "subscribed", from: `${ROMEO}/desk`, to: CONTACT });
    expect(notifier.calls).toEqual(["authorize d1 approve"]);
    // Approved once: the next SUBSCRIBE of that watcher is active at once, and no new request goes out.
    expect(s.gateway.watcherSubscribed(watcher("d2"))).toBe("approve");
    expect(s.link.take().filter((x) => x.includes('type="subscribe"'))).toEqual([]);
  });

  it("the user's unsubscribed rejects the pending dialogs", () => {
    s.gateway.watcherSubscribed(watcher("d1"));
    notifier.live.push(watcher("d1"));
    s.link.receive({ type: "unsubscribed", from: ROMEO, to: CONTACT });
    expect(notifier.calls).toEqual(["authorize d1 deny"]);
  });

  it("a watcher that is no contact is refused", () => {
    expect(s.gateway.watcherSubscribed({ ...watcher("d1"), watcher: "sip:mallory@evil.example" })).toBe("deny");
  });

  it("the user's presence: one NOTIFY per change (copies to several contacts absorbed), resources composed", () => {
    s.gateway.watcherSubscribed(watcher("d1"));
    s.link.receive({ type: "subscribed", from: ROMEO, to: CONTACT });
    const told: Presence[] = [];
    const setPresence = notifier.setPresence.bind(notifier);
    notifier.setPresence = (user, p) => (told.push(p), setPresence(user, p));
    notifier.calls.length = 0;
    const update = (resource: string, fields: Partial<AddressedPresence>) =>
      s.link.receive({ from: `${ROMEO}/${resource}`, to: CONTACT, status: {}, ...fields });
    update("desk", { status: { "": "Reading" }, priority: 5 });
    update("desk", { status: { "": "Reading" }, priority: 5 });
    update("phone", { show: "dnd", status: { "": "Driving" }, priority: 1 });
    update("desk", { type: "unavailable" });
    update("phone", { type: "unavailable" });
    expect(notifier.calls).toEqual([
      "setPresence romeo@montague.lit available  Reading",
      // The phone joins below the desk's priority: same view, one more tuple.
      "setPresence romeo@montague.lit available  Reading",
      "setPresence romeo@montague.lit available dnd Driving",
      "setPresence romeo@montague.lit unavailable",
    ]);
    expect(told.map((p) => p.entries.map((e) => e.id))).toEqual([["desk"], ["desk", "phone"], ["phone"], ["phone"]]);
  });

  it("a SIP unsubscribe becomes an XMPP unsubscribe once the watcher's last dialog ends", () => {
    s.gateway.watcherSubscribed(watcher("d1"));
    s.link.receive({ type: "subscribed", from: ROMEO, to: CONTACT });
    s.link.take();
    notifier.live.push(watcher("d2"));
    s.gateway.watcherUnsubscribed(watcher("d1"), "timeout");
    expect(s.link.take()).toEqual([]);
    notifier.live.length = 0;
    s.gateway.watcherUnsubscribed(watcher("d2"), "timeout");
    expect(s.link.take().join()).toContain(`from="${CONTACT}" to="${ROMEO}" type="unsubscribe"`);
  });
});
