/**
 * Publish mode end to end: a linked person's phone contact asks the chat user for their
 * presence once; from then on every change of the user's presence is PUBLISHed to real
 * Kamailio (RFC 3903), where a SIP watcher of the user sees it.
 */
import { xml } from "@xmpp/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { freePort } from "../servers/free-port.js";
import { startKamailio, type Kamailio } from "../servers/kamailio.js";
import { startProsody, type XmppServer } from "../servers/prosody.js";
import { header } from "../servers/sip-message.js";
import { UasPeer } from "../unit/sip/uas-peer.js";
import { writeGatewayConfig } from "./gateway-helpers.js";
import { sipsakPublish } from "../servers/sipsak.js";
import { onThePhonePidf } from "./gateway-helpers.js";
import { bridge, COMPONENT, configFor, JULIET, login, presenceFrom, recordingLogger, ROMEO, scratchDir, typed } from "./presence-server-helpers.js";

describe("gateway in publish mode (Prosody, Kamailio as the presence server)", () => {
  let server: XmppServer;
  let kamailio: Kamailio;
  let app: App;
  let scratch: ReturnType<typeof scratchDir>;
  const peers: UasPeer[] = [];
  const logger = recordingLogger();
  /** PUBLISHes person-sync asked for (the call, not its response: it is made in the same decision as tellChat). */
  const published = (): number => logger.records.filter((r) => r.event === "gateway.publish").length;
  const echoes = (): number => logger.records.filter((r) => r.event === "gateway.echo-dropped").length;

  beforeAll(async () => {
    server = await startProsody({ components: [COMPONENT], users: [JULIET, ROMEO] });
    // No relaying here: Kamailio itself is the presence server of chat.test and takes the bridge's PUBLISHes.
    kamailio = await startKamailio();
    scratch = scratchDir("gw-publish");
    const file = writeGatewayConfig(scratch.dir, server, kamailio, await freePort({ udp: true }), { mode: "publish", refreshWithBody: true });
    const config = configFor(file);
    app = bridge({ ...config, people: { ...config.people, links: [{ jid: `${JULIET.user}@${server.domain}`, extension: "1005" }] } }, logger);
    expect(await app.start()).toEqual({ ok: true, value: undefined });
  });
  afterAll(async () => {
    await Promise.all(peers.splice(0).map((p) => p.close()));
    await app?.stop();
    await kamailio?.stop();
    await server?.stop();
    scratch?.remove();
  });

  it("the linked phone contact asks once; the user's changes reach a Kamailio watcher by PUBLISH", async () => {
    const contact = `1005@${COMPONENT.domain}`;
    const juliet = await login(server, JULIET);
    try {
      // The request went out at start; Prosody delivers it with Juliet's initial presence (RFC 6121 §3.1.3).
      await juliet.send(xml("presence"));
      await juliet.waitFor(typed("subscribe", contact));
      await juliet.send(xml("presence", { to: contact, type: "subscribed" }));
      await juliet.send(xml("presence", {}, xml("show", {}, "dnd"), xml("status", {}, "In a meeting")));

      const peer = await UasPeer.open("udp", { host: kamailio.host, port: kamailio.port }, "bob");
      peers.push(peer);
      // A linked person's chat state is PUBLISHed as their extension (person-sync's tellSip).
      const { response, dialog } = await peer.subscribe(`sip:1005@${COMPONENT.domain}`, { expires: 600 });
      expect(response.status).toBe(200);
      let n = 1;
      let last = await peer.nthNotify(dialog!.callId, n);
      while (!last.body.includes("In a meeting")) last = await peer.nthNotify(dialog!.callId, ++n, 10_000);
      expect(header(last, "subscription-state")).toMatch(/^active;/);
      expect(last.body).toContain("busy");

      await juliet.send(xml("presence", {}, xml("status", {}, "Back at my desk")));
      do last = await peer.nthNotify(dialog!.callId, ++n, 10_000);
      while (!last.body.includes("Back at my desk"));
      expect(last.body).not.toContain("In a meeting");
    } finally {
      await juliet.stop();
    }
  });

  it("a linked person: the phone in a call shows on the phone contact; the bridge's own PUBLISH does not echo", async () => {
    const contact = `1005@${COMPONENT.domain}`;
    const phone = `sip:1005@${COMPONENT.domain}`;
    const romeo = await login(server, ROMEO);
    try {
      await romeo.send(xml("presence"));
      await romeo.send(xml("presence", { to: contact, type: "subscribe" }));
      await romeo.waitFor(typed("subscribed", contact));
      await expect.poll(published, { timeout: 10_000 }).toBeGreaterThan(0);
      // Kamailio NOTIFYed the bridge's own PUBLISH back on its subscription to the extension: recognised, dropped.
      await expect.poll(echoes, { timeout: 10_000 }).toBeGreaterThan(0);
      const before = published();
      const since = romeo.received.length;
      // The desk phone PUBLISHes its own state for the extension; Kamailio composes it with the bridge's.
      expect((await sipsakPublish({ host: kamailio.host, port: kamailio.port, transport: "udp" }, phone, onThePhonePidf(phone))).code).toBe(200);
      await romeo.waitFor(presenceFrom(contact, "dnd", "On the phone"), since);
      // No echo the other way: the phone's state was not PUBLISHed back to the PBX as the person's chat state.
      expect(published()).toBe(before);
      expect(logger.records.filter((r) => r.event === "gateway.publish-refused")).toEqual([]);
    } finally {
      await romeo.stop();
    }
  });
});
