/**
 * baresip (a real SIP phone) watches a contact the bridge serves and must show what the
 * NOTIFYs say: directly against the bridge, and through Kamailio (record-routed). Its
 * contact list shows "Unknown" until a NOTIFY with PIDF, then "Online" / "Offline".
 */
import { afterEach, describe, expect, it } from "vitest";
import { startBaresip, type Baresip } from "../servers/baresip.js";
import { freePort } from "../servers/free-port.js";
import { startKamailio, type Kamailio } from "../servers/kamailio.js";
import { makePresence } from "../../src/presence/index.js";
import { until } from "../unit/sip/helpers.js";
import { available, GatewayRecorder, MemoryDialogStore, startUas, type Uas } from "../unit/sip/uas-fixture.js";

type Protocol = "udp" | "tcp";
const ALICE = "sip:alice@bridge.test";
const offline = makePresence({ availability: "unavailable", origin: { side: "xmpp", entity: "alice@example.com" } });

const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.stop();
});

async function phone(server: { host: string; port: number }, transport: Protocol): Promise<Baresip> {
  const b = await startBaresip({ server, transport, account: { user: "bob" }, pubint: 0, watch: [ALICE] });
  running.push(b);
  return b;
}

async function bridge(protocol: Protocol, options: { port?: number; store?: MemoryDialogStore; gateway?: GatewayRecorder } = {}): Promise<Uas> {
  const uas = await startUas({ protocol, ...options });
  running.push(uas);
  return uas;
}

describe.each<Protocol>(["udp", "tcp"])("baresip watches a presentity the bridge serves (%s)", (protocol) => {
  it("directly: Unknown while pending, Online after approval, Offline on a change", async () => {
    const uas = await bridge(protocol);
    uas.notifier.setPresence("alice@example.com", available("at work"));
    const bob = await phone({ host: "127.0.0.1", port: uas.port }, protocol);
    await until(() => uas.gateway.subscribed.length === 1, "baresip's SUBSCRIBE", 10_000);
    expect(uas.gateway.subscribed[0]).toMatchObject({ presentity: "alice@example.com", watcher: "sip:bob@127.0.0.1", event: "presence" });
    await until(() => uas.notifier.watchers().length === 1, "the pending dialog");
    expect((await bob.watched()).get(ALICE)).toBe("Unknown");
    uas.notifier.authorize(uas.gateway.subscribed[0]!.dialogId, "approve");
    await bob.waitForWatched(ALICE, "Online");
    uas.notifier.setPresence("alice@example.com", offline);
    await bob.waitForWatched(ALICE, "Offline");
    uas.notifier.setPresence("alice@example.com", available("back"));
    await bob.waitForWatched(ALICE, "Online");
  });

  it("through Kamailio, and on after the bridge restarts (same dialog)", async () => {
    const port = await freePort({ udp: true });
    const kamailio: Kamailio = await startKamailio({
      forward: { domain: "bridge.test", target: `sip:127.0.0.1:${port}${protocol === "tcp" ? ";transport=tcp" : ""}` },
    });
    running.push(kamailio);
    const store = new MemoryDialogStore();
    const gateway = new GatewayRecorder();
    gateway.decide = () => "approve";
    const first = await startUas({ protocol, port, store, gateway });
    first.notifier.setPresence("alice@example.com", available("here"));
    const bob = await phone({ host: kamailio.host, port: kamailio.port }, protocol);
    await bob.waitForWatched(ALICE, "Online", 10_000);
    expect(gateway.subscribed).toHaveLength(1);
    await first.stop();

    const second = await bridge(protocol, { port, store, gateway });
    expect(second.notifier.watchers()).toHaveLength(1);
    second.notifier.setPresence("alice@example.com", offline);
    await bob.waitForWatched(ALICE, "Offline");
    // baresip took the NOTIFY in its existing dialog: no new SUBSCRIBE was needed.
    expect(gateway.subscribed).toHaveLength(1);
    expect(gateway.ended).toEqual([]);
  });

  it("denial: terminated;reason=rejected, and baresip closes the subscription and shows Unknown", async () => {
    const uas = await bridge(protocol);
    uas.gateway.decide = () => "approve";
    uas.notifier.setPresence("alice@example.com", available("visible"));
    const bob = await phone({ host: "127.0.0.1", port: uas.port }, protocol);
    await bob.waitForWatched(ALICE, "Online", 10_000);
    uas.notifier.authorizeWatcher("alice@example.com", "sip:bob@127.0.0.1", "deny");
    await until(() => uas.gateway.ended.length === 1, "the rejection", 10_000);
    expect(uas.gateway.ended[0]?.[1]).toBe("rejected");
    // baresip read the reason: it closes the subscription and backs off for an hour.
    await bob.waitForLog(/subscriber closed <sip:alice@bridge\.test>: rejected; will retry in \d+ secs/);
    await bob.waitForWatched(ALICE, "Unknown");
  });
});
