/** The notifier over real loopback sockets: a raw watcher against SipStack + Notifier. */
import { afterEach, describe, expect, it } from "vitest";
import { digestAuthorization, header, type SipMessage } from "../../servers/sip-message.js";
import { ManualClock, until } from "./helpers.js";
import { available, startUas, type Uas } from "./uas-fixture.js";
import { UasPeer, type PeerProtocol } from "./uas-peer.js";

const open: { close(): Promise<void> }[] = [];
const uases: Uas[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
  await Promise.all(uases.splice(0).map((u) => u.stop()));
});

async function setup(protocol: PeerProtocol, options: Parameters<typeof startUas>[0] | object = {}) {
  const uas = await startUas({ protocol, ...options });
  uases.push(uas);
  const peer = await UasPeer.open(protocol, { host: "127.0.0.1", port: uas.port });
  open.push(peer);
  const uri = (user: string): string => `sip:${user}@127.0.0.1:${uas.port}${protocol === "tcp" ? ";transport=tcp" : ""}`;
  return { uas, peer, uri };
}

const state = (m: SipMessage): string | undefined => header(m, "subscription-state");
const cseq = (m: SipMessage): number => Number((header(m, "cseq") ?? "").split(" ")[0]);

describe.each<PeerProtocol>(["udp", "tcp"])("notifier over %s", (protocol) => {
  it("200 and an immediate pending NOTIFY without state; approval → active with PIDF; changes follow", async () => {
    const { uas, peer, uri } = await setup(protocol);
    const { response, dialog } = await peer.subscribe(uri("alice"), { expires: 600 });
    expect(response.status).toBe(200);
    expect(header(response, "expires")).toBe("600");
    expect(header(response, "contact")).toMatch(/^<sip:alice@127\.0\.0\.1:\d+/);
    expect(uas.gateway.subscribed).toEqual([{ dialogId: expect.stringContaining(dialog!.callId), presentity: "alice@example.com", watcher: "sip:bob@example.com", event: "presence" }]);
    const first = await peer.nthNotify(dialog!.callId, 1);
    expect(state(first)).toBe("pending;expires=600");
    expect(first.body).toBe("");
    expect(header(first, "event")).toBe("presence");
    expect(header(first, "to")).toContain(`tag=${dialog!.fromTag}`);
    expect(header(first, "from")).toContain(`tag=${dialog!.toTag}`);

    uas.notifier.setPresence("alice@example.com", available("in the garden"));
    expect(peer.notifies(dialog!.callId)).toHaveLength(1); // pending: nothing about the presentity
    uas.notifier.authorize(uas.gateway.subscribed[0]!.dialogId, "approve");
    const second = await peer.nthNotify(dialog!.callId, 2);
    expect(state(second)).toMatch(/^active;expires=(600|599)$/);
    expect(header(second, "content-type")).toBe("application/pidf+xml");
    expect(second.body).toContain("<basic>open</basic>");
    expect(second.body).toContain("in the garden");
    expect(second.body).toContain('entity="sip:alice@bridge.example.com"');

    uas.notifier.setPresence("alice@example.com", available("back inside"));
    const third = await peer.nthNotify(dialog!.callId, 3);
    expect(third.body).toContain("back inside");
    expect([cseq(first), cseq(second), cseq(third)]).toEqual([1, 2, 3]);
    expect(uas.notifier.watchers("alice@example.com")).toHaveLength(1);
  });

  it("a pre-approved watcher gets one active NOTIFY; denial by policy is 403", async () => {
    const { uas, peer, uri } = await setup(protocol);
    uas.notifier.setPresence("alice@example.com", available("here"));
    uas.gateway.decide = (w) => (w.presentity === "alice@example.com" ? "approve" : "deny");
    const { dialog } = await peer.subscribe(uri("alice"));
    const notify = await peer.nthNotify(dialog!.callId, 1);
    expect(state(notify)).toBe("active;expires=600");
    expect(notify.body).toContain("here");
    expect((await peer.subscribe(uri("carol"))).response.status).toBe(403);
  });

  it("denial while pending: terminated;reason=rejected without state, and the gateway hears of it", async () => {
    const { uas, peer, uri } = await setup(protocol);
    uas.notifier.setPresence("alice@example.com", available("secret"));
    const { dialog } = await peer.subscribe(uri("alice"));
    await peer.nthNotify(dialog!.callId, 1);
    uas.notifier.authorizeWatcher("alice@example.com", "sip:bob@example.com", "deny");
    const last = await peer.nthNotify(dialog!.callId, 2);
    expect(state(last)).toBe("terminated;reason=rejected");
    expect(last.body).toBe("");
    await until(() => uas.gateway.ended.length === 1, "the end callback");
    expect(uas.gateway.ended[0]?.[1]).toBe("rejected");
    expect(uas.store.records.size).toBe(0);
    // The dialog is gone: a refresh now gets 481.
    expect((await peer.resubscribe(dialog!, 600)).status).toBe(481);
  });

  it("refresh: 200 and a NOTIFY with the current state; unsubscribe: terminated;reason=timeout", async () => {
    const { uas, peer, uri } = await setup(protocol);
    uas.gateway.decide = () => "approve";
    uas.notifier.setPresence("alice@example.com", available("one"));
    const { dialog } = await peer.subscribe(uri("alice"), { expires: 120 });
    await peer.nthNotify(dialog!.callId, 1);
    const refreshed = await peer.resubscribe(dialog!, 300);
    expect(refreshed.status).toBe(200);
    expect(header(refreshed, "expires")).toBe("300");
    const afterRefresh = await peer.nthNotify(dialog!.callId, 2);
    expect(state(afterRefresh)).toBe("active;expires=300");
    expect(afterRefresh.body).toContain("one");
    expect((await peer.resubscribe(dialog!, 0)).status).toBe(200);
    const last = await peer.nthNotify(dialog!.callId, 3);
    expect(state(last)).toBe("terminated;reason=timeout");
    expect(last.body).toContain("one");
    await until(() => uas.gateway.ended.length === 1, "the end callback");
    expect(uas.gateway.ended[0]?.[1]).toBe("timeout");
    expect(uas.gateway.subscribed).toHaveLength(1); // the refresh was absorbed
  });

  it("fetch: 200 and one terminated NOTIFY with the current state, no dialog kept", async () => {
    const { uas, peer, uri } = await setup(protocol);
    uas.gateway.decide = () => "approve";
    uas.notifier.setPresence("alice@example.com", available("fetched"));
    const { response, dialog } = await peer.subscribe(uri("alice"), { expires: 0 });
    expect(response.status).toBe(200);
    expect(header(response, "expires")).toBe("0");
    const only = await peer.nthNotify(dialog!.callId, 1);
    expect(state(only)).toBe("terminated;reason=timeout");
    expect(only.body).toContain("fetched");
    expect(uas.gateway.fetched).toHaveLength(1);
    expect(uas.gateway.subscribed).toHaveLength(0);
    await until(() => uas.notifier.watchers().length === 0 && uas.store.records.size === 0, "nothing kept");
    expect(uas.gateway.ended).toEqual([]);
  });

  it("answers 489 with Allow-Events, 404, 423 with Min-Expires, 406 and 400", async () => {
    const { peer, uri } = await setup(protocol, { limits: { minExpires: 60 } });
    const bad = await peer.subscribe(uri("alice"), { event: "message-summary" });
    expect([bad.response.status, header(bad.response, "allow-events")]).toEqual([489, "presence, dialog"]);
    expect((await peer.subscribe(uri("mallory"))).response.status).toBe(404);
    const brief = await peer.subscribe(uri("alice"), { expires: 30 });
    expect([brief.response.status, header(brief.response, "min-expires")]).toEqual([423, "60"]);
    const accept = await peer.subscribe(uri("alice"), { headers: [["Accept", "application/xpidf+xml"]] });
    expect([accept.response.status, header(accept.response, "accept")]).toEqual([406, "application/pidf+xml"]);
    expect((await peer.subscribe(uri("alice"), { headers: [["Accept", "application/pidf+xml, text/plain"]] })).response.status).toBe(200);
    const weird = await peer.request({ method: "SUBSCRIBE", uri: uri("alice"), headers: [["Event", "presence"], ["Expires", "soon"]] });
    expect(weird.status).toBe(400);
  });

  it("a gateway callback that throws gets 500 for that SUBSCRIBE only", async () => {
    const { uas, peer, uri } = await setup(protocol);
    uas.gateway.decide = () => {
      throw new Error("store down");
    };
    expect((await peer.subscribe(uri("alice"))).response.status).toBe(500);
    uas.gateway.decide = () => "defer";
    expect((await peer.subscribe(uri("alice"))).response.status).toBe(200);
  });

  it("Event: dialog gets dialog-info with a version per subscription", async () => {
    const { uas, peer, uri } = await setup(protocol);
    uas.gateway.decide = () => "approve";
    uas.notifier.setPresence("alice@example.com", available("ringing", "ringing"));
    const { dialog } = await peer.subscribe(uri("alice"), { event: "dialog" });
    const first = await peer.nthNotify(dialog!.callId, 1);
    expect(header(first, "content-type")).toBe("application/dialog-info+xml");
    expect(header(first, "event")).toBe("dialog");
    expect(first.body).toMatch(/version="0"/);
    expect(first.body).toContain("<state>early</state>");
    uas.notifier.setPresence("alice@example.com", available("talking", "in-call"));
    const second = await peer.nthNotify(dialog!.callId, 2);
    expect(second.body).toMatch(/version="1"/);
    expect(second.body).toContain("<state>confirmed</state>");
    // A change that renders the same dialog-info sends nothing.
    uas.notifier.setPresence("alice@example.com", available("still talking", "in-call"));
    await new Promise((r) => setTimeout(r, 30));
    expect(peer.notifies(dialog!.callId)).toHaveLength(2);
    uas.notifier.setPresence("alice@example.com", available("on hold", "on-hold"));
    const third = await peer.nthNotify(dialog!.callId, 3);
    expect(third.body).toMatch(/version="2"/);
    expect(peer.notifies(dialog!.callId)).toHaveLength(3);
  });

  it("coalesces: one NOTIFY in flight per dialog, the latest state wins, nothing stale queued", async () => {
    const { uas, peer, uri } = await setup(protocol);
    uas.gateway.decide = () => "approve";
    uas.notifier.setPresence("alice@example.com", available("v0"));
    peer.answer = () => 0; // hold every NOTIFY
    const { dialog } = await peer.subscribe(uri("alice"));
    await peer.nthNotify(dialog!.callId, 1);
    for (let i = 1; i <= 50; i++) uas.notifier.setPresence("alice@example.com", available(`v${i}`));
    await new Promise((r) => setTimeout(r, 50));
    expect(peer.notifies(dialog!.callId)).toHaveLength(1); // the first is still in flight
    peer.answer = () => 200;
    expect(peer.release()).toBe(1);
    const second = await peer.nthNotify(dialog!.callId, 2);
    expect(second.body).toContain("v50");
    await new Promise((r) => setTimeout(r, 50));
    expect(peer.notifies(dialog!.callId)).toHaveLength(2);
  });

  it("copies Record-Route into the 200 and routes NOTIFYs through the route set", async () => {
    const { uas, peer, uri } = await setup(protocol);
    uas.gateway.decide = () => "approve";
    const proxy = `<sip:127.0.0.1:${peer.port};${protocol === "tcp" ? "transport=tcp;" : ""}lr;r2=on>`;
    const { response, dialog } = await peer.subscribe(uri("alice"), { headers: [["Record-Route", proxy]] });
    expect(response.headers.get("record-route")).toEqual([proxy]);
    const notify = await peer.nthNotify(dialog!.callId, 1);
    expect(notify.headers.get("route")).toEqual([proxy]);
    expect(notify.uri).toMatch(/^sip:bob@127\.0\.0\.1:\d+/);
  });

  it("481 to a NOTIFY ends the subscription (RFC 6665 §4.2.2)", async () => {
    const { uas, peer, uri } = await setup(protocol);
    uas.gateway.decide = () => "approve";
    const { dialog } = await peer.subscribe(uri("alice"));
    await peer.nthNotify(dialog!.callId, 1);
    peer.answer = () => 481;
    uas.notifier.setPresence("alice@example.com", available("anyone?"));
    await peer.nthNotify(dialog!.callId, 2);
    await until(() => uas.gateway.ended.length === 1, "the end callback");
    expect(uas.gateway.ended[0]?.[1]).toBe("notify-failed");
    expect(uas.notifier.watchers()).toEqual([]);
    expect(uas.store.records.size).toBe(0);
  });
});

