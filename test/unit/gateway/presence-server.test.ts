import { beforeEach, describe, expect, it } from "vitest";
import { domainAllowListPolicy } from "../../../src/gateway/approval-policy.js";
import type { AddressedPresence, ChatPresence, StanzaErrorCondition, StanzaErrorType, XmppLink, XmppLinkStatus } from "../../../src/gateway/ports.js";
import { PresenceServer } from "../../../src/gateway/presence-server.js";
import { PRESENCE_WRITE_BEHIND_MS } from "../../../src/gateway/presence-server-writes.js";
import { SubscriptionRegistry } from "../../../src/gateway/subscriptions.js";
import { addressDirectory, compileAddresses, loadTable } from "../../../src/mapping/index.js";
import { makePresence } from "../../../src/presence/index.js";
import { MemoryStore } from "../../../src/store/index.js";
import { serializeXmppPresence } from "../../../src/xmpp/index.js";
import { CONTACT_CAPS } from "../../../src/xmpp/services/index.js";
import { SimClock } from "./helpers.js";

class FakeLink implements XmppLink {
  readonly domain = "sip.example.com";
  readonly sent: string[] = [];
  private state: XmppLinkStatus = { state: "connecting", attempt: 1 };
  private presenceHandlers: ((p: AddressedPresence) => void)[] = [];
  private statusHandlers: ((s: XmppLinkStatus) => void)[] = [];
  status = (): XmppLinkStatus => this.state;
  counters = () => ({ sent: 0, received: 0, queued: 0, droppedPresence: 0, droppedOther: 0, reconnects: 0 });
  sendPresence(p: AddressedPresence): void {
    this.sent.push(serializeXmppPresence(p));
  }
  sendPresenceError(p: AddressedPresence, condition: StanzaErrorCondition, text?: string, type?: StanzaErrorType): void {
    this.sent.push(`error ${condition}${type === undefined ? "" : `/${type}`} to ${p.from}${text === undefined ? "" : `: ${text}`}`);
  }
  onPresence(h: (p: AddressedPresence) => void) {
    this.presenceHandlers.push(h);
    return () => void (this.presenceHandlers = this.presenceHandlers.filter((x) => x !== h));
  }
  onStatus(h: (s: XmppLinkStatus) => void) {
    this.statusHandlers.push(h);
    return () => void (this.statusHandlers = this.statusHandlers.filter((x) => x !== h));
  }
  receive(xml: Partial<AddressedPresence> & { from: string; to: string }): void {
    for (const h of this.presenceHandlers) h({ type: "available", status: {}, priority: 0, ...xml });
  }
  setState(state: XmppLinkStatus["state"]): void {
    this.state = { state, attempt: 1 };
    for (const h of this.statusHandlers) h(this.state);
  }
  take(): string[] {
    return this.sent.splice(0);
  }
}

const table = (() => {
  const t = loadTable({ profile: "default" });
  if (!t.ok) throw new Error("default table");
  return t.value;
})();
const book = compileAddresses({ links: [{ jid: "juliet@capulet.lit", sip: "1001", name: "Juliet" }] }, { componentDomain: "sip.example.com" });
if (!book.ok) throw new Error("address rules");

const JULIET = "juliet@capulet.lit";
const CONTACT = "1001@sip.example.com";
const onThePhone = makePresence({ availability: "available", show: "dnd", notes: { "": "On the phone" }, origin: { side: "sip" } });

