/**
 * The gateway end to end: real Prosody, real Kamailio (presence server, and the proxy
 * that relays SUBSCRIBEs for `sip:*@chat.test` to the bridge, record-routed), chat users
 * on @xmpp/client, sipsak as a phone PUBLISHing its state, and a raw SIP watcher.
 * The bridge runs in-process, built by app.ts exactly as `presence-bridge start` builds it.
 */
import { xml } from "@xmpp/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { freePort } from "../servers/free-port.js";
import { startKamailio, type Kamailio } from "../servers/kamailio.js";
import { startProsody, type XmppServer } from "../servers/prosody.js";
import { header, type SipMessage } from "../servers/sip-message.js";
import { sipsak, sipsakPublish } from "../servers/sipsak.js";
import { UasPeer } from "../unit/sip/uas-peer.js";
import { bridge, COMPONENT, configFor, JULIET, login, presenceFrom, recordingLogger, ROMEO, scratchDir, typed, writeConfig } from "./presence-server-helpers.js";

const CHAT_SIP_DOMAIN = "chat.test";
const PHONE = "sip:1001@sip.localhost";
const PHONE_JID = "1001@sip.localhost";
/** The SIP watcher's From (UasPeer writes `sip:<user>@example.com`) as a contact JID (XEP-0106). */
const WATCHER_JID = "1002\\40example.com@sip.localhost";