describe("notifier: expiry on a simulated clock", () => {
  it("terminated;reason=timeout when no refresh comes; an early refresh re-arms", async () => {
    const clock = new ManualClock();
    const { uas, peer, uri } = await setup("udp", { clock });
    uas.gateway.decide = () => "approve";
    const { dialog } = await peer.subscribe(uri("alice"), { expires: 60 });
    await peer.nthNotify(dialog!.callId, 1);
    clock.advance(50_000);
    expect((await peer.resubscribe(dialog!, 60)).status).toBe(200);
    await peer.nthNotify(dialog!.callId, 2);
    clock.advance(59_000); // 109 s after the start, 59 s after the refresh
    await new Promise((r) => setTimeout(r, 30));
    expect(peer.notifies(dialog!.callId)).toHaveLength(2);
    clock.advance(1_000);
    const last = await peer.nthNotify(dialog!.callId, 3);
    expect(state(last)).toBe("terminated;reason=timeout");
    await until(() => uas.gateway.ended.length === 1, "the end callback");
  });
});

describe("notifier: rate limit (RFC 3856 §6.4) on a simulated clock", () => {
  it("body-only changes wait out the interval and go as one; a state change does not wait", async () => {
    const clock = new ManualClock();
    const { uas, peer, uri } = await setup("udp", { clock, limits: { minNotifyIntervalMs: 1000 } });
    uas.gateway.decide = () => "approve";
    uas.notifier.setPresence("alice@example.com", available("v0"));
    const { dialog } = await peer.subscribe(uri("alice"));
    await peer.nthNotify(dialog!.callId, 1);
    uas.notifier.setPresence("alice@example.com", available("v1"));
    uas.notifier.setPresence("alice@example.com", available("v2"));
    await new Promise((r) => setTimeout(r, 30));
    expect(peer.notifies(dialog!.callId)).toHaveLength(1);
    clock.advance(999);
    await new Promise((r) => setTimeout(r, 30));
    expect(peer.notifies(dialog!.callId)).toHaveLength(1);
    clock.advance(1);
    const second = await peer.nthNotify(dialog!.callId, 2);
    expect(second.body).toContain("v2");
    uas.notifier.setPresence("alice@example.com", available("v3"));
    uas.notifier.authorize(uas.gateway.subscribed[0]!.dialogId, "deny");
    const last = await peer.nthNotify(dialog!.callId, 3);
    expect([state(last), last.body]).toEqual(["terminated;reason=rejected", ""]);
  });
});

