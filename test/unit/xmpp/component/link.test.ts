import { afterEach, describe, expect, it } from "vitest";
import { ComponentLink, type ComponentLinkOptions } from "../../../../src/xmpp/component/link.js";
import type { XmppLinkStatus } from "../../../../src/gateway/ports.js";
import { asComponent, Element, FakeComponent, ManualClock, memoryLogger } from "./fakes.js";

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function setup(overrides: Partial<ComponentLinkOptions> = {}) {
  const clock = new ManualClock();
  const logger = memoryLogger();
  let fake: FakeComponent | undefined;
  const link = new ComponentLink({
    service: "xmpp://127.0.0.1:5347",
    domain: "sip.example.com",
    secret: "s3cret",
    clock,
    logger,
    random: () => 0.5,
    backoff: { initialDelayMs: 1000, maxDelayMs: 8000, factor: 2, jitter: 0.5 },
    keepalive: false,
    factory: (options) => asComponent((fake = new FakeComponent(options))),
    ...overrides,
  });
  const statuses: XmppLinkStatus[] = [];
  link.onStatus((s) => statuses.push(s));
  return { link, clock, logger, statuses, fake: fake as FakeComponent };
}

const presence = (to = "juliet@capulet.lit", show?: "away") => ({
  type: "available" as const, from: "1001@sip.example.com", to, status: {}, priority: 0, ...(show === undefined ? {} : { show }),
});

describe("ComponentLink: connection life cycle", () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  it("stops the library's fixed reconnect and detaches its iq middleware", () => {
    const { fake } = setup();
    expect(fake.reconnect.stopped).toBe(true);
    expect(fake.listenerCount("element")).toBe(0);
  });

  it("resolves start() when online", async () => {
    const { link, fake, statuses } = setup();
    const started = link.start();
    await flush();
    fake.goOnline();
    expect(await started).toEqual({ ok: true, value: undefined });
    expect(statuses.map((s) => s.state)).toEqual(["connecting", "online"]);
  });

  it.each([
    ["not-authorized", "not-authorized", /secret/],
    ["conflict", "conflict", /already connected/],
    ["host-unknown", "connection-failed", /no component of this domain/],
  ])("a %s stream error is fatal: start() fails naming it, and nothing retries", async (condition, code, text) => {
    const { link, fake, clock, statuses } = setup();
    const started = link.start();
    await flush();
    fake.streamError(condition);
    const result = await started;
    expect(result).toMatchObject({ ok: false, error: { code, message: expect.stringMatching(text) } });
    expect(link.status().state).toBe("failed");
    clock.advance(600_000);
    expect(fake.connects).toBe(1);
    expect(statuses.map((s) => s.state)).toEqual(["connecting", "failed"]);
  });

  it("retries a refused connection with exponential back-off and jitter, capped", async () => {
    const { link, fake, clock } = setup();
    fake.nextConnect = "refused";
    void link.start();
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      await flush();
      delays.push(link.status().retryInMs as number);
      clock.advance(link.status().retryInMs as number);
    }
    // ceiling 1000 × 2^(n-1) capped at 8000; jitter 0.5 with random 0.5 takes a quarter off.
    expect(delays).toEqual([750, 1500, 3000, 6000, 6000, 6000]);
    expect(fake.connects).toBe(7);
    expect(link.status()).toMatchObject({ state: "reconnecting", error: { code: "connection-failed", message: expect.stringContaining("ECONNREFUSED") } });
    cleanup = () => link.stop();
  });

  it("reconnects after the server drops it, and resets the back-off once online", async () => {
    const { link, fake, clock, statuses } = setup();
    void link.start();
    await flush();
    fake.goOnline();
    fake.drop();
    expect(link.status()).toMatchObject({ state: "reconnecting", retryInMs: 750 });
    clock.advance(750);
    await flush();
    fake.goOnline();
    expect(link.counters().reconnects).toBe(1);
    fake.drop();
    expect(link.status().retryInMs).toBe(750);
    expect(statuses.map((s) => s.state)).toEqual(["connecting", "online", "reconnecting", "online", "reconnecting"]);
    cleanup = () => link.stop();
  });

  it("abandons a connection that is not online within the connect timeout", async () => {
    const { link, fake, clock } = setup({ connectTimeoutMs: 5000 });
    void link.start();
    await flush();
    clock.advance(5000);
    expect(link.status()).toMatchObject({ state: "reconnecting", error: { code: "remote-server-timeout" } });
    expect(fake.socket).toBeNull();
    cleanup = () => link.stop();
  });
});

