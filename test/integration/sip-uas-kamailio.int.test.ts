/**
 * The notifier behind a real Kamailio: a watcher's SUBSCRIBE for `alice@bridge.test` reaches
 * Kamailio, which relays it to the bridge record-routed (lab/servers/kamailio/kamailio.cfg,
 * BRIDGE_DOMAIN); NOTIFYs and refreshes then travel the dialog's route set through Kamailio.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../servers/free-port.js";
import { startKamailio, type Kamailio } from "../servers/kamailio.js";
import { header, type SipMessage } from "../servers/sip-message.js";
import { until } from "../unit/sip/helpers.js";
import { available, GatewayRecorder, MemoryDialogStore, startUas, type Uas } from "../unit/sip/uas-fixture.js";
import { UasPeer, type PeerProtocol } from "../unit/sip/uas-peer.js";

const state = (m: SipMessage): string | undefined => header(m, "subscription-state");
const cseq = (m: SipMessage): number => Number((header(m, "cseq") ?? "").split(" ")[0]);
const ALICE = "sip:alice@bridge.test";

describe.each<PeerProtocol>(["udp", "tcp"])("notifier behind Kamailio over %s", (protocol) => {
  let kamailio: Kamailio;
  let bridgePort: number;
  let uas: Uas | undefined;
  const peers: UasPeer[] = [];

  beforeAll(async () => {
    bridgePort = await freePort({ udp: true });
    kamailio = await startKamailio({
      forward: { domain: "bridge.test", target: `sip:127.0.0.1:${bridgePort}${protocol === "tcp" ? ";transport=tcp" : ""}` },
    });
  });
  afterAll(async () => {
    await kamailio.stop();
  });
  afterEach(async () => {
    await Promise.all(peers.splice(0).map((p) => p.close()));
    await uas?.stop();
    uas = undefined;
  });

  async function bridge(options: { store?: MemoryDialogStore; gateway?: GatewayRecorder; limits?: object } = {}): Promise<Uas> {
    uas = await startUas({ protocol, port: bridgePort, ...options });
    return uas;
  }

  async function watcher(): Promise<UasPeer> {
    const peer = await UasPeer.open(protocol, { host: kamailio.host, port: kamailio.port });
    peers.push(peer);
    return peer;
  }

  it("pending, then active with PIDF after approval, then changes; NOTIFYs come through Kamailio", async () => {
    const b = await bridge();
    const peer = await watcher();
    const { response, dialog } = await peer.subscribe(ALICE, { expires: 600 });
    expect(response.status).toBe(200);
    // Kamailio's Record-Route made it into the 200 and into the route set.
    expect(dialog?.routeSet.join()).toContain(`127.0.0.1:${kamailio.port}`);
    const pending = await peer.nthNotify(dialog!.callId, 1);
    expect([state(pending), pending.body]).toEqual(["pending;expires=600", ""]);
    expect(header(pending, "via")).toContain(`127.0.0.1:${kamailio.port}`); // relayed by Kamailio
    b.notifier.setPresence("alice@example.com", available("at the desk"));
    b.notifier.authorize(b.gateway.subscribed[0]!.dialogId, "approve");
    const active = await peer.nthNotify(dialog!.callId, 2);
    expect(state(active)).toMatch(/^active;expires=(600|599)$/);
    expect(active.body).toContain("<basic>open</basic>");
    expect(active.body).toContain("at the desk");
    b.notifier.setPresence("alice@example.com", available("in a meeting"));
    const changed = await peer.nthNotify(dialog!.callId, 3);
    expect(changed.body).toContain("in a meeting");
    expect([cseq(pending), cseq(active), cseq(changed)]).toEqual([1, 2, 3]);
  });

  it("refresh and unsubscribe travel the route set; denial ends with reason=rejected", async () => {
    const b = await bridge();
    b.gateway.decide = (w) => (w.event === "presence" ? "approve" : "defer");
    b.notifier.setPresence("alice@example.com", available("around"));
    const peer = await watcher();
    const { dialog } = await peer.subscribe(ALICE, { expires: 300 });
    await peer.nthNotify(dialog!.callId, 1);
    const refreshed = await peer.resubscribe(dialog!, 600);
    expect([refreshed.status, header(refreshed, "expires")]).toEqual([200, "600"]);
    expect(state(await peer.nthNotify(dialog!.callId, 2))).toBe("active;expires=600");
    expect((await peer.resubscribe(dialog!, 0)).status).toBe(200);
    const last = await peer.nthNotify(dialog!.callId, 3);
    expect(state(last)).toBe("terminated;reason=timeout");

    const blf = await peer.subscribe(ALICE, { event: "dialog" });
    expect(state(await peer.nthNotify(blf.dialog!.callId, 1))).toBe("pending;expires=600");
    b.notifier.authorize(b.gateway.subscribed.at(-1)!.dialogId, "deny");
    const rejected = await peer.nthNotify(blf.dialog!.callId, 2);
    expect([state(rejected), rejected.body]).toEqual(["terminated;reason=rejected", ""]);
    await until(() => b.gateway.ended.length === 2, "both ends reported");
    expect(b.gateway.ended.map(([, reason]) => reason)).toEqual(["timeout", "rejected"]);
  });

  it("fetch and expiry", async () => {
    const b = await bridge({ limits: { minExpires: 1 } });
    b.gateway.decide = () => "approve";
    b.notifier.setPresence("alice@example.com", available("fetch me"));
    const peer = await watcher();
    const fetch = await peer.subscribe(ALICE, { expires: 0 });
    expect(fetch.response.status).toBe(200);
    const only = await peer.nthNotify(fetch.dialog!.callId, 1);
    expect([state(only), only.body.includes("fetch me")]).toEqual(["terminated;reason=timeout", true]);

    const brief = await peer.subscribe(ALICE, { expires: 2 });
    expect(state(await peer.nthNotify(brief.dialog!.callId, 1))).toBe("active;expires=2");
    const expired = await peer.nthNotify(brief.dialog!.callId, 2, 10_000);
    expect(state(expired)).toBe("terminated;reason=timeout");
    await until(() => b.gateway.ended.length === 1, "the expiry reported");
  });

  it("a restarted notifier continues its dialogs through Kamailio", async () => {
    const store = new MemoryDialogStore();
    const gateway = new GatewayRecorder();
    gateway.decide = () => "approve";
    const first = await bridge({ store, gateway });
    first.notifier.setPresence("alice@example.com", available("before"));
    const peer = await watcher();
    const { dialog } = await peer.subscribe(ALICE, { expires: 600 });
    const before = await peer.nthNotify(dialog!.callId, 1);
    await first.stop();
    uas = undefined;

    const second = await bridge({ store, gateway });
    expect(second.notifier.watchers()).toHaveLength(1);
    second.notifier.setPresence("alice@example.com", available("after"));
    const after = await peer.nthNotify(dialog!.callId, 2);
    expect(after.body).toContain("after");
    for (const name of ["call-id", "from", "to"]) expect(header(after, name)).toBe(header(before, name));
    expect(cseq(after)).toBe(cseq(before) + 1);
    // The watcher's refresh still finds the dialog.
    expect((await peer.resubscribe(dialog!, 600)).status).toBe(200);
    expect(state(await peer.nthNotify(dialog!.callId, 3))).toBe("active;expires=600");
  });
});
