/**
 * The gateway across restarts, run as `presence-bridge start --config FILE` in a child
 * process between real Prosody and real Kamailio: SIGTERM ends everything cleanly
 * (unavailable to XMPP watchers, SIP subscriptions ended, notifier dialogs terminated with
 * reason=deactivated, exit 0); SIGKILL mid-traffic and a restart on the same store keep
 * every XMPP subscription, re-establish the SIP ones, and watchers see current presence.
 */
import { spawnSync } from "node:child_process";
import { xml } from "@xmpp/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqliteStore } from "../../src/store/index.js";
import { freePort } from "../servers/free-port.js";
import { startKamailio, type Kamailio } from "../servers/kamailio.js";
import { startProsody, type XmppServer } from "../servers/prosody.js";
import { header, type SipMessage } from "../servers/sip-message.js";
import { sipsak, sipsakPublish } from "../servers/sipsak.js";
import { UasPeer } from "../unit/sip/uas-peer.js";
import { CHAT_SIP_DOMAIN, etagOf, onThePhonePidf, openPidf, ROOT, startBridge, writeGatewayConfig } from "./gateway-helpers.js";
import { COMPONENT, JULIET, login, presenceFrom, ROMEO, scratchDir, typed } from "./presence-server-helpers.js";

const WATCHER_JID = `1002\\40example.com@${COMPONENT.domain}`;
const state = (m: SipMessage): string | undefined => header(m, "subscription-state");