function setup(options: { rateLimit?: false | { burst: number; perMinute: number }; otherwise?: "deny" | "defer" } = {}) {
  const link = new FakeLink();
  const store = new MemoryStore();
  const clock = new SimClock();
  const logger = { debug() {}, info() {}, warn() {}, error() {} };
  const server = new PresenceServer({
    link,
    store,
    directory: addressDirectory(book.ok ? book.value : (undefined as never), /^sip:\d+@/),
    table,
    caps: CONTACT_CAPS,
    clock,
    logger,
    registry: (effects) =>
      new SubscriptionRegistry({ store, effects, policy: domainAllowListPolicy(["capulet.lit"], { otherwise: options.otherwise ?? "deny" }), clock, logger, rateLimit: options.rateLimit ?? { burst: 50, perMinute: 30 } }),
  });
  server.start();
  return { link, store, clock, server };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const CAPS = `<c xmlns="http://jabber.org/protocol/caps" hash="sha-1" node="${CONTACT_CAPS.node}" ver="${CONTACT_CAPS.ver}"/>`;

describe("PresenceServer", () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => {
    s = setup();
    s.link.setState("online");
  });

  it("approves a watcher of an allowed domain and sends the contact's presence at once (RFC 6121 §3.1.5)", () => {
    s.server.setContactPresence(CONTACT, onThePhone);
    s.link.receive({ type: "subscribe", from: `${JULIET}/balcony`, to: CONTACT });
    expect(s.link.take()).toEqual([
      `<presence from="${CONTACT}" to="${JULIET}" type="subscribed"/>`,
      `<presence from="${CONTACT}" to="${JULIET}"><show>dnd</show><status>On the phone</status>${CAPS}</presence>`,
    ]);
    expect(s.server.registry.stateOf(CONTACT, JULIET)).toBe("from");
  });

  it("broadcasts a change to every watcher, and nothing when nothing changed", async () => {
    s.link.receive({ type: "subscribe", from: JULIET, to: CONTACT });
    s.link.receive({ type: "subscribe", from: "nurse@capulet.lit", to: CONTACT });
    s.link.take();
    expect(s.server.setContactPresence(CONTACT, onThePhone)).toEqual({ ok: true, value: { changed: true, watchers: 2 } });
    await tick();
    expect(s.link.take()).toHaveLength(2);
    const same = makePresence({ ...onThePhone, origin: { side: "sip", via: "another-tuple" } });
    expect(s.server.setContactPresence(CONTACT, same)).toEqual({ ok: true, value: { changed: false, watchers: 0 } });
    await tick();
    expect(s.link.take()).toEqual([]);
  });

  it("sends a change at once and stores it behind: a burst is one transaction; shutdown stores what waits", () => {
    s.link.receive({ type: "subscribe", from: JULIET, to: CONTACT });
    s.link.take();
    let transactions = 0;
    const transaction = s.store.transaction.bind(s.store);
    s.store.transaction = <T>(fn: () => T): T => {
      transactions++;
      return transaction(fn);
    };
    for (const show of ["away", "xa", "dnd"] as const) s.server.setContactPresence(CONTACT, makePresence({ availability: "available", show, origin: { side: "sip" } }));
    expect(s.link.take()).toEqual(["away", "xa", "dnd"].map((show) => `<presence from="${CONTACT}" to="${JULIET}"><show>${show}</show>${CAPS}</presence>`));
    expect(s.server.contactPresence(CONTACT)?.show).toBe("dnd");
    expect([transactions, s.store.getPresence(CONTACT)]).toEqual([0, undefined]);
    s.clock.advance(PRESENCE_WRITE_BEHIND_MS - 1);
    expect(transactions).toBe(0);
    s.clock.advance(1);
    expect([transactions, s.store.getPresence(CONTACT)?.presence.show]).toEqual([1, "dnd"]);

    s.server.setContactPresence(CONTACT, onThePhone);
    expect(s.store.getPresence(CONTACT)?.presence.show).toBe("dnd");
    s.server.shutdown();
    expect([transactions, s.store.getPresence(CONTACT)?.presence.notes]).toEqual([2, { "": "On the phone" }]);
  });

  it("answers a probe from the store if the prober is subscribed, else unsubscribed (RFC 6121 §4.3.2)", () => {
    s.server.setContactPresence(CONTACT, onThePhone);
    s.link.receive({ type: "subscribe", from: JULIET, to: CONTACT });
    s.link.take();
    s.link.receive({ type: "probe", from: JULIET, to: CONTACT });
    expect(s.link.take()).toEqual([`<presence from="${CONTACT}" to="${JULIET}"><show>dnd</show><status>On the phone</status>${CAPS}</presence>`]);
    s.link.receive({ type: "probe", from: "romeo@montague.lit", to: CONTACT });
    expect(s.link.take()).toEqual([`<presence from="${CONTACT}" to="romeo@montague.lit" type="unsubscribed"/>`]);
  });

  it("denies a watcher outside the allow-list", () => {
    s.link.receive({ type: "subscribe", from: "romeo@montague.lit", to: CONTACT });
    expect(s.link.take()).toEqual([`<presence from="${CONTACT}" to="romeo@montague.lit" type="unsubscribed"/>`]);
  });

  it("answers an unknown contact's probe or request with unsubscribed, and ignores other presence to it", () => {
    s.link.receive({ type: "probe", from: JULIET, to: "alice@sip.example.com" });
    s.link.receive({ type: "subscribe", from: JULIET, to: "alice@sip.example.com" });
    s.link.receive({ from: JULIET, to: "alice@sip.example.com" });
    expect(s.link.take()).toEqual([
      `<presence from="alice@sip.example.com" to="${JULIET}" type="unsubscribed"/>`,
      `<presence from="alice@sip.example.com" to="${JULIET}" type="unsubscribed"/>`,
    ]);
  });

  it("sends a subscription request with the contact's nick (XEP-0172), and reports the user's presence once subscribed", () => {
    const heard: ChatPresence[] = [];
    s.server.setChatPresenceListener({ chatPresence: (update) => heard.push(update) });
    expect(s.server.requestSubscription(CONTACT, JULIET).ok).toBe(true);
    expect(s.link.take()).toEqual([`<presence from="${CONTACT}" to="${JULIET}" type="subscribe"><nick xmlns="http://jabber.org/protocol/nick">Juliet</nick></presence>`]);
    s.link.receive({ from: `${JULIET}/balcony`, to: CONTACT, show: "away" });
    expect(heard).toEqual([]);
    s.link.receive({ type: "subscribed", from: JULIET, to: CONTACT });
    s.link.receive({ from: `${JULIET}/balcony`, to: CONTACT, show: "away" });
    expect(heard.map((h) => [h.user, h.resource, h.contact, h.presence.availability, h.presence.show])).toEqual([[JULIET, "balcony", CONTACT, "available", "away"]]);
  });

  it("answers a watcher over its request rate with policy-violation (wait), once, then drops", () => {
    const limited = setup({ rateLimit: { burst: 1, perMinute: 1 } });
    limited.link.setState("online");
    for (const n of [1, 2, 3]) limited.link.receive({ type: "subscribe", from: JULIET, to: `100${n}@sip.example.com` });
    expect(limited.link.take().filter((line) => line.startsWith("error"))).toEqual([
      `error policy-violation/wait to ${JULIET}: too many subscription requests; try again later`,
    ]);
  });

  it("after a reconnect, re-sends every watcher its contact's presence and probes the users a contact watches", async () => {
    s.server.setContactPresence(CONTACT, onThePhone);
    s.link.receive({ type: "subscribe", from: JULIET, to: CONTACT });
    s.server.requestSubscription("1002@sip.example.com", "nurse@capulet.lit");
    s.link.receive({ type: "subscribed", from: "nurse@capulet.lit", to: "1002@sip.example.com" });
    s.link.setState("reconnecting");
    s.link.take();
    s.link.setState("online");
    expect(await s.server.synced()).toEqual({ presence: 1, probes: 1, subscribes: 0, complete: true });
    expect(s.link.take()).toEqual([
      `<presence from="${CONTACT}" to="${JULIET}"><show>dnd</show><status>On the phone</status>${CAPS}</presence>`,
      `<presence from="1002@sip.example.com" to="nurse@capulet.lit" type="probe"/>`,
    ]);
  });

  it("on shutdown, tells every watcher its contacts are unavailable", () => {
    s.link.receive({ type: "subscribe", from: JULIET, to: CONTACT });
    s.link.take();
    expect(s.server.shutdown()).toBe(1);
    expect(s.link.take()).toEqual([`<presence from="${CONTACT}" to="${JULIET}" type="unavailable"/>`]);
  });

  it("lets the gateway decide a deferred request: approve sends subscribed and presence, deny unsubscribed", async () => {
    const d = setup({ otherwise: "defer" });
    d.link.setState("online");
    const asked: string[] = [];
    d.server.setSubscriptionListener({ askDecision: (contact, watcher, nick) => asked.push(`${contact} ${watcher} ${nick ?? ""}`) });
    d.server.setContactPresence(CONTACT, onThePhone);
    await tick();
    d.link.receive({ type: "subscribe", from: "romeo@montague.lit/orchard", to: CONTACT, nick: "Romeo" });
    d.link.receive({ type: "subscribe", from: "tybalt@capulet.net", to: CONTACT });
    expect(asked).toEqual([`${CONTACT} romeo@montague.lit Romeo`, `${CONTACT} tybalt@capulet.net `]);
    expect(d.link.take()).toEqual([]);
    expect(d.server.approve(CONTACT, "romeo@montague.lit").ok).toBe(true);
    expect(d.server.deny(CONTACT, "tybalt@capulet.net").ok).toBe(true);
    expect(d.link.take()).toEqual([
      `<presence from="${CONTACT}" to="romeo@montague.lit" type="subscribed"/>`,
      `<presence from="${CONTACT}" to="romeo@montague.lit"><show>dnd</show><status>On the phone</status>${CAPS}</presence>`,
      `<presence from="${CONTACT}" to="tybalt@capulet.net" type="unsubscribed"/>`,
    ]);
    expect(d.server.approve("alice@sip.example.com", "romeo@montague.lit")).toMatchObject({ ok: false, error: { code: "item-not-found" } });
  });

  it("handles presence to the gateway itself without state", () => {
    s.link.receive({ type: "subscribe", from: JULIET, to: "sip.example.com" });
    s.link.receive({ type: "probe", from: JULIET, to: "sip.example.com" });
    expect(s.link.take()).toEqual([
      `<presence from="sip.example.com" to="${JULIET}" type="subscribed"/>`,
      `<presence from="sip.example.com" to="${JULIET}"/>`,
      `<presence from="sip.example.com" to="${JULIET}"/>`,
    ]);
  });
});
