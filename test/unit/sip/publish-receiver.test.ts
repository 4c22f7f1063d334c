/** The PUBLISH receiver over real loopback sockets (the sip.js core alone would answer 405). */
import { afterEach, describe, expect, it } from "vitest";
import { header } from "../../servers/sip-message.js";
import { ManualClock } from "./helpers.js";
import { startUas, type Uas } from "./uas-fixture.js";
import { UasPeer, type PeerProtocol } from "./uas-peer.js";

const open: { close(): Promise<void> }[] = [];
const uases: Uas[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
  await Promise.all(uases.splice(0).map((u) => u.stop()));
});

const PIDF = (basic: string, note: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\r\n<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:alice@bridge.example.com">` +
  `<tuple id="desk"><status><basic>${basic}</basic></status><note>${note}</note></tuple></presence>`;

async function setup(protocol: PeerProtocol, options: object = {}) {
  const uas = await startUas({ protocol, ...options });
  uases.push(uas);
  const peer = await UasPeer.open(protocol, { host: "127.0.0.1", port: uas.port }, "desk");
  open.push(peer);
  const uri = `sip:alice@127.0.0.1:${uas.port}${protocol === "tcp" ? ";transport=tcp" : ""}`;
  const publish = (headers: [string, string][], body?: string) =>
    peer.request({ method: "PUBLISH", uri, headers: [["Event", "presence"], ...headers], ...(body === undefined ? {} : { body }) });
  return { uas, peer, publish };
}

describe.each<PeerProtocol>(["udp", "tcp"])("PUBLISH receiver over %s", (protocol) => {
  it("initial, refresh, modify and remove; 412 for a stale entity-tag; the gateway gets the publications", async () => {
    const { uas, publish } = await setup(protocol);
    const initial = await publish([["Expires", "600"], ["Content-Type", "application/pidf+xml"]], PIDF("open", "Zürich ☕"));
    expect(initial.status).toBe(200);
    const etag1 = header(initial, "sip-etag")!;
    expect(etag1).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(header(initial, "expires")).toBe("600");
    expect(uas.gateway.published).toHaveLength(1);
    const [presentity, publications] = uas.gateway.published[0]!;
    expect(presentity).toBe("alice@example.com");
    expect(publications.map((p) => [p.etag, p.event, p.publisher, p.document.kind])).toEqual([[etag1, "presence", "sip:desk@example.com", "pidf"]]);
    expect(publications[0]?.body.content).toContain("Zürich ☕");

    const refresh = await publish([["Expires", "600"], ["SIP-If-Match", etag1]]);
    const etag2 = header(refresh, "sip-etag")!;
    expect([refresh.status, etag2 !== etag1]).toEqual([200, true]);
    expect(uas.gateway.published).toHaveLength(1); // a refresh changes no state

    expect((await publish([["SIP-If-Match", etag1]])).status).toBe(412);
    const modify = await publish([["SIP-If-Match", etag2], ["Content-Type", "application/pidf+xml"]], PIDF("closed", "away"));
    expect(modify.status).toBe(200);
    const etag3 = header(modify, "sip-etag")!;
    expect(uas.gateway.published.at(-1)?.[1].map((p) => p.etag)).toEqual([etag3]);

    const remove = await publish([["Expires", "0"], ["SIP-If-Match", etag3]]);
    expect([remove.status, header(remove, "expires"), header(remove, "sip-etag")]).toEqual([200, "0", undefined]);
    expect(uas.gateway.published.at(-1)).toEqual(["alice@example.com", []]);
  });

  it("answers 404, 489, 423, 415 and 400 with a reason, and keeps serving", async () => {
    const { uas, peer, publish } = await setup(protocol, { publishLimits: { minExpires: 120 } });
    const unknown = await peer.request({ method: "PUBLISH", uri: `sip:mallory@127.0.0.1:${uas.port}`, headers: [["Event", "presence"]], body: PIDF("open", "x") });
    expect(unknown.status).toBe(404);
    const event = await peer.request({ method: "PUBLISH", uri: `sip:alice@127.0.0.1:${uas.port}`, headers: [["Event", "reg"]], body: "x" });
    expect([event.status, header(event, "allow-events")]).toEqual([489, "presence, dialog"]);
    const brief = await publish([["Expires", "60"], ["Content-Type", "application/pidf+xml"]], PIDF("open", "x"));
    expect([brief.status, header(brief, "min-expires")]).toEqual([423, "120"]);
    const type = await publish([["Content-Type", "text/plain"]], "open");
    expect([type.status, header(type, "accept")]).toEqual([415, "application/pidf+xml, application/xpidf+xml, application/cpim-pidf+xml"]);
    const broken = await publish([["Content-Type", "application/pidf+xml"]], "<presence xmlns='urn:ietf:params:xml:ns:pidf'><tuple>");
    expect(broken.status).toBe(400);
    expect(broken.reason).toMatch(/^Bad Presence Body \(not-well-formed/);
    expect(header(broken, "warning")).toMatch(/^399 presence-bridge "/);
    const dtd = await publish([["Content-Type", "application/pidf+xml"]], "<!DOCTYPE p [<!ENTITY x 'y'>]><presence/>");
    expect(dtd.status).toBe(400);
    expect(uas.gateway.published).toEqual([]);
    const fine = await publish([["Content-Type", "application/pidf+xml"]], PIDF("open", "still serving"));
    expect(fine.status).toBe(200);
  });

  it("composes several publishers of one presentity, dialog and presence side by side", async () => {
    const { uas, publish, peer } = await setup(protocol);
    await publish([["Content-Type", "application/pidf+xml"]], PIDF("open", "desk phone"));
    await publish([["Content-Type", "application/pidf+xml"]], PIDF("closed", "softphone"));
    const dialogInfo = `<?xml version="1.0"?><dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="3" state="full" entity="sip:alice@bridge.example.com"><dialog id="a"><state>confirmed</state></dialog></dialog-info>`;
    const blf = await peer.request({
      method: "PUBLISH", uri: `sip:alice@127.0.0.1:${uas.port}${protocol === "tcp" ? ";transport=tcp" : ""}`,
      headers: [["Event", "dialog"], ["Content-Type", "application/dialog-info+xml"]], body: dialogInfo,
    });
    expect(blf.status).toBe(200);
    const last = uas.gateway.published.at(-1)?.[1] ?? [];
    expect(last.map((p) => [p.event, p.document.kind])).toEqual([["presence", "pidf"], ["presence", "pidf"], ["dialog", "dialog-info"]]);
    expect(uas.receiver.publications("alice@example.com")).toHaveLength(3);
  });
});

describe("PUBLISH receiver: expiry and access", () => {
  it("expires a publication that is not refreshed", async () => {
    const clock = new ManualClock();
    const { uas, publish } = await setup("udp", { clock });
    const initial = await publish([["Expires", "60"], ["Content-Type", "application/pidf+xml"]], PIDF("open", "brief"));
    expect(initial.status).toBe(200);
    clock.advance(59_000);
    expect(uas.receiver.publications("alice@example.com")).toHaveLength(1);
    clock.advance(1_000);
    expect(uas.receiver.publications("alice@example.com")).toHaveLength(0);
    expect(uas.gateway.published.at(-1)).toEqual(["alice@example.com", []]);
    expect((await publish([["SIP-If-Match", header(initial, "sip-etag")!]])).status).toBe(412);
  });

  it("a stranger can neither publish (403) nor, with users configured, without our digest (401)", async () => {
    const closed = await setup("udp", { access: { trustedNetworks: ["192.0.2.0/24"] } });
    expect((await closed.publish([["Content-Type", "application/pidf+xml"]], PIDF("open", "x"))).status).toBe(403);
    const guarded = await setup("udp", { access: { digest: { realm: "r", users: [{ user: "desk", password: "pw" }] } } });
    const challenged = await guarded.publish([["Content-Type", "application/pidf+xml"]], PIDF("open", "x"));
    expect(challenged.status).toBe(401);
    expect(challenged.headers.get("www-authenticate")?.map((c) => /algorithm=([\w-]+)/.exec(c)?.[1])).toEqual(["SHA-256", "MD5"]);
    expect(guarded.uas.gateway.published).toEqual([]);
  });
});