describe("ComponentLink: sending while down", () => {
  it("never throws, queues, and flushes in order once online", async () => {
    const { link, fake } = setup();
    void link.start();
    await flush();
    expect(() => link.sendPresence(presence())).not.toThrow();
    link.sendPresence({ ...presence("romeo@montague.lit"), type: "subscribe" });
    expect(link.counters().queued).toBe(2);
    fake.goOnline();
    expect(fake.sentText()).toEqual([
      '<presence from="1001@sip.example.com" to="juliet@capulet.lit"/>',
      '<presence from="1001@sip.example.com" to="romeo@montague.lit" type="subscribe"/>',
    ]);
    expect(link.counters()).toMatchObject({ queued: 0, sent: 2 });
  });

  it("keeps only the newest presence per (from, to) pair and counts what it dropped", async () => {
    const { link, fake } = setup();
    void link.start();
    await flush();
    link.sendPresence(presence());
    link.sendPresence({ ...presence(), type: "subscribed" });
    link.sendPresence(presence("juliet@capulet.lit", "away"));
    expect(link.counters()).toMatchObject({ queued: 2, droppedPresence: 1 });
    fake.goOnline();
    expect(fake.sentText()).toEqual([
      '<presence from="1001@sip.example.com" to="juliet@capulet.lit" type="subscribed"/>',
      '<presence from="1001@sip.example.com" to="juliet@capulet.lit"><show>away</show></presence>',
    ]);
  });

  it("drops the oldest stanza when the queue is full", async () => {
    const { link } = setup({ queueLimit: 2 });
    void link.start();
    await flush();
    link.sendPresence({ ...presence("a@x.lit"), type: "subscribe" });
    link.sendPresence({ ...presence("b@x.lit"), type: "subscribe" });
    link.sendPresence(presence("c@x.lit"));
    expect(link.counters()).toMatchObject({ queued: 2, droppedOther: 1, droppedPresence: 0 });
  });
});

