/**
 * The SIP UAC side against real Kamailio 5.6 (presence, presence_xml, presence_dialoginfo) over
 * UDP and TCP: the subscriber gets NOTIFYs when sipsak and baresip PUBLISH, Event: dialog,
 * fetch, the publisher's PUBLISH reaches a Kamailio watcher, and a Kamailio restart.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startBaresip } from "../servers/baresip.js";
import { startKamailio, type Kamailio } from "../servers/kamailio.js";
import { header, pidf } from "../servers/sip-message.js";
import { SipProbe } from "../servers/sip-probe.js";
import { sipsak, sipsakPublish } from "../servers/sipsak.js";
import { bodyOf, MemoryDialogStore, notified, startUac, until, type Uac } from "./sip-uac-helpers.js";

const PIDF = "application/pidf+xml";

let kamailio: Kamailio;
beforeAll(async () => {
  kamailio = await startKamailio();
});
afterAll(async () => {
  await kamailio?.stop();
});

describe.each(["udp", "tcp"] as const)("the UAC side against Kamailio over %s", (transport) => {
  let uac: Uac | undefined;
  afterEach(async () => {
    await uac?.stop();
    uac = undefined;
  });
  const target = () => ({ host: kamailio.host, port: kamailio.port, transport });
  const user = (name: string): string => `sip:${name}-${transport}@example.com`;

  it("subscriber: one SUBSCRIBE per presentity, NOTIFYs follow sipsak's PUBLISHes, the last watcher unsubscribes", async () => {
    uac = await startUac(kamailio, { transport });
    const u = uac;
    const presentity = user("1001");
    u.subscriber.subscribe({ presentity, event: "presence", watcher: "juliet@capulet.lit" });
    u.subscriber.subscribe({ presentity, event: "presence", watcher: "romeo@montague.lit" });
    await until(() => u.statuses.some((s) => s.presentity === presentity && s.status.state === "active"), "active");
    expect(u.statuses.find((s) => s.status.state === "active")?.watchers).toEqual(["juliet@capulet.lit", "romeo@montague.lit"]);

    for (const note of ["Working from home", "On the phone"]) {
      const published = await sipsakPublish(target(), presentity, pidf(presentity, "open", `${note} (${transport})`));
      expect(published.code, published.output).toBe(200);
      await until(() => notified(u, presentity, `${note} (${transport})`), `the NOTIFY with "${note}"`);
    }
    const last = u.notifications.at(-1);
    expect(last).toMatchObject({ presentity, event: "presence", subscriptionState: "active", body: { contentType: PIDF } });
    expect(bodyOf(last)).toContain("<basic>open</basic>");

    u.subscriber.unsubscribe({ presentity, event: "presence", watcher: "juliet@capulet.lit" });
    u.subscriber.unsubscribe({ presentity, event: "presence", watcher: "romeo@montague.lit" });
    await until(() => u.statuses.at(-1)?.status.state === "terminated", "the end of the subscription");
    expect(u.statuses.at(-1)?.status).toEqual({ state: "terminated", reason: "unsubscribed" });
    // Kamailio no longer NOTIFYs us: a new PUBLISH brings nothing.
    const count = u.notifications.length;
    expect((await sipsakPublish(target(), presentity, pidf(presentity, "closed", "after"))).code).toBe(200);
    const probe = await SipProbe.open({ ...target(), user: "probe" });
    try {
      // A round trip through Kamailio after the PUBLISH: any NOTIFY to us would have been sent by then.
      await probe.request("OPTIONS", `sip:${kamailio.host}:${kamailio.port}`);
    } finally {
      await probe.close();
    }
    expect(u.notifications.length).toBe(count);
  });

  it("subscriber: Event: dialog is accepted and its dialog-info NOTIFYs arrive", async () => {
    uac = await startUac(kamailio, { transport });
    const u = uac;
    const presentity = user("1002");
    u.subscriber.subscribe({ presentity, event: "dialog", watcher: "juliet@capulet.lit" });
    await until(() => u.statuses.some((s) => s.event === "dialog" && s.status.state === "active"), "the dialog subscription");
    const dialogInfo = `<?xml version="1.0"?>\r\n<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="1" state="full" entity="${presentity}">` +
      `<dialog id="d1" direction="recipient"><state>early</state></dialog></dialog-info>\r\n`;
    const published = await sipsak({
      ...target(), method: "PUBLISH", uri: presentity,
      headers: [["Event", "dialog"], ["Expires", "60"], ["Content-Type", "application/dialog-info+xml"]], body: dialogInfo,
    });
    expect(published.code, published.output).toBe(200);
    await until(() => notified(u, presentity, "<state>early</state>"), "the dialog-info NOTIFY");
    expect(u.notifications.at(-1)?.body?.contentType).toBe("application/dialog-info+xml");
  });

  it("subscriber: fetch (Expires: 0) gets the current state once", async () => {
    uac = await startUac(kamailio, { transport });
    const presentity = user("1003");
    expect((await sipsakPublish(target(), presentity, pidf(presentity, "open", "fetched"))).code).toBe(200);
    const result = await uac.subscriber.fetch({ presentity, event: "presence" });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.notification.body?.content).toContain("fetched");
    expect(uac.subscriber.size).toBe(0);
  });

  it("publisher: a Kamailio watcher sees the initial body, then the modified one, then the removal", async () => {
    uac = await startUac(kamailio, { transport });
    const u = uac;
    const alice = user("alice");
    const watcher = await SipProbe.open({ ...target(), user: "bob", domain: "example.com" });
    try {
      const sub = await watcher.subscribe(alice);
      expect(sub.response.status).toBe(200);
      u.publisher.publish(alice, { contentType: PIDF, content: pidf(alice, "open", "In a meeting") });
      await watcher.waitForNotify(sub.callId, (b) => b.includes("In a meeting"));
      u.publisher.publish(alice, { contentType: PIDF, content: pidf(alice, "open", "Back at my desk") });
      const modified = await watcher.waitForNotify(sub.callId, (b) => b.includes("Back at my desk"));
      expect(header(modified, "subscription-state")).toMatch(/^active/);
      expect(u.publisher.stateOf(alice)?.etag).toBeDefined();
      u.publisher.unpublish(alice);
      await until(() => u.publications.at(-1)?.status.state === "removed", "the removal");
      // After the removal Kamailio NOTIFYs a state without our publication.
      const afterRemoval = await watcher.waitFor((m) => m.method === "NOTIFY" && header(m, "call-id") === sub.callId &&
        !m.body.includes("Back at my desk") && watcher.received.indexOf(m) > watcher.received.indexOf(modified), 5000, "the NOTIFY after removal");
      expect(afterRemoval.body).not.toContain("In a meeting");
    } finally {
      await watcher.close();
    }
  });
});

describe("publisher refreshes against Kamailio's publ_cache=2", () => {
  async function refreshedThenWatched(refreshWithBody: boolean): Promise<string> {
    const uac = await startUac(kamailio, { transport: "udp", expires: 10, refreshWithBody });
    const alice = `sip:alice-refresh-${String(refreshWithBody)}@example.com`;
    const watcher = await SipProbe.open({ host: kamailio.host, port: kamailio.port, user: "bob", domain: "example.com" });
    try {
      uac.publisher.publish(alice, { contentType: PIDF, content: pidf(alice, "open", "still here") });
      // Initial, then the refresh 5 s before the 10 s expiry.
      await until(() => uac.publications.filter((p) => p.status.state === "published").length >= 2, "the refresh", 15_000);
      const sub = await watcher.subscribe(alice);
      return (await watcher.waitForNotify(sub.callId)).body;
    } finally {
      await watcher.close();
      await uac.stop();
    }
  }

  it("an RFC 3903 refresh without a body makes Kamailio forget the state (why refreshWithBody exists)", async () => {
    expect(await refreshedThenWatched(false)).toBe("");
  });

  it("with refreshWithBody the state survives the refresh", async () => {
    expect(await refreshedThenWatched(true)).toContain("still here");
  });
});

describe("baresip as a publishing phone", () => {
  it("the subscriber sees baresip's presence_online / presence_offline as open / closed", async () => {
    const uac = await startUac(kamailio, { transport: "udp" });
    const phone = await startBaresip({ server: kamailio, account: { user: "carol", domain: "example.com" } });
    try {
      uac.subscriber.subscribe({ presentity: "sip:carol@example.com", event: "presence", watcher: "juliet@capulet.lit" });
      await until(() => notified(uac, "sip:carol@example.com", "<basic>open</basic>"), "open from baresip");
      const seen = uac.notifications.length;
      await phone.setPresence("offline");
      await until(() => uac.notifications.slice(seen).some((n) => bodyOf(n).includes("<basic>closed</basic>")), "closed from baresip");
    } finally {
      await phone.stop();
      await uac.stop();
    }
  });
});

describe("a Kamailio restart (it loses every subscription and publication)", () => {
  it.each(["udp", "tcp"] as const)("over %s: the subscriber resubscribes after the 481, the publisher republishes after the 412, NOTIFYs flow again", async (transport) => {
    const store = new MemoryDialogStore();
    const uac = await startUac(kamailio, { transport, expires: 10, store, refreshWithBody: true });
    const presentity = `sip:restart-${transport}@example.com`;
    const alice = `sip:alice-restart-${transport}@example.com`;
    try {
      uac.subscriber.subscribe({ presentity, event: "presence", watcher: "juliet@capulet.lit" });
      uac.publisher.publish(alice, { contentType: PIDF, content: pidf(alice, "open", "before the restart") });
      await until(() => uac.statuses.some((s) => s.status.state === "active") && uac.publisher.stateOf(alice)?.state === "published", "active and published");
      const firstCallId = [...store.records.values()].find((r) => r.role === "subscriber")?.state as { dialog?: { callId: string } };

      await kamailio.restart();
      // The next refresh (10 s subscription, 5 s before expiry) meets a Kamailio that forgot the dialog.
      await until(() => uac.statuses.filter((s) => s.status.state === "active").length >= 2, "active again after the restart", 20_000);
      const record = [...store.records.values()].find((r) => r.role === "subscriber")?.state as { dialog?: { callId: string } };
      expect(record.dialog?.callId).not.toBe(firstCallId.dialog?.callId);

      const target = { host: kamailio.host, port: kamailio.port, transport };
      expect((await sipsakPublish(target, presentity, pidf(presentity, "open", `after the restart (${transport})`))).code).toBe(200);
      await until(() => notified(uac, presentity, `after the restart (${transport})`), "a NOTIFY after the restart");

      // The publication: its refresh got 412, so it was published afresh with the latest body.
      const watcher = await SipProbe.open({ ...target, user: "bob", domain: "example.com" });
      try {
        await until(() => uac.publications.filter((p) => p.status.state === "published").length >= 3, "republished", 20_000);
        const sub = await watcher.subscribe(alice);
        await watcher.waitForNotify(sub.callId, (b) => b.includes("before the restart"));
      } finally {
        await watcher.close();
      }
      expect(uac.logs.some((l) => l.event === "sip.subscription.terminated")).toBe(false);
    } finally {
      await uac.stop();
    }
  });
});