describe("notifier: who may subscribe", () => {
  it("403 for an untrusted source without users; 401 then 200 with our digest", async () => {
    const closed = await setup("udp", { access: { trustedNetworks: ["10.0.0.0/8"] } });
    expect((await closed.peer.subscribe(closed.uri("alice"))).response.status).toBe(403);

    const { uas, peer, uri } = await setup("udp", {
      access: { digest: { realm: "bridge.example.com", users: [{ user: "bob", password: "pw" }], algorithms: ["MD5"] } },
    });
    const challenged = await peer.subscribe(uri("alice"));
    expect(challenged.response.status).toBe(401);
    expect(header(challenged.response, "www-authenticate")).toMatch(/^Digest realm="bridge\.example\.com", nonce="[^"]+", algorithm=MD5, qop="auth"$/);
    expect(uas.gateway.subscribed).toEqual([]);
    const authorization = digestAuthorization(challenged.response, "SUBSCRIBE", uri("alice"), { user: "bob", password: "pw" })!;
    const answered = await peer.subscribe(uri("alice"), { headers: [authorization] });
    expect(answered.response.status).toBe(200);
    expect(uas.gateway.subscribed).toEqual([expect.objectContaining({ watcher: "sip:bob@example.com", authenticatedUser: "bob" })]);
    const wrong = digestAuthorization(challenged.response, "SUBSCRIBE", uri("alice"), { user: "bob", password: "guess" })!;
    expect((await peer.subscribe(uri("alice"), { headers: [wrong] })).response.status).toBe(401);
  });
});
