/**
 * A chat user with two resources, seen from SIP (issue 5): real Prosody, real Kamailio
 * relaying `sip:*@chat.test` to the bridge, the bridge in-process as app.ts builds it, and
 * a raw SIP watcher. The watcher sees the composed view (the higher priority leads,
 * RFC 6121 §4.7.2.3) with one tuple per resource (RFC 8048 §6.2); when that resource
 * leaves, it sees the other one's state alone. In publish mode, a linked person's PUBLISH
 * to Kamailio carries the same tuples, under the bridge's own tuple id as prefix.
 */
import { xml } from "@xmpp/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { bridgeTupleId } from "../../src/gateway/person-sync-echo.js";
import { parsePidf } from "../../src/pidf/index.js";
import type { PidfDocument } from "../../src/pidf/types.js";
import { freePort } from "../servers/free-port.js";
import { startKamailio, type Kamailio } from "../servers/kamailio.js";
import { startProsody, type XmppServer } from "../servers/prosody.js";
import { header, type SipMessage } from "../servers/sip-message.js";
import { UasPeer } from "../unit/sip/uas-peer.js";
import { CHAT_SIP_DOMAIN, writeGatewayConfig } from "./gateway-helpers.js";
import { bridge, COMPONENT, configFor, JULIET, login, recordingLogger, scratchDir, typed, type ChatUser } from "./presence-server-helpers.js";

/** The SIP watcher's From (UasPeer writes `sip:<user>@example.com`) as a contact JID (XEP-0106). */
const WATCHER_JID = "1002\\40example.com@sip.localhost";
const ENTITY = `sip:juliet@${CHAT_SIP_DOMAIN}`;

/** What the watcher reads: each tuple as "id basic contact note", then the person's activities. */
function seen(m: SipMessage): { tuples: string[]; activities: readonly string[] } {
  const doc = parsePidf(m.body);
  if (!doc.ok) throw new Error(`NOTIFY body is no PIDF: ${m.body}`);
  const pidf: PidfDocument = doc.value;
  return {
    tuples: pidf.tuples.map((t) => `${t.id} ${t.basic} ${t.contact?.uri} ${t.notes.map((n) => n.text).join("|")}`.trimEnd()),
    activities: pidf.persons.flatMap((p) => p.activities),
  };
}

/** The watcher's NOTIFYs from the `n`th on, until one whose PIDF passes `until` (a bounded count). */
function notifies(peer: UasPeer, callId: string, from: number) {
  let n = from;
  return async (until: (s: ReturnType<typeof seen>) => boolean): Promise<ReturnType<typeof seen>> => {
    for (;;) {
      const m = await peer.nthNotify(callId, ++n, 10_000).catch((e: unknown) => {
        throw new Error(`${String(e)}\nNOTIFY bodies: ${JSON.stringify(peer.notifies(callId).map((x) => x.body))}`);
      });
      if (m.body !== "") {
        const s = seen(m);
        if (until(s)) return s;
      }
      expect(n, `NOTIFYs so far: ${JSON.stringify(peer.notifies(callId).map((x) => x.body))}`).toBeLessThan(12);
    }
  };
}

/** Juliet on her phone (away, priority 0) and at her desk (available, priority 5). */
async function twoResources(server: XmppServer): Promise<{ phone: ChatUser; desk: ChatUser }> {
  const phone = await login(server, JULIET, "phone");
  const desk = await login(server, JULIET, "desk");
  await phone.send(xml("presence", {}, xml("show", {}, "away"), xml("status", {}, "On the bus"), xml("priority", {}, "0")));
  await desk.send(xml("presence", {}, xml("status", {}, "At my desk"), xml("priority", {}, "5")));
  return { phone, desk };
}

