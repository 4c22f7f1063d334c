/**
 * Where the bridge sends its requests when Kamailio is its outbound proxy (RFC 3261 §8.1.2,
 * §12.2.1.1): requests outside a dialog go to the proxy; requests inside one follow the
 * dialog's route set and remote target. Real Prosody, real Kamailio (tracing every request it
 * receives and sends), the bridge in-process as app.ts builds it, SipProbe as the SIP watcher.
 * - a watcher that SUBSCRIBEs straight to the bridge (Kamailio never saw the dialog) gets its
 *   NOTIFYs straight from the bridge; before, they went to Kamailio, which answered 404;
 * - a watcher that SUBSCRIBEs through Kamailio (record-routed) gets them back through Kamailio;
 * - the bridge's own subscription to a phone at Kamailio: the un-SUBSCRIBE inside the dialog
 *   goes to Kamailio's Contact, which ends it with a terminated NOTIFY.
 */
import { readFileSync } from "node:fs";
import { xml } from "@xmpp/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { freePort, LOOPBACK } from "../servers/free-port.js";
import { startKamailio, type Kamailio } from "../servers/kamailio.js";
import { startProsody, type XmppServer } from "../servers/prosody.js";
import { header, type SipMessage } from "../servers/sip-message.js";
import { SipProbe } from "../servers/sip-probe.js";
import { sipsakPublish } from "../servers/sipsak.js";
import { CHAT_SIP_DOMAIN, onThePhonePidf, writeGatewayConfig } from "./gateway-helpers.js";
import { bridge, COMPONENT, configFor, JULIET, login, presenceFrom, recordingLogger, ROMEO, scratchDir, typed } from "./presence-server-helpers.js";

const PHONE = "sip:1001@sip.localhost";
const PHONE_JID = "1001@sip.localhost";
/** A watcher `sip:<user>@example.com` as a contact JID (XEP-0106). */
const watcherJid = (user: string): string => `${user}\\40example.com@sip.localhost`;
const state = (m: SipMessage): string | undefined => header(m, "subscription-state");