const onThePhone = (entity: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\r\n<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" ` +
  `xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="${entity}"><tuple id="t1"><status><basic>open</basic></status></tuple>` +
  `<dm:person id="p1"><rpid:activities><rpid:on-the-phone/></rpid:activities></dm:person></presence>\r\n`;
const open = (entity: string, note: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\r\n<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${entity}">` +
  `<tuple id="t1"><status><basic>open</basic></status><note>${note}</note></tuple></presence>\r\n`;

const state = (m: SipMessage): string | undefined => header(m, "subscription-state");

describe("gateway: Prosody ⇄ bridge ⇄ Kamailio", () => {
  let server: XmppServer;
  let kamailio: Kamailio;
  let app: App;
  let scratch: ReturnType<typeof scratchDir>;
  const peers: UasPeer[] = [];
  const logger = recordingLogger();

  beforeAll(async () => {
    server = await startProsody({ components: [COMPONENT], users: [JULIET, ROMEO] });
    const bridgePort = await freePort({ udp: true });
    kamailio = await startKamailio({ forward: { domain: CHAT_SIP_DOMAIN, target: `sip:127.0.0.1:${bridgePort}` } });
    scratch = scratchDir("gw");
    const file = writeConfig(scratch.dir, server, {
      // The SIP side decides every request (RFC 8048 §5.2): nothing is approved by policy.
      subscriptions: { approve: [], otherwise: "defer" },
      contacts: { pattern: "^sip:[0-9]+@(sip\\.localhost|example\\.com)$" },
      sip: {
        listen: { udp: { port: bridgePort } },
        outboundProxy: `sip:${kamailio.host}:${kamailio.port}`,
        identity: "sip:presence-bridge@sip.localhost",
        domain: CHAT_SIP_DOMAIN,
        minNotifyIntervalMs: 0,
      },
    });
    app = bridge(configFor(file), logger);
    expect(await app.start()).toEqual({ ok: true, value: undefined });
  });
  afterAll(async () => {
    await Promise.all(peers.splice(0).map((p) => p.close()));
    await app?.stop();
    await kamailio?.stop();
    await server?.stop();
    scratch?.remove();
  });

  const phone = { host: "127.0.0.1", port: 0, transport: "udp" as const };

  it("a chat user subscribes to a phone contact, is approved by the SIP NOTIFY, and sees the phone's PUBLISHed states", async () => {
    phone.port = kamailio.port;
    const first = await sipsakPublish(phone, PHONE, onThePhone(PHONE));
    expect(first.code).toBe(200);
    const etag = /SIP-ETag:\s*(\S+)/i.exec(first.output)?.[1];
    expect(etag).toBeDefined();
    const juliet = await login(server, JULIET);
    try {
      await juliet.send(xml("presence"));
      await juliet.send(xml("presence", { to: PHONE_JID, type: "subscribe" }));
      await juliet.waitFor(typed("subscribed", PHONE_JID));
      await juliet.waitFor(presenceFrom(PHONE_JID, "dnd", "On the phone"));
      expect(app.sip?.subscriber.current(PHONE, "presence")?.status).toEqual({ state: "active" });

      const since = juliet.received.length;
      // RFC 3903 §4.4: the phone modifies its publication (SIP-If-Match), as a phone does when the call ends.
      const modified = await sipsak({
        ...phone, method: "PUBLISH", uri: PHONE, body: open(PHONE, "Back at my desk"),
        headers: [["Event", "presence"], ["Expires", "300"], ["Content-Type", "application/pidf+xml"], ["SIP-If-Match", etag ?? ""]],
      });
      expect(modified.code).toBe(200);
      await juliet.waitFor(presenceFrom(PHONE_JID, undefined, "Back at my desk"), since);
    } finally {
      await juliet.stop();
    }
  });

  it("a SIP watcher of a chat user is pending until the user approves, then gets NOTIFYs of every change", async () => {
    const juliet = await login(server, JULIET);
    const peer = await UasPeer.open("udp", { host: kamailio.host, port: kamailio.port }, "1002");
    peers.push(peer);
    try {
      await juliet.send(xml("presence", {}, xml("status", {}, "Reading")));
      const { response, dialog } = await peer.subscribe(`sip:juliet@${CHAT_SIP_DOMAIN}`, { expires: 600 });
      expect(response.status).toBe(200);
      expect(state(await peer.nthNotify(dialog!.callId, 1))).toBe("pending;expires=600");
      // RFC 8048 §5.3: the SUBSCRIBE became a subscription request from the watcher's contact JID.
      await juliet.waitFor(typed("subscribe", WATCHER_JID));
      await juliet.send(xml("presence", { to: WATCHER_JID, type: "subscribed" }));
      const active = await peer.nthNotify(dialog!.callId, 2);
      expect(state(active)).toMatch(/^active;expires=(600|599)$/);
      let n = 2;
      let last = active;
      while (!last.body.includes("Reading")) last = await peer.nthNotify(dialog!.callId, ++n);
      expect(last.body).toContain("<basic>open</basic>");

      await juliet.send(xml("presence", {}, xml("show", {}, "dnd"), xml("status", {}, "In a meeting")));
      do last = await peer.nthNotify(dialog!.callId, ++n);
      while (!last.body.includes("In a meeting"));
      expect(last.body).toContain("busy");

      // RFC 8048 §5.3: a refresh is absorbed (answered with a NOTIFY, never seen by the user) …
      const refreshed = await peer.resubscribe(dialog!, 600);
      expect(refreshed.status).toBe(200);
      expect(state(await peer.nthNotify(dialog!.callId, ++n))).toMatch(/^active;/);
      // … and the SIP unsubscribe becomes an XMPP unsubscribe.
      expect((await peer.resubscribe(dialog!, 0)).status).toBe(200);
      expect(state(await peer.nthNotify(dialog!.callId, ++n))).toBe("terminated;reason=timeout");
      await juliet.waitFor(typed("unsubscribe", WATCHER_JID));
      const fromWatcher = juliet.received.filter((t) => t.includes(`from="${WATCHER_JID}"`) && /type="subscribe"/.test(t));
      expect(fromWatcher).toHaveLength(1);
    } finally {
      await juliet.stop();
    }
  });

  it("a chat user who denies a SIP watcher ends its subscription with reason=rejected", async () => {
    const romeo = await login(server, ROMEO);
    const peer = await UasPeer.open("udp", { host: kamailio.host, port: kamailio.port }, "1002");
    peers.push(peer);
    try {
      await romeo.send(xml("presence"));
      const { response, dialog } = await peer.subscribe(`sip:romeo@${CHAT_SIP_DOMAIN}`, { expires: 600 });
      expect(response.status).toBe(200);
      expect(state(await peer.nthNotify(dialog!.callId, 1))).toBe("pending;expires=600");
      await romeo.waitFor(typed("subscribe", WATCHER_JID));
      await romeo.send(xml("presence", { to: WATCHER_JID, type: "unsubscribed" }));
      const rejected = await peer.nthNotify(dialog!.callId, 2);
      expect([state(rejected), rejected.body]).toEqual(["terminated;reason=rejected", ""]);
    } finally {
      await romeo.stop();
    }
  });
});