describe("gateway: a chat user's resources composed for SIP watchers", () => {
  let server: XmppServer;
  let kamailio: Kamailio;
  let app: App;
  let scratch: ReturnType<typeof scratchDir>;
  let peer: UasPeer | undefined;
  const logger = recordingLogger();

  beforeAll(async () => {
    server = await startProsody({ components: [COMPONENT], users: [JULIET] });
    const bridgePort = await freePort({ udp: true });
    kamailio = await startKamailio({ forward: { domain: CHAT_SIP_DOMAIN, target: `sip:127.0.0.1:${bridgePort}` } });
    scratch = scratchDir("gw-resources");
    app = bridge(configFor(writeGatewayConfig(scratch.dir, server, kamailio, bridgePort)), logger);
    expect(await app.start()).toEqual({ ok: true, value: undefined });
  });
  afterAll(async () => {
    await peer?.close();
    await app?.stop();
    await kamailio?.stop();
    await server?.stop();
    scratch?.remove();
  });

  it("two resources: the higher priority leads, one tuple each; when it leaves the other is the whole view", async () => {
    const { phone, desk } = await twoResources(server);
    try {
      peer = await UasPeer.open("udp", { host: kamailio.host, port: kamailio.port }, "1002");
      const { response, dialog } = await peer.subscribe(ENTITY, { expires: 600 });
      expect(response.status).toBe(200);
      const callId = dialog!.callId;
      expect(header(await peer.nthNotify(callId, 1), "subscription-state")).toBe("pending;expires=600");
      await desk.waitFor(typed("subscribe", WATCHER_JID));
      // RFC 6121 §3.1.5: on approval the server sends the contact the presence of every available resource.
      await desk.send(xml("presence", { to: WATCHER_JID, type: "subscribed" }));

      const next = notifies(peer, callId, 1);
      // The composed view: desk (priority 5) leads, so no away activity; its tuple first; one tuple per resource.
      expect(await next((s) => s.tuples.length === 2)).toEqual({
        tuples: [`desk open ${ENTITY};gr=desk At my desk`, `phone open ${ENTITY};gr=phone On the bus`],
        activities: [],
      });

      // The desk leaves: only its tuple goes; the phone's away is the whole view now.
      await desk.stop();
      expect(await next((s) => s.tuples.length === 1)).toEqual({ tuples: [`phone open ${ENTITY} On the bus`], activities: ["away"] });

      // The last one leaves: the user is unavailable.
      await phone.stop();
      expect(await next((s) => s.tuples.every((t) => t.includes(" closed ")))).toEqual({ tuples: [`phone closed ${ENTITY}`], activities: [] });
    } finally {
      await desk.stop().catch(() => undefined);
      await phone.stop().catch(() => undefined);
    }
  });
});

describe("gateway in publish mode: a linked person's resources in the PUBLISH", () => {
  let server: XmppServer;
  let kamailio: Kamailio;
  let app: App;
  let scratch: ReturnType<typeof scratchDir>;
  let peer: UasPeer | undefined;

  beforeAll(async () => {
    server = await startProsody({ components: [COMPONENT], users: [JULIET] });
    // Kamailio is the presence server here: it takes the bridge's PUBLISHes and NOTIFYs its own watchers.
    kamailio = await startKamailio();
    scratch = scratchDir("gw-resources-publish");
    const config = configFor(writeGatewayConfig(scratch.dir, server, kamailio, await freePort({ udp: true }), { mode: "publish" }));
    app = bridge({ ...config, people: { ...config.people, links: [{ jid: `${JULIET.user}@${server.domain}`, extension: "1005" }] } }, recordingLogger());
    expect(await app.start()).toEqual({ ok: true, value: undefined });
  });
  afterAll(async () => {
    await peer?.close();
    await app?.stop();
    await kamailio?.stop();
    await server?.stop();
    scratch?.remove();
  });

  it("the PUBLISH has one tuple per resource under the bridge's prefix; the leading one's state is the person's", async () => {
    const extension = `sip:1005@${COMPONENT.domain}`;
    const contact = `1005@${COMPONENT.domain}`;
    const own = bridgeTupleId({ jid: `${JULIET.user}@${server.domain}` });
    const { phone, desk } = await twoResources(server);
    try {
      // The linked contact asked at start (RFC 6121 §3.1.3: delivered with the initial presence).
      await desk.waitFor(typed("subscribe", contact));
      await desk.send(xml("presence", { to: contact, type: "subscribed" }));
      peer = await UasPeer.open("udp", { host: kamailio.host, port: kamailio.port }, "bob");
      const { response, dialog } = await peer.subscribe(extension, { expires: 600 });
      expect(response.status).toBe(200);
      const next = notifies(peer, dialog!.callId, 0);
      expect(await next((s) => s.tuples.length === 2)).toEqual({
        tuples: [`${own}-desk open ${extension};gr=desk At my desk`, `${own}-phone open ${extension};gr=phone On the bus`],
        activities: [],
      });
      await desk.stop();
      // The phone keeps its tuple id: the PBX's watchers see the same tuple, now the whole view.
      expect(await next((s) => s.tuples.length === 1)).toEqual({ tuples: [`${own}-phone open ${extension};gr=phone On the bus`], activities: ["away"] });
    } finally {
      await desk.stop().catch(() => undefined);
      await phone.stop().catch(() => undefined);
    }
  });
});