describe("gateway routing: outbound proxy outside dialogs, route set and Contact inside", () => {
  let server: XmppServer;
  let kamailio: Kamailio;
  let app: App;
  let bridgePort: number;
  let scratch: ReturnType<typeof scratchDir>;
  const probes: SipProbe[] = [];
  const logger = recordingLogger();
  /** Kamailio's trace lines (`trace: in|out <method> … call-id <id>`) of one dialog. */
  const traced = (callId: string): string[] =>
    readFileSync(kamailio.logFile, "utf8").split("\n").filter((l) => l.includes("trace: ") && l.endsWith(`call-id ${callId}`))
      .map((l) => l.slice(l.indexOf("trace: ") + 7));

  beforeAll(async () => {
    server = await startProsody({ components: [COMPONENT], users: [JULIET, ROMEO] });
    bridgePort = await freePort({ udp: true });
    kamailio = await startKamailio({ trace: true, forward: { domain: CHAT_SIP_DOMAIN, target: `sip:${LOOPBACK}:${bridgePort}` } });
    scratch = scratchDir("gw-route");
    app = bridge(configFor(writeGatewayConfig(scratch.dir, server, kamailio, bridgePort)), logger);
    expect(await app.start()).toEqual({ ok: true, value: undefined });
  });
  afterAll(async () => {
    await Promise.all(probes.splice(0).map((p) => p.close()));
    await app?.stop();
    await kamailio?.stop();
    await server?.stop();
    scratch?.remove();
  });

  /** The watcher subscribes at `port`, juliet approves, changes her presence once and goes offline. */
  async function watchJuliet(port: number, user: string): Promise<{ callId: string; notifies: SipMessage[] }> {
    const juliet = await login(server, JULIET);
    const probe = await SipProbe.open({ host: LOOPBACK, port, user, domain: "example.com" });
    probes.push(probe);
    let callId = "";
    try {
      await juliet.send(xml("presence", {}, xml("status", {}, `Reading for ${user}`)));
      const subscribed = await probe.subscribe(`sip:juliet@${CHAT_SIP_DOMAIN}`, "presence", 600);
      callId = subscribed.callId;
      expect(subscribed.response.status).toBe(200);
      expect(state(await probe.waitForNotify(callId))).toBe("pending;expires=600");
      await juliet.waitFor(typed("subscribe", watcherJid(user)));
      await juliet.send(xml("presence", { to: watcherJid(user), type: "subscribed" }));
      const active = await probe.waitForNotify(callId, (body) => body.includes(`Reading for ${user}`));
      expect(state(active)).toMatch(/^active;expires=(600|599)$/);
      expect(active.body).toContain("<basic>open</basic>");
      await juliet.send(xml("presence", {}, xml("show", {}, "dnd"), xml("status", {}, `In a meeting, ${user}`)));
      const changed = await probe.waitForNotify(callId, (body) => body.includes(`In a meeting, ${user}`));
      expect(changed.body).toContain("busy");
    } finally {
      await juliet.stop();
    }
    // RFC 3863 §4.1.4: offline is basic closed; the last NOTIFY of the exchange.
    await probe.waitForNotify(callId, (body) => body.includes("<basic>closed</basic>"));
    return { callId, notifies: probe.received.filter((m) => m.method === "NOTIFY" && header(m, "call-id") === callId) };
  }

  it("a watcher that SUBSCRIBEs straight to the bridge gets its NOTIFYs straight from the bridge, not through the proxy", async () => {
    const { callId, notifies } = await watchJuliet(bridgePort, "1003");
    // RFC 3261 §12.2.1.1: no Record-Route, an empty route set: every NOTIFY went to the watcher's Contact.
    expect(notifies.map((m) => m.uri)).toEqual(notifies.map(() => expect.stringMatching(/^sip:1003@127\.0\.0\.1:\d+;transport=udp$/)));
    expect(notifies.map((m) => header(m, "route"))).toEqual(notifies.map(() => undefined));
    expect(traced(callId)).toEqual([]);
    expect(logger.records.filter((r) => r.event === "sip.notify.failed" && r.fields["callId"] === callId)).toEqual([]);
  });

  it("a watcher that SUBSCRIBEs through Kamailio (record-routed) gets its NOTIFYs back through Kamailio", async () => {
    const { callId, notifies } = await watchJuliet(kamailio.port, "1004");
    const inbound = traced(callId).filter((l) => l.startsWith("in NOTIFY "));
    expect(inbound).toHaveLength(notifies.length);
    expect(inbound.every((l) => l.includes(`from ${LOOPBACK}:${bridgePort} (udp)`))).toBe(true);
    expect(logger.records.filter((r) => r.event === "sip.notify.failed" && r.fields["callId"] === callId)).toEqual([]);
  });

  it("the bridge's un-SUBSCRIBE inside its dialog with Kamailio reaches Kamailio, which ends the subscription", async () => {
    const phone = { host: LOOPBACK, port: kamailio.port, transport: "udp" as const };
    expect((await sipsakPublish(phone, PHONE, onThePhonePidf(PHONE))).code).toBe(200);
    const juliet = await login(server, JULIET);
    try {
      await juliet.send(xml("presence"));
      await juliet.send(xml("presence", { to: PHONE_JID, type: "subscribe" }));
      await juliet.waitFor(typed("subscribed", PHONE_JID));
      await juliet.waitFor(presenceFrom(PHONE_JID, "dnd", "On the phone"));
      const subscribes = (): string[] =>
        readFileSync(kamailio.logFile, "utf8").split("\n").filter((l) => l.includes(`trace: in SUBSCRIBE ${PHONE} from ${LOOPBACK}:${bridgePort}`));
      const initial = subscribes();
      expect(initial).toHaveLength(1);
      const callId = /call-id (\S+)$/.exec(initial[0] ?? "")?.[1] ?? "";

      await juliet.send(xml("presence", { to: PHONE_JID, type: "unsubscribe" }));
      // RFC 6665 §4.1.2.3: Expires 0 inside the dialog, to Kamailio's Contact (Kamailio is the notifier, no
      // Record-Route); Kamailio ends the subscription with a NOTIFY, which the bridge answers (traced as 200 in).
      const settled = (): boolean => {
        const lines = traced(callId);
        const second = lines.map((l) => l.startsWith("in SUBSCRIBE ")).lastIndexOf(true);
        return lines.filter((l) => l.startsWith("in SUBSCRIBE ")).length === 2 && lines.slice(second).some((l) => /^in 200 OK to \d+ NOTIFY /.test(l));
      };
      const deadline = Date.now() + 5000;
      while (!settled()) {
        if (Date.now() > deadline) throw new Error(`no un-SUBSCRIBE answered by a NOTIFY in Kamailio's trace:\n${traced(callId).join("\n")}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(traced(callId).filter((l) => l.startsWith("in SUBSCRIBE "))).toEqual([
        `in SUBSCRIBE ${PHONE} from ${LOOPBACK}:${bridgePort} (udp) call-id ${callId}`,
        `in SUBSCRIBE sip:${LOOPBACK}:${kamailio.port};transport=udp from ${LOOPBACK}:${bridgePort} (udp) call-id ${callId}`,
      ]);
      expect(logger.records.filter((r) => r.event === "sip.subscription.terminated" && r.fields["presentity"] === PHONE).map((r) => r.fields["reason"]))
        .toEqual(["unsubscribed"]);
    } finally {
      await juliet.stop();
    }
  });
});
