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
import { CHAT_SIP_DOMAIN, writeGatewayConfig } from "./gateway-helpers.js";
import { bridge, COMPONENT, configFor, JULIET, login, recordingLogger, scratchDir, typed } from "./presence-server-helpers.js";

describe("gateway in publish mode (Prosody, Kamailio as the presence server)", () => {
  let server: XmppServer;
  let kamailio: Kamailio;
  let app: App;
  let scratch: ReturnType<typeof scratchDir>;
  const peers: UasPeer[] = [];

  beforeAll(async () => {
    server = await startProsody({ components: [COMPONENT], users: [JULIET] });
    // No relaying here: Kamailio itself is the presence server of chat.test and takes the bridge's PUBLISHes.
    kamailio = await startKamailio();
    scratch = scratchDir("gw-publish");
    const file = writeGatewayConfig(scratch.dir, server, kamailio, await freePort({ udp: true }), { mode: "publish", refreshWithBody: true });
    const config = configFor(file);
    app = bridge({ ...config, people: { ...config.people, links: [{ jid: `${JULIET.user}@${server.domain}`, extension: "1005" }] } }, recordingLogger());
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
      const { response, dialog } = await peer.subscribe(`sip:juliet@${CHAT_SIP_DOMAIN}`, { expires: 600 });
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
});