describe.sequential("gateway across restarts (Prosody, Kamailio, the CLI in a child process)", () => {
  let server: XmppServer;
  let kamailio: Kamailio;
  let bridgePort: number;
  let scratch: ReturnType<typeof scratchDir>;
  const peers: UasPeer[] = [];

  beforeAll(async () => {
    const build = spawnSync("npm", ["run", "build"], { cwd: ROOT, encoding: "utf8" });
    if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
    server = await startProsody({ components: [COMPONENT], users: [JULIET, ROMEO] });
    bridgePort = await freePort({ udp: true });
    kamailio = await startKamailio({ forward: { domain: CHAT_SIP_DOMAIN, target: `sip:127.0.0.1:${bridgePort}` } });
    scratch = scratchDir("gw-restart");
  });
  afterAll(async () => {
    await Promise.all(peers.splice(0).map((p) => p.close()));
    await kamailio?.stop();
    await server?.stop();
    scratch?.remove();
  });

  const phoneServer = () => ({ host: kamailio.host, port: kamailio.port, transport: "udp" as const });

  it("SIGTERM: unavailable to XMPP watchers, SIP subscriptions ended, notifier dialogs deactivated, exit 0", async () => {
    const dir = scratchDir("gw-term");
    const phone = `sip:1003@${COMPONENT.domain}`;
    const child = startBridge(writeGatewayConfig(dir.dir, server, kamailio, bridgePort));
    const juliet = await login(server, JULIET, "term");
    try {
      await child.online;
      expect(child.stdout()).toContain(`presence-bridge: SIP side listening on udp 127.0.0.1:${bridgePort} as sip:presence-bridge@${COMPONENT.domain}`);
      expect((await sipsakPublish(phoneServer(), phone, onThePhonePidf(phone))).code).toBe(200);
      await juliet.send(xml("presence"));
      await juliet.send(xml("presence", { to: `1003@${COMPONENT.domain}`, type: "subscribe" }));
      await juliet.waitFor(presenceFrom(`1003@${COMPONENT.domain}`, "dnd", "On the phone"));

      const peer = await UasPeer.open("udp", { host: kamailio.host, port: kamailio.port }, "1002");
      peers.push(peer);
      const { dialog } = await peer.subscribe(`sip:juliet@${CHAT_SIP_DOMAIN}`, { expires: 600 });
      expect(state(await peer.nthNotify(dialog!.callId, 1))).toBe("pending;expires=600");
      await juliet.waitFor(typed("subscribe", WATCHER_JID));
      await juliet.send(xml("presence", { to: WATCHER_JID, type: "subscribed" }));
      expect(state(await peer.nthNotify(dialog!.callId, 2))).toMatch(/^active;/);

      const since = juliet.received.length;
      expect(await child.kill("SIGTERM")).toEqual({ code: 0, signal: null });
      await juliet.waitFor(typed("unavailable", `1003@${COMPONENT.domain}`), since);
      let n = 3;
      let last = await peer.nthNotify(dialog!.callId, n);
      while (state(last)?.startsWith("active") === true) last = await peer.nthNotify(dialog!.callId, ++n);
      expect(state(last)).toBe("terminated;reason=deactivated");
      // Nothing is left to resume: the SIP subscription and the notifier dialog ended, the XMPP subscriptions stay.
      const store = SqliteStore.open(`${dir.dir}/bridge.sqlite`);
      if (!store.ok) throw new Error(store.error.message);
      try {
        expect([...store.value.listDialogs()].map((d) => d.role)).toEqual([]);
        expect(store.value.getSubscription(`1003@${COMPONENT.domain}`, `${JULIET.user}@${server.domain}`)?.state).toBe("from");
      } finally {
        store.value.close();
      }
    } finally {
      await child.kill("SIGKILL");
      await juliet.stop();
      dir.remove();
    }
  });

  it("SIGKILL mid-traffic, then a restart: the subscriptions are all there and watchers see the current presence", async () => {
    const phone = `sip:1004@${COMPONENT.domain}`;
    const contact = `1004@${COMPONENT.domain}`;
    const config = writeGatewayConfig(scratch.dir, server, kamailio, bridgePort);
    let child = startBridge(config);
    const romeo = await login(server, ROMEO, "kill");
    try {
      await child.online;
      const first = await sipsakPublish(phoneServer(), phone, onThePhonePidf(phone));
      expect(first.code).toBe(200);
      await romeo.send(xml("presence", {}, xml("status", {}, "Before")));
      await romeo.send(xml("presence", { to: contact, type: "subscribe" }));
      await romeo.waitFor(presenceFrom(contact, "dnd", "On the phone"));
      const peer = await UasPeer.open("udp", { host: kamailio.host, port: kamailio.port }, "1002");
      peers.push(peer);
      const { dialog } = await peer.subscribe(`sip:romeo@${CHAT_SIP_DOMAIN}`, { expires: 600 });
      await romeo.waitFor(typed("subscribe", WATCHER_JID));
      await romeo.send(xml("presence", { to: WATCHER_JID, type: "subscribed" }));
      let n = 1;
      let last = await peer.nthNotify(dialog!.callId, n);
      while (!last.body.includes("Before")) last = await peer.nthNotify(dialog!.callId, ++n);

      expect(await child.kill("SIGKILL")).toEqual({ code: null, signal: "SIGKILL" });
      // While the bridge is down, both sides change.
      const modified = await sipsak({
        ...phoneServer(), method: "PUBLISH", uri: phone, body: openPidf(phone, "Back at my desk"),
        headers: [["Event", "presence"], ["Expires", "300"], ["Content-Type", "application/pidf+xml"], ["SIP-If-Match", etagOf(first.output) ?? ""]],
      });
      expect(modified.code).toBe(200);
      const since = romeo.received.length;
      await romeo.send(xml("presence", {}, xml("show", {}, "away"), xml("status", {}, "After")));

      child = startBridge(config);
      expect(await child.online).toContain("2 subscriptions");
      // The XMPP watcher: the re-established SIP subscription's NOTIFY carries the phone's current state.
      await romeo.waitFor(presenceFrom(contact, undefined, "Back at my desk"), since);
      // The SIP watcher: the same dialog continues; the probe after the restart brings Romeo's current presence.
      do last = await peer.nthNotify(dialog!.callId, ++n, 10_000);
      while (!last.body.includes("After"));
      expect(state(last)).toMatch(/^active;/);
      expect(header(last, "call-id")).toBe(dialog!.callId);
    } finally {
      await child.kill("SIGTERM");
      await romeo.stop();
    }
  });
});