describe("ComponentLink: inbound stanzas", () => {
  async function online(overrides: Partial<ComponentLinkOptions> = {}) {
    const s = setup(overrides);
    void s.link.start();
    await flush();
    s.fake.goOnline();
    return s;
  }

  it("delivers parsed presence addressed to the domain", async () => {
    const { link, fake } = await online();
    const seen: unknown[] = [];
    link.onPresence((p) => seen.push(p));
    fake.receive("<presence from='juliet@capulet.lit/balcony' to='1001@sip.example.com'><show>away</show></presence>");
    expect(seen).toEqual([{ type: "available", from: "juliet@capulet.lit/balcony", to: "1001@sip.example.com", show: "away", status: {}, priority: 0 }]);
  });

  it("answers a malformed presence with bad-request, logs the sender, and delivers nothing", async () => {
    const { link, fake, logger } = await online();
    const seen: unknown[] = [];
    link.onPresence((p) => seen.push(p));
    fake.receive("<presence from='juliet@capulet.lit/balcony' to='1001@sip.example.com' id='p1' type='bogus'/>");
    expect(seen).toEqual([]);
    expect(fake.sentText()).toEqual([
      '<presence type="error" from="1001@sip.example.com" to="juliet@capulet.lit/balcony" id="p1"><error type="modify">' +
        '<bad-request xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/><text xmlns="urn:ietf:params:xml:ns:xmpp-stanzas" xml:lang="en">' +
        'presence type "bogus" is not one RFC 6121 §4.7.1 defines</text></error></presence>',
    ]);
    expect(logger.lines.find((l) => l.event === "presence.malformed")?.fields).toMatchObject({ from: "juliet@capulet.lit/balcony" });
  });

  it("refuses a stanza over the size cap with policy-violation", async () => {
    const { fake } = await online({ maxStanzaBytes: 200 });
    fake.receive(`<presence from='juliet@capulet.lit/b' to='1001@sip.example.com'><status>${"x".repeat(300)}</status></presence>`);
    expect(fake.sentText()[0]).toContain("<policy-violation");
  });

  it("drops and reconnects a stream whose stanza never ends (4 × the cap and more)", async () => {
    const { link, fake, logger } = await online({ maxStanzaBytes: 1024 });
    fake.emit("input", `<presence from='x@y' to='1001@sip.example.com'><status>${"x".repeat(60_000)}`);
    expect(link.status().state).toBe("online");
    fake.emit("input", "x".repeat(10_000));
    expect(link.status()).toMatchObject({ state: "reconnecting", error: { code: "too-large" } });
    expect(logger.lines.find((l) => l.event === "stream.stanza-too-large")?.fields).toMatchObject({ limit: 4 * 1024 + 65_536 });
  });

  it("never answers an error with an error", async () => {
    const { fake } = await online();
    fake.receive("<presence from='juliet@capulet.lit' to='1001@sip.example.com' type='error'><error type='cancel'><x/></error></presence>");
    fake.receive("<message from='juliet@capulet.lit' to='1001@sip.example.com' type='error'/>");
    fake.receive("<iq from='juliet@capulet.lit' to='1001@sip.example.com' type='error' id='x'/>");
    expect(fake.sentText()).toEqual([]);
  });

  it("refuses messages with service-unavailable", async () => {
    const { fake } = await online();
    fake.receive("<message from='juliet@capulet.lit/b' to='1001@sip.example.com' id='m1'><body>hi</body></message>");
    expect(fake.sentText()[0]).toMatch(/^<message type="error" from="1001@sip.example.com" to="juliet@capulet.lit\/b" id="m1"><error type="cancel"><service-unavailable/);
  });

  it("passes iq get/set to the handler, and answers service-unavailable without one", async () => {
    const { link, fake } = await online();
    fake.receive("<iq from='juliet@capulet.lit/b' to='sip.example.com' type='get' id='q1'><query xmlns='jabber:iq:version'/></iq>");
    expect(fake.sentText()[0]).toContain("<service-unavailable");
    link.setIqHandler((iq) => new Element("iq", { type: "result", to: iq.attrs.from, from: iq.attrs.to, id: iq.attrs.id }));
    fake.receive("<iq from='juliet@capulet.lit/b' to='sip.example.com' type='get' id='q2'><query xmlns='jabber:iq:version'/></iq>");
    await flush();
    expect(fake.sentText()[1]).toBe('<iq type="result" to="juliet@capulet.lit/b" from="sip.example.com" id="q2"/>');
  });

  it("answers internal-server-error when the handler throws, and keeps serving", async () => {
    const { link, fake, logger } = await online();
    link.setIqHandler(() => {
      throw new Error("boom");
    });
    fake.receive("<iq from='juliet@capulet.lit/b' to='sip.example.com' type='get' id='q1'><ping xmlns='urn:xmpp:ping'/></iq>");
    await flush();
    expect(fake.sentText()[0]).toContain("<internal-server-error");
    expect(logger.lines.some((l) => l.event === "iq.handler-failed")).toBe(true);
  });
});

describe("ComponentLink: keepalive (XEP-0199)", () => {
  it("pings the parent domain; an answer keeps the link, silence drops and reconnects it", async () => {
    const { link, fake, clock } = setup({ keepalive: { intervalMs: 30_000, timeoutMs: 10_000 } });
    void link.start();
    await flush();
    fake.goOnline();
    clock.advance(30_000);
    await flush();
    const ping = fake.sent.at(-1) as Element;
    expect(ping.toString()).toMatch(/^<iq type="get" to="example.com" from="sip.example.com" id="[^"]+"><ping xmlns="urn:xmpp:ping"\/><\/iq>$/);
    fake.receive(`<iq type='error' from='example.com' to='sip.example.com' id='${String(ping.attrs.id)}'/>`);
    await flush();
    expect(link.status().state).toBe("online");
    clock.advance(30_000);
    await flush();
    clock.advance(10_000);
    await flush();
    expect(link.status()).toMatchObject({ state: "reconnecting", error: { code: "remote-server-timeout" } });
    await link.stop();
  });
});
